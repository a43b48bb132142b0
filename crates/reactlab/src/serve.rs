//! The server commands. `reactlab serve` is the whole platform in one process (on embedded
//! parts unless pointed at real engines); `reactlab api` is the HTTP and WebSocket API
//! without judging, `reactlab worker` the judging without the API (only health on HTTP):
//! the same code, split across machines that share PostgreSQL, Redis and an object store.

use crate::config::{DEFAULT_ADDR, ServeArgs, ServeConfig};
use crate::platform::Platform;
use crate::worker::Worker;
use anyhow::Context;
use async_trait::async_trait;
use reactlab_api::Grader;
use reactlab_core::{Challenge, GradeReport, ReactBuild, SourceFile};
use reactlab_judge::Judge;
use reactlab_judge::vendor::VendorBuild;
use reactlab_store::Db;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::watch;

/// The judge, for admins' `verify`.
struct JudgeGrader(Arc<Judge>);

#[async_trait]
impl Grader for JudgeGrader {
    async fn grade(&self, challenge: &Challenge, file: &SourceFile) -> GradeReport {
        self.0.grade_with_retries(challenge, &file.name, &file.code, crate::worker::MAX_ATTEMPTS).await
    }
    async fn ready(&self) -> Result<Vec<String>, String> {
        self.0.blank_frame().await.map_err(|e| e.to_string())?;
        let browser = self.0.pool().browser().await.map_err(|e| e.to_string())?;
        let mut warnings = Vec::new();
        if !browser.sandboxed {
            warnings.push("the browser runs without its sandbox (--browser-sandbox): a renderer exploit would not be contained by it".to_string());
        }
        if !browser.walled {
            warnings.push(
                "the browser runs without a network namespace of its own (--network-wall): the judge's proxy and the page's CSP are its walls".to_string(),
            );
        }
        Ok(warnings)
    }
}

/// The judge's transpiler and React runtime, for the web app's preview.
struct JudgePreview;

impl reactlab_api::Preview for JudgePreview {
    fn transpile(&self, file_name: &str, code: &str) -> Result<String, reactlab_core::CompileError> {
        reactlab_judge::transpile::transpile(file_name, code, true)
    }
    fn import_map(&self) -> String {
        VendorBuild::get(ReactBuild::Development).import_map.clone()
    }
    fn vendor_file(&self, mode: &str, file: &str) -> Option<&'static [u8]> {
        VendorBuild::by_mode(mode)?.file(file)
    }
}

/// The built web app, with its own Content-Security-Policy; unknown paths get the app's
/// index (it routes in the browser). `None` when it was not built.
fn web_app(dir: &Path, store_origin: Option<&str>) -> Option<axum::Router> {
    use tower_http::services::ServeDir;
    let index = dir.join("index.html");
    if !index.is_file() {
        tracing::warn!("the web app is not built ({} missing): run scripts/setup; serving the API only", index.display());
        return None;
    }
    // Signed links to code and screenshots may point at an S3 endpoint: allow its origin.
    let store = store_origin.map(|o| format!(" {o}")).unwrap_or_default();
    let csp = format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:{store}; font-src 'self' data:; \
         worker-src 'self' blob:; connect-src 'self' ws: wss:{store}; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    );
    let csp = axum::http::HeaderValue::from_str(&csp).ok()?;
    let service = ServeDir::new(dir).fallback(axum::handler::HandlerWithoutStateExt::into_service(move |uri: axum::http::Uri| {
        let index = index.clone();
        async move { app_page(&index, uri.path()).await }
    }));
    Some(
        axum::Router::new()
            .fallback_service(service)
            .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(axum::http::header::CONTENT_SECURITY_POLICY, csp)),
    )
}

/// The app's index for an address it routes in the browser (200), and for any other (404:
/// the app shows "Not found" with a way back, and crawlers and scripts see the status).
async fn app_page(index: &Path, path: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    let status = if app_route(path) { axum::http::StatusCode::OK } else { axum::http::StatusCode::NOT_FOUND };
    match tokio::fs::read(index).await {
        Ok(html) => (status, [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(e) => {
            tracing::error!("cannot read the web app's index {}: {e}", index.display());
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The addresses the web app routes (web/src/App.tsx; the end-to-end tests visit each).
fn app_route(path: &str) -> bool {
    let slug = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    match path {
        "/" | "/login" | "/register" | "/profile" | "/admin" | "/admin/queue" | "/admin/new" => true,
        _ => path.strip_prefix("/challenges/").or_else(|| path.strip_prefix("/admin/edit/")).is_some_and(slug),
    }
}

/// Writes the built-in catalog into the database (new and changed challenges).
pub async fn sync_catalog(db: &Db, catalog: &Path) -> anyhow::Result<usize> {
    let loaded = crate::catalog::load_all(catalog).map_err(|e| anyhow::anyhow!("the challenge catalog {} does not load:\n{e}", catalog.display()))?;
    for (position, challenge) in loaded.challenges.iter().enumerate() {
        let dir = challenge.dir.as_ref().context("a catalog challenge has a folder")?;
        let spec = std::fs::read_to_string(dir.join("challenge.toml"))?;
        db.sync_builtin(challenge, &spec, position as i64).await?;
    }
    Ok(loaded.challenges.len())
}

/// Which part of the platform this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything in one process.
    Serve,
    /// HTTP and WebSockets; no browser.
    Api,
    /// Grading; HTTP only for health.
    Worker,
}

pub async fn run(role: Role, args: ServeArgs) -> anyhow::Result<()> {
    let default_addr = if role == Role::Worker { std::net::SocketAddr::from(([127, 0, 0, 1], 9090)) } else { DEFAULT_ADDR };
    let config = ServeConfig::resolve(args, default_addr)?;
    reactlab_api::metrics::install();
    if role != Role::Serve {
        // Events and cache invalidations must cross processes: the embedded bus cannot.
        anyhow::ensure!(
            config.redis.is_some(),
            "`reactlab {}` runs beside other processes and needs Redis: set --redis-url (REACTLAB_REDIS_URL). For one process, use `reactlab serve`.",
            if role == Role::Api { "api" } else { "worker" }
        );
    }
    crate::admin::warn_about_admin_emails(&config.admins);
    let platform = Platform::open(&config, role == Role::Serve).await?;
    if role != Role::Worker {
        let count = sync_catalog(&platform.db, &config.judge.catalog).await?;
        tracing::info!(count, "challenges loaded");
    }

    let judge = if role == Role::Api {
        None
    } else {
        let mut judge_args = config.judge.clone();
        judge_args.in_flight = Some(judge_args.in_flight.unwrap_or(config.workers));
        Some(Arc::new(crate::grade::judge(&judge_args)))
    };
    let (stop, shutdown) = watch::channel(false);
    let grader = judge.clone().map(|j| Arc::new(JudgeGrader(j)) as Arc<dyn Grader>);
    let preview = (role != Role::Worker).then(|| Arc::new(JudgePreview) as Arc<dyn reactlab_api::Preview>);
    let state = reactlab_api::state(
        platform.db.clone(),
        platform.objects.clone(),
        platform.local_signer.clone(),
        platform.queue.clone(),
        platform.bus.clone(),
        platform.cache.clone(),
        grader,
        preview,
        config.api.clone(),
        platform.shared_limits.clone(),
        shutdown.clone(),
    );

    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("cannot listen on {} (is another server using it? choose one with --addr)", config.addr))?;
    let addr = listener.local_addr()?;
    let background = if role == Role::Worker { vec![] } else { reactlab_api::spawn_background(state.clone(), shutdown.clone()) };
    let workers: Vec<_> = match &judge {
        Some(judge) => {
            let worker = Arc::new(Worker::new(
                platform.db.clone(),
                platform.objects.clone(),
                platform.queue.clone(),
                platform.bus.clone(),
                judge.clone(),
                config.job_lease,
            ));
            let mut tasks: Vec<_> = (0..config.workers).map(|_| tokio::spawn(worker.clone().run(shutdown.clone(), config.grace))).collect();
            tasks.push(tokio::spawn(worker.clone().announce(config.workers, shutdown.clone())));
            tasks
        }
        None => vec![],
    };

    match role {
        Role::Serve => {
            println!("ReactLab is running at http://{addr}/ ({} workers; API reference at http://{addr}/api/docs). Press Ctrl-C to stop.", config.workers)
        }
        Role::Api => println!("ReactLab API is running at http://{addr}/ (API reference at http://{addr}/api/docs). Press Ctrl-C to stop."),
        Role::Worker => {
            println!("ReactLab worker is running at http://{addr}/ ({} workers; health at /healthz and /readyz). Press Ctrl-C to stop.", config.workers)
        }
    }
    tokio::spawn(async move {
        wait_for_signal().await;
        eprintln!("Stopping: no new requests; running jobs get up to {} s, the rest stay queued.", config.grace.as_secs());
        let _ = stop.send(true);
    });

    let app = match role {
        Role::Worker => reactlab_api::health_app(state),
        _ => reactlab_api::app(state, web_app(&config.web_dir, config.store.public_origin().as_deref())),
    };
    crate::http::serve(listener, app, config.header_timeout, shutdown.clone()).await;
    for w in workers {
        let _ = w.await;
    }
    for task in background {
        let _ = task.await;
    }
    if let Some(judge) = judge {
        judge.shutdown().await;
    }
    platform.close().await;
    eprintln!("Stopped.");
    Ok(())
}

/// `reactlab migrate`: applies pending migrations and says which.
pub async fn migrate(args: ServeArgs) -> anyhow::Result<()> {
    let config = ServeConfig::resolve(args, DEFAULT_ADDR)?;
    let url = &config.database_url;
    let before = Db::open(url, reactlab_store::Migrations::Require, Arc::new(reactlab_store::SystemClock)).await;
    match before {
        Ok(db) => {
            println!("The database {} is up to date.", crate::platform::redact(url));
            db.close().await;
        }
        Err(reactlab_store::StoreError::SchemaBehind(pending)) => {
            let db = Db::connect(url).await.with_context(|| format!("cannot migrate {}", crate::platform::redact(url)))?;
            println!("Applied migrations {pending:?} to {}.", crate::platform::redact(url));
            db.close().await;
        }
        Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot open the database {}", crate::platform::redact(url)))),
    }
    Ok(())
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("a SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
