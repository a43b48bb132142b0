//! The Redis queue, bus and cache against a real, private redis-server: the queue's
//! guarantees (order, one holder at a time, leases reclaimed from dead workers, retries
//! with back-off, dead letters), surviving a Redis restart, and TLS.

use reactlab_queue::{Event, EventBus, JobQueue, QueueStats, WORKER_MEMORY_MS, WorkerStatus};
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
async fn jobs_come_out_in_order_once_and_enqueueing_twice_is_one_job() {
    let server = RedisServer::start();
    let q = RedisQueue::new(redis(&server));
    for id in ["a", "b", "a", "c"] {
        q.enqueue(id).await.unwrap();
    }
    assert_eq!(q.position("b").await.unwrap(), Some(2));
    assert_eq!(q.stats().await.unwrap(), QueueStats { waiting: 3, retrying: 0, running: 0, dead: 0 });
    let a = q.take(LEASE, NOW).await.unwrap().unwrap();
    assert_eq!((a.id.as_str(), a.attempt), ("a", 1));
    assert_eq!(q.position("a").await.unwrap(), None, "a held job has no place in line");
    assert_eq!(q.position("c").await.unwrap(), Some(2));
    let b = q.take(LEASE, NOW).await.unwrap().unwrap();
    assert_eq!(b.id, "b");
    assert_eq!(q.stats().await.unwrap(), QueueStats { waiting: 1, retrying: 0, running: 2, dead: 0 });
    q.ack(&a).await.unwrap();
    q.ack(&b).await.unwrap();
    let c = q.take(LEASE, NOW).await.unwrap().unwrap();
    q.ack(&c).await.unwrap();
    assert_eq!(q.take(LEASE, NOW).await.unwrap(), None);
    assert_eq!(q.stats().await.unwrap(), QueueStats::default());
    q.enqueue("a").await.unwrap();
    assert_eq!(q.take(LEASE, NOW).await.unwrap().unwrap().id, "a", "a finished job can be queued again");
}

#[tokio::test]
async fn a_dead_workers_job_is_reclaimed_after_the_lease_and_the_stale_holder_is_refused() {
    let server = RedisServer::start();
    let dead_worker = RedisQueue::new(redis(&server));
    let live_worker = RedisQueue::new(redis(&server));
    dead_worker.enqueue("a").await.unwrap();
    let lease = Duration::from_millis(300);
    let first = dead_worker.take(lease, NOW).await.unwrap().unwrap();
    assert_eq!(live_worker.take(lease, NOW).await.unwrap(), None, "a leased job is not handed out twice");
    // Renewing keeps it.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(dead_worker.extend(&first, lease).await.unwrap());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(live_worker.take(lease, NOW).await.unwrap(), None, "a renewed lease holds");
    // The holder stops renewing (it died): another worker gets the job.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let second = live_worker.take(lease, NOW).await.unwrap().expect("reclaimed after the lease");
    assert_eq!((second.id.as_str(), second.attempt), ("a", 2));
    assert!(!dead_worker.extend(&first, lease).await.unwrap(), "the stale holder lost it");
    dead_worker.ack(&first).await.unwrap();
    assert_eq!(live_worker.stats().await.unwrap().running, 1, "a stale ack removes nothing");
    live_worker.ack(&second).await.unwrap();
    assert_eq!(live_worker.stats().await.unwrap(), QueueStats::default());
}

#[tokio::test]
async fn retries_wait_for_their_back_off_releases_do_not_count_and_the_last_failure_is_parked() {
    let server = RedisServer::start();
    let q = RedisQueue::new(redis(&server));
    q.enqueue("a").await.unwrap();
    let l = q.take(LEASE, NOW).await.unwrap().unwrap();
    q.retry_later(&l, Duration::from_millis(400)).await.unwrap();
    assert_eq!(q.take(LEASE, NOW).await.unwrap(), None, "not before its back-off");
    assert_eq!(q.stats().await.unwrap(), QueueStats { waiting: 0, retrying: 1, running: 0, dead: 0 });
    let l = q.take(LEASE, Duration::from_secs(3)).await.unwrap().expect("available after its back-off");
    assert_eq!(l.attempt, 2);
    q.release(&l).await.unwrap();
    let l = q.take(LEASE, NOW).await.unwrap().unwrap();
    assert_eq!(l.attempt, 2, "a release gives the attempt back");
    q.dead_letter(&l, "the judge kept failing").await.unwrap();
    assert_eq!(q.stats().await.unwrap(), QueueStats { waiting: 0, retrying: 0, running: 0, dead: 1 });
    assert_eq!(q.take(LEASE, NOW).await.unwrap(), None, "a dead job is not delivered again");
    q.enqueue("a").await.unwrap();
    assert_eq!(q.take(LEASE, NOW).await.unwrap(), None, "nor queued again by a duplicate enqueue");
    let dead = q.dead_jobs(10).await.unwrap();
    assert_eq!((dead.len(), dead[0].id.as_str(), dead[0].attempts, dead[0].reason.as_str()), (1, "a", 2, "the judge kept failing"));
    assert!(q.revive("a").await.unwrap());
    assert!(!q.revive("a").await.unwrap(), "revived once");
    let l = q.take(LEASE, NOW).await.unwrap().expect("a revived job is delivered again");
    assert_eq!(l.attempt, 1, "with fresh attempts");
    q.dead_letter(&l, "again").await.unwrap();
    assert!(q.discard("a").await.unwrap());
    assert!(!q.discard("a").await.unwrap());
    assert_eq!(q.stats().await.unwrap(), QueueStats::default());
}

#[tokio::test]
async fn workers_are_known_by_their_heartbeats() {
    let server = RedisServer::start();
    let q = RedisQueue::new(redis(&server));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let mut w = WorkerStatus {
        id: "w1".into(),
        host: "h".into(),
        pid: 1,
        started_at_ms: now,
        last_seen_ms: now,
        in_flight: 0,
        capacity: 2,
        browser_memory_bytes: Some(1 << 29),
    };
    q.heartbeat(&w).await.unwrap();
    w.in_flight = 1;
    q.heartbeat(&w).await.unwrap();
    q.heartbeat(&WorkerStatus { id: "gone".into(), last_seen_ms: now - WORKER_MEMORY_MS - 1, ..w.clone() }).await.unwrap();
    assert_eq!(q.workers().await.unwrap(), vec![w], "the latest status of each worker heard from lately");
}

#[tokio::test]
async fn a_waiting_taker_wakes_when_a_job_arrives() {
    let server = RedisServer::start();
    let q = std::sync::Arc::new(RedisQueue::new(redis(&server)));
    let taker = tokio::spawn({
        let q = q.clone();
        async move { q.take(LEASE, Duration::from_secs(5)).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    q.enqueue("late").await.unwrap();
    assert_eq!(taker.await.unwrap().unwrap().unwrap().id, "late");
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
