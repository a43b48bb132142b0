//! Guessing and flooding: rate limits, and a forged X-Forwarded-For.

use super::*;

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
