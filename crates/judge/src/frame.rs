//! One submission's frame in a warm host page: a new realm at an origin no submission had,
//! with the judge's isolated world in it. Its tests share it; the frame's harness undoes
//! what each test leaves behind before the next one mounts (harness/frame.js).
//!
//! Every call is bounded by the caller's deadline: a renderer busy in an endless loop
//! answers nothing, and that ends as a time limit, never as a stuck judge.

use crate::cdp::CdpError;
use crate::error::JudgeError;
use crate::harness::{WORLD_JS, WORLD_NAME};
use crate::host::{HostPage, evaluated};
use crate::site::{Registered, Site, Sites};
use chromiumoxide_cdp::cdp::browser_protocol::page::CreateIsolatedWorldParams;
use chromiumoxide_types::Command;
use reactlab_core::ConsoleEntry;
use reactlab_core::ConsoleKind;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::time::{Instant, timeout_at};

/// How a test ended, when it did not pass.
#[derive(Debug)]
pub enum Stop {
    /// A step's expectation was not met, or its action was impossible: the learner's answer.
    Fail(String),
    /// The component threw while mounting.
    MountFailed(String),
    /// The page stopped answering before the test's deadline (an endless loop, …).
    Timeout,
    /// The renderer crashed (out of memory, …).
    Crash,
    /// The page left the harness (navigated away, replaced its document).
    Left(String),
    /// The judge's own fault.
    Judge(JudgeError),
}

/// What the page logged during a test, as its harness collected it.
#[derive(Default)]
pub struct Logged {
    pub console: Vec<ConsoleEntry>,
    pub exceptions: u32,
    /// Why the frame is no longer the harness, if it is not (seen when the log was taken).
    pub left: Option<String>,
}

/// A look at the page's log (`Frame::drain`): during a test, or once it is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    Drain,
    /// The test is over and another may follow in this frame: undo what it left.
    Finish,
    /// The frame's last test is over: the frame closes, nothing to undo.
    FinishLast,
}

pub struct Frame {
    pub host: Arc<HostPage>,
    registered: Registered,
    /// The judge's isolated world in the frame's current document.
    world: i64,
    /// Documents the frame has loaded (1, then one more per reload).
    documents: u32,
}

impl Frame {
    /// Opens a fresh frame for `site` in `host` and readies the judge's world in it.
    pub async fn open(host: Arc<HostPage>, sites: &Arc<Sites>, site: Site, deadline: Instant) -> Result<Frame, Stop> {
        let registered = sites.register(Arc::new(site));
        let mut frame = Frame { host, registered, world: 0, documents: 1 };
        // Cookies set for the whole site (`domain=judge.test`) would reach the next
        // submission's origin: the host page's context starts each submission without any.
        frame.call_raw("Network.clearBrowserCookies", json!({}), deadline).await?;
        frame.site().expect_document();
        let open = format!("__open({}, {})", json!(frame.site().url()), json!(frame.site().secret));
        frame.host_eval(&open, deadline).await?;
        frame.attach_world(deadline).await?;
        Ok(frame)
    }

    pub fn site(&self) -> &Site {
        &self.registered.site
    }

    /// Reloads the frame's document (storage stays, as in a browser) and readies the
    /// judge's world in the new one.
    pub async fn reload(&mut self, deadline: Instant) -> Result<(), Stop> {
        self.site().expect_document();
        self.documents += 1;
        let params = json!({ "expression": "location.reload(), true", "contextId": self.world, "returnByValue": true });
        self.call_raw("Runtime.evaluate", params, deadline).await?;
        self.host_eval(&format!("__ready({})", self.documents), deadline).await?;
        self.attach_world(deadline).await
    }

    /// Reloads as a new tab of the same browser would open the page: session storage
    /// belongs to the tab, so it starts empty. Emptied once the old document has unloaded
    /// (its pagehide may still write) and before anything of the learner's runs again.
    pub async fn reopen(&mut self, deadline: Instant) -> Result<(), Stop> {
        self.reload(deadline).await?;
        let params = json!({ "expression": "sessionStorage.clear(), true", "contextId": self.world, "returnByValue": true });
        self.call_raw("Runtime.evaluate", params, deadline).await.map(drop)
    }

    async fn attach_world(&mut self, deadline: Instant) -> Result<(), Stop> {
        let tree = self.call_raw("Page.getFrameTree", json!({}), deadline).await?;
        let frame_id = tree
            .pointer("/frameTree/childFrames/0/frame/id")
            .and_then(Value::as_str)
            .ok_or_else(|| Stop::Judge(JudgeError::Harness("the host page holds no frame".into())))?
            .to_string();
        let mut params = CreateIsolatedWorldParams::new(frame_id);
        params.world_name = Some(WORLD_NAME.into());
        self.world = *self.cdp(params, deadline).await?.execution_context_id.inner();
        // The same function text every time (V8 compiles it once), the secret as its argument.
        let init = json!({
            "functionDeclaration": WORLD_JS,
            "executionContextId": self.world,
            "arguments": [{ "value": self.site().secret }],
            "returnByValue": true,
        });
        let reply = self.call_raw("Runtime.callFunctionOn", init, deadline).await?;
        evaluated(reply).map_err(|e| Stop::Judge(JudgeError::Harness(e.to_string())))?;
        Ok(())
    }

    /// Why the frame is no longer the test's, if it is not.
    pub fn broken(&self) -> Option<Stop> {
        let events = &self.host.events;
        if events.crashed.load(Ordering::SeqCst) {
            Some(Stop::Crash)
        } else if events.detached.load(Ordering::SeqCst) {
            Some(Stop::Left("the page closed".into()))
        } else {
            self.site().violation().map(Stop::Left)
        }
    }

    /// One typed CDP command to the host page, bounded by `deadline`.
    pub async fn cdp<C: Command>(&self, command: C, deadline: Instant) -> Result<C::Response, Stop> {
        match timeout_at(deadline, self.host.conn.call(Some(&self.host.session), command)).await {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => Err(self.explain(e, deadline).await),
            Err(_) => Err(self.broken().unwrap_or(Stop::Timeout)),
        }
    }

    async fn call_raw(&self, method: &str, params: Value, deadline: Instant) -> Result<Value, Stop> {
        match timeout_at(deadline, self.host.conn.call_raw(Some(&self.host.session), method, params)).await {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => Err(self.explain(e, deadline).await),
            Err(_) => Err(self.broken().unwrap_or(Stop::Timeout)),
        }
    }

    async fn host_eval(&self, expression: &str, deadline: Instant) -> Result<Value, Stop> {
        let params = json!({ "expression": expression, "awaitPromise": true, "returnByValue": true });
        let reply = self.call_raw("Runtime.evaluate", params, deadline).await?;
        evaluated(reply).map_err(|e| Stop::Judge(JudgeError::Harness(e.to_string())))
    }

    /// A command failed: the page may have done something (crashed, closed) whose event
    /// has not arrived yet. Give it a moment before blaming the judge.
    async fn explain(&self, error: CdpError, deadline: Instant) -> Stop {
        // The judge's world went with its document: the frame navigated somewhere the judge's
        // server never saw (https, data:, javascript:), where no test can follow.
        if error.to_string().contains("Cannot find context") {
            return Stop::Left("the page navigated away from the test page".into());
        }
        let grace = (Instant::now() + Duration::from_millis(250)).min(deadline);
        loop {
            let changed = self.host.events.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if let Some(stop) = self.broken() {
                return stop;
            }
            if timeout_at(grace, changed).await.is_err() {
                return Stop::Judge(JudgeError::Cdp { doing: "answer the judge", source: error });
            }
        }
    }

    /// Calls `function(...args)` of the judge's world; the frame must still be the harness.
    pub async fn world(&self, function: &str, args: Value, deadline: Instant) -> Result<Value, Stop> {
        let expression = format!("__rl.run({}, {})", json!(function), args);
        let params = json!({ "expression": expression, "contextId": self.world, "awaitPromise": true, "returnByValue": true });
        let reply = self.call_raw("Runtime.evaluate", params, deadline).await?;
        let answer = match evaluated(reply) {
            Ok(answer) => answer,
            Err(e) => return Err(self.explain(e, deadline).await),
        };
        if let Some(problem) = answer.get("health").and_then(Value::as_str) {
            return Err(Stop::Left(problem.to_string()));
        }
        Ok(answer.get("value").cloned().unwrap_or(Value::Null))
    }

    /// Mounts test number `test` on a fresh root (the clock standing still if `clock`).
    pub async fn mount(&self, test: usize, clock: bool, deadline: Instant) -> Result<(), Stop> {
        let outcome = self.world("mount", json!([test, clock]), deadline).await?;
        match outcome["type"].as_str() {
            Some("mounted") => Ok(()),
            Some("mount-error") => Err(Stop::MountFailed(outcome["message"].as_str().unwrap_or_default().to_string())),
            // The page's code broke the harness (it replaced built-ins the harness uses,
            // removed the document's body…): its own doing, and the frame is not reused.
            _ => Err(Stop::Left(format!("the page broke the judge's harness ({outcome})"))),
        }
    }

    /// What the page logged since the last look (attributed to `test`), and the requests
    /// the judge's server refused it. With `Look::Finish`, the test is over: the harness
    /// then undoes what it left behind, before the next test's mocks are set; after the
    /// frame's last test there is no next one to protect.
    pub async fn drain(&self, test: &str, deadline: Instant, look: Look) -> Logged {
        let mut logged = Logged::default();
        let finish = look != Look::Drain;
        let expression = match look {
            Look::Drain => "__rl.run('drain', [])",
            Look::Finish => "__rl.run('finish', [true])",
            Look::FinishLast => "__rl.run('finish', [false])",
        };
        let params = json!({ "expression": expression, "contextId": self.world, "awaitPromise": true, "returnByValue": true });
        // A test that ran to its deadline still has its log read.
        let deadline = deadline.max(Instant::now() + Duration::from_secs(1));
        let drained = match timeout_at(deadline, self.host.conn.call_raw(Some(&self.host.session), "Runtime.evaluate", params)).await {
            Ok(Ok(reply)) => evaluated(reply).unwrap_or_default(),
            _ => Value::Null,
        };
        let value = &drained["value"];
        for entry in value["console"].as_array().into_iter().flatten() {
            let kind = match entry["kind"].as_str() {
                Some("error") => ConsoleKind::Error,
                Some("warning") => ConsoleKind::Warning,
                Some("react_warning") => ConsoleKind::ReactWarning,
                _ => ConsoleKind::Exception,
            };
            logged.console.push(ConsoleEntry { kind, text: entry["text"].as_str().unwrap_or_default().to_string(), test: Some(test.to_string()) });
        }
        logged.exceptions = value["exceptions"].as_u64().unwrap_or(0) as u32;
        let health = if finish { &value["health"] } else { &drained["health"] };
        logged.left = health.as_str().map(String::from);
        for text in self.site().take_blocked() {
            logged.console.push(ConsoleEntry { kind: ConsoleKind::Warning, text, test: Some(test.to_string()) });
        }
        logged
    }
}

impl Frame {
    /// Takes the frame out of its host page and stops serving its origin.
    /// Whether the host page took the frame out in time: one whose page still spins (a
    /// leftover loop, an endless unload handler) is not given to the next submission.
    pub async fn close(self) -> bool {
        let close = format!("__close({})", json!(self.site().secret));
        matches!(tokio::time::timeout(Duration::from_secs(1), self.host.evaluate(&close, false)).await, Ok(Ok(_)))
    }
}
