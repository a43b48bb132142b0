//! The JSON body extractor: malformed JSON is a 400, a bad field a 422 naming the field
//! (`serde_path_to_error`), an oversized body a 413, all in the API's error shape.

use crate::body_deadline::BodyTimedOut;
use crate::error::ApiError;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use bytes::Bytes;
use serde::de::DeserializeOwned;

/// Limit on any JSON body (the code inside has its own, smaller limit).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// An oversized body is read (and dropped) up to this much before the 413 goes out: closing
/// a connection with unread data makes the kernel reset it, and the client would lose the
/// answer. Beyond this the connection is simply cut.
const DRAIN_BYTES: usize = 8 * 1024 * 1024;

async fn read_body(req: Request) -> Result<Bytes, ApiError> {
    use futures::StreamExt;
    let mut stream = req.into_body().into_data_stream();
    let mut body = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(unreadable)?;
        seen += chunk.len();
        if seen <= MAX_BODY_BYTES {
            body.extend_from_slice(&chunk);
        } else if seen > DRAIN_BYTES {
            break;
        }
    }
    if seen > MAX_BODY_BYTES {
        return Err(ApiError::BodyTooLarge { limit: MAX_BODY_BYTES });
    }
    Ok(Bytes::from(body))
}

/// A body that stopped arriving: too slow (the body deadline), or the connection broke.
fn unreadable(e: axum::Error) -> ApiError {
    match e.into_inner().downcast::<BodyTimedOut>() {
        Ok(timed_out) => ApiError::RequestTimeout { limit: timed_out.limit },
        Err(e) => ApiError::InvalidJson { message: format!("the body could not be read: {e}") },
    }
}

pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        parse(&read_body(req).await?).map(Body)
    }
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof | serde_json::error::Category::Io => {
                ApiError::InvalidJson { message: format!("the body is not valid JSON: {inner}") }
            }
            serde_json::error::Category::Data => invalid_field(path, &inner.to_string()),
        }
    })?;
    if let Some(field) = crate::nul::in_json(bytes) {
        return Err(ApiError::field(&field, crate::nul::REFUSED));
    }
    Ok(value)
}

/// The error for a value serde refused at `path` (in a body or a query string).
pub fn invalid_field(path: String, message: &str) -> ApiError {
    // A missing or unknown field is reported on the object that lacks or has it.
    let field = field_of(message).unwrap_or(path);
    ApiError::InvalidField { field, message: strip_position(message) }
}

/// The field serde names in "missing field `x`" or "unknown field `x`, expected …".
fn field_of(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("missing field `") {
        return rest.split('`').next().map(str::to_string);
    }
    // An unknown field's name is the client's and may hold a backtick itself: it ends where
    // serde's list of the expected fields begins.
    let rest = message.strip_prefix("unknown field `")?;
    rest.rsplit_once("`, expected").or_else(|| rest.rsplit_once("`, there are no fields")).map(|(name, _)| name.to_string())
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Login {
        email: String,
        password: String,
    }

    fn field(body: &str) -> (String, Option<String>) {
        match parse::<Login>(body.as_bytes()).unwrap_err() {
            ApiError::InvalidField { field, .. } => ("invalid_field".into(), Some(field)),
            other => (other.code().into(), None),
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(field("{"), ("invalid_json".into(), None));
        assert_eq!(field(r#"{"email": "a"}"#), ("invalid_field".into(), Some("password".into())));
        assert_eq!(field(r#"{"email": 3, "password": "x"}"#), ("invalid_field".into(), Some("email".into())));
        assert_eq!(field(r#"{"email": "a", "password": "x", "admin": true}"#), ("invalid_field".into(), Some("admin".into())));
    }
}
