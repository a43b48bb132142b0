#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("queue database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("queue backend unavailable: {0}")]
    Unavailable(String),
}
