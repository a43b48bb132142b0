//! The job queue on a Redis stream read by one consumer group.
//!
//! Each job is a stream entry (`id` = submission id) plus a hash with its state, attempts
//! and the token of the worker holding it. A delivered entry stays pending until settled.
//! Each held job has its lease deadline in a sorted set (Redis's clock); a worker renews it
//! while grading, and `take` hands a job whose deadline passed (its worker died) to the
//! next worker. Retries wait in a sorted set until due; jobs out of attempts go to the
//! dead-letter set. Every state change is one Lua script, so no crash leaves a job
//! half-moved.

use crate::PREFIX;
use crate::connection::{Redis, timed};
use async_trait::async_trait;
use reactlab_queue::{DeadJob, JobQueue, Lease, QueueError, QueueStats, WORKER_MEMORY_MS, WorkerStatus};
use redis::aio::ConnectionManager;
use redis::streams::{StreamAutoClaimReply, StreamId, StreamInfoGroupsReply, StreamPendingReply, StreamRangeReply, StreamReadOptions, StreamReadReply};
use redis::{AsyncCommands, RedisError, Script};
use std::sync::LazyLock;
use std::time::Duration;
use tokio::sync::Mutex;

const GROUP: &str = "workers";

/// Takes blocked in Redis for at most this long at a time, so that shutdown and the
/// reclaiming of dead workers' jobs are never far off.
const BLOCK: Duration = Duration::from_secs(1);

/// An entry delivered but never claimed for this long was delivered to a process that died
/// in between; running jobs are renewed far more often than this.
const UNCLAIMED_AFTER: Duration = Duration::from_secs(600);

fn stream() -> String {
    format!("{PREFIX}jobs")
}
fn delayed() -> String {
    format!("{PREFIX}jobs:delayed")
}
fn leases() -> String {
    format!("{PREFIX}jobs:leases")
}
fn dead() -> String {
    format!("{PREFIX}jobs:dead")
}
fn workers() -> String {
    format!("{PREFIX}workers")
}
fn job(id: &str) -> String {
    format!("{PREFIX}job:{id}")
}

// Every state change is one script, each in its own file under lua/ (what it takes in
// KEYS and ARGV is said at its top): readable as Lua, and runnable alone with
// `redis-cli --eval`. Scripts read the time from Redis itself: one clock for every machine.

static ENQUEUE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/enqueue.lua")));

/// Marks a delivered entry as taken until now + the lease; drops entries whose job moved
/// on, and leaves alone one that another worker holds.
static CLAIM: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/claim.lua")));

/// Hands the job whose lease ran out longest ago (its worker died) to this consumer.
static RECLAIM: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/reclaim.lua")));

/// Renews a lease (and keeps the entry's idle time low, so the safety net for
/// never-claimed entries leaves it alone).
static EXTEND: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/extend.lua")));

/// Ends a lease: `ack`, `retry`, `release` (back of the line, the attempt given back) or `dead`.
static SETTLE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/settle.lua")));

/// Takes a job out of the dead-letter set and queues it afresh (its hash is made anew).
static REVIVE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/revive.lua")));

/// Forgets a dead job.
static DISCARD: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/discard.lua")));

/// Moves retries whose back-off is over back onto the stream.
static PROMOTE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/promote.lua")));

pub struct RedisQueue {
    redis: Redis,
    /// This process's name in the consumer group.
    consumer: String,
    /// Connections for blocking reads, one per concurrent `take`.
    blocking: Mutex<Vec<ConnectionManager>>,
}

fn unavailable(e: RedisError) -> QueueError {
    QueueError::Unavailable(format!("redis: {e}"))
}

impl RedisQueue {
    /// Uses the stream and consumer group (made when missing) on `redis`. Does not wait for
    /// Redis to answer: the group is made again whenever it turns out to be missing.
    pub fn new(redis: Redis) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
        let consumer = format!("{host}-{}-{}", std::process::id(), &uuid::Uuid::now_v7().simple().to_string()[20..]);
        RedisQueue { redis, consumer, blocking: Mutex::new(Vec::new()) }
    }

    /// Makes the consumer group, reading from the stream's start so that jobs added while
    /// it was missing (Redis lost its data and came back) are not skipped.
    async fn ensure_group(&self) -> Result<(), QueueError> {
        let mut conn = self.redis.connection();
        let made: Result<(), RedisError> = timed(conn.xgroup_create_mkstream(stream(), GROUP, "0")).await;
        match made {
            Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
            other => other.map_err(unavailable),
        }
    }

    /// Runs `call`, making the consumer group and retrying once if Redis says it is missing.
    async fn with_group<T, F: Future<Output = Result<T, RedisError>>>(&self, call: impl Fn() -> F) -> Result<T, QueueError> {
        match call().await {
            // Pipelines report it inside their own error, hence the text match.
            Err(e) if e.code() == Some("NOGROUP") || e.to_string().contains("NOGROUP") => {
                tracing::warn!("redis: the job stream's consumer group is missing (Redis restarted without its data?); making it again");
                self.ensure_group().await?;
                call().await.map_err(unavailable)
            }
            other => other.map_err(unavailable),
        }
    }

    /// Turns a delivered entry into a lease, or `None` when it was stale.
    async fn claim(&self, entry: &StreamId, lease_for: Duration) -> Result<Option<Lease>, QueueError> {
        let Some(id) = entry.get::<String>("id") else {
            tracing::warn!(entry = %entry.id, "redis: a job entry without an id; dropped");
            let mut conn = self.redis.connection();
            let _: Result<(), _> = timed(redis::pipe().xack(stream(), GROUP, &[&entry.id]).xdel(stream(), &[&entry.id]).query_async(&mut conn)).await;
            return Ok(None);
        };
        let token = uuid::Uuid::now_v7().to_string();
        let mut conn = self.redis.connection();
        let attempt: Option<u32> = timed(
            CLAIM
                .key(stream())
                .key(job(&id))
                .key(leases())
                .arg(&entry.id)
                .arg(&token)
                .arg(GROUP)
                .arg(lease_for.as_millis() as u64)
                .arg(&id)
                .invoke_async(&mut conn),
        )
        .await
        .map_err(unavailable)?;
        Ok(attempt.map(|attempt| Lease { id, token, attempt }))
    }

    async fn settle(&self, lease: &Lease, mode: &str, extra: &str) -> Result<(), QueueError> {
        let mut conn = self.redis.connection();
        let _: i64 = timed(
            SETTLE
                .key(stream())
                .key(job(&lease.id))
                .key(delayed())
                .key(dead())
                .key(leases())
                .arg(&lease.token)
                .arg(GROUP)
                .arg(mode)
                .arg(extra)
                .arg(&lease.id)
                .invoke_async(&mut conn),
        )
        .await
        .map_err(unavailable)?;
        Ok(())
    }

    /// One round of `take`: due retries onto the stream, then a dead worker's job, then a
    /// new one (waiting up to `block` for it).
    async fn try_take(&self, lease_for: Duration, block: Duration) -> Result<Option<Lease>, QueueError> {
        let mut conn = self.redis.connection();
        let _: i64 = timed(PROMOTE.key(delayed()).key(stream()).arg(format!("{PREFIX}job:")).invoke_async(&mut conn)).await.map_err(unavailable)?;
        let token = uuid::Uuid::now_v7().to_string();
        let reclaimed: Option<(String, u32)> = self
            .with_group(|| {
                let (mut conn, consumer, token) = (self.redis.connection(), self.consumer.clone(), token.clone());
                async move {
                    let mut invocation = RECLAIM.key(stream());
                    invocation.key(leases()).arg(GROUP).arg(consumer).arg(token).arg(lease_for.as_millis() as u64).arg(format!("{PREFIX}job:"));
                    timed(invocation.invoke_async(&mut conn)).await
                }
            })
            .await?;
        if let Some((id, attempt)) = reclaimed {
            tracing::warn!(submission = %id, "redis: reclaimed a job whose worker stopped renewing its lease");
            return Ok(Some(Lease { id, token, attempt }));
        }
        // A safety net for entries delivered to a process that died before it could claim
        // them (a moment's window): nobody renews those, so they idle.
        let unclaimed: StreamAutoClaimReply = self
            .with_group(|| {
                let mut conn = self.redis.connection();
                let cmd = redis::cmd("XAUTOCLAIM")
                    .arg(stream())
                    .arg(GROUP)
                    .arg(&self.consumer)
                    .arg(UNCLAIMED_AFTER.as_millis() as u64)
                    .arg("0-0")
                    .arg("COUNT")
                    .arg(1)
                    .to_owned();
                async move { timed(cmd.query_async(&mut conn)).await }
            })
            .await?;
        for entry in &unclaimed.claimed {
            if let Some(lease) = self.claim(entry, lease_for).await? {
                return Ok(Some(lease));
            }
        }
        let blocking = match self.blocking.lock().await.pop() {
            Some(conn) => conn,
            None => self.redis.dedicated().map_err(unavailable)?,
        };
        let options = || {
            let options = StreamReadOptions::default().group(GROUP, &self.consumer).count(1);
            if block.is_zero() { options } else { options.block(block.as_millis() as usize) }
        };
        let read: Result<Option<StreamReadReply>, QueueError> = self
            .with_group(|| {
                let (mut conn, options) = (blocking.clone(), options());
                async move { timed(conn.xread_options(&[stream()], &[">"], &options)).await }
            })
            .await;
        self.blocking.lock().await.push(blocking.clone());
        drop(blocking);
        for key in read?.map(|r| r.keys).unwrap_or_default() {
            for entry in &key.ids {
                if let Some(lease) = self.claim(entry, lease_for).await? {
                    return Ok(Some(lease));
                }
            }
        }
        Ok(None)
    }
}

#[async_trait]
impl JobQueue for RedisQueue {
    async fn enqueue(&self, id: &str) -> Result<(), QueueError> {
        let mut conn = self.redis.connection();
        let _: i64 = timed(ENQUEUE.key(stream()).key(job(id)).arg(id).invoke_async(&mut conn)).await.map_err(unavailable)?;
        Ok(())
    }

    async fn take(&self, lease_for: Duration, wait: Duration) -> Result<Option<Lease>, QueueError> {
        let give_up = tokio::time::Instant::now() + wait;
        loop {
            let left = give_up.saturating_duration_since(tokio::time::Instant::now());
            if let Some(lease) = self.try_take(lease_for, left.min(BLOCK)).await? {
                return Ok(Some(lease));
            }
            if left.is_zero() {
                return Ok(None);
            }
        }
    }

    async fn extend(&self, lease: &Lease, lease_for: Duration) -> Result<bool, QueueError> {
        let mut conn = self.redis.connection();
        let held: i64 = timed(
            EXTEND
                .key(stream())
                .key(job(&lease.id))
                .key(leases())
                .arg(&lease.token)
                .arg(GROUP)
                .arg(&self.consumer)
                .arg(lease_for.as_millis() as u64)
                .arg(&lease.id)
                .invoke_async(&mut conn),
        )
        .await
        .map_err(unavailable)?;
        Ok(held == 1)
    }

    async fn ack(&self, lease: &Lease) -> Result<(), QueueError> {
        self.settle(lease, "ack", "").await
    }

    async fn retry_later(&self, lease: &Lease, delay: Duration) -> Result<(), QueueError> {
        self.settle(lease, "retry", &delay.as_millis().to_string()).await
    }

    async fn dead_letter(&self, lease: &Lease, reason: &str) -> Result<(), QueueError> {
        self.settle(lease, "dead", reason).await
    }

    async fn release(&self, lease: &Lease) -> Result<(), QueueError> {
        self.settle(lease, "release", "").await
    }

    async fn position(&self, id: &str) -> Result<Option<u64>, QueueError> {
        let mut conn = self.redis.connection();
        let (entry, state): (Option<String>, Option<String>) = timed(conn.hmget(job(id), &["entry", "state"])).await.map_err(unavailable)?;
        let (Some(entry), Some("waiting")) = (entry, state.as_deref()) else { return Ok(None) };
        let groups: StreamInfoGroupsReply = timed(conn.xinfo_groups(stream())).await.map_err(unavailable)?;
        let last = groups.groups.iter().find(|g| g.name == GROUP).map_or_else(|| "0-0".to_string(), |g| g.last_delivered_id.clone());
        // Entries not yet delivered, up to and including this one.
        let ahead: StreamRangeReply = timed(conn.xrange_count(stream(), format!("({last}"), &entry, 10_000)).await.map_err(unavailable)?;
        Ok(Some(ahead.ids.len().max(1) as u64))
    }

    async fn stats(&self) -> Result<QueueStats, QueueError> {
        let (length, pending, delayed, dead): (u64, StreamPendingReply, u64, u64) = self
            .with_group(|| {
                let mut conn = self.redis.connection();
                async move { timed(redis::pipe().xlen(stream()).xpending(stream(), GROUP).zcard(delayed()).zcard(dead()).query_async(&mut conn)).await }
            })
            .await?;
        let running = pending.count() as u64;
        Ok(QueueStats { waiting: length.saturating_sub(running), retrying: delayed, running, dead })
    }

    async fn dead_jobs(&self, limit: usize) -> Result<Vec<DeadJob>, QueueError> {
        let mut conn = self.redis.connection();
        let parked: Vec<(String, f64)> = timed(conn.zrevrange_withscores(dead(), 0, limit as isize - 1)).await.map_err(unavailable)?;
        if parked.is_empty() {
            return Ok(vec![]);
        }
        let mut pipe = redis::pipe();
        for (id, _) in &parked {
            pipe.hmget(job(id), &["attempts", "reason"]);
        }
        let details: Vec<(Option<u32>, Option<String>)> = timed(pipe.query_async(&mut conn)).await.map_err(unavailable)?;
        Ok(parked
            .into_iter()
            .zip(details)
            .map(|((id, died), (attempts, reason))| DeadJob {
                id,
                attempts: attempts.unwrap_or(0),
                reason: reason.unwrap_or_default(),
                died_at_ms: died as i64,
            })
            .collect())
    }

    async fn revive(&self, id: &str) -> Result<bool, QueueError> {
        let mut conn = self.redis.connection();
        let revived: i64 = timed(REVIVE.key(stream()).key(job(id)).key(dead()).arg(id).invoke_async(&mut conn)).await.map_err(unavailable)?;
        Ok(revived == 1)
    }

    async fn discard(&self, id: &str) -> Result<bool, QueueError> {
        let mut conn = self.redis.connection();
        let discarded: i64 = timed(DISCARD.key(job(id)).key(dead()).arg(id).invoke_async(&mut conn)).await.map_err(unavailable)?;
        Ok(discarded == 1)
    }

    async fn heartbeat(&self, worker: &WorkerStatus) -> Result<(), QueueError> {
        let status = serde_json::to_string(worker).map_err(|e| QueueError::Unavailable(e.to_string()))?;
        let mut conn = self.redis.connection();
        timed(conn.hset::<_, _, _, ()>(workers(), &worker.id, status)).await.map_err(unavailable)
    }

    async fn workers(&self) -> Result<Vec<WorkerStatus>, QueueError> {
        let mut conn = self.redis.connection();
        let all: std::collections::HashMap<String, String> = timed(conn.hgetall(workers())).await.map_err(unavailable)?;
        let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
        let oldest = now_ms - WORKER_MEMORY_MS;
        let (mut known, forgotten): (Vec<WorkerStatus>, Vec<WorkerStatus>) =
            all.values().filter_map(|s| serde_json::from_str::<WorkerStatus>(s).ok()).partition(|w| w.last_seen_ms >= oldest);
        if !forgotten.is_empty() {
            let ids: Vec<&str> = forgotten.iter().map(|w| w.id.as_str()).collect();
            let _: Result<(), _> = timed(conn.hdel(workers(), ids)).await;
        }
        known.sort_by_key(|w| std::cmp::Reverse(w.last_seen_ms));
        Ok(known)
    }
}
