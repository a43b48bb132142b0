//! The cache shared by every API process, so that one process's invalidation (a changed
//! challenge, a new result) holds for all. Best effort: when Redis fails, reads miss and
//! go to the database, and nothing fails because of the cache.

use crate::PREFIX;
use crate::connection::Redis;
use async_trait::async_trait;
use bytes::Bytes;
use reactlab_store::cache::Cache;
use redis::AsyncCommands;
use std::time::Duration;

/// Cache calls give up sooner than other commands: a miss is cheaper than a wait.
const CACHE_TIMEOUT: Duration = Duration::from_millis(300);

pub struct RedisCache {
    redis: Redis,
    ttl: Duration,
}

impl RedisCache {
    /// Entries live `ttl` at most, a safety net should an invalidation be missed.
    pub fn new(redis: Redis, ttl: Duration) -> Self {
        RedisCache { redis, ttl }
    }
}

fn key(key: &str) -> String {
    format!("{PREFIX}cache:{key}")
}

async fn best_effort<T>(what: &str, call: impl Future<Output = redis::RedisResult<T>>) -> Option<T> {
    match tokio::time::timeout(CACHE_TIMEOUT, call).await {
        Ok(Ok(value)) => Some(value),
        Ok(Err(e)) => {
            tracing::debug!("redis cache {what} failed, using the database: {e}");
            None
        }
        Err(_) => {
            tracing::debug!("redis cache {what} timed out, using the database");
            None
        }
    }
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, k: &str) -> Option<Bytes> {
        let mut conn = self.redis.connection();
        best_effort("read", conn.get::<_, Option<Vec<u8>>>(key(k))).await.flatten().map(Bytes::from)
    }

    async fn put(&self, k: &str, value: Bytes) {
        let mut conn = self.redis.connection();
        best_effort("write", conn.pset_ex::<_, _, ()>(key(k), value.as_ref(), self.ttl.as_millis() as u64)).await;
    }

    async fn invalidate(&self, k: &str) {
        let mut conn = self.redis.connection();
        if best_effort("invalidation", conn.del::<_, ()>(key(k))).await.is_none() {
            tracing::warn!(key = k, "redis cache invalidation failed; the entry may be stale until its TTL");
        }
    }
}
