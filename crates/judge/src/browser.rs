//! One Chromium per process: launched on first use, relaunched when it dies, recycled after
//! a number of submissions. Several submissions run at once, each in its own warm tab.

use crate::error::JudgeError;
use crate::harness;
use crate::launch::{self, NetworkWall};
use crate::tab::Tab;
use crate::vendor_server;
use chromiumoxide::browser::Browser;
use chromiumoxide::handler::HandlerConfig;
use futures::StreamExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Mutex as AsyncMutex, OwnedSemaphorePermit, Semaphore};

#[derive(Debug, Clone)]
pub struct BrowserOptions {
    pub chromium: PathBuf,
    /// Submissions graded at once on the browser.
    pub max_in_flight: usize,
    /// Relaunch the browser after this many submissions (bounds memory growth).
    pub recycle_after: u32,
    /// A tab (context + page) is replaced after this many tests.
    pub tab_reuse: u32,
    /// Run the browser in a network namespace of its own (see [`launch`]).
    pub network_wall: NetworkWall,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        BrowserOptions {
            chromium: default_chromium(),
            max_in_flight: std::thread::available_parallelism().map_or(2, |n| n.get()),
            recycle_after: 500,
            tab_reuse: 200,
            network_wall: NetworkWall::Auto,
        }
    }
}

/// `REACTLAB_CHROMIUM`, else Debian's binary (without its shell wrapper), else the wrapper.
pub fn default_chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("REACTLAB_CHROMIUM") {
        return p.into();
    }
    ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| "/usr/bin/chromium".into())
}

/// The flags every judge browser runs with. The closed-network ones keep Chromium from
/// calling home; the rest make pages deterministic and never throttled.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "headless",
    "no-sandbox",
    "disable-setuid-sandbox",
    "disable-gpu",
    "disable-quic",
    "no-first-run",
    "no-default-browser-check",
    "disable-background-networking",
    "disable-component-update",
    "disable-sync",
    "disable-extensions",
    "disable-default-apps",
    "disable-breakpad",
    "disable-crash-reporter",
    "disable-client-side-phishing-detection",
    "disable-domain-reliability",
    "disable-dev-shm-usage",
    "disable-hang-monitor",
    "disable-prompt-on-repost",
    "disable-background-timer-throttling",
    "disable-backgrounding-occluded-windows",
    "disable-renderer-backgrounding",
    "disable-ipc-flooding-protection",
    "block-new-web-contents",
    "metrics-recording-only",
    "mute-audio",
    "hide-scrollbars",
    "password-store=basic",
    "use-mock-keychain",
    "force-color-profile=srgb",
    "lang=en-US",
    // WebRTC is outside the Content-Security-Policy: no UDP (STUN/TURN) at all.
    "force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "webrtc-ip-handling-policy=disable_non_proxied_udp",
    // (Host resolver rules: set at launch, with the runtime's port.)
    // No back/forward cache (a page could otherwise come back with an earlier test's state),
    // no service workers' background sync, no translate bubble, no media router. No Local
    // Network Access check: it refuses the runtime's loopback server to pages served by
    // interception (of unknown address space); the page reaches nothing else anyway.
    "disable-features=LocalNetworkAccessChecks,BackForwardCache,Translate,MediaRouter,OptimizationHints,InterestFeedContentSuggestions,AutofillServerCommunication,CertificateTransparencyComponentUpdater",
];

pub struct LiveBrowser {
    pub browser: Browser,
    /// The browser process (its renderers and helpers are its descendants).
    pub pid: Option<u32>,
    /// It runs in a network namespace of its own.
    pub walled: bool,
    /// Killed when dropped.
    child: tokio::process::Child,
    /// Set when the connection to the browser ends (it exited or crashed).
    pub dead: Arc<AtomicBool>,
    pub generation: u64,
    submissions: AtomicU32,
    idle: Mutex<Vec<Tab>>,
    _profile: tempfile::TempDir,
    handler: tokio::task::JoinHandle<()>,
    vendor_server: tokio::task::JoinHandle<()>,
    /// Files of the React runtime its server sent (each browser context fetches each once,
    /// then keeps it in its HTTP cache).
    pub runtime_served: Arc<AtomicU64>,
}

impl Drop for LiveBrowser {
    fn drop(&mut self) {
        self.handler.abort();
        self.vendor_server.abort();
        // The child process is killed on drop; the profile folder goes with the TempDir.
    }
}

impl LiveBrowser {
    pub fn is_dead(&self) -> bool {
        self.dead.load(Ordering::Relaxed)
    }

}

pub struct BrowserPool {
    options: BrowserOptions,
    current: AsyncMutex<Option<Arc<LiveBrowser>>>,
    slots: Arc<Semaphore>,
    generations: AtomicU64,
}

/// A tab lent to one submission; give it back with [`BrowserPool::give_back`].
pub struct Lease {
    pub tab: Option<Tab>,
    pub browser: Arc<LiveBrowser>,
    _permit: OwnedSemaphorePermit,
}

impl BrowserPool {
    pub fn new(options: BrowserOptions) -> Self {
        let slots = Arc::new(Semaphore::new(options.max_in_flight.max(1)));
        BrowserPool { options, current: AsyncMutex::new(None), slots, generations: AtomicU64::new(0) }
    }

    pub fn options(&self) -> &BrowserOptions {
        &self.options
    }

    /// The pid of the live browser process, if one runs.
    pub async fn browser_pid(&self) -> Option<u32> {
        self.current.lock().await.as_ref().and_then(|b| b.pid)
    }

    /// The live browser, launching one if there is none, it died, or it served its share.
    pub async fn browser(&self) -> Result<Arc<LiveBrowser>, JudgeError> {
        let mut current = self.current.lock().await;
        if let Some(b) = current.as_ref() {
            let worn = b.submissions.load(Ordering::Relaxed) >= self.options.recycle_after;
            if !b.is_dead() && !worn {
                return Ok(b.clone());
            }
            if b.is_dead() {
                metrics::counter!("reactlab_browser_crashes_total").increment(1);
                tracing::warn!(generation = b.generation, "the browser died; launching a new one");
            }
        }
        // A worn browser keeps running until its last submission drops it.
        let fresh = Arc::new(self.launch().await?);
        *current = Some(fresh.clone());
        Ok(fresh)
    }

    async fn launch(&self) -> Result<LiveBrowser, JudgeError> {
        let launch_err = |reason: String| JudgeError::Launch { path: self.options.chromium.clone(), reason };
        if !self.options.chromium.exists() {
            return Err(launch_err("no such file".into()));
        }
        let profile = tempfile::Builder::new().prefix("reactlab-chromium-").tempdir().map_err(|e| launch_err(e.to_string()))?;
        // Extra flags from the operator (e.g. for experiments); a repeated flag overrides ours.
        let extra = std::env::var("REACTLAB_CHROMIUM_FLAGS").unwrap_or_default();
        let args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| format!("--{f}")).chain(extra.split_whitespace().map(String::from)).collect();
        // Spawned from a runtime thread: the parent-death signal is tied to the spawning
        // thread, and runtime threads live as long as the runtime.
        let chromium = self.options.chromium.clone();
        let dir = profile.path().to_path_buf();
        let wall = self.options.network_wall;
        let launched = tokio::spawn(async move { launch::launch(&chromium, &dir, &args, harness::VENDOR_HOST, wall, Duration::from_secs(20)).await })
            .await
            .map_err(|e| launch_err(e.to_string()))?
            .map_err(launch_err)?;
        let config = HandlerConfig { request_timeout: Duration::from_secs(30), ..HandlerConfig::default() };
        let (browser, mut handler) = Browser::connect_with_config(launched.ws_url.clone(), config).await.map_err(|e| launch_err(e.to_string()))?;
        let runtime_served = Arc::new(AtomicU64::new(0));
        let vendor_server =
            vendor_server::serve(launched.vendor_listener, runtime_served.clone()).map_err(|e| launch_err(format!("cannot serve the runtime: {e}")))?;
        let child = launched.child;
        let pid = child.id();
        let dead = Arc::new(AtomicBool::new(false));
        let flag = dead.clone();
        let handler = tokio::spawn(async move {
            while let Some(event) = handler.next().await {
                if let Err(e) = event {
                    tracing::debug!("browser connection: {e}");
                    if matches!(e, chromiumoxide::error::CdpError::Ws(_) | chromiumoxide::error::CdpError::Io(_)) {
                        break;
                    }
                }
            }
            flag.store(true, Ordering::Relaxed);
        });
        let generation = self.generations.fetch_add(1, Ordering::Relaxed) + 1;
        metrics::counter!("reactlab_browser_launches_total").increment(1);
        metrics::gauge!("reactlab_browser_network_wall").set(if launched.walled { 1.0 } else { 0.0 });
        tracing::info!(generation, chromium = %self.options.chromium.display(), network_namespace = launched.walled, "browser launched");
        Ok(LiveBrowser { browser, pid, walled: launched.walled, child, dead, generation, submissions: AtomicU32::new(0), idle: Mutex::new(Vec::new()), _profile: profile, handler, vendor_server, runtime_served })
    }

    /// Waits for a free slot, then lends a warm tab (opening one if none is idle).
    pub async fn lease(&self) -> Result<Lease, JudgeError> {
        let permit = self.slots.clone().acquire_owned().await.map_err(|_| JudgeError::Browser("the judge is shutting down".into()))?;
        let browser = self.browser().await?;
        browser.submissions.fetch_add(1, Ordering::Relaxed);
        let idle = browser.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let tab = match idle {
            Some(tab) => tab,
            None => Tab::open(&browser.browser).await?,
        };
        Ok(Lease { tab: Some(tab), browser, _permit: permit })
    }

    /// Closes the lease's tab, which cannot be reused (it hung, crashed, closed or had its
    /// clock stopped).
    pub async fn drop_tab(&self, lease: &mut Lease) {
        if let Some(old) = lease.tab.take() {
            discard(&lease.browser, old).await;
        }
    }

    /// Gives the lease a new tab in place of its old one, if any.
    pub async fn replace_tab(&self, lease: &mut Lease) -> Result<(), JudgeError> {
        self.drop_tab(lease).await;
        if lease.browser.is_dead() {
            return Err(JudgeError::Browser("the browser died".into()));
        }
        lease.tab = Some(Tab::open(&lease.browser.browser).await?);
        Ok(())
    }

    /// Returns the tab to the idle list, or closes it when it is worn or unhealthy.
    pub async fn give_back(&self, mut lease: Lease, healthy: bool) {
        let Some(tab) = lease.tab.take() else { return };
        if healthy && tab.uses < self.options.tab_reuse && !lease.browser.is_dead() {
            lease.browser.idle.lock().unwrap_or_else(|e| e.into_inner()).push(tab);
        } else {
            discard(&lease.browser, tab).await;
        }
    }

    /// Closes the browser. Leases still out keep theirs alive until they are given back.
    pub async fn shutdown(&self) {
        let Some(live) = self.current.lock().await.take() else { return };
        if let Ok(mut live) = Arc::try_unwrap(live) {
            live.idle.get_mut().unwrap_or_else(|e| e.into_inner()).clear();
            let closed = async {
                live.browser.close().await.ok();
                live.child.wait().await.ok();
            };
            if tokio::time::timeout(Duration::from_secs(5), closed).await.is_err() {
                tracing::warn!("the browser did not close in 5 s; killing it");
                live.child.kill().await.ok();
            }
        }
    }
}

/// Stops whatever script the page runs (an infinite loop answers nothing else), then
/// disposes the context in the background: that closes the page without its unload
/// handlers and ends its renderer. Nobody waits for it.
async fn discard(browser: &Arc<LiveBrowser>, tab: Tab) {
    let stop = tab.page.execute(chromiumoxide::cdp::js_protocol::runtime::TerminateExecutionParams::default());
    let _ = tokio::time::timeout(Duration::from_millis(500), stop).await;
    let context = tab.context.clone();
    drop(tab);
    let browser = browser.clone();
    tokio::spawn(async move {
        if tokio::time::timeout(Duration::from_secs(10), browser.browser.dispose_browser_context(context)).await.is_err() {
            tracing::warn!("disposing a browser context timed out");
        }
    });
}
