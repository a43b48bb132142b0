//! The web app's live preview: the learner's code transpiled exactly as the judge does it,
//! run in a sandboxed frame (`sandbox="allow-scripts"`, an opaque origin) that loads React
//! through the judge's own import map. The frame cannot reach the app's cookies or storage.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, ClientAddr};
use crate::state::{Bucket, Preview, Shared};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use reactlab_core::{CompileError, Language, MAX_CODE_BYTES};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TranspileRequest {
    pub code: String,
    #[serde(default)]
    pub language: Language,
}

#[derive(Serialize, JsonSchema)]
pub struct TranspileResponse {
    /// The ES module to run, when the code compiles.
    pub js: Option<String>,
    /// Why it does not (the same message, line and column the judge gives).
    pub error: Option<CompileError>,
}

fn preview(state: &Shared) -> ApiResult<&dyn Preview> {
    state.preview.as_deref().ok_or_else(|| ApiError::Unavailable("this server has no preview".into()))
}

pub async fn transpile(State(state): State<Shared>, ClientAddr(client): ClientAddr, Body(req): Body<TranspileRequest>) -> ApiResult<Json<TranspileResponse>> {
    state.limiters.check(Bucket::Preview, &client.to_string()).await?;
    if req.code.len() > MAX_CODE_BYTES {
        return Err(ApiError::CodeTooLarge { size: req.code.len(), limit: MAX_CODE_BYTES });
    }
    Ok(Json(match preview(&state)?.transpile(req.language.file_name(), &req.code) {
        Ok(js) => TranspileResponse { js: Some(js), error: None },
        Err(e) => TranspileResponse { js: None, error: Some(e) },
    }))
}

/// Headers that let the opaque-origin frame load a file.
fn for_frame(mut response: Response, content_type: &'static str) -> Response {
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("cross-origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

pub async fn vendor(State(state): State<Shared>, Path((mode, file)): Path<(String, String)>) -> ApiResult<Response> {
    let body = preview(&state)?.vendor_file(&mode, &file).ok_or(ApiError::NotFound { what: "file" })?;
    Ok(for_frame(body.into_response(), "text/javascript; charset=utf-8"))
}

const BOOT: &str = include_str!("preview_boot.js");

pub async fn boot() -> Response {
    for_frame(BOOT.into_response(), "text/javascript; charset=utf-8")
}

/// The frame's page: the import map (allowed by its hash) and the boot module; the
/// learner's module arrives by `postMessage` and runs from a `blob:` URL.
pub async fn frame(State(state): State<Shared>) -> ApiResult<Response> {
    use base64::Engine;
    use sha2::Digest;
    let map = preview(&state)?.import_map();
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(map.as_bytes()));
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><style>body{{font-family:system-ui,sans-serif;margin:12px}}</style>\
         <script type=\"importmap\">{map}</script><script type=\"module\" src=\"/preview/boot.js\"></script></head><body><div id=\"root\"></div></body></html>"
    );
    let csp = format!(
        "default-src 'none'; script-src 'self' blob: 'sha256-{hash}'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'"
    );
    let mut response = axum::response::Html(html).into_response();
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_str(&csp).map_err(ApiError::internal)?);
    // Only the app itself may frame it.
    response.headers_mut().insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    Ok(response)
}
