//! What the handlers share: the state, its configuration, and the seams through which the
//! binary plugs in what the API does not implement itself (the judge, for [`Grader`] and
//! [`Preview`]; Redis, for [`SharedRateLimits`]).

pub mod limits;

pub use limits::{Bucket, Limiters, RateLimits, SharedRateLimits};

use crate::cache::Cache;
use async_trait::async_trait;
use reactlab_core::challenge::SourceFile;
use reactlab_core::{Challenge, CompileError, GradeReport};
use reactlab_queue::{EventBus, JobQueue};
use reactlab_store::{Db, LocalSigner, Objects};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Grades a file right away, for admins checking a challenge they author. The API knows
/// this seam only; the binary plugs the judge in.
#[async_trait]
pub trait Grader: Send + Sync {
    async fn grade(&self, challenge: &Challenge, file: &SourceFile) -> GradeReport;
    /// Whether grading works now (readiness), with what weakens it (e.g. a browser that
    /// runs without its sandbox) when it does.
    async fn ready(&self) -> Result<Vec<String>, String>;
}

/// What the preview needs from the judge, and nothing more.
pub trait Preview: Send + Sync {
    /// The judge's transpilation (development React), for a file named `file_name`.
    fn transpile(&self, file_name: &str, code: &str) -> Result<String, CompileError>;
    /// The import map the judge's pages use (development build).
    fn import_map(&self) -> String;
    /// A file of the React runtime under `/vendor/<mode>/<file>`.
    fn vendor_file(&self, mode: &str, file: &str) -> Option<&'static [u8]>;
}

#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Origins allowed to call the API from a browser (CORS), besides the API's own.
    pub cors_origins: Vec<String>,
    /// Mark the session cookie `Secure` and send HSTS (serve over HTTPS).
    pub secure_cookies: bool,
    /// Requests come through a reverse proxy that sets `X-Forwarded-For`: rate limits key
    /// on the address it reports.
    pub behind_proxy: bool,
    pub session_ttl: Duration,
    pub signed_url_ttl: Duration,
    pub rate_limits: RateLimits,
    pub max_sockets_per_user: usize,
    pub ws_ping_interval: Duration,
    /// Time a request's body has to arrive whole once its head is in.
    pub body_timeout: Duration,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            cors_origins: vec![],
            secure_cookies: false,
            behind_proxy: false,
            session_ttl: Duration::from_secs(30 * 24 * 3600),
            signed_url_ttl: Duration::from_secs(60),
            rate_limits: RateLimits::default(),
            max_sockets_per_user: 8,
            ws_ping_interval: Duration::from_secs(20),
            body_timeout: Duration::from_secs(30),
        }
    }
}

/// What the handlers share.
pub struct AppState {
    pub db: Db,
    pub objects: Objects,
    /// Set when objects are local: the API then serves the signed URLs itself.
    pub local_signer: Option<Arc<LocalSigner>>,
    pub queue: Arc<dyn JobQueue>,
    pub bus: Arc<dyn EventBus>,
    pub cache: Arc<dyn Cache>,
    pub grader: Option<Arc<dyn Grader>>,
    pub preview: Option<Arc<dyn Preview>>,
    pub config: ApiConfig,
    pub limiters: Limiters,
    /// Open WebSockets per user.
    pub sockets: Mutex<HashMap<String, usize>>,
    /// Turns true when the server is stopping: sockets close so the HTTP server can drain.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

pub type Shared = Arc<AppState>;
