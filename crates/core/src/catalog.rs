//! Reading challenges: `challenge.toml` parsed and validated with errors that name the file,
//! line and cause, plus the statement, starter, reference and fixtures beside it.

use crate::challenge::{Challenge, ChallengeSpec, Fixture, SourceFile};
use crate::step::Step;
use std::fmt;
use std::path::{Path, PathBuf};

/// A challenge that cannot be loaded: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl LoadError {
    fn at(file: &str, source: &str, span: Option<std::ops::Range<usize>>, message: impl Into<String>) -> Self {
        let (line, column) = match span {
            Some(span) => {
                let (l, c) = line_col(source, span.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        LoadError { file: file.to_string(), line, column, message: message.into() }
    }

    fn file(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        LoadError { file: file.as_ref().display().to_string(), line: None, column: None, message: message.into() }
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Parses and validates a `challenge.toml`; `file` names it in errors.
pub fn parse_spec(file: &str, source: &str) -> Result<ChallengeSpec, LoadError> {
    let spec: ChallengeSpec = toml::from_str(source).map_err(|e| LoadError::at(file, source, e.span(), e.message().trim()))?;
    validate_spec(file, source, &spec)?;
    Ok(spec)
}

fn validate_spec(file: &str, source: &str, spec: &ChallengeSpec) -> Result<(), LoadError> {
    let whole = |m: String| LoadError::at(file, source, None, m);
    if spec.title.trim().is_empty() {
        return Err(whole("`title` must not be empty".into()));
    }
    if spec.tests.is_empty() {
        return Err(whole("a challenge needs at least one `[[test]]`".into()));
    }
    let mut names = std::collections::HashSet::new();
    for test in &spec.tests {
        let first_span = test.steps.first().map(|s| s.span());
        if test.name.trim().is_empty() || !names.insert(test.name.trim().to_lowercase()) {
            return Err(LoadError::at(file, source, first_span, format!("test names must be non-empty and unique: “{}”", test.name)));
        }
        if test.steps.is_empty() {
            return Err(whole(format!("test “{}” has no steps", test.name)));
        }
        for mock in &test.mocks {
            if !mock.path.starts_with('/') {
                return Err(whole(format!("test “{}”: a mock's `path` starts with `/`, not `{}`", test.name, mock.path)));
            }
            if !(100..=599).contains(&mock.status) {
                return Err(whole(format!("test “{}”: `status` {} is not an HTTP status", test.name, mock.status)));
            }
            if mock.json.is_some() && mock.body.is_some() {
                return Err(whole(format!("test “{}”: a mock has `json` or `body`, not both", test.name)));
            }
        }
        let mut captured = Vec::new();
        let mut clock_moved = false;
        for step in &test.steps {
            let fail = |m: String| LoadError::at(file, source, Some(step.span()), format!("test “{}”, `{}` step: {m}", test.name, step.get_ref().kind()));
            step.get_ref().validate(&mut captured).map_err(fail)?;
            match step.get_ref() {
                Step::AdvanceClock { .. } => clock_moved = true,
                Step::Reload {} | Step::Reopen {} if clock_moved => {
                    return Err(fail("a test cannot reload or reopen after `advance_clock` (the page clock is stopped)".into()));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// The built-in or any other set of challenges, in slug order.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub challenges: Vec<Challenge>,
}

impl Catalog {
    /// Loads every sub-folder of `root` that holds a `challenge.toml`. All errors are
    /// returned, not just the first.
    pub fn load_dir(root: &Path) -> Result<Catalog, Vec<LoadError>> {
        let entries = std::fs::read_dir(root).map_err(|e| vec![LoadError::file(root, format!("cannot read the catalog folder: {e}"))])?;
        let mut dirs: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.join("challenge.toml").is_file()).collect();
        dirs.sort();
        let mut challenges = Vec::new();
        let mut errors = Vec::new();
        for dir in dirs {
            match load_challenge(&dir) {
                Ok(c) => challenges.push(c),
                Err(e) => errors.push(e),
            }
        }
        if challenges.is_empty() && errors.is_empty() {
            errors.push(LoadError::file(root, "no challenge folders (with a challenge.toml) here"));
        }
        if errors.is_empty() { Ok(Catalog { challenges }) } else { Err(errors) }
    }

    pub fn get(&self, slug: &str) -> Option<&Challenge> {
        self.challenges.iter().find(|c| c.slug == slug)
    }
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|e| LoadError::file(path, format!("cannot read: {e}")))
}

/// The one file in `dir` named `stem.jsx` or `stem.tsx`.
fn source_file(dir: &Path, stem: &str) -> Result<SourceFile, LoadError> {
    let found: Vec<PathBuf> = ["jsx", "tsx"].iter().map(|ext| dir.join(format!("{stem}.{ext}"))).filter(|p| p.is_file()).collect();
    match found.as_slice() {
        [path] => Ok(SourceFile { name: file_name(path), code: read(path)? }),
        [] => Err(LoadError::file(dir, format!("missing {stem}.jsx (or {stem}.tsx)"))),
        _ => Err(LoadError::file(dir, format!("both {stem}.jsx and {stem}.tsx: keep one"))),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Loads one challenge folder; its slug is the folder's name.
pub fn load_challenge(dir: &Path) -> Result<Challenge, LoadError> {
    let slug = file_name(dir);
    if slug.is_empty() || !slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(LoadError::file(dir, "a challenge folder's name is its slug: lower-case letters, digits and `-`"));
    }
    let spec_path = dir.join("challenge.toml");
    let spec = parse_spec(&spec_path.display().to_string(), &read(&spec_path)?)?;
    let statement = read(&dir.join("statement.md"))?;
    let starter = source_file(dir, "starter")?;
    let reference = source_file(dir, "reference")?;
    let mut fixtures = Vec::new();
    let fixtures_dir = dir.join("fixtures");
    if fixtures_dir.is_dir() {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&fixtures_dir)
            .map_err(|e| LoadError::file(&fixtures_dir, format!("cannot read: {e}")))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        paths.sort();
        for path in paths {
            let name = file_name(&path);
            let should_pass = if name.starts_with("pass-") {
                true
            } else if name.starts_with("fail-") {
                false
            } else {
                return Err(LoadError::file(&path, "fixture names start with `pass-` or `fail-`"));
            };
            fixtures.push(Fixture { file: SourceFile { name, code: read(&path)? }, should_pass });
        }
    }
    let requirements = crate::requirement::parse(&statement).unwrap_or_default();
    let challenge = Challenge { slug, spec, statement, requirements, starter, reference, fixtures, dir: Some(dir.to_path_buf()) };
    check_coverage(dir, &challenge)?;
    Ok(challenge)
}

/// A folder's challenge must cover its requirements (`requirement::check_coverage`); the
/// error names the file and, in the statement, the line.
fn check_coverage(dir: &Path, challenge: &Challenge) -> Result<(), LoadError> {
    use crate::requirement::CoverageError;
    let path = |name: &str| dir.join(name).display().to_string();
    crate::requirement::check_coverage(challenge).map_err(|e| match e {
        CoverageError::Statement(e) => LoadError { file: path("statement.md"), line: Some(e.line), column: None, message: e.message },
        CoverageError::Spec(message) => LoadError { file: path("challenge.toml"), line: None, column: None, message },
        CoverageError::Fixture { file, message } => LoadError { file: path(&format!("fixtures/{file}")), line: Some(1), column: None, message },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
title = "Counter"
difficulty = "easy"
tags = ["state"]

[[test]]
name = "starts at 0"
steps = [
  { do = "expect_number", equals = 0 },
]

[[test]]
name = "adds one"
steps = [
  { do = "capture", as = "n", number = true },
  { do = "click", on = { role = "button", name = "Increment" } },
  { do = "expect_number", equals = "n + 1" },
]
"#;

    #[test]
    fn parses_a_valid_file() {
        let spec = parse_spec("c.toml", GOOD).unwrap();
        assert_eq!(spec.tests.len(), 2);
        assert_eq!(spec.tests[1].steps[1].get_ref().kind(), "click");
    }

    #[test]
    fn unknown_step_names_line_and_cause() {
        let bad = GOOD.replace(r#"do = "click""#, r#"do = "clik""#);
        let err = parse_spec("c.toml", &bad).unwrap_err();
        assert_eq!(err.line, Some(16), "{err}");
        assert!(err.message.contains("clik"), "{err}");
        assert!(err.to_string().starts_with("c.toml:16:"), "{err}");
    }

    #[test]
    fn semantic_errors_name_the_step_line() {
        let bad = GOOD.replace(r#"equals = "n + 1""#, r#"equals = "m + 1""#);
        let err = parse_spec("c.toml", &bad).unwrap_err();
        assert_eq!(err.line, Some(17), "{err}");
        assert!(err.message.contains("“m” is used before"), "{err}");

        let bad = GOOD.replace(r#"{ role = "button", name = "Increment" }"#, r#"{ name = "Increment" }"#);
        let err = parse_spec("c.toml", &bad).unwrap_err();
        assert_eq!(err.line, Some(16), "{err}");
        assert!(err.message.contains("needs one of"), "{err}");
    }

    #[test]
    fn unknown_fields_and_syntax_errors() {
        let err = parse_spec("c.toml", &GOOD.replace("tags =", "tagz =")).unwrap_err();
        assert!(err.message.contains("tagz"), "{err}");
        assert_eq!(err.line, Some(4));
        let err = parse_spec("c.toml", "title = \"x\"\ndifficulty = \"easy\"\n[[test]\n").unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        let err = parse_spec("c.toml", "title = \"x\"\ndifficulty = \"easy\"\ntest = []\n").unwrap_err();
        assert!(err.message.contains("at least one"), "{err}");
    }

    #[test]
    fn reload_after_clock_is_refused() {
        let src = "title = \"x\"\ndifficulty = \"easy\"\n[[test]]\nname = \"t\"\nsteps = [\n { do = \"advance_clock\", ms = 5 },\n { do = \"reload\" },\n]\n";
        let err = parse_spec("c.toml", src).unwrap_err();
        assert_eq!(err.line, Some(7), "{err}");
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }
}

/// The JSON Schema of `challenge.toml`, as published in `docs/challenge.schema.json`.
pub fn schema() -> serde_json::Value {
    let schema = schemars::schema_for!(ChallengeSpec);
    serde_json::to_value(&schema).expect("a schema serializes")
}

#[cfg(test)]
mod schema_tests {
    #[test]
    fn the_published_schema_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/challenge.schema.json");
        let generated = serde_json::to_string_pretty(&super::schema()).unwrap() + "\n";
        if std::env::var_os("REACTLAB_BLESS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let published = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(published == generated, "docs/challenge.schema.json is stale: run `REACTLAB_BLESS=1 cargo test -p reactlab-core` to regenerate it");
    }

    #[test]
    fn the_schema_names_every_step_kind() {
        let text = super::schema().to_string();
        for kind in ["click", "move_pointer_away", "expect_no_react_warnings", "advance_clock", "reload", "capture"] {
            assert!(text.contains(&format!("\"{kind}\"")), "{kind} missing from the schema");
        }
    }
}
