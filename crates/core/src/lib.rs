//! ReactLab's domain: the challenge format (tests as data), the sentences a learner reads,
//! and the results the judge produces. Nothing here talks to a browser, a database or the
//! network; the only I/O is reading a challenge folder from disk.

pub mod catalog;
pub mod challenge;
pub mod event;
pub mod expr;
pub mod fuzzing;
pub mod language;
pub mod locator;
pub mod report;
pub mod requirement;
pub mod sentence;
pub mod step;

pub use catalog::{Catalog, LoadError};
pub use challenge::{Challenge, ChallengeSpec, Difficulty, Fixture, Mock, ReactBuild, SourceFile, TestCase};
pub use event::SubmissionEvent;
pub use language::Language;
pub use locator::Locator;
pub use report::{CompileError, ConsoleEntry, ConsoleKind, GradeReport, StepOutcome, StepStatus, TestResult, TestStatus, Verdict};
pub use requirement::Requirement;
pub use step::Step;

/// The largest learner file the platform accepts, in bytes.
pub const MAX_CODE_BYTES: usize = 64 * 1024;
