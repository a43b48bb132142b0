//! Cross-site request forgery, cross-site WebSockets, security headers and CORS.

use super::*;

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
