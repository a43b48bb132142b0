//! Every error the API answers with, and the one place that maps it to an HTTP status.
//! The `code`s are a stable contract (docs/api.md lists them); messages are for people.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use reactlab_queue::QueueError;
use reactlab_store::StoreError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    InvalidJson { message: String },
    #[error("{message}")]
    InvalidField { field: String, message: String },
    #[error("{}", if field.is_empty() { "the body must be a JSON object, not an array".to_string() } else { format!("`{field}` must be a JSON object, not an array") })]
    WrongShape { field: String },
    #[error("send JSON with Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("the request body is larger than {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("the code is {size} bytes; the limit is {limit} bytes (64 KiB)")]
    CodeTooLarge { size: usize, limit: usize },
    #[error("the request body did not arrive within {} s", .limit.as_secs())]
    RequestTimeout { limit: std::time::Duration },
    #[error("sign in first")]
    Unauthenticated,
    #[error("wrong e-mail or password")]
    BadCredentials,
    #[error("only admins may do this")]
    Forbidden,
    #[error("a change made with the session cookie must come from this site (its Origin, or else its Referer)")]
    BadOrigin,
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("{field} is already taken")]
    Conflict { field: String },
    #[error("too many requests; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("too many open connections for this user (at most {limit})")]
    TooManyConnections { limit: usize },
    #[error("{0}")]
    LinkRefused(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("the database cannot be reached; try again in a few seconds")]
    DatabaseUnavailable,
    #[error("the code store cannot be reached; try again in a few seconds")]
    ObjectStoreUnavailable,
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::InvalidField { field: field.to_string(), message: message.into() }
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(e.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidJson { .. } | ApiError::WrongShape { .. } => StatusCode::BAD_REQUEST,
            ApiError::InvalidField { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::BodyTooLarge { .. } | ApiError::CodeTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::Unauthenticated | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::BadOrigin | ApiError::LinkRefused(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::RateLimited { .. } | ApiError::TooManyConnections { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) | ApiError::DatabaseUnavailable | ApiError::ObjectStoreUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidJson { .. } => "invalid_json",
            ApiError::InvalidField { .. } => "invalid_field",
            ApiError::WrongShape { .. } => "invalid_shape",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::BodyTooLarge { .. } => "body_too_large",
            ApiError::CodeTooLarge { .. } => "code_too_large",
            ApiError::RequestTimeout { .. } => "request_timeout",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::BadCredentials => "bad_credentials",
            ApiError::Forbidden => "forbidden",
            ApiError::BadOrigin => "bad_origin",
            ApiError::NotFound { .. } => "not_found",
            ApiError::Conflict { .. } => "conflict",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::TooManyConnections { .. } => "too_many_connections",
            ApiError::LinkRefused(_) => "link_refused",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::DatabaseUnavailable => "database_unavailable",
            ApiError::ObjectStoreUnavailable => "object_store_unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    fn field_name(&self) -> Option<&str> {
        match self {
            ApiError::InvalidField { field, .. } | ApiError::Conflict { field } => Some(field),
            ApiError::WrongShape { field } if !field.is_empty() => Some(field),
            ApiError::CodeTooLarge { .. } => Some("code"),
            _ => None,
        }
    }
}

/// Every code with its status, for the docs and the OpenAPI description.
pub const ERROR_CODES: &[(&str, u16, &str)] = &[
    ("invalid_json", 400, "The body is not valid JSON."),
    ("invalid_shape", 400, "An array where the API expects a JSON object (the body itself, or the field `field` names)."),
    ("invalid_field", 422, "A field is missing, unknown, of the wrong type or has a bad value; `field` names it."),
    ("unsupported_media_type", 415, "The body is not sent as application/json."),
    ("body_too_large", 413, "The request body exceeds the size limit."),
    ("code_too_large", 413, "The submitted code exceeds 64 KiB; `field` is `code`."),
    ("request_timeout", 408, "The request body did not arrive within the body deadline; the connection is closed."),
    ("unauthenticated", 401, "No valid session: sign in, or send a live Bearer token."),
    ("bad_credentials", 401, "Wrong e-mail or password."),
    ("forbidden", 403, "Signed in, but not allowed (admin only)."),
    ("bad_origin", 403, "A cookie-authenticated change came from an origin that is not allowed."),
    ("link_refused", 403, "A signed link expired or was tampered with."),
    ("not_found", 404, "No such thing, or it is not yours."),
    ("conflict", 409, "A unique value (username, e-mail, slug) is taken; `field` names it."),
    ("rate_limited", 429, "Too many requests; the Retry-After header says when to try again."),
    ("too_many_connections", 429, "Too many WebSocket connections for this user."),
    ("unavailable", 503, "A part the request needs is not available (e.g. no judge on this API)."),
    ("database_unavailable", 503, "The database cannot be reached (it restarts or is down); nothing was stored. Retry-After says when to try again."),
    ("object_store_unavailable", 503, "The object store for code cannot be reached; the submission was not stored. Retry-After says when to try again."),
    ("internal", 500, "The server failed; the submission or data is not lost. Logged with details."),
];

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(e) = &self {
            tracing::error!("internal error: {e:#}");
        }
        let mut error = json!({ "code": self.code(), "message": self.to_string() });
        if let Some(field) = self.field_name() {
            error["field"] = json!(field);
        }
        let mut response = (status, axum::Json(json!({ "error": error }))).into_response();
        let retry_after = match self {
            ApiError::RateLimited { retry_after_secs } => Some(retry_after_secs),
            ApiError::DatabaseUnavailable | ApiError::ObjectStoreUnavailable => Some(OUTAGE_RETRY_AFTER_SECS),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// What a 503 for an unreachable database or object store tells clients to wait: a
/// restart usually takes about that long.
const OUTAGE_RETRY_AFTER_SECS: u64 = 5;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound { what: "resource" },
            StoreError::Conflict(field) => ApiError::Conflict { field: field.to_string() },
            // Not the server's bug but a part that is down: a 503 the client may retry,
            // logged as a warning (the part's own alarm says more).
            StoreError::Database(_) if e.is_outage() => {
                tracing::warn!("database unavailable: {e}");
                ApiError::DatabaseUnavailable
            }
            StoreError::Objects(_) if e.is_outage() => {
                tracing::warn!("object store unavailable: {e}");
                ApiError::ObjectStoreUnavailable
            }
            other => ApiError::Internal(other.into()),
        }
    }
}

impl From<QueueError> for ApiError {
    fn from(e: QueueError) -> Self {
        match e {
            QueueError::Unavailable(why) => {
                tracing::warn!("queue unavailable: {why}");
                ApiError::Unavailable("the queue is unavailable; try again shortly".into())
            }
            other => ApiError::Internal(other.into()),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docs_list_every_error_code_with_its_status() {
        let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api.md")).unwrap();
        for (code, status, _) in ERROR_CODES {
            assert!(docs.contains(&format!("| `{code}` | {status} |")), "docs/api.md lacks {code} ({status})");
        }
    }

    #[test]
    fn an_object_store_that_refuses_is_a_500_and_one_that_cannot_be_reached_a_503() {
        let refused = object_store::Error::PermissionDenied { path: "code/a.jsx".into(), source: "403 Forbidden".into() };
        assert_eq!(ApiError::from(StoreError::Objects(refused)).status(), StatusCode::INTERNAL_SERVER_ERROR);
        let cut = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let unreachable = object_store::Error::Generic { store: "S3", source: Box::new(cut) };
        let error = ApiError::from(StoreError::Objects(unreachable));
        assert_eq!((error.status(), error.code()), (StatusCode::SERVICE_UNAVAILABLE, "object_store_unavailable"));
    }
}
