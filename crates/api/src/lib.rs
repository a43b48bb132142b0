//! ReactLab's HTTP and WebSocket API. It stores submissions and queues them; it never
//! grades (the judge does, behind the queue) except for admins' `verify`, through the
//! [`Grader`] seam.
//!
//! The modules stack in layers, each importing only from the layers below it:
//!
//! 1. `error` (every error and its status), `views` (what responses carry), `cache`, `nul`;
//! 2. `state`: what the handlers share, the rate limits, and the seams the binary plugs in
//!    ([`Grader`], [`Preview`], [`limits::SharedRateLimits`]);
//! 3. `extract`: the extractors (the caller, the client's address, JSON bodies, query
//!    strings), with `body_deadline`, the middleware whose timeout a body read reports;
//! 4. `outbox` (handing submissions to the queue) and `lookup` (reading a caller's
//!    submission): what several handlers, or the background, do;
//! 5. the handlers, one module each, none importing another: `auth`, `challenges`,
//!    `drafts`, `submissions`, `ws`, `preview`, `queue_admin`, `objects`, `health`,
//!    `metrics`;
//! 6. `routes` (the one route table) and `openapi` (the document built from it, served by
//!    a route of it), `fuzzing`, and this file: the router, its middleware and the
//!    background tasks.

// Layer 1
pub mod cache;
mod error;
mod nul;
mod views;
// Layer 2
mod state;
// Layer 3
mod body_deadline;
mod extract;
// Layer 4
mod lookup;
mod outbox;
// Layer 5
mod auth;
mod challenges;
mod drafts;
mod health;
pub mod metrics;
mod objects;
mod preview;
mod queue_admin;
mod submissions;
mod ws;
// Layer 6
/// Public only so that the fuzz targets (`fuzz/`) can reach the private request types and checks.
pub mod fuzzing;
mod openapi;
mod routes;

pub use error::{ApiError, Code};
pub use openapi::document as openapi_document;
pub use state::{ApiConfig, AppState, Grader, Preview, Shared, limits};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::response::IntoResponse;
use reactlab_queue::Event;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// The whole HTTP surface; `web` (the learner's app) is served for everything else.
pub fn app(state: Shared, web: Option<Router>) -> Router {
    let mut api = Router::new();
    for route in routes::table() {
        api = api.route(route.path, route.handler);
    }
    let api = api
        .route(&format!("{}/{{*key}}", objects::PREFIX.trim_start_matches("/api/v1")), axum::routing::get(objects::get))
        .fallback(|| async { ApiError::NotFound { what: "endpoint" } });
    let mut router = Router::new()
        .nest("/api/v1", api)
        .route("/api/docs", axum::routing::get(openapi::page))
        .route("/preview/frame.html", axum::routing::get(preview::frame))
        .route("/preview/boot.js", axum::routing::get(preview::boot))
        .route("/vendor/{mode}/{file}", axum::routing::get(preview::vendor))
        .route("/healthz", axum::routing::get(health::healthz))
        .route("/readyz", axum::routing::get(health::readyz))
        .route("/metrics", axum::routing::get(metrics::render));
    router = match web {
        Some(web) => router.fallback_service(web),
        None => router
            .route("/", axum::routing::get(|| async { axum::response::Html(LANDING) }))
            .fallback(|| async { ApiError::NotFound { what: "page" }.into_response() }),
    };
    let secure = state.config.secure_cookies;
    let cors = cors(&state.config.cors_origins);
    let mut router = router
        .layer(axum::middleware::from_fn(metrics::track_http))
        .layer(axum::middleware::from_fn(nul::refuse_in_path))
        .layer(axum::middleware::from_fn_with_state(state.clone(), body_deadline::limit))
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
        .layer(header_layer(HeaderName::from_static("cross-origin-opener-policy"), "same-origin"))
        .layer(header_layer(HeaderName::from_static("cross-origin-resource-policy"), "same-origin"))
        .layer(header_layer(header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'"));
    if secure {
        router = router.layer(header_layer(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"));
    }
    if let Some(cors) = cors {
        router = router.layer(cors);
    }
    router.with_state(state)
}

/// Only `/healthz`, `/readyz` and `/metrics`, for processes that serve nothing else (workers).
pub fn health_app(state: Shared) -> Router {
    Router::new()
        .route("/healthz", axum::routing::get(health::healthz))
        .route("/readyz", axum::routing::get(health::readyz))
        .route("/metrics", axum::routing::get(metrics::render))
        .fallback(|| async { ApiError::NotFound { what: "endpoint" } })
        .with_state(state)
}

/// Sets a header on every response that does not already have one (a page may set its own CSP).
fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allowed: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(allowed))
            .allow_credentials(true)
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
            .max_age(Duration::from_secs(600)),
    )
}

const LANDING: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ReactLab</title></head><body>\
<h1>ReactLab</h1><p>The API is running. Read the <a href=\"/api/docs\">API reference</a>.</p></body></html>";

/// Work the API does in the background until `shutdown` turns true: replaying the outbox
/// (accepted submissions the queue has not confirmed), making sure the queue still holds
/// every unfinished submission, and dropping cached profiles whose progress changed.
pub fn spawn_background(state: Shared, shutdown: watch::Receiver<bool>) -> Vec<tokio::task::JoinHandle<()>> {
    vec![
        tokio::spawn(outbox::relay(state.clone(), shutdown.clone())),
        tokio::spawn(requeue_unfinished(state.clone(), shutdown.clone())),
        tokio::spawn(invalidate_on_results(state, shutdown)),
    ]
}

/// A queue that lost jobs (a Redis restarted without its data) must not lose submissions:
/// every so often, every unfinished submission of some age is queued again. Queueing is
/// idempotent, so jobs still there are untouched.
async fn requeue_unfinished(state: Shared, mut shutdown: watch::Receiver<bool>) {
    const EVERY: Duration = Duration::from_secs(30);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = shutdown.changed() => return,
        }
        match state.db.unfinished(EVERY.as_millis() as i64, 1000).await {
            Ok(ids) => {
                for id in ids {
                    if let Err(e) = state.queue.enqueue(&id).await {
                        tracing::debug!("queue unavailable for the unfinished-submission sweep: {e}");
                        break;
                    }
                }
            }
            Err(e) => tracing::warn!("unfinished submissions unreadable: {e}"),
        }
    }
}

async fn invalidate_on_results(state: Shared, mut shutdown: watch::Receiver<bool>) {
    let mut events = state.bus.subscribe();
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(Event { user, message, .. }) if message.get("type").and_then(|t| t.as_str()) == Some("done") => {
                    state.cache.invalidate(&cache::profile_key(&user)).await;
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return,
            },
            _ = shutdown.changed() => return,
        }
    }
}

/// Builds the shared state.
#[allow(clippy::too_many_arguments)]
pub fn state(
    db: reactlab_store::Db,
    objects: reactlab_store::Objects,
    local_signer: Option<Arc<reactlab_store::LocalSigner>>,
    queue: Arc<dyn reactlab_queue::JobQueue>,
    bus: Arc<dyn reactlab_queue::EventBus>,
    cache: Arc<dyn cache::Cache>,
    grader: Option<Arc<dyn Grader>>,
    preview: Option<Arc<dyn Preview>>,
    config: ApiConfig,
    shared_limits: Option<Arc<dyn state::SharedRateLimits>>,
    shutdown: watch::Receiver<bool>,
) -> Shared {
    let limiters = state::Limiters::new(config.rate_limits, shared_limits);
    Arc::new(AppState { db, objects, local_signer, queue, bus, cache, grader, preview, config, limiters, sockets: Default::default(), shutdown })
}
