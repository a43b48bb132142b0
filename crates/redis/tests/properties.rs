//! The Redis queue against the model of the queue's contract, on random interleavings of
//! several workers' operations, each case on an emptied private Redis.

use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reactlab_redis::{Redis, RedisQueue, RedisSettings};
use reactlab_testkit::RedisServer;
use reactlab_testkit::queue_model::{check, op};

#[test]
fn no_job_is_lost_held_twice_or_completed_twice() {
    // One server for every case (and stopped after them), emptied before each.
    let server = RedisServer::start();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut runner = TestRunner::new(Config { cases: 48, max_shrink_iters: 200, failure_persistence: None, ..Config::default() });
    let outcome = runner.run(&proptest::collection::vec(op(), 1..24), |ops| {
        runtime
            .block_on(async {
                let redis = Redis::new(&RedisSettings { url: server.url(), ..Default::default() }).unwrap();
                let mut conn = redis.connection();
                let _: () = redis::cmd("FLUSHALL").query_async(&mut conn).await.unwrap();
                check(&RedisQueue::new(redis), &ops).await
            })
            .map_err(TestCaseError::fail)
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}
