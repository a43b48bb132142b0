//! What grading produces: a verdict, per-test results with their steps in words, the
//! console, and a screenshot of the first failure.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Accepted,
    /// A test failed.
    WrongAnswer,
    CompileError,
    /// An uncaught exception while mounting, or one that made a test fail.
    RuntimeError,
    TimeLimitExceeded,
    /// The judge's own fault, after its retries.
    InternalError,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::WrongAnswer => "wrong_answer",
            Verdict::CompileError => "compile_error",
            Verdict::RuntimeError => "runtime_error",
            Verdict::TimeLimitExceeded => "time_limit_exceeded",
            Verdict::InternalError => "internal_error",
        }
    }
}

impl Verdict {
    /// The verdict in words, for messages people read ("a runtime error").
    pub fn in_words(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::WrongAnswer => "a wrong answer",
            Verdict::CompileError => "a compile error",
            Verdict::RuntimeError => "a runtime error",
            Verdict::TimeLimitExceeded => "a time-out",
            Verdict::InternalError => "an internal error",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TestStatus {
    Passed,
    Failed,
    /// Not run: an earlier failure (compile error, crash at mount, deadline) decided the verdict.
    Skipped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Passed,
    Failed,
    NotRun,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StepOutcome {
    pub sentence: String,
    pub status: StepStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TestResult {
    pub name: String,
    pub status: TestStatus,
    /// Why it failed: expected against actual, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub steps: Vec<StepOutcome>,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CompileError {
    pub line: u32,
    pub column: u32,
    pub message: String,
    /// The offending lines with a caret under the column.
    pub frame: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsoleKind {
    Error,
    Warning,
    /// An uncaught exception or unhandled rejection.
    Exception,
    /// A warning printed by React itself.
    ReactWarning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConsoleEntry {
    pub kind: ConsoleKind,
    pub text: String,
    /// The test that was running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
}

/// Bounds on what the console keeps, so a chatty or hostile submission stays small.
pub const MAX_CONSOLE_ENTRIES: usize = 50;
pub const MAX_CONSOLE_TEXT: usize = 2_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GradeReport {
    pub verdict: Verdict,
    pub tests: Vec<TestResult>,
    pub compile_error: Option<CompileError>,
    pub console: Vec<ConsoleEntry>,
    /// A sentence for verdicts that no test explains (refused file, crash at mount, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub duration_ms: u64,
    /// PNG of the page at the first failure.
    #[serde(skip)]
    pub screenshot: Option<Vec<u8>>,
}

impl GradeReport {
    /// A report for a file refused before grading (too large, not UTF-8, no component, …).
    pub fn compile_error(error: CompileError) -> Self {
        GradeReport {
            verdict: Verdict::CompileError,
            tests: vec![],
            message: Some(error.message.clone()),
            compile_error: Some(error),
            console: vec![],
            duration_ms: 0,
            screenshot: None,
        }
    }
}

/// Cuts `text` to at most `max` bytes on a character boundary, marking the cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} more bytes)", &text[..end], text.len() - end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_char_boundaries() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("ééé", 3), "é… (4 more bytes)");
    }

    #[test]
    fn verdicts_serialize_in_snake_case() {
        assert_eq!(serde_json::to_string(&Verdict::TimeLimitExceeded).unwrap(), "\"time_limit_exceeded\"");
        assert_eq!(Verdict::WrongAnswer.to_string(), "wrong_answer");
    }
}
