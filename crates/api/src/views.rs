//! What the API sends back, shaped for its clients rather than for storage.

use reactlab_core::{GradeReport, Verdict};
use reactlab_store::{Submission, SubmissionStatus};
use schemars::JsonSchema;
use serde::Serialize;

/// RFC 3339, UTC, milliseconds.
pub fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)).unwrap_or_default()
}

#[derive(Serialize, JsonSchema)]
pub struct SubmissionView {
    pub id: String,
    pub challenge: String,
    pub status: SubmissionStatus,
    /// Present once done.
    pub verdict: Option<Verdict>,
    /// The grade report once done: tests with their steps, console, compile error.
    pub result: Option<GradeReport>,
    /// Place in the queue while queued (1 = next).
    pub position: Option<u64>,
    /// Grading attempts so far (a judge fault is retried).
    pub attempts: i64,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub has_screenshot: bool,
}

impl SubmissionView {
    pub fn new(s: &Submission, position: Option<u64>) -> Self {
        SubmissionView {
            id: s.id.clone(),
            challenge: s.challenge.clone(),
            status: s.status,
            verdict: s.report.as_ref().map(|r| r.verdict),
            result: s.report.clone(),
            position: if s.status == SubmissionStatus::Queued { position } else { None },
            attempts: s.attempts,
            created_at: time(s.created_at),
            started_at: s.started_at.map(time),
            finished_at: s.finished_at.map(time),
            has_screenshot: s.screenshot_key.is_some(),
        }
    }
}

/// A line of a submission history.
#[derive(Serialize, JsonSchema)]
pub struct SubmissionSummary {
    pub id: String,
    pub challenge: String,
    pub status: SubmissionStatus,
    pub verdict: Option<Verdict>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

impl From<&Submission> for SubmissionSummary {
    fn from(s: &Submission) -> Self {
        SubmissionSummary {
            id: s.id.clone(),
            challenge: s.challenge.clone(),
            status: s.status,
            verdict: s.report.as_ref().map(|r| r.verdict),
            created_at: time(s.created_at),
            finished_at: s.finished_at.map(time),
        }
    }
}

/// A link that lets its holder read one stored object until it expires.
#[derive(Serialize, JsonSchema)]
pub struct SignedUrl {
    pub url: String,
    pub expires_at: String,
}
