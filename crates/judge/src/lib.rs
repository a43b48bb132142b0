pub mod browser;
pub mod cdp;
pub mod error;
pub mod frame;
pub mod fuzzing;
pub mod grade;
pub mod harness;
pub mod host;
pub mod input;
pub mod launch;
pub mod runner;
pub mod site;
mod site_server;
pub mod transpile;
pub mod vendor;

pub use browser::BrowserOptions;
pub use error::JudgeError;
pub use grade::Judge;
