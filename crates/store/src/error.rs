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

/// What a failed store call says about calling again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// An answer about the data (not found, taken, corrupt): the same call gets the same one.
    Answer,
    /// The database or the object store could not be reached, or is restarting: the same
    /// call may well succeed later, and nothing is wrong with what was asked.
    Outage,
    /// The part answers but refuses for good until an operator steps in: bad credentials,
    /// permission denied, a missing bucket or database, a full or read-only disk.
    Permanent,
}

impl StoreError {
    pub fn failure(&self) -> Failure {
        match self {
            StoreError::Database(e) => database_failure(e),
            StoreError::Migration(_) | StoreError::SchemaBehind(_) => Failure::Permanent,
            StoreError::Objects(e) => crate::objects::failure(e),
            StoreError::Conflict(_) | StoreError::NotFound | StoreError::Corrupt(_) => Failure::Answer,
        }
    }

    pub fn is_outage(&self) -> bool {
        self.failure() == Failure::Outage
    }

    /// Which part failed, for metrics and logs.
    pub fn part(&self) -> &'static str {
        match self {
            StoreError::Objects(_) => "object_store",
            _ => "database",
        }
    }
}

fn database_failure(e: &sqlx::Error) -> Failure {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => Failure::Outage,
        sqlx::Error::Configuration(_) => Failure::Permanent,
        sqlx::Error::Database(db) => match db.code() {
            Some(code) if code.len() == 5 => postgres_failure(&code),
            Some(code) => code.parse::<i32>().map_or(Failure::Answer, sqlite_failure),
            None => Failure::Answer,
        },
        _ => Failure::Answer,
    }
}

/// By SQLSTATE: class 08 (connection exception), 57P01–57P03 (shutting down or starting
/// up) and 53300 (too many connections) pass; class 28 (bad credentials), 3D000 (no such
/// database), 42501 (permission denied), and 53100 (disk full) last until
/// someone acts.
fn postgres_failure(code: &str) -> Failure {
    match code {
        _ if code.starts_with("08") => Failure::Outage,
        "57P01" | "57P02" | "57P03" | "53300" => Failure::Outage,
        _ if code.starts_with("28") => Failure::Permanent,
        "3D000" | "42501" | "53100" => Failure::Permanent,
        _ => Failure::Answer,
    }
}

/// By SQLite's primary result code (the low byte of an extended one): busy and locked
/// pass; a read-only, full, unopenable or foreign file and permission denied last.
fn sqlite_failure(code: i32) -> Failure {
    const PERM: i32 = 3;
    const BUSY: i32 = 5;
    const LOCKED: i32 = 6;
    const READONLY: i32 = 8;
    const CORRUPT: i32 = 11;
    const FULL: i32 = 13;
    const CANTOPEN: i32 = 14;
    const NOTADB: i32 = 26;
    match code & 0xff {
        BUSY | LOCKED => Failure::Outage,
        PERM | READONLY | CORRUPT | FULL | CANTOPEN | NOTADB => Failure::Permanent,
        _ => Failure::Answer,
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

    #[test]
    fn refusals_that_last_are_told_from_outages_and_answers() {
        assert_eq!(postgres_failure("08006"), Failure::Outage);
        assert_eq!(postgres_failure("57P03"), Failure::Outage);
        assert_eq!(postgres_failure("28P01"), Failure::Permanent, "bad password");
        assert_eq!(postgres_failure("42501"), Failure::Permanent, "permission denied");
        assert_eq!(postgres_failure("53100"), Failure::Permanent, "disk full");
        assert_eq!(postgres_failure("23505"), Failure::Answer, "a unique violation");
        assert_eq!(sqlite_failure(5), Failure::Outage, "busy");
        assert_eq!(sqlite_failure(8 | 2 << 8), Failure::Permanent, "SQLITE_READONLY_CANTLOCK");
        assert_eq!(sqlite_failure(13), Failure::Permanent, "full");
        assert_eq!(sqlite_failure(2067), Failure::Answer, "SQLITE_CONSTRAINT_UNIQUE");
        assert_eq!(StoreError::SchemaBehind(vec![3]).failure(), Failure::Permanent);
    }
}
