//! `reactlab serve`'s edges: bad input, accounts, admin authoring, the web app and its
//! preview, the API description. Attacks (auth, sessions, CSRF, limits, slow and oversized
//! requests) are in tests/security/. Only `verify` needs Chromium.

mod server;
use reqwest::{Method, StatusCode};
use serde_json::json;
use server::*;

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
    let anonymous = server.client();
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
    // An array is not an object, though serde would read the fields from it in order.
    let (status, e) = error_of(post("[\"counter\", \"export default () => null;\"]").await.unwrap()).await;
    assert_eq!((status, e["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_shape")), "{e}");
    let login =
        raw(&anonymous, Method::POST, "/api/v1/auth/login").header("content-type", "application/json").body("[\"amy@example.com\", \"correct horse battery\"]");
    let (status, e) = error_of(login.send().await.unwrap()).await;
    assert_eq!((status, e["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_shape")), "{e}");
    let r = client.post("/api/v1/submissions", json!({ "challenge": "no-such-thing", "code": "x" })).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("challenge")), "{}", r.body);
    let r = raw(&client, Method::POST, "/api/v1/submissions").header("content-type", "text/plain").body("hello").send().await.unwrap();
    assert_eq!(error_of(r).await.1["code"], "unsupported_media_type");
    // (Oversized bodies and code: tests/security/oversized.rs.)

    // Nothing was accepted along the way.
    let history = client.get("/api/v1/submissions").await.body;
    assert_eq!(history["submissions"].as_array().unwrap().len(), 0);
    let r = client.get("/api/v1/submissions?limit=0").await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("limit")));
    let r = client.get("/api/v1/nothing-here").await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
}

/// Sessions (cookies, logout, fixation, CSRF) are attacked in tests/security/ (authentication.rs, sessions.rs, csrf.rs).
#[tokio::test]
async fn accounts_and_their_errors() {
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
    let mut signed_in = anonymous.clone();
    signed_in.token = Some(login.body["token"].as_str().unwrap().to_string());
    assert_eq!(signed_in.get("/api/v1/me").await.body["user"]["username"], "fay");
    assert_eq!(client.get("/api/v1/me").await.status, StatusCode::OK, "the registration's session is another, also live");
    let r = anonymous.get("/api/v1/challenges").await;
    assert_eq!(r.body["challenges"].as_array().unwrap().len(), 26);
    assert!(r.body["challenges"][0]["status"].is_null());
}

#[tokio::test]
async fn the_api_description_and_health() {
    let server = Server::start(&[]);
    let client = server.client();
    let doc = client.get("/api/v1/openapi.json").await.body;
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/submissions"]["post"]["requestBody"].is_object());
    let page = reqwest::get(format!("{}/api/docs", server.base)).await.unwrap().text().await.unwrap();
    assert!(page.contains("/api/v1/submissions/{id}/code") && page.contains("code_too_large"));
    assert_eq!(client.get("/healthz").await.body["status"], "ok");
}

const SPEC: &str = r#"title = "Hello"
difficulty = "easy"
[[test]]
name = "says hello"
checks = ["says-hello"]
steps = [{ do = "expect_text", contains = "Hello" }]
"#;

const STATEMENT: &str = "Say hello.\n\n## Requirements\n\n- [says-hello] The page shows `Hello`.\n";

#[tokio::test]
async fn admins_author_challenges_with_the_same_validation_as_files() {
    let server = Server::start(&["--workers", "1"]);
    let mut admin = server.client();
    admin.register("root").await;
    server.grant_admin("root@example.com");
    let mut learner = server.client();
    learner.register("ivy").await;
    let body = json!({
        "slug": "say-hello",
        "spec_toml": SPEC,
        "statement": STATEMENT,
        "starter": { "name": "starter.jsx", "code": "export default function App() { return null; }" },
        "reference": { "name": "reference.jsx", "code": "export default function App() { return <p>Hello</p>; }" }
    });
    // (Learners and strangers refused: tests/security/authentication.rs.)
    let mut broken = body.clone();
    broken["spec_toml"] = json!("title = \"Hello\"\ndifficulty = \"impossible\"\n");
    let r = admin.post("/api/v1/challenges", broken).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("spec_toml")), "{}", r.body);
    assert!(r.body["error"]["message"].as_str().unwrap().contains(":2"), "the line is named: {}", r.body);
    // A requirement no test checks, or a statement without the list, is a blind spot.
    let mut unchecked = body.clone();
    unchecked["statement"] = json!(format!("{STATEMENT}- [greets-twice] It says it twice.\n"));
    let r = admin.post("/api/v1/challenges", unchecked).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("spec_toml")), "{}", r.body);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("no test checks the requirement `greets-twice`"), "{}", r.body);
    let mut no_list = body.clone();
    no_list["statement"] = json!("Say hello.");
    let r = admin.post("/api/v1/challenges/validate", no_list).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("statement")), "{}", r.body);
    let r = admin.post("/api/v1/challenges", body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["tests"][0]["checks"][0], "says-hello");
    assert_eq!((r.body["requirements"][0]["id"].as_str(), r.body["requirements"][0]["text"].as_str()), (Some("says-hello"), Some("The page shows `Hello`.")));
    assert_eq!(r.body["tests"][0]["steps"][0], "Expect the page to show “Hello”");
    let r = admin.post("/api/v1/challenges", body.clone()).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::CONFLICT, Some("slug")));
    let list = learner.get("/api/v1/challenges").await.body;
    assert!(list["challenges"].as_array().unwrap().iter().any(|c| c["slug"] == "say-hello"), "the cached list was invalidated");

    let mut changed = body.clone();
    changed["statement"] = json!(STATEMENT.replace("Say hello.", "Say hello, nicely."));
    let r = admin.send(Method::PUT, "/api/v1/challenges/say-hello", Some(changed)).await;
    assert_eq!((r.status, r.body["version"].as_i64()), (StatusCode::OK, Some(2)), "{}", r.body);
    let r = admin.send(Method::PUT, "/api/v1/challenges/nope", Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the body's slug must match the URL: {}", r.body);

    let r = admin.post("/api/v1/challenges/say-hello/verify", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["ok"].as_bool(), r.body["reference"]["verdict"].as_str(), r.body["starter"]["verdict"].as_str()),
        (Some(true), Some("accepted"), Some("wrong_answer")),
        "{}",
        r.body
    );
    // Verify grades what the author has on screen, not the saved version.
    let mut unsaved = body.clone();
    unsaved["reference"]["code"] = json!("export default function App() { return <p>Goodbye</p>; }");
    let r = admin.post("/api/v1/challenges/verify", unsaved).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["ok"].as_bool(), r.body["reference"]["verdict"].as_str()), (Some(false), Some("wrong_answer")), "{}", r.body);
    assert_eq!(learner.post("/api/v1/challenges/verify", body.clone()).await.status, StatusCode::FORBIDDEN);
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
    std::fs::write(dir.join("challenge.toml"), "title = \"Counter\"\ndifficulty = \"easy\"\n[[test]]\nname = \"x\"\nsteps = [{ do = \"teleport\" }]\n")
        .unwrap();
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
    for (path, status) in [("/", 200), ("/login", 200), ("/admin/edit/counter", 200), ("/no/such/page", 404), ("/challenges/Bad_Slug", 404)] {
        let page = reqwest::get(format!("{}{path}", server.base)).await.unwrap();
        assert_eq!(page.status().as_u16(), status, "{path}");
        assert!(page.text().await.unwrap().contains("<div id=\"root\">"), "{path}: the app answers, and says what it found");
    }

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

#[tokio::test]
async fn a_draft_belongs_to_its_learner_and_follows_them() {
    let server = Server::start(&[]);
    let mut ivy = server.client();
    ivy.register("ivy").await;
    let mut max = server.client();
    max.register("max").await;
    assert_eq!(ivy.get("/api/v1/challenges/counter/draft").await.status, StatusCode::NOT_FOUND, "no draft yet");
    let r = ivy.send(Method::PUT, "/api/v1/challenges/counter/draft", Some(json!({ "code": "export default () => 1;" }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = ivy.send(Method::PUT, "/api/v1/challenges/counter/draft", Some(json!({ "code": "export default () => 2;" }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Another device: a second session of the same learner.
    let mut ivy_elsewhere = server.client();
    let login = ivy_elsewhere.post("/api/v1/auth/login", json!({ "email": "ivy@example.com", "password": "correct horse" })).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    ivy_elsewhere.token = Some(login.body["token"].as_str().unwrap().to_string());
    let r = ivy_elsewhere.get("/api/v1/challenges/counter/draft").await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::OK, Some("export default () => 2;")), "{}", r.body);
    assert!(r.body["updated_at"].as_i64().unwrap() > 0);
    assert_eq!(max.get("/api/v1/challenges/counter/draft").await.status, StatusCode::NOT_FOUND, "another learner sees none of it");
    assert_eq!(server.client().get("/api/v1/challenges/counter/draft").await.status, StatusCode::UNAUTHORIZED);
    let r = ivy.send(Method::PUT, "/api/v1/challenges/nope/draft", Some(json!({ "code": "x" }))).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{}", r.body);
    let r = ivy.send(Method::PUT, "/api/v1/challenges/counter/draft", Some(json!({ "code": "x".repeat(65 * 1024) }))).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("code_too_large")), "{}", r.body);
    let r = ivy.send(Method::PUT, "/api/v1/challenges/counter/draft", Some(json!({ "text": "x" }))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(ivy.get("/api/v1/challenges/counter/draft").await.body["code"], "export default () => 2;", "refused saves change nothing");
    assert_eq!(ivy.send(Method::DELETE, "/api/v1/challenges/counter/draft", None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(ivy.get("/api/v1/challenges/counter/draft").await.status, StatusCode::NOT_FOUND);
}
