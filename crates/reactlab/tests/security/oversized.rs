//! Oversized requests: bodies, code, headers, nesting.

use super::*;

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
