//! The web app's TypeScript types are generated from a checked-in copy of the OpenAPI
//! document (web/src/api/openapi.json, `npm run gen:api`). This test keeps that copy equal
//! to what the API serves, so a change to a request or response type shows up in the web
//! build instead of at run time.

use serde_json::Value;
use std::path::PathBuf;

const UPDATE: &str = "REACTLAB_UPDATE_OPENAPI";

fn checked_in() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/src/api/openapi.json")
}

/// The first place where two JSON values differ, as a JSON pointer, to say where to look.
fn first_difference(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(p), Some(q)) => first_difference(&format!("{path}/{}", k.replace('~', "~0").replace('/', "~1")), p, q),
                _ => Some(format!("{path}/{k}")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (p, q))| first_difference(&format!("{path}/{i}"), p, q))
        }
        _ if a == b => None,
        _ => Some(if path.is_empty() { "/".into() } else { path.into() }),
    }
}

#[test]
fn the_web_apps_copy_of_the_openapi_document_is_current() {
    let document = reactlab_api::openapi_document();
    let path = checked_in();
    if std::env::var_os(UPDATE).is_some_and(|v| v == "1") {
        let text = serde_json::to_string_pretty(&document).expect("the document serializes") + "\n";
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}; run with {UPDATE}=1 to write it", path.display()));
    let stored: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}; run with {UPDATE}=1 to rewrite it", path.display()));
    if let Some(at) = first_difference("", &document, &stored) {
        panic!(
            "web/src/api/openapi.json differs from reactlab_api::openapi_document() at {at}.\n\
             Run `npm run gen:api` in web/: it rewrites the file (this test with {UPDATE}=1) and regenerates \
             the TypeScript types from it; then fix what no longer compiles (`npm run build`)."
        );
    }
}

#[test]
fn a_difference_is_found_and_located() {
    let a = serde_json::json!({ "paths": { "/a/b": { "get": [1, 2] } }, "x": 1 });
    assert_eq!(first_difference("", &a, &a), None);
    let b = serde_json::json!({ "paths": { "/a/b": { "get": [1, 3] } }, "x": 1 });
    assert_eq!(first_difference("", &a, &b).as_deref(), Some("/paths/~1a~1b/get/1"));
    let c = serde_json::json!({ "paths": { "/a/b": { "get": [1, 2] } } });
    assert_eq!(first_difference("", &a, &c).as_deref(), Some("/x"));
    assert_eq!(first_difference("", &serde_json::json!([1]), &serde_json::json!([1, 2])).as_deref(), Some("/"));
}
