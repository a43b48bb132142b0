//! One virtual user, as a learner in the web app: an account, one WebSocket, and one
//! submission at a time, each timed from its POST to the `done` event with its verdict.

use super::plan::{Budget, Plan, Solution};
use super::report::{Failure, Recorder, Stage};
use super::target::Target;
use futures::{SinkExt, StreamExt};
use reactlab_core::Verdict;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Longest wait for a WebSocket handshake.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause after a failure, so a failing server is not hammered in a tight loop.
const PAUSE_AFTER_FAILURE: Duration = Duration::from_secs(1);
/// Longest pause a `Retry-After` may ask for.
const LONGEST_PAUSE: Duration = Duration::from_secs(60);

/// What every user shares.
pub struct Run {
    pub http: reqwest::Client,
    pub target: Target,
    pub plan: Plan,
    pub budget: Budget,
    pub recorder: Recorder,
    /// Longest wait from submitting to the result.
    pub result_timeout: Duration,
    /// Makes this run's usernames unique on a server that has seen earlier runs.
    pub run_id: String,
}

/// A failed step, and how long the server asked us to stay away (429's `Retry-After`).
struct Refusal {
    failure: Failure,
    retry_after: Option<Duration>,
}

impl From<Failure> for Refusal {
    fn from(failure: Failure) -> Refusal {
        Refusal { failure, retry_after: None }
    }
}

fn http_failure(stage: Stage, e: &reqwest::Error) -> Failure {
    if e.is_connect() {
        Failure::Connect { stage }
    } else if e.is_timeout() {
        Failure::RequestTimeout { stage }
    } else {
        Failure::Transport { stage }
    }
}

/// The 2xx body of a reply as JSON, or the failure its status stands for.
async fn expect_json(stage: Stage, reply: Result<reqwest::Response, reqwest::Error>, want: StatusCode) -> Result<Value, Refusal> {
    let reply = reply.map_err(|e| http_failure(stage, &e))?;
    if reply.status() != want {
        let retry_after = reply.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse::<u64>().ok()).map(Duration::from_secs);
        return Err(Refusal { failure: Failure::Status { stage, status: reply.status().as_u16() }, retry_after });
    }
    reply.json().await.map_err(|e| http_failure(stage, &e).into())
}

struct User {
    run: Arc<Run>,
    token: String,
    socket: Option<Socket>,
}

/// The life of user `index`: register, open the socket, submit until the budget is spent.
pub async fn live(run: Arc<Run>, index: u32) {
    let token = match register(&run, index).await {
        Ok(token) => token,
        Err(refusal) => return run.recorder.failure(&refusal.failure),
    };
    run.recorder.registered();
    let mut user = User { run, token, socket: None };
    match user.connect().await {
        Ok(socket) => user.socket = Some(socket),
        Err(failure) => user.run.recorder.failure(&failure),
    }
    while let Some(ticket) = user.run.budget.take() {
        let run = user.run.clone();
        if let Err(refusal) = user.submit_and_wait(run.plan.pick(ticket)).await {
            run.recorder.failure(&refusal.failure);
            let pause = refusal.retry_after.unwrap_or(PAUSE_AFTER_FAILURE).min(LONGEST_PAUSE);
            tokio::time::sleep_until((Instant::now() + pause).min(run.budget.until().into())).await;
        }
    }
    if let Some(mut socket) = user.socket.take() {
        // Bounded: a server that stopped reading must not keep the tool from ending.
        let _ = tokio::time::timeout(CONNECT_TIMEOUT, socket.close(None)).await;
    }
}

async fn register(run: &Run, index: u32) -> Result<String, Refusal> {
    let username = format!("load-{}-{index}", run.run_id);
    let body = json!({ "username": username, "email": format!("{username}@example.com"), "password": "load test password" });
    let reply = run.http.post(run.target.endpoint("/api/v1/auth/register")).json(&body).send().await;
    let body = expect_json(Stage::Register, reply, StatusCode::CREATED).await?;
    body["token"].as_str().map(str::to_string).ok_or_else(|| Failure::Transport { stage: Stage::Register }.into())
}

/// Why waiting on the socket ended.
enum Waited {
    Done(Verdict),
    Dropped,
    TimedOut,
    ServerError(String),
    Malformed,
}

impl User {
    async fn submit_and_wait(&mut self, solution: &Solution) -> Result<(), Refusal> {
        let started = Instant::now();
        self.run.recorder.sent(solution);
        let body = json!({ "challenge": solution.challenge, "code": solution.code, "language": solution.language });
        let reply = self.run.http.post(self.run.target.endpoint("/api/v1/submissions")).bearer_auth(&self.token).json(&body).send().await;
        let id = expect_json(Stage::Submit, reply, StatusCode::ACCEPTED).await?["id"]
            .as_str()
            .map(str::to_string)
            .ok_or(Failure::Transport { stage: Stage::Submit })?;
        self.run.recorder.queued();
        let verdict = self.await_verdict(&id, started + self.run.result_timeout).await?;
        self.run.recorder.result(solution, verdict, started.elapsed());
        Ok(())
    }

    /// Subscribes to `id` and waits for its `done`, reopening the socket if it drops (the
    /// `state` message sent on subscribing makes that lossless).
    async fn await_verdict(&mut self, id: &str, deadline: Instant) -> Result<Verdict, Failure> {
        loop {
            if Instant::now() >= deadline {
                return Err(Failure::ResultTimeout);
            }
            let socket = match &mut self.socket {
                Some(socket) => socket,
                None => match self.connect().await {
                    Ok(socket) => self.socket.insert(socket),
                    Err(failure) => {
                        self.run.recorder.failure(&failure);
                        tokio::time::sleep_until((Instant::now() + PAUSE_AFTER_FAILURE).min(deadline)).await;
                        continue;
                    }
                },
            };
            let waited = match socket.send(text(json!({ "type": "subscribe", "id": id }))).await {
                Ok(()) => wait_done(socket, id, deadline).await,
                Err(_) => Waited::Dropped,
            };
            let outcome = match waited {
                Waited::Dropped => {
                    self.run.recorder.failure(&Failure::WebSocketDrop);
                    self.socket = None;
                    continue;
                }
                Waited::Malformed => {
                    // The conversation is off the protocol: start the next one afresh.
                    self.socket = None;
                    return Err(Failure::Transport { stage: Stage::WebSocket });
                }
                Waited::Done(verdict) => Ok(verdict),
                Waited::TimedOut => Err(Failure::ResultTimeout),
                Waited::ServerError(code) => Err(Failure::SocketError(code)),
            };
            // A socket holds at most 100 subscriptions: a long run must give each one back,
            // also when its result never came.
            if socket.send(text(json!({ "type": "unsubscribe", "id": id }))).await.is_err() {
                self.socket = None;
            }
            return outcome;
        }
    }

    async fn connect(&self) -> Result<Socket, Failure> {
        let stage = Stage::WebSocket;
        let mut request = self.run.target.socket.as_str().into_client_request().map_err(|_| Failure::Transport { stage })?;
        let bearer = format!("Bearer {}", self.token).parse().map_err(|_| Failure::Transport { stage })?;
        request.headers_mut().insert("authorization", bearer);
        match tokio::time::timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async(request)).await {
            Err(_) => Err(Failure::RequestTimeout { stage }),
            Ok(Ok((socket, _))) => Ok(socket),
            Ok(Err(tungstenite::Error::Http(response))) => Err(Failure::Status { stage, status: response.status().as_u16() }),
            Ok(Err(tungstenite::Error::Io(_))) => Err(Failure::Connect { stage }),
            Ok(Err(_)) => Err(Failure::Transport { stage }),
        }
    }
}

fn text(v: Value) -> Message {
    Message::Text(v.to_string().into())
}

/// Reads the socket until `id`'s `done` (other submissions' events, `state`, `queued`,
/// `running` and `test` are passed over).
async fn wait_done(socket: &mut Socket, id: &str, deadline: Instant) -> Waited {
    loop {
        let message = match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return Waited::TimedOut,
            Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return Waited::Dropped,
            Ok(Some(Ok(Message::Text(t)))) => t,
            Ok(Some(Ok(_))) => continue,
        };
        let Ok(message) = serde_json::from_str::<Value>(&message) else { return Waited::Malformed };
        let for_us = message["id"].as_str() == Some(id);
        match message["type"].as_str() {
            Some("done") if for_us => {
                return match serde_json::from_value::<Verdict>(message["result"]["verdict"].clone()) {
                    Ok(verdict) => Waited::Done(verdict),
                    Err(_) => Waited::Malformed,
                };
            }
            Some("error") if for_us || message["id"].is_null() => return Waited::ServerError(message["code"].as_str().unwrap_or("unknown").to_string()),
            _ => {}
        }
    }
}
