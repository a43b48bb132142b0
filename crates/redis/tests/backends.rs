//! The Redis backends against a real, private redis-server, in what only Redis does: the
//! queue surviving a Redis restart or the loss of its data, events reaching every process,
//! the shared cache and rate limits, and TLS. The queue's contract, which the SQL queue
//! answers to too, is tests/contract.rs.

use reactlab_queue::{Event, EventBus, JobQueue};
use reactlab_redis::{Redis, RedisBus, RedisCache, RedisQueue, RedisSettings};
use reactlab_store::cache::Cache;
use reactlab_testkit::RedisServer;
use std::time::Duration;

const LEASE: Duration = Duration::from_secs(30);
const NOW: Duration = Duration::ZERO;

fn redis(server: &RedisServer) -> Redis {
    Redis::new(&RedisSettings { url: server.url(), ..Default::default() }).unwrap()
}

#[tokio::test]
async fn the_queue_errors_while_redis_is_down_and_works_again_when_it_returns() {
    let mut server = RedisServer::start();
    let q = RedisQueue::new(redis(&server));
    q.enqueue("kept").await.unwrap();
    server.kill();
    assert!(q.enqueue("lost").await.is_err(), "a dead Redis is an error the caller sees (the API keeps the outbox)");
    assert!(q.take(LEASE, NOW).await.is_err());
    server.restart();
    // Reconnection is automatic; the first calls may still see the old connection fail.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let lease = loop {
        match q.take(LEASE, NOW).await {
            Ok(Some(lease)) => break lease,
            Ok(None) => panic!("the job queued before the restart is gone"),
            Err(e) => assert!(tokio::time::Instant::now() < deadline, "still failing after Redis came back: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(lease.id, "kept", "an append-only Redis keeps queued jobs across a restart");
    q.ack(&lease).await.unwrap();
}

#[tokio::test]
async fn a_redis_that_lost_its_data_gets_its_consumer_group_back() {
    let server = RedisServer::start();
    let q = RedisQueue::new(redis(&server));
    q.enqueue("a").await.unwrap();
    let mut conn = redis(&server).connection();
    let _: () = redis::cmd("FLUSHALL").query_async(&mut conn).await.unwrap();
    assert_eq!(q.take(LEASE, NOW).await.unwrap(), None, "the group is made again instead of failing forever");
    q.enqueue("b").await.unwrap();
    assert_eq!(q.take(LEASE, NOW).await.unwrap().unwrap().id, "b");
}

async fn next_event(events: &mut tokio::sync::broadcast::Receiver<Event>) -> Event {
    tokio::time::timeout(Duration::from_secs(10), events.recv()).await.expect("an event within 10 s").unwrap()
}

#[tokio::test]
async fn events_reach_every_process_and_a_reconnection_is_announced_as_a_gap() {
    let mut server = RedisServer::start();
    let api = RedisBus::new(redis(&server), 64);
    let worker = RedisBus::new(redis(&server), 64);
    let mut events = api.subscribe();
    let event = Event { submission: "s1".into(), user: "u1".into(), message: serde_json::json!({ "type": "running", "id": "s1" }) };
    // The listener subscribes in the background: publish until it hears.
    let heard = loop {
        worker.publish(event.clone()).await.unwrap();
        if let Ok(Ok(e)) = tokio::time::timeout(Duration::from_millis(200), events.recv()).await {
            break e;
        }
    };
    assert_eq!(heard, event);
    server.restart();
    let gap = next_event(&mut events).await;
    assert!(gap.is_gap(), "listeners are told to re-read after a reconnection: {gap:?}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while worker.publish(event.clone()).await.is_err() {
        assert!(tokio::time::Instant::now() < deadline, "publishing never recovered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(next_event(&mut events).await, event, "events flow again after the restart");
}

#[tokio::test]
async fn the_cache_is_shared_and_a_dead_redis_is_a_miss_not_an_error() {
    let mut server = RedisServer::start();
    let one = RedisCache::new(redis(&server), Duration::from_secs(60));
    let two = RedisCache::new(redis(&server), Duration::from_millis(300));
    one.put("k", "v1".into()).await;
    assert_eq!(two.get("k").await.as_deref(), Some(b"v1".as_ref()), "processes share entries");
    two.invalidate("k").await;
    assert_eq!(one.get("k").await, None, "and invalidations");
    two.put("short", "x".into()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(one.get("short").await, None, "entries expire after their TTL");
    server.kill();
    let started = std::time::Instant::now();
    assert_eq!(one.get("k").await, None);
    one.put("k", "v2".into()).await;
    one.invalidate("k").await;
    assert!(started.elapsed() < Duration::from_secs(2), "a dead cache does not hold requests up ({:?})", started.elapsed());
}

#[tokio::test]
async fn tls_verifies_the_server_against_the_given_ca_and_skipping_it_is_explicit() {
    let server = RedisServer::start_tls();
    let with_ca = Redis::new(&RedisSettings { url: server.url(), ca_file: Some(server.ca_file()), insecure: false }).unwrap();
    with_ca.ping().await.expect("the CA that signed the server's certificate is trusted");
    let system_roots = Redis::new(&RedisSettings { url: server.url(), ..Default::default() }).unwrap();
    let refused = system_roots.ping().await.expect_err("a certificate from an unknown CA is refused by default");
    assert!(refused.to_string().to_lowercase().contains("certificate") || refused.is_io_error(), "{refused}");
    let insecure = Redis::new(&RedisSettings { url: server.url(), ca_file: None, insecure: true }).unwrap();
    insecure.ping().await.expect("verification off: connects (and warns)");
    let plain = Redis::new(&RedisSettings { url: server.url().replace("rediss://", "redis://"), ..Default::default() }).unwrap();
    assert!(plain.ping().await.is_err(), "a TLS port does not speak plain Redis");
}

/// A limit counted in Redis holds across every process that counts there: two limiters
/// on one server allow `per_minute` requests of a key between them, then say how long to
/// wait; other keys and other limits are counted apart.
#[tokio::test]
async fn rate_limits_are_shared_by_every_limiter_on_the_server() {
    use reactlab_redis::RedisRateLimiter;
    let server = RedisServer::start();
    let (a, b) = (RedisRateLimiter::new(redis(&server)), RedisRateLimiter::new(redis(&server)));
    for limiter in [&a, &b, &a] {
        assert_eq!(limiter.hit("register", 3, "10.0.0.1").await.unwrap(), None);
    }
    let wait = b.hit("register", 3, "10.0.0.1").await.unwrap().expect("the fourth of three per minute waits");
    assert!(wait > Duration::from_secs(15) && wait <= Duration::from_secs(20), "one request every 20 s: {wait:?}");
    assert!(a.hit("register", 3, "10.0.0.1").await.unwrap().is_some(), "a refused request is not counted, and still refused");
    assert_eq!(a.hit("register", 3, "10.0.0.2").await.unwrap(), None, "another client");
    assert_eq!(a.hit("login", 3, "10.0.0.1").await.unwrap(), None, "another limit");
}
