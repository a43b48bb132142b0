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

    /// This error's row in the code table.
    pub fn kind(&self) -> Code {
        match self {
            ApiError::InvalidJson { .. } => Code::InvalidJson,
            ApiError::InvalidField { .. } => Code::InvalidField,
            ApiError::WrongShape { .. } => Code::InvalidShape,
            ApiError::UnsupportedMediaType => Code::UnsupportedMediaType,
            ApiError::BodyTooLarge { .. } => Code::BodyTooLarge,
            ApiError::CodeTooLarge { .. } => Code::CodeTooLarge,
            ApiError::RequestTimeout { .. } => Code::RequestTimeout,
            ApiError::Unauthenticated => Code::Unauthenticated,
            ApiError::BadCredentials => Code::BadCredentials,
            ApiError::Forbidden => Code::Forbidden,
            ApiError::BadOrigin => Code::BadOrigin,
            ApiError::NotFound { .. } => Code::NotFound,
            ApiError::Conflict { .. } => Code::Conflict,
            ApiError::RateLimited { .. } => Code::RateLimited,
            ApiError::TooManyConnections { .. } => Code::TooManyConnections,
            ApiError::LinkRefused(_) => Code::LinkRefused,
            ApiError::Unavailable(_) => Code::Unavailable,
            ApiError::DatabaseUnavailable => Code::DatabaseUnavailable,
            ApiError::ObjectStoreUnavailable => Code::ObjectStoreUnavailable,
            ApiError::Internal(_) => Code::Internal,
        }
    }

    pub fn status(&self) -> StatusCode {
        // Every row an `ApiError` maps to has a status (`every_http_error_has_a_status`).
        self.kind().status().unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn code(&self) -> &'static str {
        self.kind().name()
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

/// Declares the code table: `Code`, one variant a row, with its name on the wire, its HTTP
/// status (`None` for the codes only the WebSocket sends) and its meaning.
macro_rules! error_codes {
    ($($variant:ident: $name:literal, $status:expr, $meaning:literal;)*) => {
        /// Every error code the API sends, over HTTP or the WebSocket.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            pub const fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// `None` for the codes only WebSocket messages carry.
            pub const fn status(self) -> Option<StatusCode> {
                match self { $(Code::$variant => $status,)* }
            }

            pub const fn meaning(self) -> &'static str {
                match self { $(Code::$variant => $meaning,)* }
            }
        }
    };
}

const fn http(status: StatusCode) -> Option<StatusCode> {
    Some(status)
}

const WEBSOCKET: Option<StatusCode> = None;

// The one error table: the docs (docs/api.md, checked by a test), the OpenAPI document,
// the HTTP answers and the WebSocket's error messages all read it.
error_codes! {
    InvalidJson: "invalid_json", http(StatusCode::BAD_REQUEST), "The body is not valid JSON.";
    InvalidShape: "invalid_shape", http(StatusCode::BAD_REQUEST), "An array where the API expects a JSON object (the body itself, or the field `field` names).";
    InvalidField: "invalid_field", http(StatusCode::UNPROCESSABLE_ENTITY), "A field is missing, unknown, of the wrong type or has a bad value; `field` names it.";
    UnsupportedMediaType: "unsupported_media_type", http(StatusCode::UNSUPPORTED_MEDIA_TYPE), "The body is not sent as application/json.";
    BodyTooLarge: "body_too_large", http(StatusCode::PAYLOAD_TOO_LARGE), "The request body exceeds the size limit.";
    CodeTooLarge: "code_too_large", http(StatusCode::PAYLOAD_TOO_LARGE), "The submitted code exceeds 64 KiB; `field` is `code`.";
    RequestTimeout: "request_timeout", http(StatusCode::REQUEST_TIMEOUT), "The request body did not arrive within the body deadline; the connection is closed.";
    Unauthenticated: "unauthenticated", http(StatusCode::UNAUTHORIZED), "No valid session: sign in, or send a live Bearer token.";
    BadCredentials: "bad_credentials", http(StatusCode::UNAUTHORIZED), "Wrong e-mail or password.";
    Forbidden: "forbidden", http(StatusCode::FORBIDDEN), "Signed in, but not allowed (admin only).";
    BadOrigin: "bad_origin", http(StatusCode::FORBIDDEN), "A cookie-authenticated change came from an origin that is not allowed.";
    LinkRefused: "link_refused", http(StatusCode::FORBIDDEN), "A signed link expired or was tampered with.";
    NotFound: "not_found", http(StatusCode::NOT_FOUND), "No such thing, or it is not yours (on the WebSocket: no such submission of yours).";
    Conflict: "conflict", http(StatusCode::CONFLICT), "A unique value (username, e-mail, slug) is taken; `field` names it.";
    RateLimited: "rate_limited", http(StatusCode::TOO_MANY_REQUESTS), "Too many requests; the Retry-After header says when to try again.";
    TooManyConnections: "too_many_connections", http(StatusCode::TOO_MANY_REQUESTS), "Too many WebSocket connections for this user.";
    Unavailable: "unavailable", http(StatusCode::SERVICE_UNAVAILABLE), "A part the request needs is not available (e.g. no judge on this API).";
    DatabaseUnavailable: "database_unavailable", http(StatusCode::SERVICE_UNAVAILABLE), "The database cannot be reached (it restarts or is down); nothing was stored. Retry-After says when to try again.";
    ObjectStoreUnavailable: "object_store_unavailable", http(StatusCode::SERVICE_UNAVAILABLE), "The object store for code cannot be reached; the submission was not stored. Retry-After says when to try again.";
    Internal: "internal", http(StatusCode::INTERNAL_SERVER_ERROR), "The server failed; the submission or data is not lost. Logged with details.";
    InvalidMessage: "invalid_message", WEBSOCKET, "A WebSocket message that is not a JSON text `subscribe` or `unsubscribe`.";
    TooManySubscriptions: "too_many_subscriptions", WEBSOCKET, "More subscriptions on one WebSocket than it may hold.";
}

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
        for code in Code::ALL {
            let status = code.status().map_or("WebSocket".to_string(), |s| s.as_u16().to_string());
            assert!(docs.contains(&format!("| `{}` | {status} |", code.name())), "docs/api.md lacks {} ({status})", code.name());
        }
    }

    #[test]
    fn every_http_error_has_a_status_and_every_code_a_unique_name() {
        let samples = [
            ApiError::InvalidJson { message: "x".into() },
            ApiError::field("f", "x"),
            ApiError::WrongShape { field: String::new() },
            ApiError::UnsupportedMediaType,
            ApiError::BodyTooLarge { limit: 1 },
            ApiError::CodeTooLarge { size: 2, limit: 1 },
            ApiError::RequestTimeout { limit: std::time::Duration::from_secs(1) },
            ApiError::Unauthenticated,
            ApiError::BadCredentials,
            ApiError::Forbidden,
            ApiError::BadOrigin,
            ApiError::NotFound { what: "x" },
            ApiError::Conflict { field: "username".into() },
            ApiError::RateLimited { retry_after_secs: 1 },
            ApiError::TooManyConnections { limit: 1 },
            ApiError::LinkRefused("x".into()),
            ApiError::Unavailable("x".into()),
            ApiError::DatabaseUnavailable,
            ApiError::ObjectStoreUnavailable,
            ApiError::Internal(anyhow::anyhow!("x")),
        ];
        for error in &samples {
            assert!(error.kind().status().is_some(), "{:?} has no HTTP status", error.kind());
        }
        let names: std::collections::HashSet<&str> = Code::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), Code::ALL.len(), "two rows share a name");
        // The rows no sample reaches are the WebSocket's own.
        let reached: Vec<Code> = samples.iter().map(ApiError::kind).collect();
        assert!(Code::ALL.iter().filter(|c| !reached.contains(c)).all(|c| c.status().is_none()));
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
