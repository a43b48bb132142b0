//! A model of the job queue's contract, to check an implementation against random
//! interleavings of enqueue, take, renew, lease expiry, ack, retry and release by several
//! workers: no job is handed to two holders at once, none is completed twice, none is
//! lost.

use proptest::prelude::*;
use reactlab_queue::{JobQueue, Lease};
use std::collections::HashMap;
use std::time::{Duration, Instant};

pub const JOBS: usize = 4;
pub const WORKERS: usize = 3;
/// Leases are short so that expiry can happen inside a test case.
pub const LEASE: Duration = Duration::from_millis(150);

#[derive(Debug, Clone)]
pub enum Op {
    Enqueue(usize),
    Take(usize),
    Renew(usize),
    Ack(usize),
    Retry(usize),
    Release(usize),
    /// Time passes beyond every lease.
    Expire,
}

pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..JOBS).prop_map(Op::Enqueue),
        3 => (0..WORKERS).prop_map(Op::Take),
        1 => (0..WORKERS).prop_map(Op::Renew),
        2 => (0..WORKERS).prop_map(Op::Ack),
        1 => (0..WORKERS).prop_map(Op::Retry),
        1 => (0..WORKERS).prop_map(Op::Release),
        1 => Just(Op::Expire),
    ]
}

#[derive(Default, Clone, Copy, PartialEq, Debug)]
enum State {
    #[default]
    Absent,
    Waiting,
    /// Held by this worker under a lease taken or renewed no later than `since` (so it
    /// cannot run out before `since + LEASE`, however slow the machine).
    Held {
        worker: usize,
        since: Instant,
    },
    Done,
}

/// Runs `ops` against `queue` and checks the contract after each step, then drains the
/// queue: every job enqueued is completed exactly once. `queue` must be empty at the start.
pub async fn check(queue: &dyn JobQueue, ops: &[Op]) -> Result<(), String> {
    let mut jobs = [State::Absent; JOBS];
    let mut held: HashMap<usize, Lease> = HashMap::new();
    let id = |j: usize| format!("job-{j}");
    let index = |lease: &Lease| lease.id.trim_start_matches("job-").parse::<usize>().unwrap();
    for op in ops {
        match op.clone() {
            Op::Enqueue(j) => {
                queue.enqueue(&id(j)).await.map_err(|e| e.to_string())?;
                // Queueing a job that is queued or held does nothing; a finished one is new work.
                if matches!(jobs[j], State::Absent | State::Done) {
                    jobs[j] = State::Waiting;
                }
            }
            Op::Take(w) => {
                if held.contains_key(&w) {
                    continue; // One job per worker at a time, as the worker loop does.
                }
                let since = Instant::now();
                if let Some(lease) = queue.take(LEASE, Duration::ZERO).await.map_err(|e| e.to_string())? {
                    let j = index(&lease);
                    match jobs[j] {
                        State::Waiting => {}
                        State::Held { since: held_since, .. } if held_since.elapsed() >= LEASE => {}
                        other => return Err(format!("{} handed out while {other:?}", lease.id)),
                    }
                    jobs[j] = State::Held { worker: w, since };
                    held.insert(w, lease);
                }
            }
            Op::Renew(w) => {
                if let Some(lease) = held.get(&w) {
                    let j = index(lease);
                    let since = Instant::now();
                    let still = queue.extend(lease, LEASE).await.map_err(|e| e.to_string())?;
                    let mine = matches!(jobs[j], State::Held { worker, .. } if worker == w);
                    if still != mine {
                        return Err(format!("renewing {} by worker {w}: queue says {still}, model says {mine}", lease.id));
                    }
                    if mine {
                        jobs[j] = State::Held { worker: w, since };
                    } else {
                        held.remove(&w);
                    }
                }
            }
            Op::Ack(w) | Op::Retry(w) | Op::Release(w) => {
                let Some(lease) = held.remove(&w) else { continue };
                let j = index(&lease);
                let mine = matches!(jobs[j], State::Held { worker, .. } if worker == w);
                match op {
                    Op::Ack(_) => queue.ack(&lease).await,
                    Op::Retry(_) => queue.retry_later(&lease, Duration::ZERO).await,
                    _ => queue.release(&lease).await,
                }
                .map_err(|e| e.to_string())?;
                if mine {
                    jobs[j] = if matches!(op, Op::Ack(_)) { State::Done } else { State::Waiting };
                }
            }
            Op::Expire => tokio::time::sleep(LEASE + Duration::from_millis(60)).await,
        }
    }
    // Drain: every job not done is still in the queue, and comes out once.
    tokio::time::sleep(LEASE + Duration::from_millis(60)).await;
    let mut drained = vec![];
    while let Some(lease) = queue.take(Duration::from_secs(30), Duration::from_millis(100)).await.map_err(|e| e.to_string())? {
        queue.ack(&lease).await.map_err(|e| e.to_string())?;
        drained.push(index(&lease));
    }
    drained.sort();
    let expected: Vec<usize> = (0..JOBS).filter(|&j| matches!(jobs[j], State::Waiting | State::Held { .. })).collect();
    if drained != expected {
        return Err(format!("after the run the queue held {drained:?}; the model expected {expected:?} (states {jobs:?})"));
    }
    let stats = queue.stats().await.map_err(|e| e.to_string())?;
    if stats.waiting + stats.retrying + stats.running != 0 {
        return Err(format!("jobs left after draining: {stats:?}"));
    }
    Ok(())
}
