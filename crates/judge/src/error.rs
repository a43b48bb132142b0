use crate::cdp::CdpError;
use crate::launch::LaunchError;
use std::path::PathBuf;
use std::time::Duration;

/// The judge's own faults. A learner's fault is never an error: it is a verdict.
#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
    #[error("cannot launch Chromium at {path}: {reason} (install it with `apt-get install -y chromium`, or set REACTLAB_CHROMIUM)")]
    Launch {
        path: PathBuf,
        #[source]
        reason: LaunchError,
    },
    /// The browser refused or dropped a command the judge needed.
    #[error("the browser failed to {doing}: {source}")]
    Cdp {
        doing: &'static str,
        #[source]
        source: CdpError,
    },
    #[error("the browser did not {doing} within {} s", .within.as_secs())]
    NoAnswer { doing: &'static str, within: Duration },
    #[error("the browser died")]
    BrowserDied,
    #[error("the browser's page crashed while the judge opened a frame")]
    HostCrashed,
    #[error("the judge is shutting down")]
    ShuttingDown,
    #[error("the judge's own page script failed: {0}")]
    Harness(String),
}
