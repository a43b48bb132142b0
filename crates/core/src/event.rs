//! What a learner hears about a submission while it is graded (the WebSocket messages).

use crate::report::{GradeReport, TestResult};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SubmissionEvent {
    /// Waiting for a worker; `position` 1 is next.
    Queued { id: String, position: Option<u64> },
    /// A worker is grading it.
    Running { id: String },
    /// One test finished.
    Test { id: String, test: TestResult },
    /// The final result.
    Done { id: String, result: GradeReport },
}

impl SubmissionEvent {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}
