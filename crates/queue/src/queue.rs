use crate::QueueError;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A job handed to one worker until `ack`, `retry_later`, `release`, or the lease runs out
/// (then another worker gets it: at-least-once delivery).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The submission id.
    pub id: String,
    /// Proves this worker still holds the job; a stale holder's calls do nothing.
    pub token: String,
    /// Deliveries so far, this one included.
    pub attempt: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueStats {
    /// Waiting for a worker, available now.
    pub waiting: u64,
    /// Waiting for their back-off after a failed attempt.
    pub retrying: u64,
    /// Held by a worker.
    pub running: u64,
    /// Parked after their last attempt failed (the dead-letter set).
    pub dead: u64,
}

/// A job parked after its last attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadJob {
    pub id: String,
    pub attempts: u32,
    pub reason: String,
    pub died_at_ms: i64,
}

/// What a worker process says of itself at each heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerStatus {
    /// Unique per process start.
    pub id: String,
    pub host: String,
    pub pid: u32,
    pub started_at_ms: i64,
    pub last_seen_ms: i64,
    /// Submissions being graded now, out of `capacity`.
    pub in_flight: u32,
    pub capacity: u32,
    /// The browser's memory (proportional set size of its processes), when it runs.
    pub browser_memory_bytes: Option<u64>,
}

/// Workers silent for longer than this are forgotten by [`JobQueue::workers`].
pub const WORKER_MEMORY_MS: i64 = 3_600_000;

#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Adds a job; adding one that is already queued does nothing.
    async fn enqueue(&self, id: &str) -> Result<(), QueueError>;
    /// The oldest available job, leased for `lease_for`; waits up to `wait` for one.
    async fn take(&self, lease_for: Duration, wait: Duration) -> Result<Option<Lease>, QueueError>;
    /// Keeps holding a job; `false` when the lease was lost (expired and taken again).
    async fn extend(&self, lease: &Lease, lease_for: Duration) -> Result<bool, QueueError>;
    /// The job is finished and its result stored: remove it.
    async fn ack(&self, lease: &Lease) -> Result<(), QueueError>;
    /// The attempt failed for the judge's own reasons: deliver again after `delay`.
    async fn retry_later(&self, lease: &Lease, delay: Duration) -> Result<(), QueueError>;
    /// The last attempt failed too: take the job out of circulation into the dead-letter
    /// set, with the reason, for an operator to look at.
    async fn dead_letter(&self, lease: &Lease, reason: &str) -> Result<(), QueueError>;
    /// Give the job back untouched (shutting down); the attempt does not count.
    async fn release(&self, lease: &Lease) -> Result<(), QueueError>;
    /// 1 for the next job to be taken; `None` when the job is not waiting.
    async fn position(&self, id: &str) -> Result<Option<u64>, QueueError>;
    async fn stats(&self) -> Result<QueueStats, QueueError>;
    /// The most recently parked jobs first, at most `limit`.
    async fn dead_jobs(&self, limit: usize) -> Result<Vec<DeadJob>, QueueError>;
    /// Takes a job out of the dead-letter set and queues it again with its attempts reset;
    /// `false` when it is not there.
    async fn revive(&self, id: &str) -> Result<bool, QueueError>;
    /// Forgets a dead job; `false` when it is not there.
    async fn discard(&self, id: &str) -> Result<bool, QueueError>;
    /// Records a worker's status (workers call this every few seconds).
    async fn heartbeat(&self, worker: &WorkerStatus) -> Result<(), QueueError>;
    /// Workers heard from within [`WORKER_MEMORY_MS`], most recently seen first.
    async fn workers(&self) -> Result<Vec<WorkerStatus>, QueueError>;
}
