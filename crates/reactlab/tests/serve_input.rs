//! `reactlab serve`'s edges: bad input, auth, rate limits, CORS and headers, admin
//! authoring, WebSocket limits, the API description. Only `verify` needs Chromium.

mod server;
use reqwest::{Method, StatusCode};
use serde_json::json;
use server::*;
use std::time::Duration;

fn raw(client: &Client, method: Method, path: &str) -> reqwest::RequestBuilder {
    let mut r = client.http.request(method, format!("{}{path}", client.base));
    if let Some(t) = &client.token {
        r = r.bearer_auth(t);
    }
    r
}

async fn error_of(r: reqwest::Response) -> (StatusCode, serde_json::Value) {
    let status = r.status();
    (status, r.json::<serde_json::Value>().await.unwrap()["error"].clone())
}

#[tokio::test]
async fn malformed_bodies_get_precise_errors_naming_the_field() {
    let server = Server::start(&[]);
    let mut client = server.client();
    client.register("amy").await;
    let post = |body: &'static str| raw(&client, Method::POST, "/api/v1/submissions").header("content-type", "application/json").body(body).send();
    let (status, e) = error_of(post("{\"challenge\": \"counter\",").await.unwrap()).await;
    assert_eq!((status, e["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_json")), "{e}");
    let (status, e) = error_of(post("{\"challenge\": 5, \"code\": \"x\"}").await.unwrap()).await;
    assert_eq!((status, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("challenge")), "{e}");
    let (status, e) = error_of(post("{\"challenge\": \"counter\"}").await.unwrap()).await;
    assert_eq!((status, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("code")), "{e}");
    let (status, e) = error_of(post("{\"challenge\": \"counter\", \"code\": \"x\", \"priority\": 1}").await.unwrap()).await;
    assert_eq!((status, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("priority")), "{e}");
    let (status, e) = error_of(post("{\"challenge\": \"counter\", \"code\": \"x\", \"language\": \"python\"}").await.unwrap()).await;
    assert_eq!((status, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("language")), "{e}");
    let r = client.post("/api/v1/submissions", json!({ "challenge": "no-such-thing", "code": "x" })).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("challenge")), "{}", r.body);
    let r = raw(&client, Method::POST, "/api/v1/submissions").header("content-type", "text/plain").body("hello").send().await.unwrap();
    assert_eq!(error_of(r).await.1["code"], "unsupported_media_type");

    // Code over 64 KiB: 413 naming `code`; a body over the request limit: 413 too.
    let big = "x".repeat(64 * 1024 + 1);
    let r = client.post("/api/v1/submissions", json!({ "challenge": "counter", "code": big })).await;
    assert_eq!((r.status, r.code(), r.body["error"]["field"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "code_too_large", Some("code")), "{}", r.body);
    let huge = "x".repeat(300 * 1024);
    let r = client.post("/api/v1/submissions", json!({ "challenge": "counter", "code": huge })).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"), "{}", r.body);

    // Nothing was accepted along the way.
    let history = client.get("/api/v1/submissions").await.body;
    assert_eq!(history["submissions"].as_array().unwrap().len(), 0);
    let r = client.get("/api/v1/submissions?limit=0").await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("limit")));
    let r = client.get("/api/v1/nothing-here").await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test]
async fn accounts_sessions_and_their_errors() {
    let server = Server::start(&[]);
    let mut client = server.client();
    let anonymous = server.client();
    for (body, field) in [
        (json!({ "username": "x", "email": "x@example.com", "password": "long enough" }), "username"),
        (json!({ "username": "xavier", "email": "not-an-email", "password": "long enough" }), "email"),
        (json!({ "username": "xavier", "email": "x@example.com", "password": "short" }), "password"),
    ] {
        let r = anonymous.post("/api/v1/auth/register", body).await;
        assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{}", r.body);
    }
    client.register("fay").await;
    let r = anonymous.post("/api/v1/auth/register", json!({ "username": "fay", "email": "other@example.com", "password": "correct horse" })).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::CONFLICT, Some("username")));
    let r = anonymous.post("/api/v1/auth/register", json!({ "username": "fay2", "email": "FAY@example.com", "password": "correct horse" })).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::CONFLICT, Some("email")), "e-mails compare without case");

    let r = anonymous.post("/api/v1/auth/login", json!({ "email": "fay@example.com", "password": "wrong horse" })).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "bad_credentials"));
    let r = anonymous.post("/api/v1/auth/login", json!({ "email": "nobody@example.com", "password": "wrong horse" })).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "bad_credentials"), "unknown e-mails look the same");
    let login = anonymous.post("/api/v1/auth/login", json!({ "email": "Fay@Example.com", "password": "correct horse" })).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let cookie = login.headers.get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_string();

    // The cookie authenticates reads; changes from a foreign origin are refused.
    let me = raw(&anonymous, Method::GET, "/api/v1/me").header("cookie", &session).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let foreign = raw(&anonymous, Method::POST, "/api/v1/submissions")
        .header("cookie", &session)
        .header("origin", "https://evil.example")
        .json(&json!({ "challenge": "counter", "code": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(foreign).await.1["code"], "bad_origin");

    let r = anonymous.get("/api/v1/me").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "unauthenticated"));
    let mut bearer = anonymous.clone();
    bearer.token = Some(login.body["token"].as_str().unwrap().to_string());
    assert_eq!(bearer.send(Method::POST, "/api/v1/auth/logout", None).await.status, StatusCode::NO_CONTENT);
    let r = bearer.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "a revoked token is dead");
    assert_eq!(client.get("/api/v1/me").await.status, StatusCode::OK, "other sessions live on");
    let r = anonymous.get("/api/v1/challenges").await;
    assert_eq!(r.body["challenges"].as_array().unwrap().len(), 26);
    assert!(r.body["challenges"][0]["status"].is_null());
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after() {
    let server = Server::start(&["--rate-register", "2", "--rate-login", "3", "--rate-submit", "2"]);
    let mut client = server.client();
    client.register("gus").await;
    client.register("gus2").await;
    let r = client.post("/api/v1/auth/register", json!({ "username": "gus3", "email": "gus3@example.com", "password": "correct horse" })).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    let retry: u64 = r.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    for _ in 0..3 {
        client.post("/api/v1/auth/login", json!({ "email": "gus@example.com", "password": "nope nope" })).await;
    }
    let r = client.post("/api/v1/auth/login", json!({ "email": "gus@example.com", "password": "correct horse" })).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    client.submit("counter", "export default () => null;").await;
    client.submit("counter", "export default () => null;").await;
    let r = client.post("/api/v1/submissions", json!({ "challenge": "counter", "code": "export default () => null;" })).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn behind_a_declared_proxy_limits_key_on_the_forwarded_client_and_otherwise_ignore_it() {
    let register = |client: &server::Client, name: &str, forwarded: &str| {
        let req = client
            .http
            .post(format!("{}/api/v1/auth/register", client.base))
            .header("x-forwarded-for", forwarded)
            .json(&json!({ "username": name, "email": format!("{name}@example.com"), "password": "correct horse" }));
        async move { req.send().await.unwrap().status() }
    };
    let proxied = Server::start(&["--rate-register", "1", "--behind-proxy"]);
    let client = proxied.client();
    assert_eq!(register(&client, "proxied1", "203.0.113.9, 198.51.100.1").await, StatusCode::CREATED);
    assert_eq!(register(&client, "proxied2", "1.2.3.4, 198.51.100.1").await, StatusCode::TOO_MANY_REQUESTS, "the proxy's entry counts, not the client's claim");
    assert_eq!(register(&client, "proxied3", "198.51.100.2").await, StatusCode::CREATED, "another client behind the proxy");
    let direct = Server::start(&["--rate-register", "1"]);
    let client = direct.client();
    assert_eq!(register(&client, "direct1", "198.51.100.3").await, StatusCode::CREATED);
    assert_eq!(register(&client, "direct2", "198.51.100.4").await, StatusCode::TOO_MANY_REQUESTS, "without a proxy the header is the client's to forge");
}

#[tokio::test]
async fn security_headers_cors_and_the_api_description() {
    let server = Server::start(&["--cors-origin", "https://learn.example"]);
    let client = server.client();
    let r = raw(&client, Method::GET, "/api/v1/challenges").header("origin", "https://learn.example").send().await.unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "https://learn.example");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers().contains_key("content-security-policy"));
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    let r = raw(&client, Method::GET, "/api/v1/challenges").header("origin", "https://evil.example").send().await.unwrap();
    assert!(!r.headers().contains_key("access-control-allow-origin"));
    let preflight = raw(&client, Method::OPTIONS, "/api/v1/submissions")
        .header("origin", "https://learn.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.headers()["access-control-allow-origin"], "https://learn.example");

    let doc = client.get("/api/v1/openapi.json").await.body;
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/submissions"]["post"]["requestBody"].is_object());
    let page = reqwest::get(format!("{}/api/docs", server.base)).await.unwrap().text().await.unwrap();
    assert!(page.contains("/api/v1/submissions/{id}/code") && page.contains("code_too_large"));
    assert_eq!(client.get("/healthz").await.body["status"], "ok");
}

#[tokio::test]
async fn websockets_need_a_session_and_are_limited_per_user() {
    let server = Server::start(&["--max-sockets-per-user", "1"]);
    let url = format!("{}/api/v1/ws", server.base.replace("http://", "ws://"));
    let refused = tokio_tungstenite::connect_async(url.as_str()).await;
    assert!(matches!(refused, Err(tokio_tungstenite::tungstenite::Error::Http(ref r)) if r.status() == 401), "{refused:?}");
    let mut client = server.client();
    client.register("hal").await;
    let mut first = client.socket().await;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = url.as_str().into_client_request().unwrap();
    req.headers_mut().insert("authorization", format!("Bearer {}", client.token.as_ref().unwrap()).parse().unwrap());
    let second = tokio_tungstenite::connect_async(req).await;
    assert!(matches!(second, Err(tokio_tungstenite::tungstenite::Error::Http(ref r)) if r.status() == 429), "{second:?}");
    first.send(json!({ "type": "dance" })).await;
    let m = first.next(Duration::from_secs(5)).await;
    assert_eq!(m["code"], "invalid_message");
    drop(first);
    // The slot is free again once the first socket is gone.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _again = client.socket().await;
}

const SPEC: &str = r#"title = "Hello"
difficulty = "easy"
[[test]]
name = "says hello"
steps = [{ do = "expect_text", contains = "Hello" }]
"#;

#[tokio::test]
async fn admins_author_challenges_with_the_same_validation_as_files() {
    let server = Server::start(&["--admin", "root@example.com", "--workers", "1"]);
    let mut admin = server.client();
    admin.register("root").await;
    let mut learner = server.client();
    learner.register("ivy").await;
    let body = json!({
        "slug": "say-hello",
        "spec_toml": SPEC,
        "statement": "Say hello.",
        "starter": { "name": "starter.jsx", "code": "export default function App() { return null; }" },
        "reference": { "name": "reference.jsx", "code": "export default function App() { return <p>Hello</p>; }" }
    });
    let r = learner.post("/api/v1/challenges", body.clone()).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let mut broken = body.clone();
    broken["spec_toml"] = json!("title = \"Hello\"\ndifficulty = \"impossible\"\n");
    let r = admin.post("/api/v1/challenges", broken).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("spec_toml")), "{}", r.body);
    assert!(r.body["error"]["message"].as_str().unwrap().contains(":2"), "the line is named: {}", r.body);
    let r = admin.post("/api/v1/challenges", body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["tests"][0]["steps"][0], "Expect the page to show “Hello”");
    let r = admin.post("/api/v1/challenges", body.clone()).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::CONFLICT, Some("slug")));
    let list = learner.get("/api/v1/challenges").await.body;
    assert!(list["challenges"].as_array().unwrap().iter().any(|c| c["slug"] == "say-hello"), "the cached list was invalidated");

    let mut changed = body.clone();
    changed["statement"] = json!("Say hello, nicely.");
    let r = admin.send(Method::PUT, "/api/v1/challenges/say-hello", Some(changed)).await;
    assert_eq!((r.status, r.body["version"].as_i64()), (StatusCode::OK, Some(2)), "{}", r.body);
    let r = admin.send(Method::PUT, "/api/v1/challenges/nope", Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the body's slug must match the URL: {}", r.body);

    let r = admin.post("/api/v1/challenges/say-hello/verify", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["ok"].as_bool(), r.body["reference"]["verdict"].as_str(), r.body["starter"]["verdict"].as_str()), (Some(true), Some("accepted"), Some("wrong_answer")), "{}", r.body);
    let id = learner.submit("say-hello", "export default () => <h1>Hello</h1>;").await;
    assert_eq!(learner.wait_done(&id, GRADE_TIMEOUT).await["verdict"], "accepted");
}

#[test]
fn a_broken_challenge_file_stops_the_server_with_its_location() {
    let catalog = tempfile::tempdir().unwrap();
    let dir = catalog.path().join("counter");
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["statement.md", "starter.jsx", "reference.jsx"] {
        std::fs::copy(repo_root().join("challenges/counter").join(file), dir.join(file)).unwrap();
    }
    std::fs::write(dir.join("challenge.toml"), "title = \"Counter\"\ndifficulty = \"easy\"\n[[test]]\nname = \"x\"\nsteps = [{ do = \"teleport\" }]\n").unwrap();
    let data = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reactlab"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .arg("--catalog")
        .arg(catalog.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("counter/challenge.toml:5"), "{stderr}");
    assert!(stderr.contains("teleport"), "{stderr}");
}

#[tokio::test]
async fn the_web_app_and_its_preview_are_served_with_their_own_policies() {
    let server = Server::start(&[]);
    let page = reqwest::get(format!("{}/challenges/counter", server.base)).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "client-side routes get the app");
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-src 'self'"), "{csp}");
    assert!(page.text().await.unwrap().contains("<div id=\"root\">"));

    let frame = reqwest::get(format!("{}/preview/frame.html", server.base)).await.unwrap();
    let csp = frame.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("connect-src 'none'") && csp.contains("'sha256-"), "the preview can fetch nothing: {csp}");
    let html = frame.text().await.unwrap();
    let map = html.split("<script type=\"importmap\">").nth(1).unwrap().split("</script>").next().unwrap();
    let map: serde_json::Value = serde_json::from_str(map).unwrap();
    let react = map["imports"]["react"].as_str().unwrap();
    let module = reqwest::get(format!("{}{react}", server.base)).await.unwrap();
    assert_eq!(module.status(), StatusCode::OK);
    assert_eq!(module.headers()["access-control-allow-origin"], "*", "the opaque-origin frame may load React");

    let client = server.client();
    let ok = client.post("/api/v1/preview/transpile", json!({ "code": "export default () => <b>hi</b>;" })).await;
    assert!(ok.body["js"].as_str().unwrap().contains("react/jsx-dev-runtime"), "{}", ok.body);
    let bad = client.post("/api/v1/preview/transpile", json!({ "code": "export default () => <b>hi</b;", "language": "tsx" })).await;
    assert_eq!((bad.body["error"]["line"].as_u64(), bad.body["js"].is_null()), (Some(1), true), "{}", bad.body);
    let bad = client.post("/api/v1/preview/transpile", json!({ "code": "import x from 'lodash'; export default () => null;" })).await;
    assert!(bad.body["error"]["message"].as_str().unwrap().contains("lodash"), "the judge's import rules apply: {}", bad.body);
}
