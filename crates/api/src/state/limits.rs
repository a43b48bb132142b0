//! Rate limits on registration, sign-in, preview (per client address) and submissions (per
//! user). Counted in Redis when the platform has it, so that every API process behind a
//! load balancer counts the same requests; in this process otherwise, and meanwhile when
//! Redis fails.

use crate::error::ApiError;
use async_trait::async_trait;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// Requests per minute allowed (each also the burst).
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    pub register_per_minute: u32,
    pub login_per_minute: u32,
    pub submit_per_minute: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits { register_per_minute: 10, login_per_minute: 20, submit_per_minute: 30 }
    }
}

/// Preview transpilations per client address and minute: generous (one per pause in
/// typing), but a bound on the CPU an anonymous caller can spend.
const PREVIEW_PER_MINUTE: u32 = 600;

/// What is limited (its discriminant indexes the in-process limiters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Register = 0,
    Login = 1,
    Submit = 2,
    Preview = 3,
}

impl Bucket {
    const ALL: [Bucket; 4] = [Bucket::Register, Bucket::Login, Bucket::Submit, Bucket::Preview];

    fn name(self) -> &'static str {
        match self {
            Bucket::Register => "register",
            Bucket::Login => "login",
            Bucket::Submit => "submit",
            Bucket::Preview => "preview",
        }
    }
}

/// Counts shared by every API process (Redis); the binary plugs it in.
#[async_trait]
pub trait SharedRateLimits: Send + Sync {
    /// Counts one request of `key` under `bucket` (`per_minute`, each also the burst):
    /// `None` when allowed, else how long to wait; an error when the counts cannot be
    /// reached.
    async fn hit(&self, bucket: &str, per_minute: u32, key: &str) -> Result<Option<Duration>, String>;
}

struct Limiter {
    limiter: DefaultKeyedRateLimiter<String>,
}

impl Limiter {
    fn per_minute(n: u32) -> Self {
        let n = NonZeroU32::new(n.max(1)).expect("at least one");
        Limiter { limiter: RateLimiter::keyed(Quota::per_minute(n)) }
    }

    fn check(&self, key: &str) -> Result<(), Duration> {
        self.limiter.check_key(&key.to_string()).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

pub struct Limiters {
    limits: RateLimits,
    local: [Limiter; 4],
    shared: Option<Arc<dyn SharedRateLimits>>,
}

impl Limiters {
    pub fn new(limits: RateLimits, shared: Option<Arc<dyn SharedRateLimits>>) -> Self {
        let local = Bucket::ALL.map(|b| Limiter::per_minute(per_minute(&limits, b)));
        Limiters { limits, local, shared }
    }

    /// Counts one request of `key` under `bucket`, or says when to come back.
    pub async fn check(&self, bucket: Bucket, key: &str) -> Result<(), ApiError> {
        let per_minute = per_minute(&self.limits, bucket);
        let outcome = match &self.shared {
            Some(shared) => match shared.hit(bucket.name(), per_minute, key).await {
                Ok(outcome) => outcome,
                Err(e) => {
                    // A limit counted in this process only is weaker, but no one is refused
                    // service because Redis is down.
                    tracing::warn!(bucket = bucket.name(), "shared rate limits unavailable, counting in this process: {e}");
                    self.local_check(bucket, key)
                }
            },
            None => self.local_check(bucket, key),
        };
        match outcome {
            None => Ok(()),
            Some(wait) => Err(ApiError::RateLimited { retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64 }),
        }
    }

    fn local_check(&self, bucket: Bucket, key: &str) -> Option<Duration> {
        self.local[bucket as usize].check(key).err()
    }
}

fn per_minute(limits: &RateLimits, bucket: Bucket) -> u32 {
    match bucket {
        Bucket::Register => limits.register_per_minute,
        Bucket::Login => limits.login_per_minute,
        Bucket::Submit => limits.submit_per_minute,
        Bucket::Preview => PREVIEW_PER_MINUTE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_key_over_its_limit_is_told_when_to_retry_and_others_are_not_affected() {
        let l = Limiters::new(RateLimits { submit_per_minute: 2, ..RateLimits::default() }, None);
        assert!(l.check(Bucket::Submit, "a").await.is_ok());
        assert!(l.check(Bucket::Submit, "a").await.is_ok());
        match l.check(Bucket::Submit, "a").await {
            Err(ApiError::RateLimited { retry_after_secs }) => assert!((1..=30).contains(&retry_after_secs)),
            other => panic!("{other:?}"),
        }
        assert!(l.check(Bucket::Submit, "b").await.is_ok());
        assert!(l.check(Bucket::Login, "a").await.is_ok(), "another limit");
    }

    /// Shared counts that fail: the limit is counted in this process meanwhile.
    struct Down;

    #[async_trait]
    impl SharedRateLimits for Down {
        async fn hit(&self, _: &str, _: u32, _: &str) -> Result<Option<Duration>, String> {
            Err("connection refused".into())
        }
    }

    #[tokio::test]
    async fn when_the_shared_counts_fail_the_process_counts_alone() {
        let l = Limiters::new(RateLimits { register_per_minute: 1, ..RateLimits::default() }, Some(Arc::new(Down)));
        assert!(l.check(Bucket::Register, "a").await.is_ok());
        assert!(matches!(l.check(Bucket::Register, "a").await, Err(ApiError::RateLimited { .. })));
    }
}
