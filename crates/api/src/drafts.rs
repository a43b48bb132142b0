//! The learner's draft of a challenge, kept on the server: it follows them to another
//! device, and the web app need not leave it in a shared browser after sign-out.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, CurrentUser};
use crate::state::Shared;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use reactlab_core::MAX_CODE_BYTES;
use reactlab_store::Draft;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftRequest {
    /// The code in the editor, at most 64 KiB.
    pub code: String,
}

pub async fn get(State(state): State<Shared>, current: CurrentUser, Path(slug): Path<String>) -> ApiResult<Json<Draft>> {
    let draft = state.db.draft(&current.user.id, &slug).await?;
    draft.map(Json).ok_or(ApiError::NotFound { what: "draft" })
}

pub async fn save(State(state): State<Shared>, current: CurrentUser, Path(slug): Path<String>, Body(req): Body<DraftRequest>) -> ApiResult<Json<Draft>> {
    if req.code.len() > MAX_CODE_BYTES {
        return Err(ApiError::CodeTooLarge { size: req.code.len(), limit: MAX_CODE_BYTES });
    }
    if state.db.challenge(&slug).await?.is_none() {
        return Err(ApiError::NotFound { what: "challenge" });
    }
    Ok(Json(state.db.save_draft(&current.user.id, &slug, &req.code).await?))
}

pub async fn delete(State(state): State<Shared>, current: CurrentUser, Path(slug): Path<String>) -> ApiResult<StatusCode> {
    state.db.delete_draft(&current.user.id, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}
