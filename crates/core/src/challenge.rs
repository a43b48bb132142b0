//! A challenge: what the learner reads (statement, starter) and what the judge runs (tests).

use crate::step::Step;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use toml::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }
}

/// Which React build the page loads. Only the development build prints React's warnings
/// (a missing `key`, …); the production build is faster. `auto` picks development when a
/// test asks for no React warnings or no console errors, production otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReactBuild {
    #[default]
    Auto,
    Development,
    Production,
}

/// `challenge.toml`: metadata and tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeSpec {
    pub title: String,
    pub difficulty: Difficulty,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub react: ReactBuild,
    /// Deadline for one test (mount and steps), in ms. Default 10000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_timeout_ms: Option<u64>,
    /// Deadline for the whole submission, in ms. Default 30000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// The tests, run in order, each on a freshly mounted page.
    #[serde(rename = "test")]
    pub tests: Vec<TestCase>,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    pub name: String,
    /// The ids of the statement's requirements this test checks (`- [id] …` items of its
    /// `## Requirements` list).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<String>,
    /// HTTP responses the judge serves to the page for this test.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mocks: Vec<Mock>,
    #[schemars(with = "Vec<Step>")]
    pub steps: Vec<Spanned<Step>>,
}

/// A mocked HTTP response for requests the page makes to its own origin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mock {
    #[serde(default = "default_method")]
    pub method: String,
    /// The path, e.g. `/api/users` (the query string is ignored).
    pub path: String,
    #[serde(default = "default_status")]
    pub status: u16,
    /// A JSON body (sent with `Content-Type: application/json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub json: Option<serde_json::Value>,
    /// A text body, when not JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Wait this long before answering.
    #[serde(default)]
    pub delay_ms: u64,
    /// Answer only this many times (one-shot when 1); absent means every time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

fn default_method() -> String {
    "GET".into()
}

fn default_status() -> u16 {
    200
}

/// A learner file kept with a challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    /// File name, e.g. `reference.jsx` (its extension picks JSX or TSX).
    pub name: String,
    pub code: String,
}

/// A sample solution the catalog check grades: it must pass (`pass-*`) or fail (`fail-*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fixture {
    pub file: SourceFile,
    pub should_pass: bool,
}

/// A loaded challenge folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Challenge {
    pub slug: String,
    pub spec: ChallengeSpec,
    /// Markdown.
    pub statement: String,
    /// The statement's requirement list (empty when it has none or it does not parse:
    /// `requirement::check_coverage` says why).
    pub requirements: Vec<crate::Requirement>,
    pub starter: SourceFile,
    pub reference: SourceFile,
    pub fixtures: Vec<Fixture>,
    #[serde(skip)]
    pub dir: Option<PathBuf>,
}

impl Challenge {
    /// A challenge from its parts (authored through the API, or built in a test); the spec
    /// is parsed and validated as a `challenge.toml` would be.
    pub fn from_parts(slug: &str, spec_toml: &str, statement: &str, starter: SourceFile, reference: SourceFile) -> Result<Challenge, crate::LoadError> {
        let spec = crate::catalog::parse_spec(&format!("{slug}/challenge.toml"), spec_toml)?;
        let requirements = crate::requirement::parse(statement).unwrap_or_default();
        Ok(Challenge { slug: slug.into(), spec, statement: statement.into(), requirements, starter, reference, fixtures: vec![], dir: None })
    }

    /// The React build the judge loads for this challenge.
    pub fn react_build(&self) -> ReactBuild {
        match self.spec.react {
            ReactBuild::Auto => {
                let wants_warnings = self.steps().any(|s| matches!(s, Step::ExpectNoReactWarnings { .. } | Step::ExpectNoConsoleErrors { .. }));
                if wants_warnings { ReactBuild::Development } else { ReactBuild::Production }
            }
            build => build,
        }
    }

    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.spec.tests.iter().flat_map(|t| t.steps.iter().map(|s| s.get_ref()))
    }

    pub fn test_timeout_ms(&self) -> u64 {
        self.spec.test_timeout_ms.unwrap_or(10_000)
    }

    pub fn timeout_ms(&self) -> u64 {
        self.spec.timeout_ms.unwrap_or(30_000)
    }
}

impl TestCase {
    /// Whether the page clock stands still in this test (it has an `advance_clock` step).
    pub fn controls_clock(&self) -> bool {
        self.steps.iter().any(|s| matches!(s.get_ref(), Step::AdvanceClock { .. }))
    }

    /// Whether the test looks for React's own warnings, which React prints once per
    /// component and realm: such a test needs a React no earlier test has run.
    pub fn checks_react_warnings(&self) -> bool {
        self.steps.iter().any(|s| matches!(s.get_ref(), Step::ExpectNoReactWarnings { .. } | Step::ExpectNoConsoleErrors { .. }))
    }
}
