//! One warm page in its own browser context, reused across tests: every test navigates it
//! to a fresh, never-reused origin (`http://t<n>-<random>.judge.test/`), so storage starts
//! empty, and cookies are cleared before each test. A listener task serves the page's
//! requests from memory, fails every other request, and records what the page does.

use crate::error::JudgeError;
use crate::harness::{self, REPORT_BINDING, WORLD_JS, WORLD_NAME};
use crate::vendor::VendorBuild;
use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::browser::BrowserContextId;
use chromiumoxide::cdp::browser_protocol::emulation::{SetDeviceMetricsOverrideParams, SetFocusEmulationEnabledParams};
use chromiumoxide::cdp::browser_protocol::fetch::{self, ContinueRequestParams, EventRequestPaused, FailRequestParams, FulfillRequestParams, HeaderEntry};
use chromiumoxide::cdp::browser_protocol::inspector::EventTargetCrashed;
use chromiumoxide::cdp::browser_protocol::network::{ErrorReason, ResourceType};
use chromiumoxide::cdp::browser_protocol::page::{AddScriptToEvaluateOnNewDocumentParams, DialogType, EventJavascriptDialogOpening, HandleJavaScriptDialogParams};
use chromiumoxide::cdp::browser_protocol::target::{CreateTargetParams, TargetId};
use chromiumoxide::cdp::js_protocol::runtime::{
    AddBindingParams, ConsoleApiCalledType, EventBindingCalled, EventConsoleApiCalled, EventExceptionThrown, EventExecutionContextCreated,
    ExecutionContextId, RemoteObject,
};
use futures::StreamExt;
use reactlab_core::report::{MAX_CONSOLE_ENTRIES, MAX_CONSOLE_TEXT, truncate};
use reactlab_core::{ConsoleEntry, ConsoleKind, Mock};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

pub const VIEWPORT: (i64, i64) = (1280, 720);

/// What the page serves during one test.
pub struct Site {
    pub host: String,
    /// The secret of the page clock, in tests that move time.
    pub clock: Option<String>,
    pub html_b64: String,
    pub app_b64: String,
    pub vendor: &'static VendorBuild,
    pub mocks: Vec<Mock>,
}

/// How the mount went, as the boot module reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mount {
    Mounted,
    Failed(String),
}

/// What the page did; shared between the listener task and the test runner.
#[derive(Default)]
pub struct PageState {
    pub site: Option<Arc<Site>>,
    mock_uses: Vec<u32>,
    /// The next main-frame document request is ours (a navigation or reload we started).
    pub expect_document: bool,
    pub mount: Option<Mount>,
    pub world: Option<ExecutionContextId>,
    main_world: Option<ExecutionContextId>,
    pub console: Vec<ConsoleEntry>,
    /// Uncaught exceptions in the current test.
    pub exceptions: u32,
    /// Why the page is no longer the harness (it tried to navigate away, …).
    pub violation: Option<String>,
    pub crashed: bool,
    pub closed: bool,
    /// The last clock advance the page finished (its sequence number).
    pub clock_done: u64,
    pub test_name: Option<String>,
}

impl PageState {
    /// A clean slate for one test on `site`: the next document request is ours.
    pub fn for_test(site: Arc<Site>, test_name: &str) -> Self {
        PageState { site: Some(site), expect_document: true, test_name: Some(test_name.to_string()), ..PageState::default() }
    }

    fn push_console(&mut self, kind: ConsoleKind, text: String) {
        if self.console.len() < MAX_CONSOLE_ENTRIES {
            self.console.push(ConsoleEntry { kind, text: truncate(&text, MAX_CONSOLE_TEXT), test: self.test_name.clone() });
        }
    }

}

pub struct Shared {
    pub state: Mutex<PageState>,
    pub notify: Notify,
}

impl Shared {
    pub fn with<R>(&self, f: impl FnOnce(&mut PageState) -> R) -> R {
        let r = f(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()));
        self.notify.notify_waiters();
        r
    }
}

pub struct Tab {
    pub page: Page,
    pub context: BrowserContextId,
    pub target: TargetId,
    pub shared: Arc<Shared>,
    listener: tokio::task::JoinHandle<()>,
    /// Tests run in this tab so far.
    pub uses: u32,
}

impl Drop for Tab {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

static ORIGINS: AtomicU64 = AtomicU64::new(0);

/// A host name no earlier test used: a counter plus randomness (so two judge processes
/// sharing a browser profile could not collide either).
pub fn fresh_host() -> String {
    let n = ORIGINS.fetch_add(1, Ordering::Relaxed);
    format!("t{n}-{:08x}.{}", rand::random::<u32>(), harness::SITE)
}

impl Tab {
    /// Opens a new context and page and prepares it: the judge's world, the report binding,
    /// request interception, a fixed viewport, and focus emulation (so a page that is not in
    /// front is never throttled).
    pub async fn open(browser: &chromiumoxide::Browser) -> Result<Tab, JudgeError> {
        let err = |what: &str, e: chromiumoxide::error::CdpError| JudgeError::Browser(format!("{what}: {e}"));
        let context = browser
            .create_browser_context(Default::default())
            .await
            .map_err(|e| err("create a browser context", e))?;
        let params = CreateTargetParams::builder()
            .url("about:blank")
            .browser_context_id(context.clone())
            .build()
            .map_err(JudgeError::Browser)?;
        let page = browser.new_page(params).await.map_err(|e| err("open a page", e))?;
        let target = page.target_id().clone();
        let shared = Arc::new(Shared { state: Mutex::new(PageState::default()), notify: Notify::new() });

        // Listeners first, so no event of the first navigation is missed.
        let listener = tokio::spawn(listen(page.clone(), target.clone(), shared.clone(), Listeners::new(&page).await.map_err(|e| err("listen", e))?));

        let setup = async {
            page.execute(AddScriptToEvaluateOnNewDocumentParams { source: WORLD_JS.into(), world_name: Some(WORLD_NAME.into()), include_command_line_api: None, run_immediately: None }).await?;
            page.execute(AddBindingParams { name: REPORT_BINDING.into(), execution_context_name: None }).await?;
            page.execute(SetDeviceMetricsOverrideParams::new(VIEWPORT.0, VIEWPORT.1, 1.0, false)).await?;
            page.execute(SetFocusEmulationEnabledParams::new(true)).await?;
            // chromiumoxide turns these on for its own bookkeeping; the judge needs neither.
            // (Network stays: request interception depends on it here.)
            page.execute(chromiumoxide::cdp::browser_protocol::performance::DisableParams::default()).await?;
            page.execute(chromiumoxide::cdp::browser_protocol::log::DisableParams::default()).await?;
            page.execute(fetch::EnableParams { patterns: Some(vec![fetch::RequestPattern { url_pattern: Some("*".into()), resource_type: None, request_stage: None }]), handle_auth_requests: None }).await?;
            Ok::<_, chromiumoxide::error::CdpError>(())
        };
        setup.await.map_err(|e| err("prepare the page", e))?;
        Ok(Tab { page, context, target, shared, listener, uses: 0 })
    }
}

struct Listeners {
    paused: chromiumoxide::listeners::EventStream<EventRequestPaused>,
    contexts: chromiumoxide::listeners::EventStream<EventExecutionContextCreated>,
    bindings: chromiumoxide::listeners::EventStream<EventBindingCalled>,
    console: chromiumoxide::listeners::EventStream<EventConsoleApiCalled>,
    exceptions: chromiumoxide::listeners::EventStream<EventExceptionThrown>,
    dialogs: chromiumoxide::listeners::EventStream<EventJavascriptDialogOpening>,
    crashes: chromiumoxide::listeners::EventStream<EventTargetCrashed>,
}

impl Listeners {
    async fn new(page: &Page) -> chromiumoxide::Result<Self> {
        Ok(Listeners {
            paused: page.event_listener().await?,
            contexts: page.event_listener().await?,
            bindings: page.event_listener().await?,
            console: page.event_listener().await?,
            exceptions: page.event_listener().await?,
            dialogs: page.event_listener().await?,
            crashes: page.event_listener().await?,
        })
    }
}

async fn listen(page: Page, target: TargetId, shared: Arc<Shared>, mut l: Listeners) {
    let frame = target.inner().clone();
    loop {
        tokio::select! {
            Some(ev) = l.paused.next() => on_request(&page, &frame, &shared, &ev),
            Some(ev) = l.contexts.next() => {
                let ctx = &ev.context;
                let aux = ctx.aux_data.as_ref();
                let in_main_frame = aux.and_then(|a| a.get("frameId")).and_then(|f| f.as_str()) == Some(frame.as_str());
                let is_default = aux.and_then(|a| a.get("isDefault")).and_then(|d| d.as_bool()) == Some(true);
                shared.with(|s| {
                    let ours = s.site.as_ref().is_some_and(|site| ctx.origin == format!("http://{}", site.host));
                    if in_main_frame && ours {
                        if ctx.name == WORLD_NAME { s.world = Some(ctx.id); }
                        if is_default { s.main_world = Some(ctx.id); }
                    }
                });
            }
            Some(ev) = l.bindings.next() => {
                if ev.name != REPORT_BINDING { continue; }
                let Ok(msg) = serde_json::from_str::<serde_json::Value>(&ev.payload) else { continue };
                let text = msg.get("message").and_then(|m| m.as_str()).unwrap_or_default().to_string();
                shared.with(|s| {
                    // Only the harness in the main world of this test's document may report.
                    if s.main_world != Some(ev.execution_context_id) { return; }
                    match msg.get("type").and_then(|t| t.as_str()) {
                        Some("mounted") => s.mount = Some(Mount::Mounted),
                        Some("mount-error") => { s.push_console(ConsoleKind::Exception, text.clone()); s.mount = Some(Mount::Failed(text)); }
                        Some("uncaught") => { s.exceptions += 1; s.push_console(ConsoleKind::Exception, text); }
                        Some("clock") => s.clock_done = msg.get("seq").and_then(|n| n.as_u64()).unwrap_or(0),
                        _ => {}
                    }
                });
            }
            Some(ev) = l.console.next() => {
                let kind = match ev.r#type {
                    ConsoleApiCalledType::Error | ConsoleApiCalledType::Assert => ConsoleKind::Error,
                    ConsoleApiCalledType::Warning => ConsoleKind::Warning,
                    _ => continue,
                };
                // React's own warnings come from its code in /vendor/.
                let from_react = ev.stack_trace.as_ref().and_then(|st| st.call_frames.first()).is_some_and(|f| f.url.contains("/vendor/"));
                let kind = if from_react { ConsoleKind::ReactWarning } else { kind };
                let text = console_text(&ev.args);
                shared.with(|s| if s.main_world == Some(ev.execution_context_id) { s.push_console(kind, text) });
            }
            Some(ev) = l.exceptions.next() => {
                let d = &ev.exception_details;
                let text = d.exception.as_ref().and_then(|e| e.description.clone()).unwrap_or_else(|| d.text.clone());
                shared.with(|s| {
                    if d.execution_context_id.is_none_or(|id| s.main_world == Some(id)) {
                        s.exceptions += 1;
                        s.push_console(ConsoleKind::Exception, format!("Uncaught {text}"));
                    }
                });
            }
            Some(ev) = l.dialogs.next() => {
                // alert/confirm/prompt are dismissed; leaving the page (our navigation) is allowed.
                let accept = ev.r#type == DialogType::Beforeunload;
                let page = page.clone();
                tokio::spawn(async move { let _ = page.execute(HandleJavaScriptDialogParams::new(accept)).await; });
                if !accept {
                    let kind = format!("{:?}", ev.r#type).to_lowercase();
                    shared.with(|s| s.push_console(ConsoleKind::Warning, format!("{kind}(“{}”) was dismissed: the judge answers dialogs with Cancel", ev.message)));
                }
            }
            Some(_) = l.crashes.next() => shared.with(|s| s.crashed = true),
            else => break,
        }
    }
    // The page is gone (closed or its browser died).
    shared.with(|s| s.closed = true);
}

/// The text of a console call, its format string filled in as the browser's console does
/// (`%s`, `%d`, `%i`, `%f`, `%o`, `%O`; `%c` styles are dropped).
fn console_text(args: &[RemoteObject]) -> String {
    let show = |a: &RemoteObject| match &a.value {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => a.description.clone().unwrap_or_default(),
    };
    let mut rest = args.iter();
    let Some(first) = rest.next() else { return String::new() };
    let mut out = String::new();
    match &first.value {
        Some(serde_json::Value::String(format)) => {
            let mut chars = format.chars().peekable();
            while let Some(c) = chars.next() {
                match (c, chars.peek().copied()) {
                    ('%', Some(spec @ ('s' | 'd' | 'i' | 'f' | 'o' | 'O' | 'c'))) => {
                        chars.next();
                        let arg = rest.next();
                        if spec != 'c' {
                            out.push_str(&arg.map(show).unwrap_or_default());
                        }
                    }
                    ('%', Some('%')) => {
                        chars.next();
                        out.push('%');
                    }
                    _ => out.push(c),
                }
            }
        }
        _ => out.push_str(&show(first)),
    }
    for a in rest {
        out.push(' ');
        out.push_str(&show(a));
    }
    out
}

/// What to answer one request with.
enum Answer {
    File { body_b64: String, mime: &'static str, csp: bool },
    /// Let it go to the network (the runtime's server, through the HTTP cache).
    Continue,
    Mock { status: u16, body_b64: String, mime: &'static str, delay: Duration },
    Fail,
    /// For navigations: cancelled, so the page stays as it was (a failed navigation would
    /// commit an error page in its place).
    Abort,
}

fn on_request(page: &Page, frame: &str, shared: &Shared, ev: &EventRequestPaused) {
    let url = ev.request.url.clone();
    let method = ev.request.method.clone();
    let is_document = ev.resource_type == ResourceType::Document;
    let main_frame = ev.frame_id.inner() == frame;
    tracing::debug!(%url, ?ev.resource_type, main_frame, "request");
    let answer = shared.with(|s| {
        let Some(site) = s.site.clone() else { return Answer::Fail };
        let (host, path) = split_url(&url).unwrap_or(("", ""));
        if host == harness::VENDOR_HOST && !is_document && method == "GET" {
            // Not in the context's cache yet: on to the runtime's server, whose answer the
            // cache keeps. Only the pinned files; anything else there fails.
            let known = path.strip_prefix(&format!("/vendor/{}/", site.vendor.mode)).is_some_and(|file| site.vendor.file(file).is_some());
            return if known { Answer::Continue } else { Answer::Fail };
        }
        if host != site.host {
            if is_document && main_frame && s.violation.is_none() {
                s.violation = Some(format!("the page tried to leave the test page for {url}"));
            }
            return if is_document { Answer::Abort } else { Answer::Fail };
        }
        if is_document {
            if main_frame && s.expect_document && path == "/" {
                s.expect_document = false;
                return Answer::File { body_b64: site.html_b64.clone(), mime: "text/html; charset=utf-8", csp: true };
            }
            if main_frame && s.violation.is_none() {
                let hint = if method != "GET" || path.contains('?') { " (a form was submitted without event.preventDefault()?)" } else { "" };
                s.violation = Some(format!("the page tried to navigate to {url}{hint}"));
            }
            return Answer::Abort;
        }
        match path {
            "/__reactlab/boot.js" => return Answer::File { body_b64: harness::b64(harness::BOOT_JS), mime: "text/javascript", csp: false },
            "/__reactlab/app.js" => return Answer::File { body_b64: site.app_b64.clone(), mime: "text/javascript", csp: false },
            _ => {}
        }
        let path_only = path.split(['?', '#']).next().unwrap_or(path);
        if s.mock_uses.len() != site.mocks.len() {
            s.mock_uses = vec![0; site.mocks.len()];
        }
        for (i, mock) in site.mocks.iter().enumerate() {
            if mock.path == path_only && mock.method.eq_ignore_ascii_case(&method) && mock.times.is_none_or(|t| s.mock_uses[i] < t) {
                s.mock_uses[i] += 1;
                let (body, mime) = match (&mock.json, &mock.body) {
                    (Some(json), _) => (json.to_string(), "application/json"),
                    (None, Some(text)) => (text.clone(), "text/plain; charset=utf-8"),
                    (None, None) => (String::new(), "text/plain; charset=utf-8"),
                };
                return Answer::Mock { status: mock.status, body_b64: harness::b64(&body), mime, delay: Duration::from_millis(mock.delay_ms) };
            }
        }
        if path_only != "/favicon.ico" {
            s.push_console(ConsoleKind::Warning, format!("The judge blocked a request the test does not serve: {method} {path}"));
        }
        Answer::Fail
    });
    let page = page.clone();
    let id = ev.request_id.clone();
    tokio::spawn(async move {
        let headers = |mime: &str, csp: bool| {
            let mut h = vec![HeaderEntry::new("Content-Type", mime), HeaderEntry::new("Cache-Control", "no-store")];
            if csp {
                h.push(HeaderEntry::new("Content-Security-Policy", harness::CSP));
            }
            h
        };
        let fulfill = |status: u16, body: String, mime: &str, csp: bool| FulfillRequestParams {
            request_id: id.clone(),
            response_code: status as i64,
            response_headers: Some(headers(mime, csp)),
            binary_response_headers: None,
            body: Some(body.into()),
            response_phrase: None,
        };
        let _ = match answer {
            Answer::File { body_b64, mime, csp } => page.execute(fulfill(200, body_b64, mime, csp)).await.map(|_| ()),
            Answer::Continue => page.execute(ContinueRequestParams::new(id.clone())).await.map(|_| ()),
            Answer::Mock { status, body_b64, mime, delay } => {
                tokio::time::sleep(delay).await;
                page.execute(fulfill(status, body_b64, mime, false)).await.map(|_| ())
            }
            Answer::Fail => page.execute(FailRequestParams::new(id.clone(), ErrorReason::BlockedByClient)).await.map(|_| ()),
            Answer::Abort => page.execute(FailRequestParams::new(id.clone(), ErrorReason::Aborted)).await.map(|_| ()),
        };
    });
}

/// `http://host/path?q` → (host, "/path?q").
fn split_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("http://")?;
    let slash = rest.find('/').unwrap_or(rest.len());
    let host = &rest[..slash];
    let path = if slash == rest.len() { "/" } else { &rest[slash..] };
    Some((host, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls() {
        assert_eq!(split_url("http://a.judge.test/x/y?z=1"), Some(("a.judge.test", "/x/y?z=1")));
        assert_eq!(split_url("http://a.judge.test"), Some(("a.judge.test", "/")));
        assert_eq!(split_url("https://a.judge.test/"), None);
        assert_eq!(split_url("ws://a.judge.test/"), None);
    }

    fn arg(v: serde_json::Value) -> RemoteObject {
        let mut o: RemoteObject = serde_json::from_value(serde_json::json!({"type": "string"})).unwrap();
        o.value = Some(v);
        o
    }

    #[test]
    fn console_text_fills_in_the_format() {
        let args = [arg("Each child needs a %s prop.%s%s".into()), arg("key".into()), arg("".into()), arg(" See App.".into())];
        assert_eq!(console_text(&args), "Each child needs a key prop. See App.");
        let args = [arg("%c styled %d%%".into()), arg("color: red".into()), arg(5.into()), arg("extra".into())];
        assert_eq!(console_text(&args), " styled 5% extra");
        assert_eq!(console_text(&[arg(42.into()), arg("x".into())]), "42 x");
    }

    #[test]
    fn hosts_are_never_reused() {
        let a = fresh_host();
        let b = fresh_host();
        assert_ne!(a, b);
        assert!(a.ends_with(".judge.test"));
    }
}
