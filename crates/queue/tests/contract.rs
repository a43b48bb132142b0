//! The SQL queue against the queue's contract (reactlab_testkit::queue_contract), on SQLite
//! and on PostgreSQL (a fresh database on REACTLAB_TEST_POSTGRES_URL's server per test).

use reactlab_queue::{JobQueue, SqlQueue};
use reactlab_testkit::PgDatabase;
use reactlab_testkit::queue_contract::Backend;
use std::sync::Arc;

/// One database; each worker connects to it with a pool of its own.
struct Sql {
    url: String,
    /// What keeps the database alive: its temporary folder, or the PostgreSQL database
    /// (dropped with it).
    _keep: Box<dyn std::any::Any + Send + Sync>,
}

impl Sql {
    fn sqlite() -> Sql {
        let dir = tempfile::tempdir().unwrap();
        Sql { url: format!("sqlite://{}/q.db?mode=rwc", dir.path().display()), _keep: Box::new(dir) }
    }

    fn postgres() -> Sql {
        let db = PgDatabase::create();
        Sql { url: db.url.clone(), _keep: Box::new(db) }
    }
}

impl Backend for Sql {
    async fn worker(&self) -> Arc<dyn JobQueue> {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.url).await.unwrap();
        Arc::new(SqlQueue::new(pool).await.unwrap())
    }
}

mod sqlite {
    reactlab_testkit::queue_contract!(super::Sql::sqlite());
}

mod postgres {
    reactlab_testkit::queue_contract!(super::Sql::postgres());
}
