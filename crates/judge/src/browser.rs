//! One Chromium per process: launched on first use, relaunched when it dies, recycled after
//! a number of submissions. Several submissions run at once, each in its own warm host page.

use crate::cdp::Connection;
use crate::error::JudgeError;
use crate::host::HostPage;
use crate::launch::{self, BrowserSandbox, LaunchError, LaunchOptions, NetworkWall};
use crate::site::Sites;
use crate::site_server;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
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
    /// A host page (context + page) is rebuilt after this many submissions.
    pub host_reuse: u32,
    /// Run the browser in a network namespace of its own (see [`launch`]).
    pub network_wall: NetworkWall,
    /// Run the browser with its own sandbox on (see [`launch`]).
    pub sandbox: BrowserSandbox,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        BrowserOptions {
            chromium: default_chromium(),
            max_in_flight: std::thread::available_parallelism().map_or(2, |n| n.get()),
            recycle_after: 500,
            host_reuse: 200,
            network_wall: NetworkWall::Auto,
            sandbox: BrowserSandbox::Auto,
        }
    }
}

/// Debian's headless shell and full browser, in that order.
const DEBIAN_CHROMIUMS: [&str; 2] = ["/usr/lib/chromium/chromium-headless-shell", "/usr/lib/chromium/chromium"];

/// `REACTLAB_CHROMIUM`, else Debian's `chromium-headless-shell` (it grades the catalog as
/// the full browser does, for less CPU: docs/benchmarks.md), else Debian's `chromium`
/// (without its shell wrapper), else other usual places.
pub fn default_chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("REACTLAB_CHROMIUM") {
        return p.into();
    }
    DEBIAN_CHROMIUMS
        .iter()
        .chain(&["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"])
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| "/usr/bin/chromium".into())
}

/// Debian's Chromium binaries installed here (for comparing them).
pub fn debian_chromiums() -> Vec<PathBuf> {
    DEBIAN_CHROMIUMS.iter().map(PathBuf::from).filter(|p| p.exists()).collect()
}

/// The flags every judge browser runs with. The closed-network ones keep Chromium from
/// calling home; the rest make pages deterministic and never throttled.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "headless",
    // Its namespace sandbox, never the setuid helper (`--no-sandbox` only when the sandbox
    // is off: see `launch`).
    "disable-setuid-sandbox",
    "disable-gpu",
    // Frames when the page needs one, not at 60 Hz: after input Chromium holds a page's
    // tasks until the next frame, and each mouse move waits for one (docs/judge.md).
    "disable-frame-rate-limit",
    "disable-gpu-vsync",
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
    // (The proxy, the judge's own server for every address, and host resolver rules that
    // resolve nothing: set at launch, with the server's port.)
    // No back/forward cache (a page could otherwise come back with an earlier test's state),
    // no service workers' background sync, no translate bubble, no media router, no paint
    // holding. No Local Network Access check: every request goes through the judge's
    // loopback server, which the check would refuse to pages of a public address space.
    "disable-features=LocalNetworkAccessChecks,BackForwardCache,Translate,MediaRouter,OptimizationHints,InterestFeedContentSuggestions,AutofillServerCommunication,CertificateTransparencyComponentUpdater,PaintHolding",
];

pub struct LiveBrowser {
    pub conn: Arc<Connection>,
    /// The browser process (its renderers and helpers are its descendants).
    pub pid: Option<u32>,
    /// It runs in a network namespace of its own.
    pub walled: bool,
    /// It runs with its own sandbox on.
    pub sandboxed: bool,
    /// The unprivileged user it runs as (when the judge is root).
    pub user: Option<String>,
    /// Killed when dropped, and its processes reaped (see `Drop`).
    child: Option<tokio::process::Child>,
    pub generation: u64,
    submissions: AtomicU32,
    idle: Mutex<Vec<Arc<HostPage>>>,
    profile: Option<tempfile::TempDir>,
    server: tokio::task::JoinHandle<()>,
    /// What the judge's server answers for each submission being graded.
    pub sites: Arc<Sites>,
    /// The judge's server, as the browser's proxy.
    proxy: String,
    /// Its binary (its processes are told by its name).
    chromium: PathBuf,
    /// Files of the React runtime its server sent (each browser context fetches each once,
    /// then keeps it in its HTTP cache).
    pub runtime_served: Arc<AtomicU64>,
}

impl Drop for LiveBrowser {
    fn drop(&mut self) {
        self.server.abort();
        // Killed (on the child's drop), then buried off the runtime.
        drop(self.child.take());
        let (chromium, profile) = (self.chromium.clone(), self.profile.take());
        std::thread::spawn(move || crate::reaper::bury(&chromium, profile, Duration::from_secs(10)));
    }
}

impl LiveBrowser {
    /// Its profile folder (removed once it is gone).
    pub fn profile(&self) -> Option<&std::path::Path> {
        self.profile.as_ref().map(|p| p.path())
    }

    pub fn is_dead(&self) -> bool {
        self.conn.is_closed()
    }

    /// Whether the browser process still answers (its renderers may be busy or crashed: the
    /// browser process answers for itself).
    pub async fn answers(&self) -> bool {
        let version = self.conn.call_raw(None, "Browser.getVersion", serde_json::json!({}));
        !self.is_dead() && matches!(tokio::time::timeout(Duration::from_secs(5), version).await, Ok(Ok(_)))
    }
}

pub struct BrowserPool {
    options: BrowserOptions,
    current: AsyncMutex<Option<Arc<LiveBrowser>>>,
    slots: Arc<Semaphore>,
    generations: AtomicU64,
}

/// A host page lent to one submission; give it back with [`BrowserPool::give_back`].
pub struct Lease {
    pub host: Option<Arc<HostPage>>,
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
        let launch_err = |reason: LaunchError| JudgeError::Launch { path: self.options.chromium.clone(), reason };
        if !self.options.chromium.exists() {
            return Err(launch_err(LaunchError::Missing));
        }
        crate::reaper::adopt_orphans();
        let profile = crate::reaper::profile_folder().map_err(|e| launch_err(LaunchError::Profile(e)))?;
        // Extra flags from the operator (e.g. for experiments); a repeated flag overrides ours.
        let extra = std::env::var("REACTLAB_CHROMIUM_FLAGS").unwrap_or_default();
        let args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| format!("--{f}")).chain(extra.split_whitespace().map(String::from)).collect();
        // Spawned from a runtime thread: the parent-death signal is tied to the spawning
        // thread, and runtime threads live as long as the runtime.
        let chromium = self.options.chromium.clone();
        let dir = profile.path().to_path_buf();
        let (network_wall, sandbox) = (self.options.network_wall, self.options.sandbox);
        let launched = tokio::spawn(async move {
            let options = LaunchOptions { chromium: &chromium, profile: &dir, args: &args, wall: network_wall, sandbox, timeout: Duration::from_secs(20) };
            launch::launch(options).await
        })
        .await
        .map_err(|e| launch_err(e.into()))?
        .map_err(launch_err)?;
        let conn = Arc::new(launched.conn);
        let runtime_served = Arc::new(AtomicU64::new(0));
        let sites = Arc::new(Sites::default());
        let server = site_server::serve(launched.server_listener, sites.clone(), runtime_served.clone()).map_err(|e| launch_err(LaunchError::Serve(e)))?;
        let child = launched.child;
        let pid = child.id();
        let generation = self.generations.fetch_add(1, Ordering::Relaxed) + 1;
        metrics::counter!("reactlab_browser_launches_total").increment(1);
        metrics::gauge!("reactlab_browser_network_wall").set(if launched.walled { 1.0 } else { 0.0 });
        metrics::gauge!("reactlab_browser_sandbox").set(if launched.sandboxed { 1.0 } else { 0.0 });
        tracing::info!(generation, chromium = %self.options.chromium.display(), network_namespace = launched.walled, sandbox = launched.sandboxed, user = launched.user.as_deref().unwrap_or("the judge's"), "browser launched");
        Ok(LiveBrowser {
            conn,
            pid,
            walled: launched.walled,
            sandboxed: launched.sandboxed,
            user: launched.user,
            child: Some(child),
            generation,
            submissions: AtomicU32::new(0),
            idle: Mutex::new(Vec::new()),
            profile: Some(profile),
            server,
            sites,
            proxy: launched.proxy,
            chromium: self.options.chromium.clone(),
            runtime_served,
        })
    }

    /// Waits for a free slot, then lends a warm host page (opening one if none is idle).
    pub async fn lease(&self) -> Result<Lease, JudgeError> {
        let permit = self.slots.clone().acquire_owned().await.map_err(|_| JudgeError::ShuttingDown)?;
        let browser = self.browser().await?;
        browser.submissions.fetch_add(1, Ordering::Relaxed);
        let idle = browser.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let host = match idle {
            Some(host) => host,
            None => Arc::new(HostPage::open(browser.conn.clone(), &browser.proxy).await?),
        };
        Ok(Lease { host: Some(host), browser, _permit: permit })
    }

    /// Discards the lease's host page, which cannot be reused (it hung, crashed, or its page
    /// misbehaved).
    pub async fn drop_host(&self, lease: &mut Lease) {
        if let Some(old) = lease.host.take() {
            old.discard().await;
        }
    }

    /// The lease's host page, opening a new one in place of one dropped.
    pub async fn host(&self, lease: &mut Lease) -> Result<Arc<HostPage>, JudgeError> {
        if let Some(host) = &lease.host {
            return Ok(host.clone());
        }
        if lease.browser.is_dead() {
            return Err(JudgeError::BrowserDied);
        }
        let host = Arc::new(HostPage::open(lease.browser.conn.clone(), &lease.browser.proxy).await?);
        lease.host = Some(host.clone());
        Ok(host)
    }

    /// Returns the host page to the idle list, or discards it when it is worn or unhealthy.
    pub async fn give_back(&self, mut lease: Lease, healthy: bool) {
        let Some(host) = lease.host.take() else { return };
        let uses = host.uses.fetch_add(1, Ordering::Relaxed) + 1;
        if healthy && uses < self.options.host_reuse && !lease.browser.is_dead() {
            lease.browser.idle.lock().unwrap_or_else(|e| e.into_inner()).push(host);
        } else {
            host.discard().await;
        }
    }

    /// Closes the browser. Leases still out keep theirs alive until they are given back.
    pub async fn shutdown(&self) {
        let Some(live) = self.current.lock().await.take() else { return };
        if let Ok(mut live) = Arc::try_unwrap(live) {
            live.idle.get_mut().unwrap_or_else(|e| e.into_inner()).clear();
            let conn = live.conn.clone();
            let Some(child) = live.child.as_mut() else { return };
            let closed = async {
                let _ = conn.call_raw(None, "Browser.close", serde_json::json!({})).await;
                child.wait().await.ok();
            };
            if tokio::time::timeout(Duration::from_secs(5), closed).await.is_err() {
                tracing::warn!("the browser did not close in 5 s; killing it");
                child.kill().await.ok();
            }
            // Its helpers reaped and its profile removed before the process exits (a
            // background clean-up would die with it).
            let (chromium, profile) = (live.chromium.clone(), live.profile.take());
            let _ = tokio::task::spawn_blocking(move || crate::reaper::bury(&chromium, profile, Duration::from_secs(5))).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn launch_with(chromium: PathBuf) -> JudgeError {
        let pool = BrowserPool::new(BrowserOptions { chromium, ..Default::default() });
        pool.browser().await.err().expect("no browser can start")
    }

    #[tokio::test]
    async fn a_browser_that_cannot_start_is_a_typed_launch_error_naming_the_binary() {
        let error = launch_with(PathBuf::from("/nonexistent/chromium")).await;
        assert!(matches!(&error, JudgeError::Launch { reason: LaunchError::Missing, .. }), "{error:?}");
        assert!(error.to_string().contains("/nonexistent/chromium: no such file"), "{error}");
        // A program that ends before answering on the DevTools pipe, with what it said.
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("chromium");
        std::fs::write(&fake, "#!/bin/sh\necho 'not a browser' >&2\nexit 3\n").unwrap();
        // Run as the browser's unprivileged user when the test runs as root: it must reach it.
        for path in [dir.path(), fake.as_path()] {
            std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        }
        let error = launch_with(fake).await;
        let JudgeError::Launch { reason, .. } = &error else { panic!("{error:?}") };
        assert!(matches!(reason, LaunchError::Exited { said } if said.contains("not a browser")), "{error}");
    }
}
