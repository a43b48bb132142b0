//! Other users' things: submissions, code, screenshots, history, sockets, admin rights and profiles.

use super::*;

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
