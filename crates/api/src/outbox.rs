//! The outbox: a submission is stored with an outbox entry, then handed to the queue, which
//! clears the entry. When the queue is down the entry stays, and the relay hands it over
//! later, so an accepted submission is never lost between the database and the queue.

use crate::state::{AppState, Shared};
use reactlab_queue::QueueError;
use std::time::Duration;
use tokio::sync::watch;

/// Puts an accepted submission on the queue and clears its outbox entry. On failure the
/// entry stays and the outbox relay retries, so the learner's 202 still holds.
/// Returns its place in line, when the queue tells.
pub async fn hand_to_queue(state: &AppState, id: &str) -> Result<Option<u64>, QueueError> {
    if let Err(e) = state.queue.enqueue(id).await {
        tracing::warn!(submission = id, "queue unavailable, the outbox will retry: {e}");
        return Err(e);
    }
    if let Err(e) = state.db.outbox_done(id).await {
        tracing::warn!(submission = id, "outbox entry not cleared (a harmless duplicate may follow): {e}");
    }
    Ok(state.queue.position(id).await.ok().flatten())
}

/// Re-queues what the outbox still holds, every two seconds, until `shutdown` turns true.
pub async fn relay(state: Shared, mut shutdown: watch::Receiver<bool>) {
    // At start everything in the outbox is stale (a crash left it); later only entries old
    // enough that the request that wrote them has surely given up.
    let mut min_age_ms = 0;
    loop {
        match state.db.outbox(min_age_ms, 500).await {
            Ok(ids) => {
                for id in ids {
                    tracing::info!(submission = %id, "re-queueing from the outbox");
                    if hand_to_queue(&state, &id).await.is_err() {
                        break; // The queue is down: try the rest next round.
                    }
                }
            }
            Err(e) => tracing::warn!("outbox unreadable: {e}"),
        }
        min_age_ms = 5_000;
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
