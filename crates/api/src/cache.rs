//! Hot reads (the challenge list, profiles) kept close: in process here, in Redis when
//! several API processes must see the same invalidations.

use async_trait::async_trait;
use bytes::Bytes;
use std::time::Duration;

/// A best-effort cache: a failing backend is a miss, never an error.
#[async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: &str) -> Option<Bytes>;
    async fn put(&self, key: &str, value: Bytes);
    async fn invalidate(&self, key: &str);
}

pub const CHALLENGE_LIST: &str = "challenges";

pub fn profile_key(user_id: &str) -> String {
    format!("profile:{user_id}")
}

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

/// Reads `key` through the cache, computing and storing it on a miss.
pub async fn cached<T, F>(cache: &dyn Cache, key: &str, load: F) -> Result<Bytes, crate::ApiError>
where
    T: serde::Serialize,
    F: Future<Output = Result<T, crate::ApiError>>,
{
    if let Some(hit) = cache.get(key).await {
        return Ok(hit);
    }
    let value = Bytes::from(serde_json::to_vec(&load.await?).map_err(crate::ApiError::internal)?);
    cache.put(key, value.clone()).await;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn invalidation_forces_a_fresh_load() {
        let cache = MemoryCache::new(100, Duration::from_secs(60));
        let one = cached(&cache, "k", async { Ok::<_, crate::ApiError>(1) }).await.unwrap();
        let still_one = cached(&cache, "k", async { Ok::<_, crate::ApiError>(2) }).await.unwrap();
        assert_eq!((one.as_ref(), still_one.as_ref()), (b"1".as_ref(), b"1".as_ref()));
        cache.invalidate("k").await;
        let two = cached(&cache, "k", async { Ok::<_, crate::ApiError>(2) }).await.unwrap();
        assert_eq!(two.as_ref(), b"2");
    }
}
