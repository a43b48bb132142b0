//! The Redis backends that let ReactLab run on many machines: the job queue on a stream
//! with a consumer group ([`RedisQueue`]), the event bus on pub/sub ([`RedisBus`]) and
//! the shared cache ([`RedisCache`]) and rate limits ([`RedisRateLimiter`]), over
//! connections that reconnect by themselves ([`Redis`]).

mod bus;
mod cache;
mod connection;
mod queue;
mod rate;

pub use bus::RedisBus;
pub use cache::RedisCache;
pub use connection::{Redis, RedisSettings};
pub use queue::RedisQueue;
pub use rate::RedisRateLimiter;

/// Every key this crate writes starts with this, so one Redis can hold other data too.
const PREFIX: &str = "reactlab:";
