//! Persistence: the database (users, sessions, challenges, submissions, progress) through
//! sqlx's Any driver, so one implementation serves SQLite (embedded) and PostgreSQL (at
//! scale), and the object store (solution code, screenshots) with signed, expiring URLs.

pub mod cache;
mod challenges;
pub mod clock;
mod db;
mod drafts;
mod error;
pub mod objects;
pub mod progress;
mod submissions;
mod users;

pub use challenges::{ChallengeRow, ChallengeSummary};
pub use clock::{Clock, ManualClock, SystemClock};
pub use db::{Db, Migrations};
pub use drafts::Draft;
pub use error::{Failure, StoreError};
pub use objects::{LocalSigner, Objects, UrlSigner};
pub use progress::{Badge, Profile, Streak};
pub use submissions::{NewSubmission, Submission, SubmissionStatus};
pub use users::{Session, User};

/// A fresh, time-ordered identifier (UUID v7), as text.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
