//! The requirements of a statement, each with a short id, and the rule that keeps a challenge
//! from shipping with a blind spot: every requirement is checked by a test, and every
//! wrong sample solution names the requirement it breaks.
//!
//! In `statement.md`, each item of the `## Requirements` list starts with its id:
//! `- [starts-at-zero] The number is 0 when the page loads.` Each `[[test]]` of
//! `challenge.toml` lists the ids it checks (`checks = ["starts-at-zero"]`); a `fail-*`
//! fixture's first line names the ids it breaks (`// breaks: starts-at-zero`).

use crate::challenge::{Challenge, Fixture};
use serde::{Deserialize, Serialize};

/// One item of a statement's requirement list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub id: String,
    /// The item's text without its id, white space collapsed (Markdown kept).
    pub text: String,
}

const HEADING: &str = "## Requirements";
const MAX_ID_CHARS: usize = 32;

/// Whether `id` is a requirement id: lower-case letters and digits in words joined by single
/// hyphens, at most 32 characters.
pub fn is_id(id: &str) -> bool {
    id.len() <= MAX_ID_CHARS && !id.is_empty() && id.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// A statement line and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementError {
    pub line: usize,
    pub message: String,
}

/// The statement's requirements, in order. A statement without a `## Requirements` list has
/// none; one whose list has an item without an id, or an id twice, is refused.
pub fn parse(statement: &str) -> Result<Vec<Requirement>, StatementError> {
    let mut requirements: Vec<Requirement> = Vec::new();
    let mut in_list = false;
    for (index, line) in statement.lines().enumerate() {
        let at = |message: String| StatementError { line: index + 1, message };
        if line.starts_with("## ") || line.starts_with("# ") {
            in_list = line.trim_end() == HEADING;
            continue;
        }
        if !in_list {
            continue;
        }
        if let Some(item) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
            let Some((id, text)) = item.strip_prefix('[').and_then(|rest| rest.split_once(']')) else {
                return Err(at("each item of the requirement list starts with its id: `- [some-id] …`".into()));
            };
            if !is_id(id) {
                return Err(at(format!("`{id}` is not a requirement id: lower-case letters, digits and single `-`, at most {MAX_ID_CHARS} characters")));
            }
            if requirements.iter().any(|r| r.id == id) {
                return Err(at(format!("the requirement id `{id}` is used twice")));
            }
            requirements.push(Requirement { id: id.to_string(), text: text.trim().to_string() });
        } else if let Some(last) = requirements.last_mut().filter(|_| line.starts_with("  ") && !line.trim().is_empty()) {
            last.text.push(' ');
            last.text.push_str(line.trim());
        }
    }
    Ok(requirements)
}

/// The requirement ids a fixture's first line says it breaks (`// breaks: a, b`).
pub fn broken_by(fixture: &Fixture) -> Vec<String> {
    let first = fixture.file.code.lines().next().unwrap_or_default().trim();
    first
        .strip_prefix("//")
        .map(str::trim_start)
        .and_then(|rest| rest.strip_prefix("breaks:"))
        .map(|ids| ids.split(',').map(|id| id.trim().to_string()).filter(|id| !id.is_empty()).collect())
        .unwrap_or_default()
}

/// Where a challenge's requirements and tests do not cover each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoverageError {
    /// In `statement.md`.
    Statement(StatementError),
    /// In `challenge.toml` (a test), or about the challenge as a whole.
    Spec(String),
    /// In a fixture file.
    Fixture { file: String, message: String },
}

/// Checks that every requirement is checked by a test, that every test checks a known
/// requirement, and that every `fail-*` fixture names the known requirements it breaks.
pub fn check_coverage(challenge: &Challenge) -> Result<(), CoverageError> {
    let requirements = parse(&challenge.statement).map_err(CoverageError::Statement)?;
    if requirements.is_empty() {
        return Err(CoverageError::Statement(StatementError {
            line: 1,
            message: format!("the statement needs a `{HEADING}` list whose items start with an id: `- [starts-at-zero] …`"),
        }));
    }
    let known = |id: &str| requirements.iter().any(|r| r.id == id);
    let ids = || requirements.iter().map(|r| format!("`{}`", r.id)).collect::<Vec<_>>().join(", ");
    for test in &challenge.spec.tests {
        if test.checks.is_empty() {
            return Err(CoverageError::Spec(format!(
                "test “{}” names no requirement: add `checks = [\"…\"]` with ids from the statement ({})",
                test.name,
                ids()
            )));
        }
        if let Some(unknown) = test.checks.iter().find(|id| !known(id)) {
            return Err(CoverageError::Spec(format!(
                "test “{}” checks `{unknown}`, which the statement's requirement list does not have ({})",
                test.name,
                ids()
            )));
        }
    }
    for requirement in &requirements {
        if !challenge.spec.tests.iter().any(|t| t.checks.contains(&requirement.id)) {
            return Err(CoverageError::Spec(format!(
                "no test checks the requirement `{}` ({}): add its id to the `checks` of the test that checks it",
                requirement.id, requirement.text
            )));
        }
    }
    for fixture in challenge.fixtures.iter().filter(|f| !f.should_pass) {
        let breaks = broken_by(fixture);
        let file = fixture.file.name.clone();
        if breaks.is_empty() {
            return Err(CoverageError::Fixture { file, message: "a fail fixture's first line names the requirements it breaks: `// breaks: some-id`".into() });
        }
        if let Some(unknown) = breaks.iter().find(|id| !known(id)) {
            return Err(CoverageError::Fixture {
                file,
                message: format!("breaks `{unknown}`, which the statement's requirement list does not have ({})", ids()),
            });
        }
    }
    Ok(())
}

/// `docs/challenges.md`: for each challenge, each requirement of its statement, the tests
/// that check it and the wrong sample solutions (`fail-*` fixtures) that break it, then
/// each test's steps.
pub fn audit(catalog: &crate::Catalog) -> String {
    let mut out = String::from(
        "# The built-in challenges, requirement by requirement\n\n\
         Generated by `reactlab challenges audit` from the challenge folders (do not edit by hand;\n\
         `REACTLAB_BLESS=1 cargo test -p reactlab-core --test audit` rewrites it). For each\n\
         requirement of a statement: the tests that check it (`checks` in `challenge.toml`) and\n\
         the wrong solutions that break it (`fail-*` fixtures, whose first line names what they\n\
         break); then each test's steps, as a learner's report words them. `reactlab challenges\n\
         check` proves both columns: every requirement has a test, and each of those fixtures\n\
         fails, in a test that checks what it breaks.\n",
    );
    for c in &catalog.challenges {
        out.push_str(&format!("\n## `{}` — {}\n\n| requirement | checked by | broken by |\n|---|---|---|\n", c.slug, c.spec.title));
        for r in &c.requirements {
            let tests: Vec<String> = c.spec.tests.iter().filter(|t| t.checks.contains(&r.id)).map(|t| format!("“{}”", t.name)).collect();
            let fixtures: Vec<String> =
                c.fixtures.iter().filter(|f| !f.should_pass && broken_by(f).contains(&r.id)).map(|f| format!("`{}`", f.file.name)).collect();
            let broken = if fixtures.is_empty() { "—".to_string() } else { fixtures.join(", ") };
            out.push_str(&format!("| **{}**: {} | {} | {} |\n", r.id, r.text.replace('|', "\\|"), tests.join("<br>"), broken));
        }
        // The steps of each test, as the learner's report words them: where in a test each
        // requirement is checked.
        out.push_str("\nThe tests, step by step:\n\n");
        for t in &c.spec.tests {
            let checks: Vec<String> = t.checks.iter().map(|id| format!("`{id}`")).collect();
            out.push_str(&format!("- “{}” (checks {})\n", t.name, checks.join(", ")));
            for (i, step) in t.steps.iter().enumerate() {
                out.push_str(&format!("  {}. {}\n", i + 1, step.get_ref()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATEMENT: &str = "Build a counter.\n\n## Requirements\n\n- [starts-at-zero] The number is `0`\n  when the page loads.\n- [each-click] Each click adds 1.\n\nTip: use state.\n\n## Notes\n- not a requirement\n";

    #[test]
    fn items_of_the_requirement_list_are_parsed_with_their_continuations() {
        let r = parse(STATEMENT).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0], Requirement { id: "starts-at-zero".into(), text: "The number is `0` when the page loads.".into() });
        assert_eq!(r[1].id, "each-click");
        assert_eq!(parse("No list here.\n- [x] an item elsewhere\n").unwrap(), vec![]);
    }

    #[test]
    fn items_without_an_id_or_with_a_bad_or_repeated_one_are_refused_at_their_line() {
        let err = parse("## Requirements\n- [a] one\n- two\n").unwrap_err();
        assert_eq!(err.line, 3, "{err:?}");
        let err = parse("## Requirements\n- [Bad_Id] one\n").unwrap_err();
        assert!(err.message.contains("`Bad_Id` is not a requirement id"), "{err:?}");
        let err = parse("## Requirements\n- [a] one\n- [a] two\n").unwrap_err();
        assert!(err.message.contains("twice"), "{err:?}");
        assert!(!is_id("a--b") && !is_id("-a") && !is_id(&"a".repeat(33)) && is_id("a1-b2"));
    }

    #[test]
    fn a_fixture_names_what_it_breaks_on_its_first_line() {
        let fixture = |code: &str| Fixture { file: crate::SourceFile { name: "fail-x.jsx".into(), code: code.into() }, should_pass: false };
        assert_eq!(broken_by(&fixture("// breaks: a, b-c\nimport x from 'react';")), vec!["a", "b-c"]);
        assert_eq!(broken_by(&fixture("//breaks:a")), vec!["a"]);
        assert!(broken_by(&fixture("import x from 'react';\n// breaks: a")).is_empty());
    }

    fn challenge(statement: &str, checks: &[&[&str]], fixture_first_line: Option<&str>) -> Challenge {
        let mut spec = String::from("title = \"t\"\ndifficulty = \"easy\"\n");
        for (i, ids) in checks.iter().enumerate() {
            let ids: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
            spec.push_str(&format!("[[test]]\nname = \"t{i}\"\nchecks = [{}]\nsteps = [{{ do = \"expect_number\", equals = 0 }}]\n", ids.join(", ")));
        }
        let file = |name: &str| crate::SourceFile { name: name.into(), code: String::new() };
        let mut c = Challenge::from_parts("c", &spec, statement, file("starter.jsx"), file("reference.jsx")).unwrap();
        if let Some(line) = fixture_first_line {
            c.fixtures.push(Fixture {
                file: crate::SourceFile { name: "fail-x.jsx".into(), code: format!("{line}\nexport default () => null;") },
                should_pass: false,
            });
        }
        c
    }

    #[test]
    fn coverage_needs_every_requirement_checked_and_every_check_known() {
        check_coverage(&challenge(STATEMENT, &[&["starts-at-zero"], &["each-click"]], Some("// breaks: each-click"))).unwrap();
        let spec_error = |c: &Challenge| match check_coverage(c) {
            Err(CoverageError::Spec(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(spec_error(&challenge(STATEMENT, &[&["starts-at-zero"]], None)).contains("no test checks the requirement `each-click`"));
        assert!(spec_error(&challenge(STATEMENT, &[&["starts-at-zero", "each-click"], &[]], None)).contains("test “t1” names no requirement"));
        assert!(spec_error(&challenge(STATEMENT, &[&["starts-at-zero", "each-click", "typo"]], None)).contains("checks `typo`"));
        assert!(matches!(check_coverage(&challenge("No list.", &[&["a"]], None)), Err(CoverageError::Statement(e)) if e.message.contains("## Requirements")));
    }

    #[test]
    fn coverage_needs_every_fail_fixture_to_name_a_known_requirement() {
        let fixture_error = |line: &str| match check_coverage(&challenge(STATEMENT, &[&["starts-at-zero", "each-click"]], Some(line))) {
            Err(CoverageError::Fixture { file, message }) => format!("{file}: {message}"),
            other => panic!("{other:?}"),
        };
        assert!(fixture_error("// wrong on purpose").contains("fail-x.jsx: a fail fixture's first line names"));
        assert!(fixture_error("// breaks: nope").contains("breaks `nope`"));
    }
}
