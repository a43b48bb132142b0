//! The one public entry point the `api_json` fuzz target (`fuzz/`) and the test that replays
//! its seeds (`tests/fuzz_seeds.rs`) share. The request types and their checks stay private
//! to the crate; this drives them exactly as a request does, with no server and no
//! database: the JSON body extractor (media type, size, syntax, fields), then the checks the
//! handler makes before it touches any state, then the error as the client receives it;
//! the same for query strings; and the request headers the API reads (session token,
//! cookie, `Origin`/`Referer`, `X-Forwarded-For`). Nothing in the product calls it.

use crate::auth::{LoginRequest, RegisterRequest, validate_registration};
use crate::challenges::{ChallengeInput, validation};
use crate::error::{ApiError, Code};
use crate::extract::Body;
use crate::preview::TranspileRequest;
use crate::submissions::{HistoryQuery, SubmitRequest, check_submission, history_limit};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The inputs, by the name a fuzz input's first line gives: the bodies of register, login,
/// submit, challenge create/update/validate and preview transpile, the WebSocket's client
/// messages, the history's query string, and request headers (`Name: value` lines).
pub const KINDS: &[&str] = &["register", "login", "submit", "challenge", "preview", "ws", "query", "headers"];

/// `data` is `kind[ content-type]\n` followed by the body (content type by default
/// `application/json`). Returns `None` when the first line names no kind, else whether the
/// API accepts the body, or the error body it answers with. Panics only if a promise of the
/// error contract is broken: a status that is not the one its code documents, or an error
/// body without its code and message.
pub fn request(data: &[u8]) -> Option<Result<(), Value>> {
    let newline = data.iter().position(|&b| b == b'\n')?;
    let head = String::from_utf8_lossy(&data[..newline]);
    let body = data[newline + 1..].to_vec();
    let (kind, content_type) = head.split_once(' ').unwrap_or((&head, "application/json"));
    let outcome = match kind {
        "register" => extract::<RegisterRequest>(content_type, body).and_then(|r| validate_registration(&r)),
        "login" => extract::<LoginRequest>(content_type, body).map(drop),
        "submit" => extract::<SubmitRequest>(content_type, body).and_then(|r| check_submission(&r)),
        "challenge" => extract::<ChallengeInput>(content_type, body).and_then(|input| validation(&input)).map(drop),
        "preview" => extract::<TranspileRequest>(content_type, body).map(drop),
        "ws" => return Some(ws_message(&body)),
        "query" => crate::extract::params::parse::<HistoryQuery>(&String::from_utf8_lossy(&body)).and_then(|q| history_limit(&q)).map(drop),
        "headers" => {
            headers(&body);
            Ok(())
        }
        _ => return None,
    };
    Some(outcome.map_err(answer))
}

fn extract<T: DeserializeOwned + schemars::JsonSchema + 'static>(content_type: &str, body: Vec<u8>) -> Result<T, ApiError> {
    let mut request = Request::new(axum::body::Body::from(body));
    if let Ok(value) = HeaderValue::from_str(content_type) {
        request.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    // The body is in memory, so the extractor's future completes without a runtime.
    futures::executor::block_on(Body::<T>::from_request(request, &())).map(|Body(value)| value)
}

/// The error as the client receives it, checked against the documented contract.
fn answer(error: ApiError) -> Value {
    let response = error.into_response();
    let status = response.status().as_u16();
    let bytes = futures::executor::block_on(axum::body::to_bytes(response.into_body(), usize::MAX)).expect("an error body is in memory");
    let body: Value = serde_json::from_slice(&bytes).expect("an error body is JSON");
    let code = body["error"]["code"].as_str().expect("an error has a code");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "an error without a message: {body}");
    let documented = Code::ALL.iter().find(|c| c.name() == code).and_then(|c| c.status()).map(|s| s.as_u16());
    assert_eq!(documented, Some(status), "`{code}` answered with {status}: {body}");
    if code == "invalid_field" {
        // Possibly "": a client may send a member named so.
        assert!(body["error"]["field"].is_string(), "an invalid field without its name: {body}");
    }
    body
}

/// Reads `Name: value` lines as request headers (lines that make no header are skipped) and
/// runs what the API reads from headers, checking what each promises.
fn headers(text: &[u8]) {
    let mut map = HeaderMap::new();
    for line in text.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else { continue };
        let (Ok(name), Ok(value)) = (HeaderName::from_bytes(&line[..colon]), HeaderValue::from_bytes(line[colon + 1..].trim_ascii())) else { continue };
        map.append(name, value);
    }
    if let Some(token) = crate::extract::user::bearer(&map) {
        let raw = map.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(raw.starts_with("Bearer ") && raw.contains(token), "a token not from the Authorization header: {token:?}");
    }
    if let Some(session) = crate::extract::user::cookie(&map, crate::extract::SESSION_COOKIE) {
        assert!(!session.contains(';'), "a cookie value runs into the next one: {session:?}");
    }
    // Only the API's own origin (by Host) or a configured one passes, never a look-alike.
    let allowed = ["https://app.example.com".to_string()];
    if crate::extract::user::origin_allowed(&allowed, &map) {
        let text = |name| map.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).unwrap_or_default();
        let host = text(header::HOST);
        let claimed = map.get(header::ORIGIN).and_then(|v| v.to_str().ok()).unwrap_or_else(|| text(header::REFERER));
        let own = [format!("http://{host}"), format!("https://{host}"), allowed[0].clone()];
        assert!(
            own.iter().any(|o| claimed == o
                || claimed.starts_with(&format!("{o}/"))
                || claimed.starts_with(&format!("{o}?"))
                || claimed.starts_with(&format!("{o}#"))),
            "{claimed:?} passed as {host:?}'s origin"
        );
    }
    // Any list of addresses, however malformed, yields an address or none, without a panic.
    let _ = crate::extract::client_addr::forwarded_client(map.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()));
}

fn ws_message(text: &[u8]) -> Result<(), Value> {
    crate::ws::parse_message(&String::from_utf8_lossy(text)).map(drop).inspect_err(|error| {
        assert!(error["type"] == "error" && error["code"] == "invalid_message", "a refused message answered with {error}");
    })
}
