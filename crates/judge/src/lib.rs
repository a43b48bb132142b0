pub mod browser;
pub mod error;
pub mod fuzzing;
pub mod grade;
pub mod harness;
pub mod input;
pub mod launch;
pub mod runner;
pub mod tab;
pub mod transpile;
pub mod vendor;
mod vendor_server;

pub use error::JudgeError;
pub use browser::BrowserOptions;
pub use grade::Judge;
