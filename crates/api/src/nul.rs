//! The NUL character (U+0000) is refused wherever text enters the API: in JSON bodies, query
//! strings, paths and WebSocket messages. PostgreSQL's `text` cannot hold it (the statement
//! fails, which would be a 500), and no name, e-mail, slug, id or source file legitimately
//! contains one, so it is stopped at the door on every database alike.

use crate::error::ApiError;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

pub const REFUSED: &str = "text cannot contain the NUL character (U+0000)";

pub fn contains_nul(text: &str) -> bool {
    text.contains('\0')
}

/// The path (`email`, `starter.code`, `tags[2]`: as `serde_path_to_error` writes them) of
/// the first string in a JSON body that holds a NUL.
pub fn in_json(body: &[u8]) -> Option<String> {
    // JSON can carry a NUL only as the escape `\u0000`: most bodies are spared a second parse.
    if !body.windows(6).any(|w| w == b"\\u0000") {
        return None;
    }
    let value: Value = serde_json::from_slice(body).ok()?;
    first_nul(&value, String::new())
}

fn first_nul(value: &Value, path: String) -> Option<String> {
    match value {
        Value::String(s) if contains_nul(s) => Some(if path.is_empty() { ".".into() } else { path }),
        Value::Object(fields) => fields.iter().find_map(|(name, v)| first_nul(v, if path.is_empty() { name.clone() } else { format!("{path}.{name}") })),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| first_nul(v, format!("{path}[{i}]"))),
        _ => None,
    }
}

/// Middleware: a path with an encoded NUL names nothing there is, so it is a 404 without a
/// lookup (path parameters are submission ids, slugs and object keys).
pub async fn refuse_in_path(request: Request, next: Next) -> Response {
    if request.uri().path().to_ascii_lowercase().contains("%00") {
        return ApiError::NotFound { what: "resource" }.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_of_the_first_string_with_a_nul_is_named() {
        assert_eq!(in_json(br#"{"email": "a\u0000@example.com"}"#), Some("email".into()));
        assert_eq!(in_json(br#"{"starter": {"name": "a.jsx", "code": "x\u0000"}}"#), Some("starter.code".into()));
        assert_eq!(in_json(br#"{"tags": ["ok", "\u0000"]}"#), Some("tags[1]".into()));
        // An escaped backslash followed by `u0000` is six ordinary characters.
        assert_eq!(in_json(br#"{"code": "\\u0000"}"#), None);
        assert_eq!(in_json(br#"{"code": "plain"}"#), None);
    }
}
