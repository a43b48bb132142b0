//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the parts a
//! request needs work).

use crate::state::Shared;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<Shared>) -> (StatusCode, Json<Value>) {
    let limit = Duration::from_secs(5);
    let timed = |name: &'static str| move |_| format!("{name} did not answer within {} s", limit.as_secs());
    let database = tokio::time::timeout(limit, state.db.ping()).await.map_err(timed("database")).and_then(|r| r.map_err(|e| e.to_string()));
    let store = tokio::time::timeout(limit, state.objects.ping()).await.map_err(timed("object store")).and_then(|r| r.map_err(|e| e.to_string()));
    let queue = tokio::time::timeout(limit, state.queue.stats()).await.map_err(timed("queue")).and_then(|r| r.map(|_| ()).map_err(|e| e.to_string()));
    let judge = match &state.grader {
        Some(g) => tokio::time::timeout(Duration::from_secs(20), g.ready()).await.map_err(timed("judge")).and_then(|r| r),
        None => Ok(Vec::new()),
    };
    let warnings = judge.clone().unwrap_or_default();
    let judge = judge.map(|_| ());
    // Without the queue, submissions are still accepted (they wait in the database's
    // outbox): the API stays in service, degraded, rather than being taken out of it. A
    // judge that works with a wall down (no browser sandbox, say) is in service, degraded.
    let degraded = queue.is_err() || !warnings.is_empty();
    let queue = queue.map_err(|e| format!("{e} (submissions are accepted and wait in the outbox)"));
    let checks = [("database", database), ("object_store", store), ("queue", queue), ("judge", judge)];
    let ready = checks.iter().all(|(name, r)| r.is_ok() || *name == "queue");
    let detail: serde_json::Map<String, Value> = checks
        .into_iter()
        .map(|(k, r)| {
            (
                k.to_string(),
                match r {
                    Ok(()) => json!("ok"),
                    Err(e) => json!(e),
                },
            )
        })
        .collect();
    let (status, word) = match (ready, degraded) {
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "not_ready"),
        (true, true) => (StatusCode::OK, "degraded"),
        (true, false) => (StatusCode::OK, "ready"),
    };
    let mut body = json!({ "status": word, "checks": detail });
    if !warnings.is_empty() {
        body["warnings"] = json!(warnings);
    }
    (status, Json(body))
}
