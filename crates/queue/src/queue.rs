use crate::QueueError;
use async_trait::async_trait;
use serde::Serialize;
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
    /// Waiting for a worker (including retries waiting for their back-off).
    pub waiting: u64,
    /// Held by a worker.
    pub running: u64,
    /// Parked after their last attempt failed (the dead-letter set).
    pub dead: u64,
}

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
}
