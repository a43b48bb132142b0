//! The HTTP surface under attack, black-box against a real `reactlab serve`: one test per
//! attack, named for the attack and the defence (docs/security.md lists them in a table).
//! Hostile learner code inside the judge is another suite: crates/judge/tests/hostile.rs
//! and network.rs. Nothing here needs a working browser.

mod server;
use reactlab_testkit::PgDatabase;
use reqwest::{Method, StatusCode};
use serde_json::json;
use server::*;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const PASSWORD: &str = "correct horse";
const CODE: &str = "export default function App() { return <button>Increment</button>; }";
/// A browser that cannot start: these tests submit code but never need it graded, and so
/// spare the machine a Chromium per test.
const NO_BROWSER: [&str; 4] = ["--workers", "1", "--chromium", "/bin/false"];

/// Registers `name` (`name@example.com`); returns a client holding its Bearer token and
/// the session cookie as a `Cookie` header value.
/// An account made an admin by the operator (`reactlab admin grant`).
async fn admin_account(server: &Server, name: &str) -> Client {
    let (client, _) = account(server, name).await;
    server.grant_admin(&format!("{name}@example.com"));
    client
}

async fn account(server: &Server, name: &str) -> (Client, String) {
    let r = server.client().post("/api/v1/auth/register", json!({ "username": name, "email": format!("{name}@example.com"), "password": PASSWORD })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mut client = server.client();
    client.token = Some(r.body["token"].as_str().unwrap().to_string());
    (client, cookie_of(&r))
}

/// `reactlab_session=<token>` from the `Set-Cookie` of a reply that signs in.
fn cookie_of(reply: &Reply) -> String {
    set_cookie(reply).split(';').next().unwrap().to_string()
}

fn set_cookie(reply: &Reply) -> String {
    reply.headers.get("set-cookie").expect("a Set-Cookie header").to_str().unwrap().to_string()
}

async fn reply(request: reqwest::RequestBuilder) -> Reply {
    Reply::from(request.send().await.unwrap()).await
}

#[track_caller]
fn expect(r: &Reply, status: StatusCode, code: &str, what: &str) {
    assert_eq!((r.status, r.code()), (status, code), "{what}: {}", r.body);
}

/// Every byte but ASCII letters and digits percent-encoded, so that text reaches a path or
/// a query string exactly as it is.
fn escape(text: &str) -> String {
    text.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// The server's `host:port`.
fn address(server: &Server) -> String {
    server.base.trim_start_matches("http://").to_string()
}

/// The WebSocket handshake with these headers: `Ok` when it opens, else the status.
async fn ws_handshake(server: &Server, headers: &[(&'static str, String)]) -> Result<(), u16> {
    let mut request = format!("{}/api/v1/ws", server.base.replace("http://", "ws://")).into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok(_) => Ok(()),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("the handshake failed without an HTTP answer: {e}"),
    }
}

/// The server is still up (a crash would have killed the process).
async fn still_serving(server: &mut Server) {
    assert!(server.is_running(), "the server died:\n{}", server.log());
    assert_eq!(server.client().get("/healthz").await.status, StatusCode::OK);
}

// ---------------------------------------------------------------------------------------
// Authentication bypass

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
    let mut replacement = challenge.clone();
    replacement.as_object_mut().unwrap().remove("slug");
    let attempts = [
        (Method::POST, "/api/v1/challenges".to_string(), challenge.clone()),
        (Method::POST, "/api/v1/challenges/validate".to_string(), challenge.clone()),
        (Method::GET, "/api/v1/challenges/counter/source".to_string(), json!(null)),
        (Method::PUT, "/api/v1/challenges/counter".to_string(), replacement),
        (Method::POST, "/api/v1/challenges/counter/verify".to_string(), json!({})),
        (Method::POST, "/api/v1/challenges/verify".to_string(), challenge.clone()),
        (Method::GET, "/api/v1/admin/queue".to_string(), json!(null)),
        (Method::POST, format!("/api/v1/admin/queue/dead/{id}/retry"), json!({})),
        (Method::POST, format!("/api/v1/admin/queue/dead/{id}/discard"), json!({})),
    ];
    for (method, path, body) in &attempts {
        let body = (!body.is_null()).then(|| body.clone());
        expect(&ivy.send(method.clone(), path, body.clone()).await, StatusCode::FORBIDDEN, "forbidden", &format!("a learner: {method} {path}"));
        expect(&stranger.send(method.clone(), path, body).await, StatusCode::UNAUTHORIZED, "unauthenticated", &format!("a stranger: {method} {path}"));
    }
    // The same endpoints work for the admin, and nothing the others tried took effect.
    assert_eq!(root.get("/api/v1/admin/queue").await.status, StatusCode::OK);
    assert_eq!(root.get("/api/v1/challenges/counter/source").await.body["version"], 1);
    assert_eq!(root.get("/api/v1/challenges/learner-made").await.status, StatusCode::NOT_FOUND);
    // Nobody can take the admin's e-mail in another case and be an admin too.
    let r = stranger.post("/api/v1/auth/register", json!({ "username": "root2", "email": "ROOT@Example.com", "password": PASSWORD })).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::CONFLICT, Some("email")), "{}", r.body);
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

// ---------------------------------------------------------------------------------------
// Other users' things

#[tokio::test]
async fn another_users_submission_code_screenshot_history_and_socket_are_404_like_ids_that_never_existed() {
    let server = Server::start(&NO_BROWSER);
    let (eve, _) = account(&server, "eve").await;
    let id = eve.submit("counter", CODE).await;
    let (mallory, _) = account(&server, "mallory").await;
    // Well formed, never issued; and a neighbour of eve's, as one would guess ids in turn.
    let never = "01a20a18-34ca-7657-9f7f-57cc0403a10d";
    let last = id.chars().last().unwrap();
    let neighbour = format!("{}{}", &id[..id.len() - 1], if last == 'f' { 'e' } else { 'f' });
    for suffix in ["", "/code", "/screenshot"] {
        let theirs = mallory.get(&format!("/api/v1/submissions/{id}{suffix}")).await;
        let nothing = mallory.get(&format!("/api/v1/submissions/{never}{suffix}")).await;
        expect(&theirs, StatusCode::NOT_FOUND, "not_found", &format!("another user's submission{suffix}"));
        assert_eq!(theirs.body, nothing.body, "another user's submission{suffix} answers exactly as one that never existed");
        expect(&mallory.get(&format!("/api/v1/submissions/{neighbour}{suffix}")).await, StatusCode::NOT_FOUND, "not_found", "a guessed id");
    }
    for query in ["", "?challenge=counter", "?before=ffffffff", "?limit=100"] {
        let history = mallory.get(&format!("/api/v1/submissions{query}")).await;
        assert_eq!(history.body["submissions"], json!([]), "history{query} is the caller's own only: {}", history.body);
    }
    let mut socket = mallory.socket().await;
    socket.subscribe(&id).await;
    let theirs = socket.next(Duration::from_secs(10)).await;
    socket.subscribe(never).await;
    let nothing = socket.next(Duration::from_secs(10)).await;
    assert_eq!((theirs["type"].as_str(), theirs["code"].as_str()), (Some("error"), Some("not_found")), "{theirs}");
    assert_eq!((theirs["message"].as_str(), theirs["code"].as_str()), (nothing["message"].as_str(), nothing["code"].as_str()));
    // The owner still reads it: the 404s are about who asks.
    assert_eq!(eve.get(&format!("/api/v1/submissions/{id}")).await.status, StatusCode::OK);
}

/// Admin belongs to an account that an operator names (`reactlab admin grant`), never to
/// whoever registers an e-mail first, even one an old `--admin` setting names.
#[tokio::test]
async fn admin_is_granted_and_revoked_by_the_operator_not_taken_by_registering_an_email() {
    let server = Server::start(&[&NO_BROWSER[..], &["--admin", "boss@example.com"]].concat());
    assert!(server.log().contains("no longer makes anyone an admin"), "the old setting is warned about: {}", server.log());
    let (squatter, _) = account(&server, "boss").await;
    let me = squatter.get("/api/v1/me").await.body;
    assert_eq!(me["user"]["is_admin"], false, "{me}");
    expect(&squatter.get("/api/v1/admin/queue").await, StatusCode::FORBIDDEN, "forbidden", "an account with the configured e-mail");

    let (ann, _) = account(&server, "ann").await;
    server.grant_admin("ANN@example.com");
    assert_eq!(ann.get("/api/v1/me").await.body["user"]["is_admin"], true);
    assert_eq!(ann.get("/api/v1/admin/queue").await.status, StatusCode::OK, "granted: at once, with the session she has");
    server.admin("revoke", "ann@example.com");
    expect(&ann.get("/api/v1/admin/queue").await, StatusCode::FORBIDDEN, "forbidden", "revoked");
    assert_eq!(ann.get("/api/v1/me").await.body["user"]["is_admin"], false);

    let unknown = std::process::Command::new(env!("CARGO_BIN_EXE_reactlab"))
        .args(["admin", "grant", "nobody@example.com", "--data-dir"])
        .arg(&server.data)
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no account has the e-mail nobody@example.com"), "{}", String::from_utf8_lossy(&unknown.stderr));
}

#[tokio::test]
async fn no_request_writes_a_profile_or_grants_itself_admin() {
    let server = Server::start(&[]);
    let anonymous = server.client();
    // Mass assignment: fields the server sets itself are unknown fields in a request.
    for (extra, value) in [("is_admin", json!(true)), ("id", json!("01a20a18-0000-7000-8000-000000000000")), ("role", json!("admin"))] {
        let mut body = json!({ "username": "sly", "email": "sly@example.com", "password": PASSWORD });
        body[extra] = value;
        let r = anonymous.post("/api/v1/auth/register", body).await;
        assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(extra)), "{}", r.body);
    }
    let (eve, _) = account(&server, "eve").await;
    let (mallory, _) = account(&server, "mallory").await;
    let eve_id = eve.get("/api/v1/me").await.body["user"]["id"].as_str().unwrap().to_string();
    let change = json!({ "username": "owned", "email": "root@example.com", "is_admin": true });
    for method in [Method::PUT, Method::PATCH, Method::POST, Method::DELETE] {
        for path in ["/api/v1/me".to_string(), format!("/api/v1/users/{eve_id}"), format!("/api/v1/me/{eve_id}")] {
            let r = mallory.send(method.clone(), &path, Some(change.clone())).await;
            assert!(matches!(r.status, StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED), "{method} {path}: {} {}", r.status, r.body);
        }
    }
    assert_eq!(mallory.get(&format!("/api/v1/users/{eve_id}")).await.status, StatusCode::NOT_FOUND, "no user is readable by id");
    let me = eve.get("/api/v1/me").await.body;
    assert_eq!((me["user"]["username"].as_str(), me["user"]["is_admin"].as_bool()), (Some("eve"), Some(false)), "{me}");
    assert_eq!(mallory.get("/api/v1/me").await.body["user"]["is_admin"], false);
}

// ---------------------------------------------------------------------------------------
// Signed links

#[tokio::test]
async fn a_tampered_signed_link_is_refused_with_403_and_a_good_one_reads_its_object_as_inert_text() {
    let mut server = Server::start(&NO_BROWSER);
    let (eve, _) = account(&server, "eve").await;
    let code = "export default () => <p>hi</p>; // <script>alert(document.cookie)</script>";
    let id = eve.submit("counter", code).await;
    let other = eve.submit("counter", CODE).await;
    let link = eve.get(&format!("/api/v1/submissions/{id}/code")).await.body["url"].as_str().unwrap().to_string();
    let other_link = eve.get(&format!("/api/v1/submissions/{other}/code")).await.body["url"].as_str().unwrap().to_string();
    let anonymous = server.client();

    // The link itself needs no session, and serves the code as text the browser will not run.
    let r = anonymous.request(Method::GET, &link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.headers()["cache-control"], "private, no-store");
    assert!(r.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    assert_eq!(r.text().await.unwrap(), code);

    let (path, query) = link.split_once('?').unwrap();
    let (expires, signature) = query.split_once('&').unwrap();
    let (other_path, other_query) = other_link.split_once('?').unwrap();
    let flipped = {
        let mut s = signature.to_string();
        let last = s.pop().unwrap();
        s.push(if last == '0' { '1' } else { '0' });
        s
    };
    let expiry: i64 = expires.trim_start_matches("expires=").parse().unwrap();
    let tampered = [
        ("a changed signature", format!("{path}?{expires}&{flipped}")),
        ("a later expiry", format!("{path}?expires={}&{signature}", expiry + 3_600_000)),
        ("another submission's key", format!("{}?{query}", path.replace(&id, &other))),
        ("another object's key with this signature", format!("{other_path}?{query}")),
        ("this key with another object's signature", format!("{path}?{other_query}")),
        ("a key made up", format!("/api/v1/objects/code/someone-else/{id}.jsx?{query}")),
    ];
    for (what, url) in tampered {
        let r = anonymous.get(&url).await;
        expect(&r, StatusCode::FORBIDDEN, "link_refused", what);
        assert!(!r.body.to_string().contains("alert"), "{what}: the code leaked");
    }
    let r = anonymous.get(&format!("{path}?{expires}")).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("signature")), "no signature: {}", r.body);
    // Walking out of the object store with a signature from inside it reaches nothing.
    let key = std::fs::read_to_string(server.data.join("keys/url-signing.key")).unwrap();
    let user_dir = path.rsplit_once('/').unwrap().0;
    for way_out in ["../../keys/url-signing.key", "..%2f..%2fkeys%2furl-signing.key", "%2e%2e/%2e%2e/keys/url-signing.key"] {
        let answer = raw_get(&server, &format!("{user_dir}/{way_out}?{query}")).await;
        assert!(answer.starts_with("HTTP/1.1 403") || answer.starts_with("HTTP/1.1 404"), "{way_out}: {answer}");
        assert!(!answer.contains(key.trim()), "{way_out}: the signing key leaked");
    }
    still_serving(&mut server).await;
}

#[tokio::test]
async fn an_expired_signed_link_is_refused_with_link_refused() {
    let server = Server::start(&[&NO_BROWSER[..], &["--signed-url-ttl-secs", "2"]].concat());
    let (eve, _) = account(&server, "eve").await;
    let id = eve.submit("counter", CODE).await;
    let link = eve.get(&format!("/api/v1/submissions/{id}/code")).await.body;
    let url = link["url"].as_str().unwrap();
    let anonymous = server.client();
    assert_eq!(anonymous.get(url).await.status, StatusCode::OK, "fresh, it works");
    tokio::time::sleep(Duration::from_millis(2300)).await;
    let r = anonymous.get(url).await;
    expect(&r, StatusCode::FORBIDDEN, "link_refused", "an expired link");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("expired"), "{}", r.body);
    // Asking again gives a new link; the old one stays dead.
    let fresh = eve.get(&format!("/api/v1/submissions/{id}/code")).await.body;
    assert_ne!(fresh["url"], link["url"]);
    assert_eq!(anonymous.get(fresh["url"].as_str().unwrap()).await.status, StatusCode::OK);
}

#[tokio::test]
async fn path_traversal_reaches_no_file_outside_the_web_app() {
    let mut server = Server::start(&[]);
    let secret = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    let marker = secret.lines().next().unwrap();
    for path in [
        "/../../Cargo.toml",
        "/%2e%2e/%2e%2e/Cargo.toml",
        "/..%2f..%2fCargo.toml",
        "/assets/..%2f..%2f..%2fCargo.toml",
        "/%2e%2e%2f%2e%2e%2f%2e%2e%2fCargo.toml",
        "/..%5c..%5cCargo.toml",
        "/vendor/development/..%2f..%2f..%2f..%2fCargo.toml",
        "/preview/..%2f..%2fCargo.toml",
    ] {
        let answer = raw_get(&server, path).await;
        assert!(!answer.contains(marker) && !answer.contains("[workspace]"), "{path} served a file from outside the web app:\n{answer}");
    }
    still_serving(&mut server).await;
}

// ---------------------------------------------------------------------------------------
// Sessions

#[tokio::test]
async fn a_session_planted_before_login_is_not_adopted_and_each_login_gets_a_fresh_token() {
    let server = Server::start(&[]);
    let (_fay, registered) = account(&server, "fay").await;
    let (mallory, mallory_cookie) = account(&server, "mallory").await;
    let anonymous = server.client();
    let login = |planted: String| {
        let request =
            anonymous.request(Method::POST, "/api/v1/auth/login").header("cookie", planted).json(&json!({ "email": "fay@example.com", "password": PASSWORD }));
        async move { reply(request).await }
    };
    // A value the attacker chose, and the attacker's own live session, each planted in the
    // victim's browser before the victim signs in.
    let chosen = format!("reactlab_session={}", "5".repeat(64));
    for planted in [chosen.clone(), mallory_cookie.clone()] {
        let r = login(planted.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let issued = cookie_of(&r);
        assert_ne!(issued, planted, "the planted session was adopted");
        assert_eq!(issued, format!("reactlab_session={}", r.body["token"].as_str().unwrap()));
        let me = reply(anonymous.request(Method::GET, "/api/v1/me").header("cookie", &issued)).await;
        assert_eq!(me.body["user"]["username"], "fay", "the new cookie is the victim's own session");
    }
    let r = reply(anonymous.request(Method::GET, "/api/v1/me").header("cookie", &chosen)).await;
    expect(&r, StatusCode::UNAUTHORIZED, "unauthenticated", "the chosen value never became a session");
    assert_eq!(mallory.get("/api/v1/me").await.body["user"]["username"], "mallory", "the attacker's session is still only theirs");
    // Every sign-in is a new session: none is reused, and each is live.
    let first = login(String::new()).await;
    let second = login(String::new()).await;
    let tokens = [registered, cookie_of(&first), cookie_of(&second)];
    assert!(tokens[0] != tokens[1] && tokens[1] != tokens[2] && tokens[0] != tokens[2], "{tokens:?}");
    for cookie in &tokens {
        assert_eq!(reply(anonymous.request(Method::GET, "/api/v1/me").header("cookie", cookie)).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn the_session_cookie_is_httponly_samesite_lax_and_secure_behind_https() {
    let plain = Server::start(&[]);
    let r = plain.client().post("/api/v1/auth/register", json!({ "username": "fay", "email": "fay@example.com", "password": PASSWORD })).await;
    let cookie = set_cookie(&r);
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "without --secure-cookies a plain-HTTP browser must keep it: {cookie}");
    assert!(!r.headers.contains_key("strict-transport-security"));

    let https = Server::start(&["--secure-cookies", "true"]);
    let r = https.client().post("/api/v1/auth/register", json!({ "username": "fay", "email": "fay@example.com", "password": PASSWORD })).await;
    let cookie = set_cookie(&r);
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert_eq!(r.headers["strict-transport-security"], "max-age=31536000");
}

// ---------------------------------------------------------------------------------------
// Cross-site request forgery

#[tokio::test]
async fn cookie_authenticated_writes_from_a_foreign_origin_are_refused_with_bad_origin() {
    let server = Server::start(&NO_BROWSER);
    let (fay, cookie) = account(&server, "fay").await;
    let anonymous = server.client();
    for origin in ["https://evil.example", "http://127.0.0.1.evil.example", &format!("{}.evil.example", server.base), "https://127.0.0.1"] {
        for (method, path) in [(Method::POST, "/api/v1/submissions"), (Method::POST, "/api/v1/auth/logout"), (Method::PUT, "/api/v1/challenges/counter")] {
            let request = anonymous
                .request(method.clone(), path)
                .header("cookie", &cookie)
                .header("origin", origin)
                .json(&json!({ "challenge": "counter", "code": CODE }));
            expect(&reply(request).await, StatusCode::FORBIDDEN, "bad_origin", &format!("{method} {path} from {origin}"));
        }
    }
    assert_eq!(fay.get("/api/v1/submissions").await.body["submissions"], json!([]), "nothing was submitted");
    assert_eq!(fay.get("/api/v1/me").await.status, StatusCode::OK, "the session was not logged out");
    // Reads are not changes: the cookie works for them from anywhere (CORS keeps the answer
    // from a foreign page, and SameSite=Lax keeps the cookie off its subrequests).
    let read = reply(anonymous.request(Method::GET, "/api/v1/me").header("cookie", &cookie).header("origin", "https://evil.example")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.headers.contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn cookie_authenticated_writes_without_origin_or_referer_or_from_origin_null_are_refused() {
    let server = Server::start(&NO_BROWSER);
    let (fay, cookie) = account(&server, "fay").await;
    let anonymous = server.client();
    let submit = |headers: Vec<(&'static str, String)>| {
        let mut request =
            anonymous.request(Method::POST, "/api/v1/submissions").header("cookie", &cookie).json(&json!({ "challenge": "counter", "code": CODE }));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        reply(request)
    };
    let refused: [(&str, Vec<(&'static str, String)>); 4] = [
        ("no Origin and no Referer", vec![]),
        ("Origin: null (a sandboxed frame, a data: URL)", vec![("origin", "null".into())]),
        ("only a foreign Referer", vec![("referer", "https://evil.example/page".into())]),
        ("a Referer that is not a URL", vec![("referer", "nonsense".into())]),
    ];
    for (what, headers) in refused {
        expect(&submit(headers).await, StatusCode::FORBIDDEN, "bad_origin", what);
    }
    assert_eq!(fay.get("/api/v1/submissions").await.body["submissions"], json!([]), "nothing was submitted");
    // The site's own pages: by Origin, or by Referer from a browser that sends no Origin.
    assert_eq!(submit(vec![("origin", server.base.clone())]).await.status, StatusCode::ACCEPTED);
    assert_eq!(submit(vec![("referer", format!("{}/challenges/counter", server.base))]).await.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn simple_request_content_types_cannot_carry_a_write() {
    let server = Server::start(&NO_BROWSER);
    let (fay, cookie) = account(&server, "fay").await;
    let anonymous = server.client();
    // What a cross-site <form> or a no-cors fetch can send without a preflight.
    let json_text = json!({ "challenge": "counter", "code": CODE }).to_string();
    let simple = [
        ("text/plain", json_text.clone()),
        ("application/x-www-form-urlencoded", format!("challenge=counter&code={}", escape(CODE))),
        ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"challenge\"\r\n\r\ncounter\r\n--x--\r\n".to_string()),
    ];
    for (content_type, body) in &simple {
        for origin in [server.base.as_str(), "https://evil.example"] {
            let request = anonymous
                .request(Method::POST, "/api/v1/submissions")
                .header("cookie", &cookie)
                .header("origin", origin)
                .header("content-type", *content_type)
                .body(body.clone());
            let r = reply(request).await;
            assert!(
                (r.status, r.code()) == (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
                    || (r.status, r.code()) == (StatusCode::FORBIDDEN, "bad_origin"),
                "{content_type} from {origin}: {} {}",
                r.status,
                r.body
            );
        }
        // Signing a victim into the attacker's account (login CSRF) needs no cookie at all.
        let login = json!({ "email": "fay@example.com", "password": PASSWORD }).to_string();
        let request =
            anonymous.request(Method::POST, "/api/v1/auth/login").header("origin", "https://evil.example").header("content-type", *content_type).body(login);
        let r = reply(request).await;
        expect(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", &format!("a {content_type} login"));
        assert!(!r.headers.contains_key("set-cookie"));
    }
    assert_eq!(fay.get("/api/v1/submissions").await.body["submissions"], json!([]), "nothing was submitted");
}

#[tokio::test]
async fn bearer_authenticated_writes_are_not_subject_to_the_origin_check() {
    let server = Server::start(&NO_BROWSER);
    let (fay, _) = account(&server, "fay").await;
    for origin in [None, Some("https://tool.example"), Some("null")] {
        let mut request = fay.request(Method::POST, "/api/v1/submissions").json(&json!({ "challenge": "counter", "code": CODE }));
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        assert_eq!(reply(request).await.status, StatusCode::ACCEPTED, "Origin {origin:?}");
    }
    let headers = vec![("authorization", format!("Bearer {}", fay.token.clone().unwrap())), ("origin", "https://tool.example".to_string())];
    assert_eq!(ws_handshake(&server, &headers).await, Ok(()), "a Bearer WebSocket from any origin");
}

#[tokio::test]
async fn a_cross_site_websocket_cannot_ride_on_the_cookie() {
    let server = Server::start(&[]);
    let (_, cookie) = account(&server, "fay").await;
    for origin in [Some("https://evil.example"), Some("null"), None] {
        let mut headers = vec![("cookie", cookie.clone())];
        if let Some(origin) = origin {
            headers.push(("origin", origin.to_string()));
        }
        assert_eq!(ws_handshake(&server, &headers).await, Err(403), "cookie WebSocket with Origin {origin:?}");
    }
    assert_eq!(ws_handshake(&server, &[("cookie", cookie.clone()), ("origin", server.base.clone())]).await, Ok(()), "the site's own page");
}

#[tokio::test]
async fn security_headers_are_on_every_response_and_cors_only_answers_named_origins() {
    let server = Server::start(&["--cors-origin", "https://learn.example"]);
    let client = server.client();
    for path in ["/api/v1/challenges", "/api/v1/nothing-here", "/healthz", "/api/v1/me"] {
        let r = client.request(Method::GET, path).header("origin", "https://learn.example").send().await.unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["cross-origin-opener-policy"], "same-origin", "{path}");
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(h["access-control-allow-origin"], "https://learn.example", "{path}");
    }
    let r = client.request(Method::GET, "/api/v1/challenges").header("origin", "https://evil.example").send().await.unwrap();
    assert!(!r.headers().contains_key("access-control-allow-origin"));
    for (origin, allowed) in [("https://learn.example", true), ("https://evil.example", false)] {
        let preflight = client
            .request(Method::OPTIONS, "/api/v1/submissions")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.headers().get("access-control-allow-origin").is_some(), allowed, "preflight from {origin}");
        if allowed {
            assert_eq!(preflight.headers()["access-control-allow-credentials"], "true");
        }
    }
    let wildcard = client.request(Method::GET, "/api/v1/challenges").header("origin", "null").send().await.unwrap();
    assert!(!wildcard.headers().contains_key("access-control-allow-origin"), "no CORS for the null origin");
}

// ---------------------------------------------------------------------------------------
// Oversized requests

#[tokio::test]
async fn oversized_bodies_and_code_are_refused_with_413() {
    let mut server = Server::start(&NO_BROWSER);
    let (amy, _) = account(&server, "amy").await;
    let root = admin_account(&server, "root").await;
    let big = "x".repeat(64 * 1024 + 1);
    let r = amy.post("/api/v1/submissions", json!({ "challenge": "counter", "code": big })).await;
    assert_eq!((r.status, r.code(), r.body["error"]["field"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "code_too_large", Some("code")), "{}", r.body);
    let r = server.client().post("/api/v1/preview/transpile", json!({ "code": big })).await;
    expect(&r, StatusCode::PAYLOAD_TOO_LARGE, "code_too_large", "preview code over 64 KiB");
    let mut challenge = json!({
        "slug": "big",
        "spec_toml": "title = \"Big\"\ndifficulty = \"easy\"\n[[test]]\nname = \"x\"\nchecks = [\"x\"]\nsteps = [{ do = \"expect_text\", contains = \"x\" }]\n",
        "statement": "Big.\n\n## Requirements\n\n- [x] Shows x.\n",
        "starter": { "name": "starter.jsx", "code": "export default () => null;" },
        "reference": { "name": "reference.jsx", "code": big }
    });
    expect(&root.post("/api/v1/challenges", challenge.clone()).await, StatusCode::PAYLOAD_TOO_LARGE, "code_too_large", "a reference over 64 KiB");
    challenge["statement"] = json!("s".repeat(300 * 1024));
    expect(&root.post("/api/v1/challenges", challenge).await, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "a body over 256 KiB");
    let huge = "x".repeat(300 * 1024);
    let r = amy.post("/api/v1/submissions", json!({ "challenge": "counter", "code": huge })).await;
    expect(&r, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "a body over 256 KiB");
    // Far beyond the limit the server stops reading and closes; either way, it stays up.
    let flood = amy.request(Method::POST, "/api/v1/submissions").header("content-type", "application/json").body(vec![b' '; 16 << 20]).send().await;
    if let Ok(r) = flood {
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    assert_eq!(amy.get("/api/v1/submissions").await.body["submissions"], json!([]), "nothing was accepted");
    still_serving(&mut server).await;
}

#[tokio::test]
async fn oversized_or_too_many_headers_are_refused_with_431() {
    let mut server = Server::start(&[]);
    let huge = format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n", "a".repeat(1 << 20));
    let many: String = (0..200).map(|i| format!("X-H{i}: v\r\n")).collect();
    let many = format!("GET /healthz HTTP/1.1\r\nHost: x\r\n{many}Connection: close\r\n\r\n");
    let cookie = format!("GET /api/v1/me HTTP/1.1\r\nHost: x\r\nCookie: {}\r\nConnection: close\r\n\r\n", "reactlab_session=x; ".repeat(30_000));
    for (what, request) in [("a 1 MiB header", huge), ("200 headers", many), ("a 600 KB cookie", cookie)] {
        let answer = exchange(&server, request.as_bytes()).await;
        // hyper answers 431 when it can; a peer still sending may see the reset instead.
        assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 431"), "{what}: {}", &answer[..answer.len().min(200)]);
    }
    still_serving(&mut server).await;
}

#[tokio::test]
async fn deeply_nested_json_is_refused_and_the_server_stays_up() {
    let mut server = Server::start(&[]);
    let (amy, _) = account(&server, "amy").await;
    for body in [
        format!("{{\"challenge\": {}1{}, \"code\": \"x\"}}", "[".repeat(100_000), "]".repeat(100_000)),
        format!("{}{}", "[".repeat(120_000), "]".repeat(120_000)),
        format!("{{\"challenge\": \"counter\", \"code\": \"x\", \"language\": {}}}", "{\"a\":".repeat(50_000)),
    ] {
        let r = reply(amy.request(Method::POST, "/api/v1/submissions").header("content-type", "application/json").body(body)).await;
        assert!(matches!(r.code(), "invalid_json" | "invalid_field"), "{} {}", r.status, r.body);
    }
    let r =
        reply(server.client().request(Method::POST, "/api/v1/preview/transpile").header("content-type", "application/json").body("[".repeat(250_000))).await;
    assert!(matches!(r.code(), "invalid_json" | "invalid_field"), "{} {}", r.status, r.body);
    still_serving(&mut server).await;
}

#[tokio::test]
async fn code_nested_as_deep_as_the_size_limit_allows_is_answered_without_crashing_the_server() {
    // Without a stack of its own for the compiler, 2 000 nested brackets overflowed the
    // stack and took the whole process down: an anonymous request was enough.
    let mut server = Server::start(&NO_BROWSER);
    let anonymous = server.client();
    let head = "export default () => ";
    let deepest = |unit: &str| format!("{head}{}", unit.repeat((64 * 1024 - head.len()) / unit.len()));
    let closed = format!("{head}{}1{};", "(".repeat(32_000), ")".repeat(32_000));
    for code in [deepest("("), deepest("["), deepest("<a>"), deepest("!"), closed] {
        for language in ["jsx", "tsx"] {
            let r = anonymous.post("/api/v1/preview/transpile", json!({ "code": code, "language": language })).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert!(r.body["js"].is_string() || r.body["error"]["message"].is_string(), "{}", r.body);
        }
    }
    // The worker compiles what is submitted: the same answer there, a verdict.
    let (amy, _) = account(&server, "amy").await;
    let id = amy.submit("counter", &deepest("[")).await;
    assert_eq!(amy.wait_done(&id, GRADE_TIMEOUT).await["verdict"], "compile_error");
    // And the admins' challenge file: TOML nested as deep.
    let root = admin_account(&server, "root").await;
    let starter = json!({ "name": "starter.jsx", "code": "export default () => null;" });
    let spec = format!("title = \"Deep\"\ndifficulty = \"easy\"\nx = {}", "[".repeat(60_000));
    let r = root
        .post("/api/v1/challenges/validate", json!({ "slug": "deep", "spec_toml": spec, "statement": "s", "starter": starter, "reference": starter }))
        .await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("spec_toml")), "{}", r.body);
    still_serving(&mut server).await;
}

// ---------------------------------------------------------------------------------------
// Slow requests: one-second limits, so that the tests are short

const SHORT_TIMEOUTS: [&str; 4] = ["--header-timeout-secs", "1", "--body-timeout-secs", "1"];
/// How late past its limit a cut may come on a busy machine.
const SLACK: Duration = Duration::from_secs(4);

#[tokio::test]
async fn a_request_head_sent_byte_by_byte_is_cut_off_at_the_header_timeout() {
    let mut server = Server::start(&SHORT_TIMEOUTS);
    let endless = format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: {}", "a".repeat(200));
    let (closed, answer) = trickle(&server, b"", endless.as_bytes(), Duration::from_millis(100), Duration::from_secs(10)).await;
    let closed = closed.expect("the connection was still open after 10 s");
    assert!(closed >= Duration::from_millis(900) && closed <= Duration::from_secs(1) + SLACK, "closed after {closed:?}");
    assert!(!answer.contains("200 OK"), "{answer}");
    still_serving(&mut server).await;
}

#[tokio::test]
async fn an_idle_connection_is_closed_at_the_header_timeout() {
    let server = Server::start(&SHORT_TIMEOUTS);
    let (closed, _) = trickle(&server, b"", b"", Duration::ZERO, Duration::from_secs(10)).await;
    let closed = closed.expect("a silent connection was still open after 10 s");
    assert!(closed >= Duration::from_millis(900) && closed <= Duration::from_secs(1) + SLACK, "closed after {closed:?}");
    // A kept-alive connection left idle after its answer: the same.
    let (closed, answer) = trickle(&server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", b"", Duration::ZERO, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let closed = closed.expect("an idle kept-alive connection was still open after 10 s");
    assert!(closed <= Duration::from_secs(1) + SLACK, "closed after {closed:?}");
}

#[tokio::test]
async fn a_body_sent_slowly_is_cut_off_with_408_at_the_body_timeout() {
    let mut server = Server::start(&SHORT_TIMEOUTS);
    let body = json!({ "email": "amy@example.com", "password": "x".repeat(200) }).to_string();
    let head = format!("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len());
    let (closed, answer) = trickle(&server, head.as_bytes(), body.as_bytes(), Duration::from_millis(100), Duration::from_secs(10)).await;
    let closed = closed.expect("the connection was still open after 10 s");
    assert!(closed >= Duration::from_millis(900) && closed <= Duration::from_secs(1) + SLACK, "closed after {closed:?}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"request_timeout\""), "{answer}");
    // A client that sends at an ordinary pace is served as usual under the same limits.
    let (amy, _) = account(&server, "amy").await;
    let r = amy.post("/api/v1/preview/transpile", json!({ "code": format!("export default () => null;\n{}", "// padding\n".repeat(5000)) })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    still_serving(&mut server).await;
}

#[tokio::test]
async fn websockets_outlive_the_request_timeouts() {
    let server = Server::start(&SHORT_TIMEOUTS);
    let (amy, _) = account(&server, "amy").await;
    let mut socket = amy.socket().await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    socket.subscribe("01a20a18-34ca-7657-9f7f-57cc0403a10d").await;
    let m = socket.next(Duration::from_secs(5)).await;
    assert_eq!((m["type"].as_str(), m["code"].as_str()), (Some("error"), Some("not_found")), "the socket still answers: {m}");
}

/// Opens a connection, writes `prompt`, then `slowly` one byte every `gap`, while reading.
/// Returns when the server closed the connection, counted from its opening (`None`: still
/// open after `give_up`), and what it sent.
async fn trickle(server: &Server, prompt: &[u8], slowly: &[u8], gap: Duration, give_up: Duration) -> (Option<Duration>, String) {
    let stream = tokio::net::TcpStream::connect(address(server)).await.unwrap();
    let opened = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    // A server that refuses early may reset the connection while this is still being written.
    let _ = writer.write_all(prompt).await;
    let slowly = slowly.to_vec();
    let feeder = tokio::spawn(async move {
        for byte in slowly {
            tokio::time::sleep(gap).await;
            if writer.write_all(&[byte]).await.is_err() {
                return;
            }
        }
        // Hold the connection open (dropping the writer would end the request).
        std::future::pending::<()>().await;
    });
    let deadline = tokio::time::Instant::now() + give_up;
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let closed = loop {
        match tokio::time::timeout_at(deadline, reader.read(&mut buffer)).await {
            Err(_) => break None,
            Ok(Ok(0) | Err(_)) => break Some(opened.elapsed()),
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
    };
    feeder.abort();
    (closed, String::from_utf8_lossy(&received).into_owned())
}

/// Sends `request` and reads until the server closes: the raw answer.
async fn exchange(server: &Server, request: &[u8]) -> String {
    let (_, answer) = trickle(server, request, b"", Duration::ZERO, Duration::from_secs(20)).await;
    answer
}

/// `GET path` exactly as written, not normalized the way an HTTP client library would.
async fn raw_get(server: &Server, path: &str) -> String {
    exchange(server, format!("GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", address(server)).as_bytes()).await
}

// ---------------------------------------------------------------------------------------
// WebSockets

#[tokio::test]
async fn websockets_need_a_live_session_and_are_limited_per_user() {
    let server = Server::start(&["--max-sockets-per-user", "1"]);
    assert_eq!(ws_handshake(&server, &[]).await, Err(401), "no session");
    let (hal, _) = account(&server, "hal").await;
    let bearer = || vec![("authorization", format!("Bearer {}", hal.token.clone().unwrap()))];
    // Refused attempts take no slot: the one allowed socket still opens after many of them.
    for _ in 0..20 {
        assert_eq!(ws_handshake(&server, &[("authorization", "Bearer forged".into())]).await, Err(401));
    }
    let mut first = hal.socket().await;
    assert_eq!(ws_handshake(&server, &bearer()).await, Err(429), "a second socket for the same user");
    let (ivy, _) = account(&server, "ivy").await;
    let _others = ivy.socket().await;
    first.send(json!({ "type": "dance" })).await;
    assert_eq!(first.next(Duration::from_secs(5)).await["code"], "invalid_message");
    drop(first);
    // The slot is free again once the server has seen the first socket go.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while ws_handshake(&server, &bearer()).await == Err(429) {
        assert!(std::time::Instant::now() < deadline, "the slot of a closed socket was never given back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_oversized_websocket_message_closes_the_socket() {
    let server = Server::start(&[]);
    let (hal, _) = account(&server, "hal").await;
    let mut socket = hal.socket().await;
    socket.subscribe(&"x".repeat(64 * 1024)).await;
    assert!(socket.closes_within(Duration::from_secs(5)).await, "a 64 KiB message was read");
    let mut again = hal.socket().await;
    again.subscribe("01a20a18-34ca-7657-9f7f-57cc0403a10d").await;
    assert_eq!(again.next(Duration::from_secs(5)).await["code"], "not_found", "ordinary messages are still read");
}

// ---------------------------------------------------------------------------------------
// Guessing and flooding

#[tokio::test]
async fn password_guessing_and_mass_registration_are_rate_limited_with_429_and_retry_after() {
    let server = Server::start(&["--rate-register", "2", "--rate-login", "3", "--rate-submit", "2", "--workers", "1", "--chromium", "/bin/false"]);
    let mut client = server.client();
    client.register("gus").await;
    client.register("gus2").await;
    let r = client.post("/api/v1/auth/register", json!({ "username": "gus3", "email": "gus3@example.com", "password": PASSWORD })).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    let retry: u64 = r.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    for _ in 0..3 {
        client.post("/api/v1/auth/login", json!({ "email": "gus@example.com", "password": "nope nope" })).await;
    }
    let r = client.post("/api/v1/auth/login", json!({ "email": "gus@example.com", "password": PASSWORD })).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits once the guesses are spent");
    client.submit("counter", "export default () => null;").await;
    client.submit("counter", "export default () => null;").await;
    let r = client.post("/api/v1/submissions", json!({ "challenge": "counter", "code": "export default () => null;" })).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn a_forged_x_forwarded_for_does_not_escape_the_rate_limits() {
    let register = |client: &Client, name: &str, forwarded: &str| {
        let req = client
            .request(Method::POST, "/api/v1/auth/register")
            .header("x-forwarded-for", forwarded)
            .json(&json!({ "username": name, "email": format!("{name}@example.com"), "password": PASSWORD }));
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

// ---------------------------------------------------------------------------------------
// SQL metacharacters in every text field

/// Quotes, statement and comment delimiters, escapes, LIKE wildcards, classic injections,
/// NUL, and 18 KB of multi-byte text (with a right-to-left override) longer than most
/// fields allow.
fn nasty() -> Vec<String> {
    let mut texts: Vec<String> =
        ["'", "\"", ";", "--", "/*", "*/", "\\", "%", "_", "' OR '1'='1", "\"; DROP TABLE users; --", "x\0y"].map(String::from).to_vec();
    texts.push("ß😀\u{202e}".repeat(2000));
    texts
}

fn shown(text: &str) -> String {
    format!("{:?}", text.chars().take(24).collect::<String>())
}

/// Checks an answer to a request carrying metacharacters in `field`: a 422 naming that
/// field (or one of `fields`), or `accepted`; never a 500, never anything else. Returns
/// whether it was accepted, for the caller to read the value back.
#[track_caller]
fn kept(r: &Reply, fields: &[&str], accepted: StatusCode, what: &str) -> bool {
    if r.status == StatusCode::UNPROCESSABLE_ENTITY {
        let field = r.body["error"]["field"].as_str().unwrap_or_default();
        assert!(fields.contains(&field), "{what}: refused naming {field:?}, not {fields:?}: {}", r.body);
        return false;
    }
    assert_eq!(r.status, accepted, "{what}: {}", r.body);
    true
}

/// A TOML basic string holding `text` (JSON's escapes are TOML's).
fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

async fn metacharacters_are_refused_by_name_or_kept_verbatim(server: &Server) {
    let (victim, _) = account(server, "victim").await;
    let victim_id = victim.submit("counter", CODE).await;
    let root = admin_account(server, "root").await;
    let (mallory, _) = account(server, "mallory").await;
    let anonymous = server.client();
    let catalog = anonymous.get("/api/v1/challenges").await.body["challenges"].as_array().unwrap().len();
    let mut created = 0;
    let mut socket = mallory.socket().await;
    let bearer_of = |r: &Reply| {
        let mut client = server.client();
        client.token = r.body["token"].as_str().map(str::to_string);
        client
    };

    for (i, text) in nasty().iter().enumerate() {
        let what = |field: &str| format!("{field} holding {}", shown(text));

        // Registration and sign-in, one field at a time.
        let username = format!("u{i}{text}");
        let r = anonymous.post("/api/v1/auth/register", json!({ "username": username, "email": format!("name{i}@example.com"), "password": PASSWORD })).await;
        if kept(&r, &["username"], StatusCode::CREATED, &what("username")) {
            assert_eq!(bearer_of(&r).get("/api/v1/me").await.body["user"]["username"], username.as_str());
        }
        let email = format!("mail{i}{text}@example.com");
        let r = anonymous.post("/api/v1/auth/register", json!({ "username": format!("mail{i}"), "email": email, "password": PASSWORD })).await;
        if kept(&r, &["email"], StatusCode::CREATED, &what("email")) {
            assert_eq!(bearer_of(&r).get("/api/v1/me").await.body["user"]["email"], email.as_str());
            let login = anonymous.post("/api/v1/auth/login", json!({ "email": email, "password": PASSWORD })).await;
            assert_eq!((login.status, login.body["user"]["email"].as_str()), (StatusCode::OK, Some(email.as_str())), "{}", login.body);
        }
        let password = format!("password{i}{text}");
        let r = anonymous
            .post("/api/v1/auth/register", json!({ "username": format!("pass{i}"), "email": format!("pass{i}@example.com"), "password": password }))
            .await;
        if kept(&r, &["password"], StatusCode::CREATED, &what("password")) {
            let login = anonymous.post("/api/v1/auth/login", json!({ "email": format!("pass{i}@example.com"), "password": password })).await;
            assert_eq!(login.status, StatusCode::OK, "{}", login.body);
            let wrong = anonymous.post("/api/v1/auth/login", json!({ "email": format!("pass{i}@example.com"), "password": format!("{password}x") })).await;
            expect(&wrong, StatusCode::UNAUTHORIZED, "bad_credentials", "a password one character longer");
        }
        for body in [
            json!({ "email": text, "password": PASSWORD }),
            json!({ "email": format!("{text}@example.com"), "password": PASSWORD }),
            json!({ "email": "victim@example.com", "password": text }),
        ] {
            let r = anonymous.post("/api/v1/auth/login", body.clone()).await;
            if !kept(&r, &["email", "password"], StatusCode::UNAUTHORIZED, &format!("login {}", shown(&body.to_string()))) {
                continue;
            }
            assert_eq!(r.code(), "bad_credentials", "never a way in: {}", r.body);
        }

        // Submitting, and the code read back through its link.
        let r = mallory.post("/api/v1/submissions", json!({ "challenge": text, "code": CODE })).await;
        assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("challenge")), "{}: {}", what("challenge"), r.body);
        let code = format!("export default () => null; // {text}\n");
        let r = mallory.post("/api/v1/submissions", json!({ "challenge": "counter", "code": code })).await;
        if kept(&r, &["code"], StatusCode::ACCEPTED, &what("code")) {
            let id = r.body["id"].as_str().unwrap();
            let link = mallory.get(&format!("/api/v1/submissions/{id}/code")).await.body;
            let stored = anonymous.request(Method::GET, link["url"].as_str().unwrap()).send().await.unwrap().text().await.unwrap();
            assert_eq!(stored, code, "{}", what("code"));
        }
        let r = anonymous.post("/api/v1/preview/transpile", json!({ "code": code })).await;
        kept(&r, &["code"], StatusCode::OK, &what("preview code"));

        // Query parameters: the history's filters, and unknown names.
        for name in ["challenge", "before", "limit"] {
            let r = mallory.get(&format!("/api/v1/submissions?{name}={}", escape(text))).await;
            if kept(&r, &[name], StatusCode::OK, &what(name)) {
                let ids: Vec<&str> = r.body["submissions"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
                assert!(!ids.contains(&victim_id.as_str()), "{}: another user's submission listed", what(name));
                if name == "challenge" {
                    assert!(ids.is_empty(), "{}: {ids:?}", what(name));
                }
            }
        }
        let r = mallory.get(&format!("/api/v1/submissions?{}=1", escape(text))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"), "an unknown parameter named {}: {}", shown(text), r.body);

        // Path parameters.
        let segment = escape(text);
        for path in [
            format!("/api/v1/submissions/{segment}"),
            format!("/api/v1/submissions/{segment}/code"),
            format!("/api/v1/submissions/{segment}/screenshot"),
            format!("/api/v1/challenges/{segment}"),
        ] {
            expect(&mallory.get(&path).await, StatusCode::NOT_FOUND, "not_found", &path);
        }
        expect(&root.get(&format!("/api/v1/challenges/{segment}/source")).await, StatusCode::NOT_FOUND, "not_found", "an admin's source path");
        for action in ["retry", "discard"] {
            let r = root.post(&format!("/api/v1/admin/queue/dead/{segment}/{action}"), json!({})).await;
            expect(&r, StatusCode::NOT_FOUND, "not_found", &format!("dead job {action}"));
        }

        // The WebSocket's subscribe (a message over 4 KiB closes the socket instead).
        socket.subscribe(text).await;
        if text.len() < 4096 {
            let m = socket.next(Duration::from_secs(10)).await;
            assert_eq!((m["type"].as_str(), m["code"].as_str(), m["id"].as_str()), (Some("error"), Some("not_found"), Some(text.as_str())), "{m}");
        } else {
            assert!(socket.closes_within(Duration::from_secs(5)).await);
            socket = mallory.socket().await;
        }

        // An admin's challenge: every field, read back from the source and the view.
        let slug = format!("meta-{i}");
        let title = format!("T{i}{text}");
        let body = json!({
            "slug": slug,
            "spec_toml": format!(
                "title = {}\ndifficulty = \"easy\"\n[[test]]\nname = {}\nchecks = [\"hello\"]\nsteps = [{{ do = \"expect_text\", contains = \"Hello\" }}]\n",
                toml_string(&title),
                toml_string(&format!("says {text}"))
            ),
            "statement": format!("# {text}\n\n## Requirements\n\n- [hello] Shows Hello.\n"),
            "starter": { "name": "starter.jsx", "code": format!("export default () => null; // {text}\n") },
            "reference": { "name": "reference.jsx", "code": format!("export default () => <p>Hello</p>; // {text}\n") }
        });
        let r = root.post("/api/v1/challenges", body.clone()).await;
        if kept(&r, &["spec_toml", "statement", "starter.code", "reference.code"], StatusCode::CREATED, &what("a challenge")) {
            created += 1;
            let source = root.get(&format!("/api/v1/challenges/{slug}/source")).await.body;
            for field in ["spec_toml", "statement", "starter", "reference"] {
                assert_eq!(source[field], body[field], "{}", what(field));
            }
            assert_eq!(anonymous.get(&format!("/api/v1/challenges/{slug}")).await.body["title"], title.as_str());
        }
        // The slug itself (`--` is a valid one).
        let mut as_slug = body.clone();
        as_slug["slug"] = json!(text);
        let r = root.post("/api/v1/challenges", as_slug).await;
        if kept(&r, &["slug", "statement", "starter.code", "reference.code"], StatusCode::CREATED, &what("slug")) {
            created += 1;
            assert_eq!(root.get(&format!("/api/v1/challenges/{segment}/source")).await.body["slug"], text.as_str());
        }
        let mut replacement = body.clone();
        replacement.as_object_mut().unwrap().remove("slug");
        let r = root.send(Method::PUT, &format!("/api/v1/challenges/{segment}"), Some(replacement)).await;
        assert!(
            matches!(r.status, StatusCode::OK | StatusCode::UNPROCESSABLE_ENTITY | StatusCode::NOT_FOUND),
            "PUT to a slug holding {}: {} {}",
            shown(text),
            r.status,
            r.body
        );
    }

    // The database is whole: the victim signs in and finds exactly what was left; the
    // catalog grew only by what the admin created.
    let login = anonymous.post("/api/v1/auth/login", json!({ "email": "victim@example.com", "password": PASSWORD })).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let history = victim.get("/api/v1/submissions").await.body;
    let ids: Vec<&str> = history["submissions"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![victim_id.as_str()]);
    let link = victim.get(&format!("/api/v1/submissions/{victim_id}/code")).await.body;
    assert_eq!(anonymous.request(Method::GET, link["url"].as_str().unwrap()).send().await.unwrap().text().await.unwrap(), CODE);
    let list = anonymous.get("/api/v1/challenges").await.body;
    assert_eq!(list["challenges"].as_array().unwrap().len(), catalog + created);
    assert!(created >= 10, "most challenges were stored ({created})");
    assert_eq!(root.get("/api/v1/admin/queue").await.status, StatusCode::OK);
}

const METACHARACTER_ARGS: [&str; 10] =
    ["--rate-register", "1000", "--rate-login", "1000", "--rate-submit", "1000", "--workers", "1", "--chromium", "/bin/false"];

#[tokio::test]
async fn sql_metacharacters_in_every_text_field_are_refused_by_name_or_stored_verbatim_on_sqlite() {
    let mut server = Server::start(&METACHARACTER_ARGS);
    metacharacters_are_refused_by_name_or_kept_verbatim(&server).await;
    still_serving(&mut server).await;
    no_internal_errors(&server);
}

#[tokio::test]
async fn sql_metacharacters_in_every_text_field_are_refused_by_name_or_stored_verbatim_on_postgres() {
    let db = PgDatabase::create();
    let mut server = Server::start(&[&METACHARACTER_ARGS[..], &["--database-url", &db.url]].concat());
    metacharacters_are_refused_by_name_or_kept_verbatim(&server).await;
    still_serving(&mut server).await;
    no_internal_errors(&server);
    // Before the database, which is dropped with it.
    drop(server);
}

/// The API logged no error (every 500 is logged, with its cause).
fn no_internal_errors(server: &Server) {
    let log = server.log();
    let errors: Vec<&str> = log.lines().filter(|l| l.contains("reactlab_api::error")).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
