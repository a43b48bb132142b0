//! A thin Chrome DevTools Protocol client: one pipe each way to the browser, commands with
//! or without a session, replies matched by id, and the few events the judge listens for.
//!
//! chromiumoxide's protocol types (`chromiumoxide_cdp`) describe the commands; its page
//! layer (the `chromiumoxide` crate) is not used, because it enables the Page, Runtime, Network, Log and Performance domains on every page and so
//! streams an event for every document, request, console call and execution context. The
//! judge's hot path needs none of them (docs/judge.md, "A small CDP conversation").

use chromiumoxide_types::Command;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::unix::pipe;
use tokio::sync::{Notify, mpsc, oneshot};

#[derive(Debug, thiserror::Error)]
pub enum CdpError {
    #[error("the connection to the browser is closed")]
    Closed,
    #[error("{method}: {message}")]
    Protocol { method: String, message: String },
    #[error("{method}: cannot read the reply: {error}")]
    Reply { method: String, error: serde_json::Error },
}

/// What happened to a session's target, as its events tell.
#[derive(Default)]
pub struct SessionEvents {
    /// The target's renderer crashed (Inspector.targetCrashed).
    pub crashed: AtomicBool,
    /// The session ended (the target closed, or the browser connection did).
    pub detached: AtomicBool,
    pub changed: Notify,
}

type Pending = oneshot::Sender<Result<Value, String>>;

#[derive(Default)]
struct Routes {
    pending: HashMap<u64, (String, Pending)>,
    sessions: HashMap<String, Arc<SessionEvents>>,
    closed: bool,
}

/// One connection to one browser; cheap to share behind an `Arc`.
pub struct Connection {
    outgoing: mpsc::UnboundedSender<String>,
    routes: Arc<Mutex<Routes>>,
    next_id: AtomicU64,
    closed: Arc<AtomicBool>,
    /// Messages received (replies and events), for benchmarks.
    received: Arc<AtomicU64>,
    tasks: [tokio::task::JoinHandle<()>; 2],
}

impl Drop for Connection {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Connection {
    /// Talks to a browser started with `--remote-debugging-pipe`: commands go down `to_browser`
    /// (its file descriptor 3), replies and events come up `from_browser` (its 4), each
    /// message a JSON text ended by a NUL byte. No socket: nothing else can drive the browser.
    pub fn over_pipe(to_browser: pipe::Sender, from_browser: pipe::Receiver) -> Connection {
        let (outgoing, mut queue) = mpsc::unbounded_channel::<String>();
        let routes = Arc::new(Mutex::new(Routes::default()));
        let closed = Arc::new(AtomicBool::new(false));
        let received = Arc::new(AtomicU64::new(0));
        let writer = tokio::spawn(async move {
            let mut sink = BufWriter::new(to_browser);
            while let Some(message) = queue.recv().await {
                let mut sent = sink.write_all(message.as_bytes()).await.and(sink.write_all(b"\0").await);
                // Several commands queued at once go out in one write.
                if sent.is_ok() && queue.is_empty() {
                    sent = sink.flush().await;
                }
                if sent.is_err() {
                    break;
                }
            }
        });
        let reader = {
            let routes = routes.clone();
            let closed = closed.clone();
            let received = received.clone();
            tokio::spawn(async move {
                let mut stream = BufReader::new(from_browser);
                let mut message = Vec::new();
                while matches!(stream.read_until(0, &mut message).await, Ok(n) if n > 0) {
                    if message.pop() == Some(0) {
                        received.fetch_add(1, Ordering::Relaxed);
                        dispatch(&routes, &String::from_utf8_lossy(&message));
                    }
                    message.clear();
                }
                closed.store(true, Ordering::SeqCst);
                let mut r = routes.lock().unwrap_or_else(|e| e.into_inner());
                r.closed = true;
                for (_, (_, reply)) in r.pending.drain() {
                    let _ = reply.send(Err("the connection to the browser closed".into()));
                }
                for events in r.sessions.values() {
                    events.detached.store(true, Ordering::SeqCst);
                    events.changed.notify_waiters();
                }
            })
        };
        Connection { outgoing, routes, next_id: AtomicU64::new(1), closed, received, tasks: [writer, reader] }
    }

    /// Messages exchanged so far: commands sent, and replies and events received.
    pub fn messages(&self) -> u64 {
        self.next_id.load(Ordering::Relaxed) - 1 + self.received.load(Ordering::Relaxed)
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Sends a command (to the browser, or to the target of `session`) and waits for its reply.
    /// The caller bounds the wait: a renderer busy in an endless loop never answers.
    pub async fn call<C: Command>(&self, session: Option<&str>, command: C) -> Result<C::Response, CdpError> {
        let method = command.identifier().to_string();
        let params = serde_json::to_value(&command).map_err(|error| CdpError::Reply { method: method.clone(), error })?;
        let value = self.call_raw(session, &method, params).await?;
        C::response_from_value(value).map_err(|error| CdpError::Reply { method, error })
    }

    pub async fn call_raw(&self, session: Option<&str>, method: &str, params: Value) -> Result<Value, CdpError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        {
            let mut r = self.routes.lock().unwrap_or_else(|e| e.into_inner());
            if r.closed {
                return Err(CdpError::Closed);
            }
            r.pending.insert(id, (method.to_string(), tx));
        }
        tracing::trace!(id, method, session, "cdp call");
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = Value::String(session.to_string());
        }
        // Dropped unanswered (the caller's deadline passed): the reply is forgotten.
        let guard = Forget { routes: &self.routes, id };
        if self.outgoing.send(message.to_string()).is_err() {
            return Err(CdpError::Closed);
        }
        let reply = rx.await.map_err(|_| CdpError::Closed)?;
        drop(guard);
        reply.map_err(|message| CdpError::Protocol { method: method.to_string(), message })
    }

    /// Starts following a session's events (until [`Connection::forget_session`]).
    pub fn watch_session(&self, session: &str) -> Arc<SessionEvents> {
        let events = Arc::new(SessionEvents::default());
        let mut r = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        if r.closed {
            events.detached.store(true, Ordering::SeqCst);
        }
        r.sessions.insert(session.to_string(), events.clone());
        events
    }

    pub fn forget_session(&self, session: &str) {
        self.routes.lock().unwrap_or_else(|e| e.into_inner()).sessions.remove(session);
    }
}

struct Forget<'a> {
    routes: &'a Mutex<Routes>,
    id: u64,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.routes.lock().unwrap_or_else(|e| e.into_inner()).pending.remove(&self.id);
    }
}

fn dispatch(routes: &Mutex<Routes>, text: &str) {
    let Ok(message) = serde_json::from_str::<Value>(text) else {
        tracing::debug!("unreadable CDP message: {}", reactlab_core::report::truncate(text, 200));
        return;
    };
    tracing::trace!("cdp: {}", reactlab_core::report::truncate(text, 300));
    let mut r = routes.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(id) = message.get("id").and_then(Value::as_u64) {
        if let Some((_, reply)) = r.pending.remove(&id) {
            let outcome = match message.get("error") {
                Some(error) => Err(error.get("message").and_then(Value::as_str).unwrap_or("unknown error").to_string()),
                None => Ok(message.get("result").cloned().unwrap_or(Value::Null)),
            };
            let _ = reply.send(outcome);
        }
        return;
    }
    let method = message.get("method").and_then(Value::as_str).unwrap_or_default();
    let session = match method {
        // The browser session says which of its sessions ended.
        "Target.detachedFromTarget" => message.pointer("/params/sessionId").and_then(Value::as_str),
        _ => message.get("sessionId").and_then(Value::as_str),
    };
    let Some(events) = session.and_then(|s| r.sessions.get(s)) else { return };
    match method {
        "Inspector.targetCrashed" => events.crashed.store(true, Ordering::SeqCst),
        "Target.detachedFromTarget" | "Inspector.detached" => events.detached.store(true, Ordering::SeqCst),
        _ => return,
    }
    events.changed.notify_waiters();
    if method == "Target.detachedFromTarget" {
        let session = session.unwrap_or_default().to_string();
        r.sessions.remove(&session);
    }
}
