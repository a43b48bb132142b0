//! Moving work and news between processes: the job queue (submission ids, delivered at
//! least once under a lease) and the event bus (progress and results, to whichever API
//! holds the learner's socket). Each is a trait with an embedded implementation here and a
//! Redis one for running on many machines.

mod bus;
mod error;
mod queue;
mod sql_queue;

pub use bus::{Event, EventBus, LocalBus};
pub use error::QueueError;
pub use queue::{DeadJob, JobQueue, Lease, QueueStats, WORKER_MEMORY_MS, WorkerStatus};
pub use sql_queue::SqlQueue;
