//! The admins' view of the queue: how many jobs wait, retry, run and died; the dead ones
//! with their submission, to retry or discard; the workers by their heartbeats; and an
//! alert when no worker has been heard from for a minute.

use crate::error::{ApiError, ApiResult};
use crate::extract::Admin;
use crate::state::Shared;
use crate::views::time;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use schemars::JsonSchema;
use serde::Serialize;

/// A worker silent for longer than this is presumed gone.
const SILENT_AFTER_MS: i64 = 60_000;
const DEAD_SHOWN: usize = 200;

#[derive(Serialize, JsonSchema)]
pub struct QueueOverview {
    pub waiting: u64,
    pub retrying: u64,
    pub running: u64,
    pub dead: u64,
    /// The most recent dead jobs first.
    pub dead_jobs: Vec<DeadJobView>,
    pub workers: Vec<WorkerView>,
    /// Set when something needs an operator now.
    pub alert: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct DeadJobView {
    /// The submission's id.
    pub id: String,
    pub attempts: u32,
    pub reason: String,
    pub died_at: String,
    pub challenge: Option<String>,
    pub user_id: Option<String>,
    pub submitted_at: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct WorkerView {
    pub id: String,
    pub host: String,
    pub pid: u32,
    pub started_at: String,
    pub last_seen: String,
    pub seconds_since_seen: i64,
    /// Not heard from for a minute.
    pub silent: bool,
    pub in_flight: u32,
    pub capacity: u32,
    pub browser_memory_bytes: Option<u64>,
}

pub async fn overview(State(state): State<Shared>, Admin(_): Admin) -> ApiResult<Json<QueueOverview>> {
    let stats = state.queue.stats().await?;
    let now = state.db.now_ms();
    let mut dead_jobs = vec![];
    for job in state.queue.dead_jobs(DEAD_SHOWN).await? {
        let submission = state.db.submission(&job.id).await?;
        dead_jobs.push(DeadJobView {
            id: job.id,
            attempts: job.attempts,
            reason: job.reason,
            died_at: time(job.died_at_ms),
            challenge: submission.as_ref().map(|s| s.challenge.clone()),
            user_id: submission.as_ref().map(|s| s.user_id.clone()),
            submitted_at: submission.as_ref().map(|s| time(s.created_at)),
        });
    }
    let workers: Vec<WorkerView> = state
        .queue
        .workers()
        .await?
        .into_iter()
        .map(|w| WorkerView {
            seconds_since_seen: (now - w.last_seen_ms).max(0) / 1000,
            silent: now - w.last_seen_ms > SILENT_AFTER_MS,
            started_at: time(w.started_at_ms),
            last_seen: time(w.last_seen_ms),
            id: w.id,
            host: w.host,
            pid: w.pid,
            in_flight: w.in_flight,
            capacity: w.capacity,
            browser_memory_bytes: w.browser_memory_bytes,
        })
        .collect();
    let alert = workers.iter().all(|w| w.silent).then(|| {
        let waiting = stats.waiting + stats.retrying;
        format!("No worker has been heard from for a minute: submissions are not being graded ({waiting} waiting). Start `reactlab worker` or check the workers' logs.")
    });
    Ok(Json(QueueOverview { waiting: stats.waiting, retrying: stats.retrying, running: stats.running, dead: stats.dead, dead_jobs, workers, alert }))
}

#[derive(Serialize, JsonSchema)]
pub struct Retried {
    pub id: String,
    pub status: String,
}

/// Grades a dead job's submission again from scratch.
pub async fn retry(State(state): State<Shared>, Admin(admin): Admin, Path(id): Path<String>) -> ApiResult<Json<Retried>> {
    if !is_dead(&state, &id).await? {
        return Err(ApiError::NotFound { what: "dead job" });
    }
    // The submission first: should queueing fail, the sweep of unfinished submissions
    // queues it later, and the admin can simply try again.
    state.db.reopen_submission(&id).await?;
    if !state.queue.revive(&id).await? {
        return Err(ApiError::NotFound { what: "dead job" });
    }
    tracing::info!(submission = %id, admin = %admin.user.id, "dead job retried");
    Ok(Json(Retried { id, status: "queued".into() }))
}

/// Forgets a dead job; its submission keeps its `internal_error` result.
pub async fn discard(State(state): State<Shared>, Admin(admin): Admin, Path(id): Path<String>) -> ApiResult<StatusCode> {
    if !state.queue.discard(&id).await? {
        return Err(ApiError::NotFound { what: "dead job" });
    }
    tracing::info!(submission = %id, admin = %admin.user.id, "dead job discarded");
    Ok(StatusCode::NO_CONTENT)
}

async fn is_dead(state: &Shared, id: &str) -> ApiResult<bool> {
    Ok(state.queue.dead_jobs(usize::MAX >> 1).await?.iter().any(|j| j.id == id))
}
