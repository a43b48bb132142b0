//! `/api/v1/ws`: a learner follows their submissions live. Subscribing sends the current
//! state first, then every event, so a result that finished before the socket opened is
//! never missed; a receiver that falls behind the bus re-reads the state.

use crate::error::{ApiError, ApiResult, Code};
use crate::extract::authenticate;
use crate::lookup::{own, view_of};
use crate::state::Shared;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use reactlab_core::SubmissionEvent;
use reactlab_store::SubmissionStatus;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashSet;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

/// Subscriptions one socket may hold.
const MAX_SUBSCRIPTIONS: usize = 100;
/// A client's message is a subscribe or unsubscribe of a few dozen bytes. Anything much
/// larger is refused by closing the socket, before it is buffered (the library's own
/// default would let each socket hold 64 MiB).
const MAX_CLIENT_MESSAGE_BYTES: usize = 4 * 1024;

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum ClientMessage {
    Subscribe { id: String },
    Unsubscribe { id: String },
}

/// Holds one of the user's socket slots while the connection lives.
struct SocketSlot {
    state: Shared,
    user: String,
}

impl SocketSlot {
    fn take(state: &Shared, user: &str) -> ApiResult<SocketSlot> {
        let mut sockets = state.sockets.lock().unwrap_or_else(|e| e.into_inner());
        let open = sockets.entry(user.to_string()).or_default();
        if *open >= state.config.max_sockets_per_user {
            return Err(ApiError::TooManyConnections { limit: state.config.max_sockets_per_user });
        }
        *open += 1;
        metrics::gauge!("reactlab_websockets_open").increment(1.0);
        Ok(SocketSlot { state: state.clone(), user: user.to_string() })
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        metrics::gauge!("reactlab_websockets_open").decrement(1.0);
        let mut sockets = self.state.sockets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = sockets.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                sockets.remove(&self.user);
            }
        }
    }
}

pub async fn upgrade(State(state): State<Shared>, headers: HeaderMap, ws: WebSocketUpgrade) -> ApiResult<Response> {
    // A WebSocket carries the cookie cross-site like a form post: check its Origin too.
    let user = authenticate(&state, &Method::POST, &headers).await?.ok_or(ApiError::Unauthenticated)?.user;
    let slot = SocketSlot::take(&state, &user.id)?;
    let ws = ws.max_message_size(MAX_CLIENT_MESSAGE_BYTES).max_frame_size(MAX_CLIENT_MESSAGE_BYTES);
    Ok(ws.on_upgrade(move |socket| async move {
        Connection { state, user: user.id, subscribed: HashSet::new(), finished: HashSet::new() }.run(socket).await;
        drop(slot);
    }))
}

struct Connection {
    state: Shared,
    user: String,
    subscribed: HashSet<String>,
    /// Subscriptions whose `done` was sent: later duplicates are dropped.
    finished: HashSet<String>,
}

fn error(code: Code, message: &str, id: Option<&str>) -> Value {
    json!({ "type": "error", "code": code.name(), "message": message, "id": id })
}

/// Why a subscription could not be read: an outage says so (the client retries), anything
/// else is the server's fault.
fn subscribe_failed(e: &ApiError, id: &str) -> Value {
    match e {
        ApiError::DatabaseUnavailable => error(e.kind(), "the database cannot be reached; subscribe again shortly", Some(id)),
        _ => {
            tracing::error!("subscribe failed: {e}");
            error(Code::Internal, "could not read the submission; try again", Some(id))
        }
    }
}

/// A client's text frame, or the `invalid_message` error that answers it.
pub(crate) fn parse_message(text: &str) -> Result<ClientMessage, Value> {
    serde_json::from_str(text).map_err(|e| error(Code::InvalidMessage, &format!("expected {{\"type\":\"subscribe\",\"id\":\"…\"}}: {e}"), None))
}

impl Connection {
    async fn run(mut self, socket: WebSocket) {
        let (mut sink, mut stream) = socket.split();
        // Subscribe to the bus before reading any state, so nothing falls in between.
        let mut events = self.state.bus.subscribe();
        let interval = self.state.config.ws_ping_interval;
        let mut ping = tokio::time::interval_at(Instant::now() + interval, interval);
        let mut last_seen = Instant::now();
        let mut shutdown = self.state.shutdown.clone();
        loop {
            let outgoing: Vec<Value> = tokio::select! {
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(text))) => { last_seen = Instant::now(); self.on_message(&text).await }
                    Some(Ok(Message::Pong(_) | Message::Ping(_))) => { last_seen = Instant::now(); vec![] }
                    Some(Ok(Message::Binary(_))) => vec![error(Code::InvalidMessage, "send JSON text messages", None)],
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                },
                event = events.recv() => match event {
                    Ok(event) if event.user == self.user && self.subscribed.contains(&event.submission) => {
                        if event.message.get("type").and_then(Value::as_str) == Some("done") {
                            // The learner's next read of their profile must see this result.
                            self.state.cache.invalidate(&crate::cache::profile_key(&self.user)).await;
                        }
                        self.on_event(&event.submission, event.message)
                    }
                    Ok(event) if event.is_gap() => self.resync("the event bus reconnected").await,
                    Ok(_) => vec![],
                    Err(RecvError::Lagged(missed)) => self.resync(&format!("fell {missed} events behind the bus")).await,
                    Err(RecvError::Closed) => break,
                },
                _ = shutdown.changed() => {
                    let frame = axum::extract::ws::CloseFrame { code: 1001, reason: "the server is restarting; reconnect and subscribe again".into() };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    return;
                }
                _ = ping.tick() => {
                    if last_seen.elapsed() > interval * 3 {
                        tracing::debug!(user = %self.user, "socket silent, closing");
                        break;
                    }
                    if sink.send(Message::Ping(Default::default())).await.is_err() { break; }
                    vec![]
                }
            };
            for message in outgoing {
                if sink.send(Message::Text(message.to_string().into())).await.is_err() {
                    return;
                }
            }
        }
        let _ = sink.close().await;
    }

    async fn on_message(&mut self, text: &str) -> Vec<Value> {
        let message = match parse_message(text) {
            Ok(m) => m,
            Err(answer) => return vec![answer],
        };
        match message {
            ClientMessage::Subscribe { id } => {
                if !self.subscribed.contains(&id) && self.subscribed.len() >= MAX_SUBSCRIPTIONS {
                    return vec![error(Code::TooManySubscriptions, &format!("at most {MAX_SUBSCRIPTIONS} per connection"), Some(&id))];
                }
                match own(&self.state, &self.user, &id).await {
                    Ok(_) => {
                        self.subscribed.insert(id.clone());
                        self.finished.remove(&id);
                        self.current_state(&id).await
                    }
                    Err(ApiError::NotFound { .. }) => vec![error(Code::NotFound, "submission not found", Some(&id))],
                    Err(e) => vec![subscribe_failed(&e, &id)],
                }
            }
            ClientMessage::Unsubscribe { id } => {
                self.subscribed.remove(&id);
                self.finished.remove(&id);
                vec![]
            }
        }
    }

    /// Events may have been missed: re-read every unfinished submission this socket watches.
    async fn resync(&mut self, why: &str) -> Vec<Value> {
        tracing::debug!(user = %self.user, "re-reading state: {why}");
        let ids: Vec<String> = self.subscribed.difference(&self.finished).cloned().collect();
        let mut out = vec![];
        for id in ids {
            out.extend(self.current_state(&id).await);
        }
        out
    }

    /// `state` with the whole submission, then the event that stands for where it is.
    async fn current_state(&mut self, id: &str) -> Vec<Value> {
        let Ok(submission) = own(&self.state, &self.user, id).await else {
            return vec![error(Code::NotFound, "submission not found", Some(id))];
        };
        let view = view_of(&self.state, &submission).await;
        let mut out = vec![json!({ "type": "state", "id": id, "submission": view })];
        let event = match (&submission.status, &submission.report) {
            (SubmissionStatus::Done, Some(report)) => {
                self.finished.insert(id.to_string());
                SubmissionEvent::Done { id: id.to_string(), result: report.clone() }
            }
            (SubmissionStatus::Running, _) => SubmissionEvent::Running { id: id.to_string() },
            _ => SubmissionEvent::Queued { id: id.to_string(), position: view.position },
        };
        out.push(event.to_json());
        out
    }

    fn on_event(&mut self, id: &str, message: Value) -> Vec<Value> {
        if self.finished.contains(id) {
            return vec![];
        }
        if message.get("type").and_then(Value::as_str) == Some("done") {
            self.finished.insert(id.to_string());
        }
        vec![message]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subscription_during_a_database_outage_says_so_and_other_failures_are_internal() {
        let outage = subscribe_failed(&ApiError::DatabaseUnavailable, "s1");
        assert_eq!((outage["type"].as_str(), outage["code"].as_str(), outage["id"].as_str()), (Some("error"), Some("database_unavailable"), Some("s1")));
        let other = subscribe_failed(&ApiError::internal(anyhow::anyhow!("boom")), "s1");
        assert_eq!(other["code"], "internal");
        assert!(!other["message"].as_str().unwrap().contains("boom"), "details stay in the log");
    }
}
