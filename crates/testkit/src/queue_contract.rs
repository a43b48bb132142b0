//! The job queue's contract as scenarios, run on every backend (SQLite, PostgreSQL, Redis)
//! so that each backend answers to the same tests rather than to copies that drift apart:
//! order, one holder at a time, leases reclaimed from dead workers, retries with back-off,
//! dead letters, workers' heartbeats and takers woken by new work.
//!
//! A backend's test file implements [`Backend`] and expands [`queue_contract!`](crate::queue_contract!),
//! which makes one `#[tokio::test]` per scenario, named after it. What only one backend
//! does (Redis restarting, losing its data) stays in that backend's own tests.

use reactlab_queue::{JobQueue, QueueStats, WORKER_MEMORY_MS, WorkerStatus};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A queue backend under test: one queue, empty at first, that several workers share.
pub trait Backend: Sync {
    /// A new handle on the queue, as another worker process would hold it (its own
    /// connection, and on Redis its own consumer name).
    fn worker(&self) -> impl Future<Output = Arc<dyn JobQueue>> + Send;
}

const LEASE: Duration = Duration::from_secs(30);
const NOW: Duration = Duration::ZERO;

/// Makes one `#[tokio::test]` per scenario of the contract, each on a fresh `$backend` (an
/// expression evaluated inside the async test, so it may `.await`).
#[macro_export]
macro_rules! queue_contract {
    ($backend:expr) => {
        $crate::queue_contract!(@each $backend;
            jobs_come_out_in_order_once_and_enqueueing_twice_is_one_job,
            a_dead_workers_job_is_reclaimed_after_the_lease_and_the_stale_holder_is_refused,
            retries_wait_for_their_back_off_releases_do_not_count_and_the_last_failure_is_parked,
            workers_are_known_by_their_heartbeats,
            a_waiting_taker_wakes_when_a_job_arrives,
        );
    };
    (@each $backend:expr; $($scenario:ident,)*) => {
        $(
            #[tokio::test]
            async fn $scenario() {
                let backend = $backend;
                $crate::queue_contract::$scenario(&backend).await;
            }
        )*
    };
}

pub async fn jobs_come_out_in_order_once_and_enqueueing_twice_is_one_job(backend: &impl Backend) {
    let q = backend.worker().await;
    for id in ["a", "b", "a", "c"] {
        q.enqueue(id).await.unwrap();
        // The SQL queue orders by the millisecond a job came in.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert_eq!(q.position("b").await.unwrap(), Some(2));
    assert_eq!(q.stats().await.unwrap(), QueueStats { waiting: 3, retrying: 0, running: 0, dead: 0 });
    let a = q.take(LEASE, NOW).await.unwrap().unwrap();
    assert_eq!((a.id.as_str(), a.attempt), ("a", 1));
    assert_eq!(q.position("a").await.unwrap(), None, "a held job has no place in line");
    assert_eq!(q.position("b").await.unwrap(), Some(1));
    assert_eq!(q.position("c").await.unwrap(), Some(2));
    let b = q.take(LEASE, NOW).await.unwrap().unwrap();
    assert_eq!(b.id, "b");
    assert_eq!(q.stats().await.unwrap(), QueueStats { waiting: 1, retrying: 0, running: 2, dead: 0 });
    let c = q.take(LEASE, NOW).await.unwrap().unwrap();
    assert_eq!(c.id, "c");
    assert_eq!(q.take(LEASE, NOW).await.unwrap(), None, "held jobs are not handed out again");
    assert_eq!(q.stats().await.unwrap(), QueueStats { waiting: 0, retrying: 0, running: 3, dead: 0 });
    for lease in [&a, &b, &c] {
        q.ack(lease).await.unwrap();
    }
    assert_eq!(q.take(LEASE, NOW).await.unwrap(), None);
    assert_eq!(q.stats().await.unwrap(), QueueStats::default());
    q.enqueue("a").await.unwrap();
    assert_eq!(q.take(LEASE, NOW).await.unwrap().unwrap().id, "a", "a finished job can be queued again");
}

pub async fn a_dead_workers_job_is_reclaimed_after_the_lease_and_the_stale_holder_is_refused(backend: &impl Backend) {
    let dead_worker = backend.worker().await;
    let live_worker = backend.worker().await;
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

pub async fn retries_wait_for_their_back_off_releases_do_not_count_and_the_last_failure_is_parked(backend: &impl Backend) {
    let q = backend.worker().await;
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
    assert_eq!(q.take(LEASE, NOW).await.unwrap(), None, "nor queued again by the sweep of unfinished submissions (a duplicate enqueue)");
    let dead = q.dead_jobs(10).await.unwrap();
    assert_eq!((dead.len(), dead[0].id.as_str(), dead[0].attempts, dead[0].reason.as_str()), (1, "a", 2, "the judge kept failing"));
    assert!(q.revive("a").await.unwrap());
    assert!(!q.revive("a").await.unwrap(), "revived once");
    let l = q.take(LEASE, NOW).await.unwrap().expect("a revived job is delivered again");
    assert_eq!(l.attempt, 1, "with fresh attempts");
    q.dead_letter(&l, "again").await.unwrap();
    assert!(q.discard("a").await.unwrap());
    assert!(!q.discard("a").await.unwrap(), "discarded once");
    assert_eq!(q.stats().await.unwrap(), QueueStats::default());
    assert!(q.dead_jobs(10).await.unwrap().is_empty());
}

pub async fn workers_are_known_by_their_heartbeats(backend: &impl Backend) {
    let q = backend.worker().await;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
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
    // A worker whose browser is not running, heard from a second earlier.
    let quiet = WorkerStatus { id: "w2".into(), last_seen_ms: now - 1000, browser_memory_bytes: None, ..w.clone() };
    q.heartbeat(&quiet).await.unwrap();
    q.heartbeat(&WorkerStatus { id: "gone".into(), last_seen_ms: now - WORKER_MEMORY_MS - 1, ..w.clone() }).await.unwrap();
    assert_eq!(q.workers().await.unwrap(), vec![w, quiet], "the latest status of each worker heard from lately, the most recent first");
}

pub async fn a_waiting_taker_wakes_when_a_job_arrives(backend: &impl Backend) {
    let q = backend.worker().await;
    let taker = tokio::spawn({
        let q = q.clone();
        async move { q.take(LEASE, Duration::from_secs(5)).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    q.enqueue("late").await.unwrap();
    assert_eq!(taker.await.unwrap().unwrap().unwrap().id, "late");
}
