//! Serves local objects behind their signed URLs (an S3 store serves its own).

use crate::error::{ApiError, ApiResult};
use crate::extract::Params;
use crate::state::Shared;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use reactlab_store::StoreError;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Signature {
    expires: i64,
    signature: String,
}

pub const PREFIX: &str = "/api/v1/objects";

pub async fn get(State(state): State<Shared>, Path(key): Path<String>, Params(sig): Params<Signature>) -> ApiResult<Response> {
    let signer = state.local_signer.as_ref().ok_or(ApiError::NotFound { what: "object" })?;
    signer.verify(&key, sig.expires, &sig.signature, state.db.now_ms()).map_err(|e| ApiError::LinkRefused(e.to_string()))?;
    let bytes = match state.objects.get(&key).await {
        Err(StoreError::NotFound) => return Err(ApiError::NotFound { what: "object" }),
        other => other?,
    };
    let content_type = if key.ends_with(".png") { "image/png" } else { "text/plain; charset=utf-8" };
    Ok(([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "private, no-store")], bytes).into_response())
}
