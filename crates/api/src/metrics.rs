//! `/metrics` in the Prometheus text format. Everything records through the `metrics`
//! facade where it happens (the API, the worker loop, the judge's browser pool); this
//! module installs the recorder, times HTTP requests, and reads the queue's depth at
//! each scrape. docs/operations.md lists every series.

use crate::state::Shared;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

const HTTP_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Waiting in the queue and grading take longer than requests.
const JOB_BUCKETS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0];

/// Installs the process-wide recorder (once; later calls do nothing). Processes that do not
/// call this record nothing and `/metrics` answers 404.
pub fn install() {
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("reactlab_http_request_duration_seconds".into()), HTTP_BUCKETS)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Suffix("job_wait_seconds".into()), JOB_BUCKETS))
            .and_then(|b| b.set_buckets_for_metric(Matcher::Suffix("job_run_seconds".into()), JOB_BUCKETS))
            .and_then(|b| b.install_recorder())
            .expect("the metrics recorder installs once")
    });
}

/// Times every request by method, route pattern (never the raw path: bounded series) and
/// status.
pub async fn track_http(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| "other".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    let labels = [("method", method), ("route", route), ("status", response.status().as_u16().to_string())];
    metrics::histogram!("reactlab_http_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
    response
}

pub async fn render(State(state): State<Shared>) -> Response {
    let Some(handle) = HANDLE.get() else {
        return (StatusCode::NOT_FOUND, "metrics are not enabled in this process\n").into_response();
    };
    match tokio::time::timeout(Duration::from_secs(2), state.queue.stats()).await {
        Ok(Ok(stats)) => {
            metrics::gauge!("reactlab_queue_jobs", "state" => "waiting").set(stats.waiting as f64);
            metrics::gauge!("reactlab_queue_jobs", "state" => "running").set(stats.running as f64);
            metrics::gauge!("reactlab_queue_jobs", "state" => "dead").set(stats.dead as f64);
            metrics::gauge!("reactlab_queue_up").set(1.0);
        }
        _ => metrics::gauge!("reactlab_queue_up").set(0.0),
    }
    handle.run_upkeep();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}
