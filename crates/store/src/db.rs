use crate::clock::{Clock, SystemClock};
use crate::error::StoreError;
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use std::sync::Arc;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// What to do about the schema when connecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Migrations {
    /// Apply pending migrations (embedded mode, `reactlab migrate`, `--migrate`).
    Apply,
    /// Refuse to start on a schema that is behind: with many processes, one deliberate
    /// `reactlab migrate` changes it, not whichever process starts first.
    Require,
}

/// The database: a pool on `sqlite://…` or `postgres://…`.
#[derive(Clone)]
pub struct Db {
    pub(crate) pool: AnyPool,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Db {
    /// Connects and applies pending migrations. A SQLite file is created when missing.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        Self::open(url, Migrations::Apply, Arc::new(SystemClock)).await
    }

    pub async fn connect_with_clock(url: &str, clock: Arc<dyn Clock>) -> Result<Db, StoreError> {
        Self::open(url, Migrations::Apply, clock).await
    }

    pub async fn open(url: &str, migrations: Migrations, clock: Arc<dyn Clock>) -> Result<Db, StoreError> {
        sqlx::any::install_default_drivers();
        let is_sqlite = url.starts_with("sqlite:");
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        if is_sqlite {
            // WAL lets readers run beside the one writer; busy_timeout makes writers wait
            // for each other instead of failing with SQLITE_BUSY.
            options = options.max_connections(8).after_connect(|conn, _| {
                Box::pin(async move {
                    use sqlx::Executor;
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;").await?;
                    Ok(())
                })
            });
        } else {
            options = options.max_connections(16);
        }
        let url = if is_sqlite && !url.contains("mode=") { format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" }) } else { url.to_string() };
        let pool = options.connect(&url).await?;
        match migrations {
            Migrations::Apply => MIGRATOR.run(&pool).await?,
            Migrations::Require => {
                let pending = Self::pending(&pool).await?;
                if !pending.is_empty() {
                    return Err(StoreError::SchemaBehind(pending));
                }
            }
        }
        Ok(Db { pool, clock })
    }

    /// Versions of the migrations this build knows that the database has not applied.
    async fn pending(pool: &AnyPool) -> Result<Vec<i64>, StoreError> {
        // A database never migrated has no bookkeeping table: everything is pending.
        let applied: Vec<i64> = match sqlx::query_scalar::<_, i64>("SELECT version FROM _sqlx_migrations WHERE success = TRUE").fetch_all(pool).await {
            Ok(versions) => versions,
            Err(sqlx::Error::Database(_)) => vec![],
            Err(e) => return Err(e.into()),
        };
        Ok(MIGRATOR.iter().map(|m| m.version).filter(|v| !applied.contains(v)).collect())
    }

    /// The pool, for parts that keep their own tables beside ours (the SQL queue).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Whether the database answers (readiness).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
