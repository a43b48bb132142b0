use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// A unique value (named) is already taken.
    #[error("{0} is already taken")]
    Conflict(&'static str),
    #[error("not found")]
    NotFound,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("the database schema is behind this build (migrations {0:?} not applied): run `reactlab migrate`, or start with --migrate")]
    SchemaBehind(Vec<i64>),
    #[error("object store: {0}")]
    Objects(#[from] object_store::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}
