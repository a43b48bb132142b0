//! The one entry point the `challenge_file` fuzz target (`fuzz/`) and the test that replays
//! its seeds (`tests/fuzz_seeds.rs`) share, so both exercise exactly the same path: a
//! `challenge.toml` text parsed and validated as the catalog and the authoring API do, then
//! every step rendered as the learner reads it and every locator as the judge's messages
//! name it. Not part of the domain API: nothing in the product calls it.

use crate::LoadError;
use crate::challenge::{Challenge, SourceFile};
use crate::expr;
use crate::step::{Step, parse_chord};
use std::collections::HashMap;

/// What a well-formed file rendered to.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    pub tests: usize,
    pub sentences: usize,
}

/// Reads `data` as a `challenge.toml` (bytes that are not UTF-8 are replaced, as a browser
/// would before posting the text). Panics only if a promise the format makes is broken:
/// an error that points outside the file, or a step that renders as nothing.
pub fn challenge_file(data: &[u8]) -> Result<Rendered, LoadError> {
    let source = String::from_utf8_lossy(data);
    let file = |name: &str| SourceFile { name: name.into(), code: "export default () => null;".into() };
    let challenge = match Challenge::from_parts("fuzz", &source, "", file("starter.jsx"), file("reference.jsx")) {
        Ok(challenge) => challenge,
        Err(error) => {
            check_error_position(&source, &error);
            return Err(error);
        }
    };
    let _ = (challenge.react_build(), challenge.test_timeout_ms(), challenge.timeout_ms());
    let mut rendered = Rendered::default();
    for test in &challenge.spec.tests {
        let _ = test.controls_clock();
        // The judge fills captures with what it read on the page; any number will do here.
        let mut captures = HashMap::new();
        for step in test.steps.iter().map(|s| s.get_ref()) {
            render(step, &mut captures);
            rendered.sentences += 1;
        }
        rendered.tests += 1;
    }
    Ok(rendered)
}

/// Everything the platform shows or computes of one step before it touches a page: its
/// sentence, the names of its locators in the judge's failure messages, its key chord, its
/// regular expression as the judge compiles it, and its expected values once the captures
/// it refers to are set. Validation promised that all of these work.
fn render(step: &Step, captures: &mut HashMap<String, String>) {
    let sentence = step.to_string();
    assert!(!sentence.trim().is_empty(), "the `{}` step renders as nothing", step.kind());
    let _ = (step.timeout_ms(), step.capture_read());
    for locator in step.locators() {
        assert!(!locator.describe().is_empty() && !locator.describe_plural().is_empty());
    }
    let mut expected: Vec<&String> = vec![];
    match step {
        Step::Capture { name, .. } => {
            captures.insert(name.clone(), "7".into());
        }
        Step::ExpectNumber { equals, .. } => {
            equals.evaluate(captures).unwrap_or_else(|e| panic!("a validated `equals` does not evaluate: {e}"));
        }
        Step::Press { key, .. } => {
            parse_chord(key).unwrap_or_else(|e| panic!("a validated key does not parse: {e}"));
        }
        Step::ExpectText { equals, not_equals, contains, not_contains, matches, exact, .. } => {
            expected.extend([equals, not_equals, contains, not_contains].into_iter().flatten());
            if let Some(re) = matches {
                // The judge compiles it case-insensitively unless `exact`, which validation does not.
                regex::RegexBuilder::new(re).case_insensitive(!exact).build().unwrap_or_else(|e| panic!("a validated `matches` does not compile: {e}"));
            }
        }
        Step::ExpectStyle { equals, not_equals, .. } => expected.extend([equals, not_equals].into_iter().flatten()),
        Step::ExpectAttribute { equals: Some(v), .. } => expected.push(v),
        Step::ExpectProperty { equals: serde_json::Value::String(v), .. } => expected.push(v),
        _ => {}
    }
    for text in expected {
        expr::substitute(text, captures).unwrap_or_else(|e| panic!("a validated expected value does not substitute: {e}"));
    }
}

/// A load error names a line and column inside the file (or none at all).
fn check_error_position(source: &str, error: &LoadError) {
    let _ = error.to_string();
    let lines = source.split('\n').count();
    if let Some(line) = error.line {
        assert!((1..=lines).contains(&line), "line {line} of a {lines}-line file: {error}");
    }
    if let Some(column) = error.column {
        assert!(column >= 1, "column {column}: {error}");
    }
}
