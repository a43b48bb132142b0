//! Shared by the judge's integration tests: one runtime and one judge (one Chromium) per
//! test binary, and challenges written inline.
#![allow(dead_code)]

use reactlab_core::challenge::SourceFile;
use reactlab_core::{Challenge, GradeReport, TestStatus};
use reactlab_judge::{BrowserOptions, Judge};
use std::sync::LazyLock;

pub static RUNTIME: LazyLock<tokio::runtime::Runtime> =
    LazyLock::new(|| tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap());

pub static JUDGE: LazyLock<Judge> = LazyLock::new(|| {
    if let Ok(filter) = std::env::var("REACTLAB_LOG") {
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
    }
    Judge::new(BrowserOptions { max_in_flight: 2, ..BrowserOptions::default() })
});

pub fn challenge(spec: &str) -> Challenge {
    let file = |name: &str| SourceFile { name: name.into(), code: String::new() };
    Challenge::from_parts("inline", spec, "", file("starter.jsx"), file("reference.jsx")).unwrap_or_else(|e| panic!("bad inline spec: {e}"))
}

/// Grades `code` against an inline spec, with the shared judge.
pub fn grade(spec: &str, code: &str) -> GradeReport {
    grade_with(&JUDGE, spec, code)
}

pub fn grade_with(judge: &Judge, spec: &str, code: &str) -> GradeReport {
    let challenge = challenge(spec);
    RUNTIME.block_on(judge.grade(&challenge, "App.jsx", code)).expect("the judge itself must not fail")
}

/// A readable dump for assertion messages.
pub fn explain(r: &GradeReport) -> String {
    let mut out = format!("verdict {} ({:?})\n", r.verdict, r.message);
    for t in &r.tests {
        out.push_str(&format!("  {:?} {}: {:?}\n", t.status, t.name, t.message));
    }
    for c in &r.console {
        out.push_str(&format!("  console {:?}: {}\n", c.kind, c.text));
    }
    out
}

pub fn passed(r: &GradeReport, test: &str) -> bool {
    r.tests.iter().any(|t| t.name == test && t.status == TestStatus::Passed)
}

/// The counter challenge, small enough to inline, graded after hostile submissions to prove
/// the judge still grades ordinary ones correctly.
pub const COUNTER_SPEC: &str = r#"
title = "Counter"
difficulty = "easy"
[[test]]
name = "counts"
steps = [
  { do = "expect_number", equals = 0 },
  { do = "click", on = { role = "button", name = "Increment" } },
  { do = "expect_number", equals = 1 },
]
"#;

pub const COUNTER_OK: &str = r#"import { useState } from 'react';
export default function App() {
  const [n, setN] = useState(0);
  return <div><p>Count: {n}</p><button onClick={() => setN(n + 1)}>Increment</button></div>;
}"#;

pub fn assert_counter_still_graded(judge: &Judge) {
    let r = grade_with(judge, COUNTER_SPEC, COUNTER_OK);
    assert_eq!(r.verdict, reactlab_core::Verdict::Accepted, "an ordinary submission after a hostile one:\n{}", explain(&r));
    let wrong = COUNTER_OK.replace("n + 1", "n + 2");
    let r = grade_with(judge, COUNTER_SPEC, &wrong);
    assert_eq!(r.verdict, reactlab_core::Verdict::WrongAnswer, "{}", explain(&r));
}
