//! The Redis queue against the queue's contract (reactlab_testkit::queue_contract), each
//! test on a private redis-server of its own.

use reactlab_queue::JobQueue;
use reactlab_redis::{Redis, RedisQueue, RedisSettings};
use reactlab_testkit::RedisServer;
use reactlab_testkit::queue_contract::Backend;
use std::sync::Arc;

/// One server; each worker has its own connection and its own name in the consumer group.
struct Private(RedisServer);

impl Backend for Private {
    async fn worker(&self) -> Arc<dyn JobQueue> {
        Arc::new(RedisQueue::new(Redis::new(&RedisSettings { url: self.0.url(), ..Default::default() }).unwrap()))
    }
}

reactlab_testkit::queue_contract!(Private(RedisServer::start()));
