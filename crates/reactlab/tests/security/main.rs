//! The HTTP surface under attack, black-box against a real `reactlab serve`: one test per
//! attack, named for the attack and the defence (docs/security.md lists them in a table).
//! Hostile learner code inside the judge is another suite: crates/judge/tests/hostile.rs
//! and network.rs. Nothing here needs a working browser. One module per kind of attack;
//! the helpers they share are here.

mod authentication;
mod csrf;
mod flooding;
mod other_users;
mod oversized;
#[path = "../server/mod.rs"]
mod server;
mod sessions;
mod signed_links;
mod slow_requests;
mod sql_metacharacters;
mod websockets;

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

/// An account made an admin by the operator (`reactlab admin grant`).
async fn admin_account(server: &Server, name: &str) -> Client {
    let (client, _) = account(server, name).await;
    server.grant_admin(&format!("{name}@example.com"));
    client
}

/// Registers `name` (`name@example.com`); returns a client holding its Bearer token and
/// the session cookie as a `Cookie` header value.
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
