//! Submitting code, reading results and history, and signed links to stored code.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, CurrentUser, Params};
use crate::lookup::{own, view_of};
use crate::outbox;
use crate::state::{AppState, Bucket, Shared};
use crate::views::{SignedUrl, SubmissionSummary, SubmissionView, time};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bytes::Bytes;
use reactlab_core::{Language, MAX_CODE_BYTES, SubmissionEvent};
use reactlab_queue::Event;
use reactlab_store::NewSubmission;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// The challenge's slug.
    pub challenge: String,
    /// The component's source, at most 64 KiB.
    pub code: String,
    /// `jsx` (default) or `tsx`.
    #[serde(default)]
    pub language: Language,
}

#[derive(Serialize, JsonSchema)]
pub struct SubmitResponse {
    pub id: String,
    /// Always `queued`: grading happens after the answer; follow it over the WebSocket.
    pub status: String,
    pub position: Option<u64>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Only this challenge's submissions.
    pub challenge: Option<String>,
    /// The `next` cursor of the previous page.
    pub before: Option<String>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

#[derive(Serialize, JsonSchema)]
pub struct History {
    pub submissions: Vec<SubmissionSummary>,
    /// Pass as `before` for the next page; null on the last one.
    pub next: Option<String>,
}

/// The checks a submission passes before anything is looked up or stored.
pub(crate) fn check_submission(req: &SubmitRequest) -> ApiResult<()> {
    if req.code.len() > MAX_CODE_BYTES {
        return Err(ApiError::CodeTooLarge { size: req.code.len(), limit: MAX_CODE_BYTES });
    }
    if req.code.trim().is_empty() {
        return Err(ApiError::field("code", "the code is empty"));
    }
    Ok(())
}

pub async fn create(State(state): State<Shared>, current: CurrentUser, Body(req): Body<SubmitRequest>) -> ApiResult<(StatusCode, Json<SubmitResponse>)> {
    check_submission(&req)?;
    if state.db.challenge(&req.challenge).await?.is_none() {
        return Err(ApiError::field("challenge", format!("there is no challenge {:?}", req.challenge)));
    }
    state.limiters.check(Bucket::Submit, &current.user.id).await?;

    let id = NewSubmission::id();
    let file_name = req.language.file_name();
    let code_key = format!("code/{}/{id}.{}", current.user.id, req.language.extension());
    // The code first: a row never points at code that is not there.
    state.objects.put(&code_key, Bytes::from(req.code)).await?;
    let new = NewSubmission { id, user_id: &current.user.id, challenge: &req.challenge, file_name, code_key: &code_key };
    let submission = state.db.create_submission(&new).await?;
    let position = outbox::hand_to_queue(&state, &submission.id).await.ok().flatten();
    if position.is_some() {
        let message = SubmissionEvent::Queued { id: submission.id.clone(), position }.to_json();
        let _ = state.bus.publish(Event { submission: submission.id.clone(), user: current.user.id.clone(), message }).await;
    }
    tracing::info!(submission = %submission.id, challenge = %req.challenge, "accepted");
    Ok((StatusCode::ACCEPTED, Json(SubmitResponse { id: submission.id, status: "queued".into(), position })))
}

pub async fn get(State(state): State<Shared>, current: CurrentUser, Path(id): Path<String>) -> ApiResult<Json<SubmissionView>> {
    let s = own(&state, &current.user.id, &id).await?;
    Ok(Json(view_of(&state, &s).await))
}

/// The page size a history query asks for, checked.
pub(crate) fn history_limit(q: &HistoryQuery) -> ApiResult<i64> {
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::field("limit", "limit is 1 to 100"));
    }
    Ok(limit)
}

pub async fn list(State(state): State<Shared>, current: CurrentUser, Params(q): Params<HistoryQuery>) -> ApiResult<Json<History>> {
    let limit = history_limit(&q)?;
    let rows = state.db.submissions_of(&current.user.id, q.challenge.as_deref(), q.before.as_deref(), limit + 1).await?;
    let next = if rows.len() as i64 > limit { rows.get(limit as usize - 1).map(|s| s.id.clone()) } else { None };
    let submissions = rows.iter().take(limit as usize).map(SubmissionSummary::from).collect();
    Ok(Json(History { submissions, next }))
}

async fn signed(state: &AppState, key: &str) -> ApiResult<Json<SignedUrl>> {
    let expires_at = state.db.now_ms() + state.config.signed_url_ttl.as_millis() as i64;
    let url = state.objects.signed_url(key, expires_at).await?;
    Ok(Json(SignedUrl { url, expires_at: time(expires_at) }))
}

pub async fn code_url(State(state): State<Shared>, current: CurrentUser, Path(id): Path<String>) -> ApiResult<Json<SignedUrl>> {
    let s = own(&state, &current.user.id, &id).await?;
    signed(&state, &s.code_key).await
}

pub async fn screenshot_url(State(state): State<Shared>, current: CurrentUser, Path(id): Path<String>) -> ApiResult<Json<SignedUrl>> {
    let s = own(&state, &current.user.id, &id).await?;
    let key = s.screenshot_key.ok_or(ApiError::NotFound { what: "screenshot" })?;
    signed(&state, &key).await
}
