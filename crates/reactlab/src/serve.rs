//! `reactlab serve`: the whole platform in one process on embedded parts (SQLite, a local
//! object store, the SQL queue, an in-process bus and cache, in-process workers).

use crate::config::{ServeArgs, ServeConfig};
use crate::worker::Worker;
use anyhow::Context;
use async_trait::async_trait;
use reactlab_api::Grader;
use reactlab_api::cache::MemoryCache;
use reactlab_core::{Challenge, GradeReport, ReactBuild, SourceFile};
use reactlab_judge::vendor::VendorBuild;
use reactlab_judge::Judge;
use reactlab_queue::{LocalBus, SqlQueue};
use reactlab_store::{Db, LocalSigner, Objects};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The judge, for admins' `verify`.
struct JudgeGrader(Arc<Judge>);

#[async_trait]
impl Grader for JudgeGrader {
    async fn grade(&self, challenge: &Challenge, file: &SourceFile) -> GradeReport {
        self.0.grade_with_retries(challenge, &file.name, &file.code, crate::worker::MAX_ATTEMPTS).await
    }
    async fn ready(&self) -> Result<(), String> {
        self.0.blank_document().await.map(|_| ()).map_err(|e| e.to_string())
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
        let build = match mode {
            "development" => ReactBuild::Development,
            "production" => ReactBuild::Production,
            _ => return None,
        };
        VendorBuild::get(build).file(file)
    }
}

/// The built web app, with its own Content-Security-Policy; unknown paths get the app's
/// index (it routes in the browser). `None` when it was not built.
fn web_app(dir: &Path) -> Option<axum::Router> {
    use tower_http::services::{ServeDir, ServeFile};
    let index = dir.join("index.html");
    if !index.is_file() {
        tracing::warn!("the web app is not built ({} missing): run scripts/setup; serving the API only", index.display());
        return None;
    }
    let csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
               worker-src 'self' blob:; connect-src 'self' ws: wss:; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    let service = ServeDir::new(dir).fallback(ServeFile::new(index));
    Some(axum::Router::new().fallback_service(service).layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static(csp),
    )))
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

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let config = ServeConfig::resolve(args)?;
    std::fs::create_dir_all(&config.data_dir).with_context(|| format!("cannot create the data directory {}", config.data_dir.display()))?;
    let db = Db::connect(&config.database_url).await.with_context(|| format!("cannot open the database {}", config.database_url))?;
    let count = sync_catalog(&db, &config.judge.catalog).await?;
    tracing::info!(count, "challenges loaded");

    let signer = Arc::new(LocalSigner::from_key_file(&config.data_dir.join("keys").join("url-signing.key"), "/api/v1/objects")?);
    let objects = Objects::local(&config.data_dir.join("objects"), signer.clone())?;
    let queue: Arc<dyn reactlab_queue::JobQueue> = Arc::new(SqlQueue::new(db.pool().clone()).await?);
    let bus: Arc<dyn reactlab_queue::EventBus> = Arc::new(LocalBus::new(4096));
    let mut judge_args = config.judge.clone();
    judge_args.in_flight = Some(judge_args.in_flight.unwrap_or(config.workers));
    let judge = Arc::new(crate::grade::judge(&judge_args));

    let (stop, shutdown) = watch::channel(false);
    let cache = Arc::new(MemoryCache::new(10_000, Duration::from_secs(300)));
    let grader: Arc<dyn Grader> = Arc::new(JudgeGrader(judge.clone()));
    let state = reactlab_api::state(db.clone(), objects.clone(), Some(signer), queue.clone(), bus.clone(), cache, Some(grader), Some(Arc::new(JudgePreview)), config.api.clone(), shutdown.clone());

    let listener = tokio::net::TcpListener::bind(config.addr).await.with_context(|| format!("cannot listen on {} (is another server using it? choose one with --addr)", config.addr))?;
    let addr = listener.local_addr()?;
    let background = reactlab_api::spawn_background(state.clone(), shutdown.clone());
    let worker = Arc::new(Worker::new(db.clone(), objects, queue, bus, judge.clone(), config.job_lease));
    let workers: Vec<_> = (0..config.workers).map(|_| tokio::spawn(worker.clone().run(shutdown.clone(), config.grace))).collect();

    println!("ReactLab is running at http://{addr}/ ({} workers; API reference at http://{addr}/api/docs). Press Ctrl-C to stop.", config.workers);
    tokio::spawn(async move {
        wait_for_signal().await;
        eprintln!("Stopping: no new requests; running jobs get up to {} s, the rest stay queued.", config.grace.as_secs());
        let _ = stop.send(true);
    });

    let app = reactlab_api::app(state, web_app(&config.web_dir));
    let mut http_shutdown = shutdown.clone();
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            let _ = http_shutdown.wait_for(|s| *s).await;
        })
        .await?;
    for w in workers {
        let _ = w.await;
    }
    for task in background {
        let _ = task.await;
    }
    judge.shutdown().await;
    db.close().await;
    eprintln!("Stopped.");
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
