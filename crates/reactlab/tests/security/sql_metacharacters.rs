//! SQL metacharacters in every text field, on SQLite and on PostgreSQL.

use super::*;
use reactlab_testkit::PgDatabase;

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
