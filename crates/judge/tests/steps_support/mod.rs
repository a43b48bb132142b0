//! Helpers for the step-by-step tests (locators.rs, actions.rs, expectations.rs, steps.rs):
//! many small tests in one inline spec (each test mounts the component afresh), then
//! per-test assertions on status and message.
#![allow(dead_code)]

pub use crate::common::*;
#[allow(unused_imports)] // shared by several test files, each using a subset
pub use reactlab_core::{GradeReport, StepStatus, TestResult, TestStatus, Verdict};

/// A spec with one `[[test]]` per (name, steps), generous deadlines (the machine may be loaded).
pub fn spec(tests: &[(&str, &str)]) -> String {
    spec_with("", tests)
}

/// Like `spec`, with extra top-level lines (e.g. `react = "development"`).
pub fn spec_with(header: &str, tests: &[(&str, &str)]) -> String {
    let mut s = format!("title = \"t\"\ndifficulty = \"easy\"\ntest_timeout_ms = 15000\ntimeout_ms = 600000\n{header}\n");
    for (name, steps) in tests {
        s.push_str(&format!("[[test]]\nname = \"{name}\"\nsteps = [\n{steps}\n]\n"));
    }
    s
}

pub fn test<'a>(r: &'a GradeReport, name: &str) -> &'a TestResult {
    r.tests.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no test “{name}” in\n{}", explain(r)))
}

#[track_caller]
pub fn expect_passed(r: &GradeReport, name: &str) {
    let t = test(r, name);
    assert_eq!(t.status, TestStatus::Passed, "test “{name}” should pass:\n{}", explain(r));
}

/// The test failed (not skipped) and its message contains every piece.
#[track_caller]
pub fn expect_failed(r: &GradeReport, name: &str, pieces: &[&str]) -> String {
    let t = test(r, name);
    assert_eq!(t.status, TestStatus::Failed, "test “{name}” should fail:\n{}", explain(r));
    let message = t.message.clone().unwrap_or_default();
    eprintln!("[{name}] {message}");
    for p in pieces {
        assert!(message.contains(p), "test “{name}”: the message should contain “{p}”, it is “{message}”\n{}", explain(r));
    }
    message
}

/// Every test of the spec passed.
#[track_caller]
pub fn expect_all_passed(r: &GradeReport, tests: &[(&str, &str)]) {
    let failed: Vec<_> = tests.iter().filter(|(n, _)| test(r, n).status != TestStatus::Passed).map(|(n, _)| *n).collect();
    assert!(failed.is_empty(), "these tests should pass: {failed:?}\n{}", explain(r));
}
