//! Reading a caller's submission, as the submissions handlers and the WebSocket both do.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::SubmissionView;
use reactlab_store::Submission;

/// The caller's own submission; anyone else's is "not found", never "forbidden".
pub async fn own(state: &AppState, user_id: &str, id: &str) -> ApiResult<Submission> {
    if crate::nul::contains_nul(id) {
        // No id holds one (and PostgreSQL could not even compare it): nothing to look up.
        return Err(ApiError::NotFound { what: "submission" });
    }
    match state.db.submission(id).await? {
        Some(s) if s.user_id == user_id => Ok(s),
        _ => Err(ApiError::NotFound { what: "submission" }),
    }
}

/// Its view for the client, with its place in the queue while it waits.
pub async fn view_of(state: &AppState, s: &Submission) -> SubmissionView {
    let position = match s.status {
        reactlab_store::SubmissionStatus::Queued => state.queue.position(&s.id).await.ok().flatten(),
        _ => None,
    };
    SubmissionView::new(s, position)
}
