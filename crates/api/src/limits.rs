//! Rate limits on registration, sign-in (per client address) and submissions (per user).
//! Limits are counted in each API process.

use crate::error::ApiError;
use crate::state::Shared;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::{IpAddr, SocketAddr};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

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

pub struct Limiter {
    limiter: DefaultKeyedRateLimiter<String>,
}

impl Limiter {
    pub fn per_minute(n: u32) -> Self {
        let n = NonZeroU32::new(n.max(1)).expect("at least one");
        Limiter { limiter: RateLimiter::keyed(Quota::per_minute(n)) }
    }

    /// Counts one request for `key`, or says when to come back.
    pub fn check(&self, key: &str) -> Result<(), ApiError> {
        self.limiter.check_key(&key.to_string()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::RateLimited { retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64 }
        })
    }
}

pub struct Limiters {
    pub register: Limiter,
    pub login: Limiter,
    pub submit: Limiter,
    /// Preview transpilations per client address: generous (one per pause in typing),
    /// but a bound on the CPU an anonymous caller can spend.
    pub preview: Limiter,
}

impl Limiters {
    pub fn new(limits: RateLimits) -> Self {
        Limiters {
            register: Limiter::per_minute(limits.register_per_minute),
            login: Limiter::per_minute(limits.login_per_minute),
            submit: Limiter::per_minute(limits.submit_per_minute),
            preview: Limiter::per_minute(600),
        }
    }
}

/// The client's address: the TCP peer, or, behind a reverse proxy the operator declared
/// (`behind_proxy`), the address that proxy put last in `X-Forwarded-For` (earlier entries
/// are whatever the client claimed, and are ignored).
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<Shared> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        if !state.config.behind_proxy {
            return Ok(ClientAddr(peer));
        }
        Ok(ClientAddr(forwarded_client(parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok())).unwrap_or(peer)))
    }
}

/// The last address in the `X-Forwarded-For` values, in order.
pub(crate) fn forwarded_client<'a>(values: impl Iterator<Item = &'a str>) -> Option<IpAddr> {
    values.flat_map(|v| v.split(',')).last().and_then(|a| a.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_over_its_limit_is_told_when_to_retry_and_others_are_not_affected() {
        let l = Limiter::per_minute(2);
        assert!(l.check("a").is_ok());
        assert!(l.check("a").is_ok());
        match l.check("a") {
            Err(ApiError::RateLimited { retry_after_secs }) => assert!((1..=30).contains(&retry_after_secs)),
            other => panic!("{other:?}"),
        }
        assert!(l.check("b").is_ok());
    }

    #[test]
    fn behind_a_proxy_the_client_is_the_last_forwarded_address() {
        assert_eq!(forwarded_client(["6.6.6.6, 10.0.0.7"].into_iter()), Some([10, 0, 0, 7].into()));
        assert_eq!(forwarded_client(["6.6.6.6", "2001:db8::1"].into_iter()), Some("2001:db8::1".parse().unwrap()));
        assert_eq!(forwarded_client(["not an address"].into_iter()), None);
        assert_eq!(forwarded_client(std::iter::empty()), None);
    }
}
