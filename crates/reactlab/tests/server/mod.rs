//! A real `reactlab serve` on a random loopback port and a temporary data directory, and a
//! small client for it.
#![allow(dead_code)]

use futures::{SinkExt, StreamExt};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub struct Server {
    child: Child,
    pub base: String,
    pub data: PathBuf,
    /// Everything the server printed to stderr (its log).
    pub log: Arc<Mutex<String>>,
    /// How it was started (for `reactlab admin` on the same database).
    args: Vec<String>,
    env: Vec<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

impl Server {
    /// Starts a server with `args` on a new data directory.
    pub fn start(args: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Server::start_in(dir.path(), args);
        s._dir = Some(dir);
        s
    }

    /// Starts a server on an existing data directory (a restart).
    pub fn start_in(data: &Path, args: &[&str]) -> Server {
        Server::launch("serve", data, args, &[])
    }

    /// Starts `reactlab <command>` (serve, api or worker) with `args` and extra variables.
    pub fn launch(command: &str, data: &Path, args: &[&str], env: &[(String, String)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_reactlab"))
            .args([command, "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .arg("--catalog")
            .arg(repo_root().join("challenges"))
            .arg("--web-dir")
            .arg(repo_root().join("web/dist"))
            .args(args)
            .env("REACTLAB_LOG", "info")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("reactlab serve starts");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn({
            let log = log.clone();
            move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    log.lock().unwrap().push_str(&(line + "\n"));
                }
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let base = line.split("running at ").nth(1).and_then(|r| r.split('/').nth(2)).map(|host| format!("http://{host}"));
        let Some(base) = base else {
            let _ = child.kill();
            panic!("the server did not start: {line}\n{}", log.lock().unwrap());
        };
        let args = args.iter().map(|a| a.to_string()).collect();
        Server { child, base, data: data.to_path_buf(), log, args, env: env.to_vec(), _dir: None }
    }

    /// Makes the account with `email` an admin, as an operator does (`reactlab admin grant`
    /// on the server's database).
    pub fn grant_admin(&self, email: &str) {
        self.admin("grant", email);
    }

    pub fn admin(&self, verb: &str, email: &str) {
        let out = Command::new(env!("CARGO_BIN_EXE_reactlab"))
            .args(["admin", verb, email, "--data-dir"])
            .arg(&self.data)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .unwrap();
        assert!(out.status.success(), "reactlab admin {verb} {email}: {}", String::from_utf8_lossy(&out.stderr));
    }

    pub fn client(&self) -> Client {
        Client { http: reqwest::Client::new(), base: self.base.clone(), token: None }
    }

    /// SIGTERM, and the exit status once it has stopped.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process still runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGKILL: a crash.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Client {
    /// A request carrying this client's token (if any), to finish by hand: other headers,
    /// cookies, raw bodies. `Reply::from` reads its answer.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let req = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self.request(method, path);
        if let Some(b) = body {
            req = req.json(&b);
        }
        Reply::from(req.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    /// Registers `name` (e-mail `name@example.com`) and keeps the token.
    pub async fn register(&mut self, name: &str) -> Value {
        let r = self.post("/api/v1/auth/register", json!({ "username": name, "email": format!("{name}@example.com"), "password": "correct horse" })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        self.token = Some(r.body["token"].as_str().unwrap().to_string());
        r.body
    }

    pub async fn submit(&self, challenge: &str, code: &str) -> String {
        let r = self.post("/api/v1/submissions", json!({ "challenge": challenge, "code": code })).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }

    /// Polls until the submission is done, and returns it.
    pub async fn wait_done(&self, id: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let r = self.get(&format!("/api/v1/submissions/{id}")).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            if r.body["status"] == "done" {
                return r.body;
            }
            assert!(Instant::now() < deadline, "submission {id} not done in {timeout:?}: {}", r.body);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn socket(&self) -> Socket {
        let url = format!("{}/api/v1/ws", self.base.replace("http://", "ws://"));
        let mut req = url.into_client_request().unwrap();
        if let Some(t) = &self.token {
            req.headers_mut().insert("authorization", format!("Bearer {t}").parse().unwrap());
        }
        let (ws, _) = tokio_tungstenite::connect_async(req).await.expect("the WebSocket opens");
        Socket { ws }
    }
}

impl Reply {
    pub async fn from(r: reqwest::Response) -> Reply {
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, headers, body }
    }

    /// The error code of an error reply.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

pub struct Socket {
    ws: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

impl Socket {
    pub async fn send(&mut self, v: Value) {
        self.ws.send(Message::Text(v.to_string().into())).await.unwrap();
    }

    pub async fn subscribe(&mut self, id: &str) {
        self.send(json!({ "type": "subscribe", "id": id })).await;
    }

    /// The next JSON message, or `None` when none came within `timeout`.
    pub async fn try_next(&mut self, timeout: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.ws.next()).await.ok()?.expect("the socket is open").unwrap();
            if let Message::Text(t) = msg {
                return Some(serde_json::from_str(&t).unwrap());
            }
        }
    }

    /// The next JSON message, within `timeout`.
    pub async fn next(&mut self, timeout: Duration) -> Value {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.ws.next()).await.expect("a message in time").expect("the socket is open").unwrap();
            if let Message::Text(t) = msg {
                return serde_json::from_str(&t).unwrap();
            }
        }
    }

    /// Whether the server closes the socket within `timeout` (messages before that are skipped).
    pub async fn closes_within(&mut self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Messages up to and including the `done` one.
    pub async fn until_done(&mut self, timeout: Duration) -> Vec<Value> {
        let mut out = vec![];
        loop {
            let m = self.next(timeout).await;
            let done = m["type"] == "done";
            out.push(m);
            if done {
                return out;
            }
        }
    }
}

/// The value of the series `name{labels}` (labels as Prometheus prints them, sorted).
pub fn series(metrics: &str, name_and_labels: &str) -> Option<f64> {
    metrics.lines().find_map(|l| l.strip_prefix(name_and_labels).and_then(|rest| rest.strip_prefix(' ')).and_then(|v| v.trim().parse().ok()))
}

pub fn fixture(challenge: &str, file: &str) -> String {
    std::fs::read_to_string(repo_root().join("challenges").join(challenge).join(file)).unwrap()
}

pub const GRADE_TIMEOUT: Duration = Duration::from_secs(90);
