use std::path::PathBuf;

/// The judge's own faults. A learner's fault is never an error: it is a verdict.
#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
    #[error("cannot launch Chromium at {path}: {reason} (install it with `apt-get install -y chromium`, or set REACTLAB_CHROMIUM)")]
    Launch { path: PathBuf, reason: String },
    #[error("the browser failed: {0}")]
    Browser(String),
    #[error("the judge's own page script failed: {0}")]
    Harness(String),
}
