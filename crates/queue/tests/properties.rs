//! The SQL queue against the model of the queue's contract, on random interleavings of
//! several workers' operations (SQLite, a fresh database per case).

use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reactlab_queue::SqlQueue;
use reactlab_testkit::queue_model::{check, op};

#[test]
fn no_job_is_lost_held_twice_or_completed_twice() {
    sqlx::any::install_default_drivers();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut runner = TestRunner::new(Config { cases: 48, max_shrink_iters: 200, failure_persistence: None, ..Config::default() });
    let outcome = runner.run(&proptest::collection::vec(op(), 1..24), |ops| {
        runtime
            .block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let pool = sqlx::AnyPool::connect(&format!("sqlite://{}/q.db?mode=rwc", dir.path().display())).await.unwrap();
                check(&SqlQueue::new(pool).await.unwrap(), &ops).await
            })
            .map_err(TestCaseError::fail)
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}
