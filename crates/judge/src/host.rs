//! One warm host page per in-flight slot, in a browser context of its own (so concurrent
//! slots run in different renderer processes: a submission that spins cannot stall
//! another's). Each submission gets a fresh frame in it ([`crate::frame`]); the host page
//! itself is rebuilt after any violation, crash or time-out, and every so many submissions.
//!
//! Its session enables one domain, Inspector, for the one event the judge needs from it
//! (the renderer crashed); nothing else streams.

use crate::cdp::{CdpError, Connection, SessionEvents};
use crate::error::JudgeError;
use crate::harness::HOST_PAGE_HOST;
use chromiumoxide_cdp::cdp::browser_protocol::browser::BrowserContextId;
use chromiumoxide_cdp::cdp::browser_protocol::emulation::{SetDeviceMetricsOverrideParams, SetFocusEmulationEnabledParams};
use chromiumoxide_cdp::cdp::browser_protocol::target::{AttachToTargetParams, CreateBrowserContextParams, CreateTargetParams, DisposeBrowserContextParams};
use chromiumoxide_cdp::cdp::js_protocol::runtime::TerminateExecutionParams;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

pub const VIEWPORT: (i64, i64) = (1280, 720);

pub struct HostPage {
    pub conn: Arc<Connection>,
    context: BrowserContextId,
    pub session: String,
    pub events: Arc<SessionEvents>,
    /// Submissions graded in it so far.
    pub uses: std::sync::atomic::AtomicU32,
}

impl HostPage {
    /// A new context with the host page loaded and ready to hold frames.
    pub async fn open(conn: Arc<Connection>, proxy: &str) -> Result<HostPage, JudgeError> {
        let deadline = Instant::now() + Duration::from_secs(15);
        let err = |doing: &'static str, source: CdpError| JudgeError::Cdp { doing, source };
        let bounded = |doing: &'static str| move |_| JudgeError::NoAnswer { doing, within: Duration::from_secs(15) };
        // Every request through the judge's server, loopback too.
        let create_context =
            CreateBrowserContextParams { proxy_server: Some(proxy.to_string()), proxy_bypass_list: Some("<-loopback>".into()), ..Default::default() };
        let context = tokio::time::timeout_at(deadline, conn.call(None, create_context))
            .await
            .map_err(bounded("create a browser context"))?
            .map_err(|e| err("create a browser context", e))?
            .browser_context_id;
        let opened = async {
            let mut create = CreateTargetParams::new(format!("http://{HOST_PAGE_HOST}/"));
            create.browser_context_id = Some(context.clone());
            let target = conn.call(None, create).await.map_err(|e| err("open the host page", e))?.target_id;
            let mut attach = AttachToTargetParams::new(target);
            attach.flatten = Some(true);
            let session: String = conn.call(None, attach).await.map_err(|e| err("attach to the host page", e))?.session_id.into();
            let events = conn.watch_session(&session);
            let host = HostPage { conn: conn.clone(), context: context.clone(), session, events, uses: Default::default() };
            let s = Some(host.session.as_str());
            conn.call_raw(s, "Inspector.enable", json!({})).await.map_err(|e| err("prepare the host page", e))?;
            conn.call(s, SetDeviceMetricsOverrideParams::new(VIEWPORT.0, VIEWPORT.1, 1.0, false)).await.map_err(|e| err("prepare the host page", e))?;
            // A page that is not in front is never throttled.
            conn.call(s, SetFocusEmulationEnabledParams::new(true)).await.map_err(|e| err("prepare the host page", e))?;
            // The host page loads from the judge's server; wait until its script has run.
            loop {
                let ready = host.evaluate("typeof window.__open === 'function'", false).await.map_err(|e| err("load the host page", e))?;
                if ready == Value::Bool(true) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Ok::<_, JudgeError>(host)
        };
        let failure = match tokio::time::timeout_at(deadline, opened).await {
            Ok(Ok(host)) => return Ok(host),
            Ok(Err(e)) => e,
            Err(_) => JudgeError::NoAnswer { doing: "load the host page", within: Duration::from_secs(15) },
        };
        dispose(conn, context);
        Err(failure)
    }

    /// Evaluates `expression` in the host page's own world and returns its value (awaited,
    /// if it is a promise).
    pub async fn evaluate(&self, expression: &str, await_promise: bool) -> Result<Value, CdpError> {
        let params = json!({ "expression": expression, "awaitPromise": await_promise, "returnByValue": true });
        evaluated(self.conn.call_raw(Some(&self.session), "Runtime.evaluate", params).await?)
    }

    /// Stops whatever script the page runs (an endless loop answers nothing else), then
    /// disposes its context in the background, which ends its renderer. Nobody waits for it.
    pub async fn discard(&self) {
        let stop = self.conn.call(Some(&self.session), TerminateExecutionParams::default());
        let _ = tokio::time::timeout(Duration::from_millis(500), stop).await;
        self.conn.forget_session(&self.session);
        dispose(self.conn.clone(), self.context.clone());
    }
}

fn dispose(conn: Arc<Connection>, context: BrowserContextId) {
    tokio::spawn(async move {
        if tokio::time::timeout(Duration::from_secs(10), conn.call(None, DisposeBrowserContextParams::new(context))).await.is_err() {
            tracing::warn!("disposing a browser context timed out");
        }
    });
}

/// The value of a `Runtime.evaluate` reply, or the exception it threw as an error.
pub fn evaluated(reply: Value) -> Result<Value, CdpError> {
    if let Some(details) = reply.get("exceptionDetails") {
        let what =
            details.pointer("/exception/description").and_then(Value::as_str).or_else(|| details.get("text").and_then(Value::as_str)).unwrap_or("an exception");
        return Err(CdpError::Protocol { method: "Runtime.evaluate".into(), message: what.to_string() });
    }
    Ok(reply.pointer("/result/value").cloned().unwrap_or(Value::Null))
}
