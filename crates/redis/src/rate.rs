//! Rate limits counted in Redis, so that N API processes behind a load balancer allow a
//! client what one would, not N times as much. The same algorithm as the in-process
//! limiter (GCRA: `per_minute` requests at once, then one per `60 / per_minute` s), in
//! one atomic script, on the server's clock.

use crate::PREFIX;
use crate::connection::Redis;
use redis::{RedisError, RedisResult, Script};
use std::sync::LazyLock;
use std::time::Duration;

/// Counts one request, or says how long to wait (see the script for its KEYS and ARGV).
static HIT: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/rate.lua")));

/// A limit check gives up sooner than other commands: the API then counts in its own
/// process, rather than make every sign-in wait for a Redis that is down.
const RATE_TIMEOUT: Duration = Duration::from_millis(300);

pub struct RedisRateLimiter {
    redis: Redis,
}

impl RedisRateLimiter {
    pub fn new(redis: Redis) -> Self {
        RedisRateLimiter { redis }
    }

    /// Counts one request of `key` under the limit named `bucket` (`per_minute`, each also
    /// the burst): `None` when allowed, else how long to wait.
    pub async fn hit(&self, bucket: &str, per_minute: u32, key: &str) -> RedisResult<Option<Duration>> {
        let per_minute = per_minute.max(1);
        let interval_ms = 60_000.0 / f64::from(per_minute);
        let mut conn = self.redis.connection();
        let mut invocation = HIT.key(format!("{PREFIX}rate:{bucket}:{key}"));
        invocation.arg(interval_ms).arg(per_minute);
        let wait = match tokio::time::timeout(RATE_TIMEOUT, invocation.invoke_async::<u64>(&mut conn)).await {
            Ok(wait) => wait?,
            Err(_) => return Err(RedisError::from(std::io::Error::new(std::io::ErrorKind::TimedOut, "Redis did not answer the rate limit check in time"))),
        };
        Ok((wait > 0).then(|| Duration::from_millis(wait)))
    }
}
