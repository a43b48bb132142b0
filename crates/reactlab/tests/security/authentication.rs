//! Authentication bypass: no credentials, forged tokens, admin endpoints, logged-out tokens.

use super::*;
use serde_json::Value;

#[tokio::test]
async fn requests_without_credentials_or_with_forged_tokens_are_401_unauthenticated() {
    let server = Server::start(&NO_BROWSER);
    let (amy, _) = account(&server, "amy").await;
    let token = amy.token.clone().unwrap();
    assert_eq!(amy.get("/api/v1/me").await.status, StatusCode::OK, "the real token works");
    let id = amy.submit("counter", CODE).await;
    let mut altered = token.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == '0' { '1' } else { '0' });
    let forgeries: Vec<(&str, Option<(&str, String)>)> = vec![
        ("no credentials", None),
        ("a garbage Bearer token", Some(("authorization", "Bearer garbage".into()))),
        ("a Bearer token of the right shape", Some(("authorization", format!("Bearer {}", "7".repeat(64))))),
        ("a real token with one character changed", Some(("authorization", format!("Bearer {altered}")))),
        ("an empty Bearer token", Some(("authorization", "Bearer ".into()))),
        ("an 8 KB Bearer token", Some(("authorization", format!("Bearer {}", "a".repeat(8000))))),
        ("the token as Basic credentials", Some(("authorization", format!("Basic {token}")))),
        ("the token under another cookie's name", Some(("cookie", format!("session={token}")))),
        ("the token quoted in the session cookie", Some(("cookie", format!("reactlab_session=\"{token}\"")))),
        ("a forged session cookie", Some(("cookie", format!("reactlab_session={}", "7".repeat(64))))),
    ];
    let anonymous = server.client();
    for (what, header) in &forgeries {
        for (method, path) in [
            (Method::GET, "/api/v1/me".to_string()),
            (Method::GET, format!("/api/v1/submissions/{id}")),
            (Method::GET, "/api/v1/submissions".to_string()),
            (Method::POST, "/api/v1/submissions".to_string()),
            (Method::GET, "/api/v1/admin/queue".to_string()),
        ] {
            let mut request = anonymous.request(method.clone(), &path).header("origin", &server.base).json(&json!({ "challenge": "counter", "code": CODE }));
            if let Some((name, value)) = header {
                request = request.header(*name, value);
            }
            expect(&reply(request).await, StatusCode::UNAUTHORIZED, "unauthenticated", &format!("{what}: {method} {path}"));
        }
        let mut headers: Vec<_> = header.iter().map(|(name, value)| (*name, value.clone())).collect();
        headers.push(("origin", server.base.clone()));
        assert_eq!(ws_handshake(&server, &headers).await, Err(401), "{what}: the WebSocket");
    }
    // Tokens are never read from the URL, where they would end up in logs and histories.
    for query in ["token", "access_token", "reactlab_session"] {
        let r = anonymous.get(&format!("/api/v1/me?{query}={token}")).await;
        expect(&r, StatusCode::UNAUTHORIZED, "unauthenticated", query);
    }
    assert_eq!(amy.get("/api/v1/submissions").await.body["submissions"].as_array().unwrap().len(), 1, "no forged submit got through");
}

#[tokio::test]
async fn admin_endpoints_are_401_for_strangers_and_403_forbidden_for_learners() {
    let server = Server::start(&NO_BROWSER);
    let root = admin_account(&server, "root").await;
    let (ivy, _) = account(&server, "ivy").await;
    let stranger = server.client();
    let id = ivy.submit("counter", CODE).await;
    let challenge = json!({
        "slug": "learner-made",
        "spec_toml": "title = \"Mine\"\ndifficulty = \"easy\"\n[[test]]\nname = \"x\"\nchecks = [\"x\"]\nsteps = [{ do = \"expect_text\", contains = \"x\" }]\n",
        "statement": "Mine.\n\n## Requirements\n\n- [x] Shows x.\n",
        "starter": { "name": "starter.jsx", "code": "export default () => null;" },
        "reference": { "name": "reference.jsx", "code": "export default () => <p>x</p>;" }
    });
    // Every operation the server's own API description marks admin-only, so that a route
    // added later is checked without this list being kept by hand.
    let openapi = stranger.get("/api/v1/openapi.json").await;
    assert_eq!(openapi.status, StatusCode::OK);
    let attempts = admin_operations(&openapi.body, &id, &challenge);
    assert!(attempts.iter().any(|(method, path, _)| *method == Method::GET && path == "/api/v1/admin/queue"), "{attempts:?}");
    for (method, path, body) in &attempts {
        expect(&ivy.send(method.clone(), path, body.clone()).await, StatusCode::FORBIDDEN, "forbidden", &format!("a learner: {method} {path}"));
        expect(&stranger.send(method.clone(), path, body.clone()).await, StatusCode::UNAUTHORIZED, "unauthenticated", &format!("a stranger: {method} {path}"));
    }
    // The same endpoints work for the admin, and nothing the others tried took effect.
    assert_eq!(root.get("/api/v1/admin/queue").await.status, StatusCode::OK);
    assert_eq!(root.get("/api/v1/challenges/counter/source").await.body["version"], 1);
    assert_eq!(root.get("/api/v1/challenges/learner-made").await.status, StatusCode::NOT_FOUND);
    // Nobody can take the admin's e-mail in another case and be an admin too.
    let r = stranger.post("/api/v1/auth/register", json!({ "username": "root2", "email": "ROOT@Example.com", "password": PASSWORD })).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::CONFLICT, Some("email")), "{}", r.body);
}

/// Every operation the OpenAPI document marks `x-admin-only`, as a request for it: the path's
/// parameters filled in (the `counter` challenge, the submission `id`) and a body of the
/// shape the operation takes (`challenge`, `{}` for a POST that takes none, none for a GET).
fn admin_operations(openapi: &Value, id: &str, challenge: &Value) -> Vec<(Method, String, Option<Value>)> {
    // A replacement names its challenge in the URL, not in the body.
    let mut replacement = challenge.clone();
    replacement.as_object_mut().unwrap().remove("slug");
    let mut operations = Vec::new();
    for (template, methods) in openapi["paths"].as_object().expect("the document lists paths") {
        for (method, operation) in methods.as_object().unwrap() {
            if operation["x-admin-only"].as_bool() != Some(true) {
                continue;
            }
            let path = template.replace("{slug}", "counter").replace("{id}", id);
            assert!(!path.contains('{'), "an admin path with a parameter this test cannot fill: {template}");
            let body = match operation.pointer("/requestBody/content/application~1json/schema/$ref").and_then(Value::as_str) {
                Some(schema) if schema.ends_with("/ChallengeInput") => Some(if template.contains("{slug}") { replacement.clone() } else { challenge.clone() }),
                Some(schema) => panic!("{method} {template}: an admin request body this test cannot build ({schema})"),
                None if method == "get" => None,
                None => Some(json!({})),
            };
            operations.push((method.to_uppercase().parse().unwrap(), path, body));
        }
    }
    operations
}

#[tokio::test]
async fn a_logged_out_token_is_refused_server_side_and_other_sessions_live_on() {
    let server = Server::start(&[]);
    let (fay, _) = account(&server, "fay").await;
    let login = server.client().post("/api/v1/auth/login", json!({ "email": "fay@example.com", "password": PASSWORD })).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let mut second = server.client();
    second.token = Some(login.body["token"].as_str().unwrap().to_string());
    let out = second.send(Method::POST, "/api/v1/auth/logout", None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let cleared = set_cookie(&out);
    assert!(cleared.starts_with("reactlab_session=;") && cleared.contains("Max-Age=0"), "the cookie is cleared: {cleared}");
    // Revoked in the database, not only forgotten by the browser: the token itself is dead.
    expect(&second.get("/api/v1/me").await, StatusCode::UNAUTHORIZED, "unauthenticated", "a revoked token");
    expect(&second.send(Method::POST, "/api/v1/auth/logout", None).await, StatusCode::UNAUTHORIZED, "unauthenticated", "logging out twice");
    let as_cookie = reply(server.client().request(Method::GET, "/api/v1/me").header("cookie", format!("reactlab_session={}", second.token.unwrap()))).await;
    expect(&as_cookie, StatusCode::UNAUTHORIZED, "unauthenticated", "the revoked token as a cookie");
    assert_eq!(fay.get("/api/v1/me").await.status, StatusCode::OK, "the other session lives on");
}
