//! Hot reads kept close: in process ([`MemoryCache`]), or in Redis when several API
//! processes must see the same invalidations.

use async_trait::async_trait;
use bytes::Bytes;
use std::time::Duration;

/// A best-effort cache: a failing backend is a miss, never an error, so the caller falls
/// back to the database.
#[async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: &str) -> Option<Bytes>;
    async fn put(&self, key: &str, value: Bytes);
    async fn invalidate(&self, key: &str);
}

/// The cache of one process.
pub struct MemoryCache(moka::future::Cache<String, Bytes>);

impl MemoryCache {
    /// Entries live `ttl` at most, a safety net should an invalidation be missed.
    pub fn new(capacity: u64, ttl: Duration) -> Self {
        MemoryCache(moka::future::Cache::builder().max_capacity(capacity).time_to_live(ttl).build())
    }
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> Option<Bytes> {
        self.0.get(key).await
    }
    async fn put(&self, key: &str, value: Bytes) {
        self.0.insert(key.to_string(), value).await;
    }
    async fn invalidate(&self, key: &str) {
        self.0.invalidate(key).await;
    }
}
