//! What the API caches (the challenge list, profiles) and how it reads through the cache.
//! The cache itself is the store's seam: in process, or in Redis when several API
//! processes must see the same invalidations.

use bytes::Bytes;
pub use reactlab_store::cache::{Cache, MemoryCache};

pub const CHALLENGE_LIST: &str = "challenges";

pub fn profile_key(user_id: &str) -> String {
    format!("profile:{user_id}")
}

/// Reads `key` through the cache, computing and storing it on a miss.
pub async fn cached<T, F>(cache: &dyn Cache, key: &str, load: F) -> Result<Bytes, crate::ApiError>
where
    T: serde::Serialize,
    F: Future<Output = Result<T, crate::ApiError>>,
{
    if let Some(hit) = cache.get(key).await {
        metrics::counter!("reactlab_cache_requests_total", "result" => "hit").increment(1);
        return Ok(hit);
    }
    metrics::counter!("reactlab_cache_requests_total", "result" => "miss").increment(1);
    let value = Bytes::from(serde_json::to_vec(&load.await?).map_err(crate::ApiError::internal)?);
    cache.put(key, value.clone()).await;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

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
