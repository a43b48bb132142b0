//! Replays the `api_json` fuzz target's inputs through its own entry point
//! (`reactlab_api::fuzzing::request`, no server): the committed seeds in
//! `fuzz/seeds/api_json` (bodies like docs/api.md's, and `regression-*` inputs of bugs
//! fuzzing found), each with the answer it must get, plus the size limits a fuzzer's short
//! inputs never reach. Plain `cargo test` thereby guards what fuzzing found.

use reactlab_api::fuzzing::{KINDS, request};
use std::path::{Path, PathBuf};

fn seeds() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/api_json");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

/// `None` when accepted, else the error code (and field) the API answers with.
fn answer(data: &[u8]) -> Option<(String, Option<String>)> {
    match request(data).expect("the first line names a kind") {
        Ok(()) => None,
        // An HTTP error is `{"error":{code,field?}}`; a WebSocket one is `{type:"error",code}`.
        Err(body) => {
            let error = if body["error"].is_object() { &body["error"] } else { &body };
            Some((error["code"].as_str().unwrap().to_string(), error["field"].as_str().map(String::from)))
        }
    }
}

fn expected(seed: &str) -> Option<(&'static str, Option<&'static str>)> {
    let field = |code, field| Some((code, Some(field)));
    match seed {
        s if s.ends_with("-ok") || s == "ws-subscribe" || s == "ws-unsubscribe" => None,
        "register-bad-fields" => field("invalid_field", "username"),
        "register-wrong-media-type" => Some(("unsupported_media_type", None)),
        "login-unknown-field" => field("invalid_field", "admin"),
        "login-truncated" => Some(("invalid_json", None)),
        "submit-empty-code" => field("invalid_field", "code"),
        "submit-bad-language" => field("invalid_field", "language"),
        // serde would read a struct from an array, member by member: refused before it.
        "preview-array" => Some(("invalid_shape", None)),
        "login-array" => Some(("invalid_shape", None)),
        "challenge-array-reference" => field("invalid_shape", "reference"),
        "ws-unknown-type" => Some(("invalid_message", None)),
        "query-limit-zero" | "query-bad-limit" => field("invalid_field", "limit"),
        "query-nul" => field("invalid_field", "challenge"),
        "query-unknown-parameter" => field("invalid_field", "sort"),
        // Headers are read, and what is read checked inside; they are never refused here.
        "headers-look-alike-referer" => None,
        "challenge-bad-spec" => field("invalid_field", "spec_toml"),
        "challenge-bad-slug" => field("invalid_field", "slug"),
        // A member named "" is named so; one whose name holds a backtick is named whole.
        "regression-empty-unknown-field" => field("invalid_field", ""),
        "regression-backtick-in-unknown-field" => field("invalid_field", "x`, expected `y"),
        other => panic!("say what the seed {other} must get"),
    }
}

#[test]
fn every_seed_gets_its_answer() {
    let files = seeds();
    assert!(files.len() >= 10, "the seeds are there");
    let mut kinds_seen = std::collections::HashSet::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let data = std::fs::read(&file).unwrap();
        kinds_seen.insert(String::from_utf8_lossy(&data).split(['\n', ' ']).next().unwrap().to_string());
        let got = answer(&data);
        let want = expected(&name).map(|(code, field)| (code.to_string(), field.map(String::from)));
        assert_eq!(got, want, "{name}");
    }
    assert_eq!(kinds_seen.len(), KINDS.len(), "a seed for every kind: {kinds_seen:?}");
}

#[test]
fn a_first_line_naming_no_kind_is_skipped() {
    assert!(request(b"{\"email\":\"a\"}").is_none());
    assert!(request(b"teleport\n{}").is_none());
}

#[test]
fn bodies_beyond_the_limits_get_the_size_errors() {
    let code = "x".repeat(64 * 1024 + 1);
    let submit = format!("submit\n{}", serde_json::json!({ "challenge": "counter", "code": code }));
    assert_eq!(answer(submit.as_bytes()), Some(("code_too_large".into(), Some("code".into()))));
    let huge = format!("login\n{}", serde_json::json!({ "email": "a@b.c", "password": "p".repeat(256 * 1024) }));
    assert_eq!(answer(huge.as_bytes()), Some(("body_too_large".into(), None)));
}
