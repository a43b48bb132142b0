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

impl StoreError {
    /// The database or the object store could not be reached, or is restarting: the same
    /// request may well succeed later. Other errors are answers (not found, taken, corrupt).
    pub fn is_outage(&self) -> bool {
        match self {
            StoreError::Database(e) => database_outage(e),
            // The object store's client retries on its own first (see `Objects::s3`): what
            // is left is a store that did not do what it was asked.
            StoreError::Objects(_) => true,
            _ => false,
        }
    }
}

fn database_outage(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => true,
        // SQLSTATE class 08 (connection exception), 57P01–57P03 (the server is shutting down
        // or starting up) and 53300 (too many connections).
        sqlx::Error::Database(db) => db.code().is_some_and(|code| code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_an_outage_and_a_taken_name_is_not() {
        assert!(StoreError::Database(sqlx::Error::PoolTimedOut).is_outage());
        assert!(StoreError::Database(sqlx::Error::Io(std::io::ErrorKind::ConnectionRefused.into())).is_outage());
        assert!(!StoreError::Database(sqlx::Error::RowNotFound).is_outage());
        assert!(!StoreError::Conflict("username").is_outage());
        assert!(!StoreError::NotFound.is_outage());
    }
}
