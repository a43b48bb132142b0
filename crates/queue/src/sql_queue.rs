//! The embedded queue: a table in the platform's own database, so that accepting a
//! submission and queueing it survive a crash together.

use crate::{DeadJob, JobQueue, Lease, QueueError, QueueStats, WORKER_MEMORY_MS, WorkerStatus};
use async_trait::async_trait;
use sqlx::AnyPool;
use sqlx::Row;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Notify;

pub struct SqlQueue {
    pool: AnyPool,
    /// Wakes takers in this process at once; other processes find jobs by polling.
    notify: Notify,
    poll: Duration,
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn ms(d: Duration) -> i64 {
    d.as_millis().min(i64::MAX as u128) as i64
}

impl SqlQueue {
    /// Uses (and creates when missing) the `jobs` table in `pool`'s database.
    pub async fn new(pool: AnyPool) -> Result<Self, QueueError> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS jobs (\
               id TEXT PRIMARY KEY, created_at BIGINT NOT NULL, available_at BIGINT NOT NULL, \
               lease_until BIGINT, lease_token TEXT, attempts BIGINT NOT NULL DEFAULT 0)",
        )
        .execute(&pool)
        .await?;
        sqlx::query("CREATE INDEX IF NOT EXISTS jobs_by_availability ON jobs (available_at, created_at)").execute(&pool).await?;
        sqlx::query("CREATE TABLE IF NOT EXISTS dead_jobs (id TEXT PRIMARY KEY, attempts BIGINT NOT NULL, reason TEXT NOT NULL, died_at BIGINT NOT NULL)")
            .execute(&pool)
            .await?;
        sqlx::query("CREATE TABLE IF NOT EXISTS queue_workers (id TEXT PRIMARY KEY, status TEXT NOT NULL, last_seen BIGINT NOT NULL)").execute(&pool).await?;
        Ok(SqlQueue { pool, notify: Notify::new(), poll: Duration::from_millis(250) })
    }

    async fn try_take(&self, lease_for: Duration) -> Result<Option<Lease>, QueueError> {
        let now = now_ms();
        let token = uuid::Uuid::now_v7().to_string();
        // The outer lease condition makes a concurrent taker (PostgreSQL) find nothing
        // rather than take the same job twice.
        let row = sqlx::query(
            "UPDATE jobs SET lease_until = $1, lease_token = $2, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM jobs WHERE available_at <= $3 AND (lease_until IS NULL OR lease_until <= $3) ORDER BY created_at LIMIT 1) \
               AND (lease_until IS NULL OR lease_until <= $3) \
             RETURNING id, attempts",
        )
        .bind(now + ms(lease_for))
        .bind(&token)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => Some(Lease { id: r.try_get("id")?, token, attempt: r.try_get::<i64, _>("attempts")? as u32 }),
            None => None,
        })
    }
}

#[async_trait]
impl JobQueue for SqlQueue {
    async fn enqueue(&self, id: &str) -> Result<(), QueueError> {
        let now = now_ms();
        // A dead job stays parked until an operator revives or discards it: the sweep of
        // unfinished submissions must not send it round again (as on Redis, where its record
        // stays).
        sqlx::query(
            "INSERT INTO jobs (id, created_at, available_at, attempts) SELECT $1, $2, $2, 0 \
             WHERE NOT EXISTS (SELECT 1 FROM dead_jobs WHERE id = $1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.notify.notify_one();
        Ok(())
    }

    async fn take(&self, lease_for: Duration, wait: Duration) -> Result<Option<Lease>, QueueError> {
        let give_up = tokio::time::Instant::now() + wait;
        loop {
            if let Some(lease) = self.try_take(lease_for).await? {
                return Ok(Some(lease));
            }
            let now = tokio::time::Instant::now();
            if now >= give_up {
                return Ok(None);
            }
            let _ = tokio::time::timeout(self.poll.min(give_up - now), self.notify.notified()).await;
        }
    }

    async fn extend(&self, lease: &Lease, lease_for: Duration) -> Result<bool, QueueError> {
        let r = sqlx::query("UPDATE jobs SET lease_until = $1 WHERE id = $2 AND lease_token = $3")
            .bind(now_ms() + ms(lease_for))
            .bind(&lease.id)
            .bind(&lease.token)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn ack(&self, lease: &Lease) -> Result<(), QueueError> {
        sqlx::query("DELETE FROM jobs WHERE id = $1 AND lease_token = $2").bind(&lease.id).bind(&lease.token).execute(&self.pool).await?;
        Ok(())
    }

    async fn retry_later(&self, lease: &Lease, delay: Duration) -> Result<(), QueueError> {
        sqlx::query("UPDATE jobs SET available_at = $1, lease_until = NULL, lease_token = NULL WHERE id = $2 AND lease_token = $3")
            .bind(now_ms() + ms(delay))
            .bind(&lease.id)
            .bind(&lease.token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn dead_letter(&self, lease: &Lease, reason: &str) -> Result<(), QueueError> {
        let mut tx = self.pool.begin().await?;
        let gone = sqlx::query("DELETE FROM jobs WHERE id = $1 AND lease_token = $2").bind(&lease.id).bind(&lease.token).execute(&mut *tx).await?;
        if gone.rows_affected() == 1 {
            sqlx::query("INSERT INTO dead_jobs (id, attempts, reason, died_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET attempts = $2, reason = $3, died_at = $4")
                .bind(&lease.id)
                .bind(lease.attempt as i64)
                .bind(reason)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn release(&self, lease: &Lease) -> Result<(), QueueError> {
        sqlx::query("UPDATE jobs SET lease_until = NULL, lease_token = NULL, attempts = attempts - 1 WHERE id = $1 AND lease_token = $2")
            .bind(&lease.id)
            .bind(&lease.token)
            .execute(&self.pool)
            .await?;
        self.notify.notify_one();
        Ok(())
    }

    async fn position(&self, id: &str) -> Result<Option<u64>, QueueError> {
        let now = now_ms();
        let row = sqlx::query("SELECT created_at FROM jobs WHERE id = $1 AND (lease_until IS NULL OR lease_until <= $2)")
            .bind(id)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let created_at: i64 = row.try_get("created_at")?;
        let ahead: i64 = sqlx::query("SELECT COUNT(*) AS n FROM jobs WHERE created_at < $1 AND (lease_until IS NULL OR lease_until <= $2)")
            .bind(created_at)
            .bind(now)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        Ok(Some(ahead as u64 + 1))
    }

    async fn stats(&self) -> Result<QueueStats, QueueError> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN (lease_until IS NULL OR lease_until <= $1) AND available_at <= $1 THEN 1 ELSE 0 END), 0) AS waiting, \
                    COALESCE(SUM(CASE WHEN (lease_until IS NULL OR lease_until <= $1) AND available_at > $1 THEN 1 ELSE 0 END), 0) AS retrying, \
                    COALESCE(SUM(CASE WHEN lease_until > $1 THEN 1 ELSE 0 END), 0) AS running FROM jobs",
        )
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await?;
        let dead: i64 = sqlx::query("SELECT COUNT(*) AS n FROM dead_jobs").fetch_one(&self.pool).await?.try_get("n")?;
        let count = |name: &str| row.try_get::<i64, _>(name).map(|n| n as u64);
        Ok(QueueStats { waiting: count("waiting")?, retrying: count("retrying")?, running: count("running")?, dead: dead as u64 })
    }

    async fn dead_jobs(&self, limit: usize) -> Result<Vec<DeadJob>, QueueError> {
        let rows =
            sqlx::query("SELECT id, attempts, reason, died_at FROM dead_jobs ORDER BY died_at DESC LIMIT $1").bind(limit as i64).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(DeadJob {
                    id: r.try_get("id")?,
                    attempts: r.try_get::<i64, _>("attempts")? as u32,
                    reason: r.try_get("reason")?,
                    died_at_ms: r.try_get("died_at")?,
                })
            })
            .collect()
    }

    async fn revive(&self, id: &str) -> Result<bool, QueueError> {
        let mut tx = self.pool.begin().await?;
        let gone = sqlx::query("DELETE FROM dead_jobs WHERE id = $1").bind(id).execute(&mut *tx).await?;
        if gone.rows_affected() == 1 {
            let now = now_ms();
            sqlx::query("INSERT INTO jobs (id, created_at, available_at, attempts) VALUES ($1, $2, $2, 0) ON CONFLICT (id) DO NOTHING")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.notify.notify_one();
        Ok(gone.rows_affected() == 1)
    }

    async fn discard(&self, id: &str) -> Result<bool, QueueError> {
        Ok(sqlx::query("DELETE FROM dead_jobs WHERE id = $1").bind(id).execute(&self.pool).await?.rows_affected() == 1)
    }

    async fn heartbeat(&self, worker: &WorkerStatus) -> Result<(), QueueError> {
        let status = serde_json::to_string(worker).map_err(|e| QueueError::Unavailable(e.to_string()))?;
        sqlx::query("INSERT INTO queue_workers (id, status, last_seen) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET status = $2, last_seen = $3")
            .bind(&worker.id)
            .bind(status)
            .bind(worker.last_seen_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn workers(&self) -> Result<Vec<WorkerStatus>, QueueError> {
        let oldest = now_ms() - WORKER_MEMORY_MS;
        sqlx::query("DELETE FROM queue_workers WHERE last_seen < $1").bind(oldest).execute(&self.pool).await?;
        let rows = sqlx::query("SELECT status FROM queue_workers ORDER BY last_seen DESC").fetch_all(&self.pool).await?;
        Ok(rows.iter().filter_map(|r| r.try_get::<String, _>("status").ok()).filter_map(|s| serde_json::from_str(&s).ok()).collect())
    }
}
