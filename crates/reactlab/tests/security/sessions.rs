//! Sessions: fixation, and the cookie's attributes.

use super::*;

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
