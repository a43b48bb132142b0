//! Slow requests: one-second limits, so that the tests are short.

use super::*;

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
