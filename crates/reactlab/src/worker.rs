//! A worker: takes a submission off the queue, grades it, streams each test to the event
//! bus, stores the result once, and only then acknowledges the job.

use bytes::Bytes;
use reactlab_core::{Challenge, GradeReport, SubmissionEvent, Verdict};
use reactlab_judge::Judge;
use reactlab_queue::{Event, EventBus, JobQueue, Lease, WorkerStatus};
use reactlab_store::{Db, Objects, StoreError, Submission};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// Deliveries before a submission the judge keeps failing on becomes `internal_error`.
pub const MAX_ATTEMPTS: u32 = 3;

/// How often a worker process says it lives (the dashboard alerts after a minute).
const HEARTBEAT_EVERY: Duration = Duration::from_secs(10);

/// How long a job waits before going back to the queue while the database or the object
/// store is down, so that workers do not spin on a part that is down.
const OUTAGE_PAUSE: Duration = Duration::from_secs(2);

pub struct Worker {
    pub db: Db,
    pub objects: Objects,
    pub queue: Arc<dyn JobQueue>,
    pub bus: Arc<dyn EventBus>,
    pub judge: Arc<Judge>,
    /// A job is held this long without a heartbeat before another worker may take it.
    lease: Duration,
    /// Parsed challenges by slug, with the version they were parsed at.
    challenges: Mutex<HashMap<String, (i64, Arc<Challenge>)>>,
    /// Jobs being processed now, for heartbeats.
    in_flight: AtomicU32,
}

/// What becomes of a job once its result is stored.
enum Settle {
    Ack,
    /// The judge gave up on it: parked for an operator (the learner gets `internal_error`).
    DeadLetter(String),
}

/// Why an attempt did not produce a result.
enum Fault {
    /// The judge's or the platform's own: try again later.
    Retry(String),
    /// The database or the object store cannot be reached: the job goes back to the queue
    /// and the attempt does not count (the code was not tried; an outage must not use up
    /// a submission's attempts and end it as `internal_error`).
    Outage(String),
    /// Trying again cannot help (the challenge is broken, the code is gone).
    Final(String),
}

impl Worker {
    pub fn new(db: Db, objects: Objects, queue: Arc<dyn JobQueue>, bus: Arc<dyn EventBus>, judge: Arc<Judge>, lease: Duration) -> Self {
        Worker { db, objects, queue, bus, judge, lease, challenges: Mutex::new(HashMap::new()), in_flight: AtomicU32::new(0) }
    }

    /// Takes and grades jobs until `shutdown`; a job running then gets `grace` to finish,
    /// after which it is put back on the queue untouched.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>, grace: Duration) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            let taken = tokio::select! {
                taken = self.queue.take(self.lease, Duration::from_secs(5)) => taken,
                _ = shutdown.changed() => return,
            };
            let lease = match taken {
                Ok(Some(lease)) => lease,
                Ok(None) => continue,
                Err(e) => {
                    tracing::warn!("queue unavailable: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            // In the same task as the grading, and polled after it (`biased`): once the job
            // is settled the heartbeat is dropped before it can report the settled lease as lost.
            let heartbeat = async {
                loop {
                    tokio::time::sleep(self.lease / 4).await;
                    match self.queue.extend(&lease, self.lease).await {
                        Ok(true) => {}
                        Ok(false) => tracing::warn!(submission = %lease.id, "lost the lease; another worker may grade this too"),
                        Err(e) => tracing::warn!(submission = %lease.id, "could not renew the lease (the result is still stored once): {e}"),
                    }
                }
            };
            let mut stopping = shutdown.clone();
            self.in_flight.fetch_add(1, Ordering::Relaxed);
            tokio::select! {
                biased;
                _ = self.process(&lease) => {}
                _ = heartbeat => {}
                _ = async { let _ = stopping.wait_for(|s| *s).await; tokio::time::sleep(grace).await } => {
                    tracing::warn!(submission = %lease.id, "not finished within the shutdown grace period; put back on the queue");
                    if let Err(e) = self.queue.release(&lease).await {
                        tracing::warn!(submission = %lease.id, "could not put back (its lease will expire instead): {e}");
                    }
                }
            }
            self.in_flight.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Tells the queue every few seconds that this process lives, what it is doing and
    /// what its browser weighs (the admins' queue dashboard shows it), until `shutdown`.
    pub async fn announce(self: Arc<Self>, capacity: usize, mut shutdown: watch::Receiver<bool>) {
        let host = std::env::var("HOSTNAME").ok().or_else(|| std::fs::read_to_string("/etc/hostname").ok()).map(|h| h.trim().to_string()).unwrap_or_default();
        let started_at_ms = self.db.now_ms();
        let id = format!("{host}-{}-{started_at_ms}", std::process::id());
        loop {
            let browser_memory_bytes = self.judge.pool().browser_pid().await.map(crate::procfs::tree_pss_bytes);
            let status = WorkerStatus {
                id: id.clone(),
                host: host.clone(),
                pid: std::process::id(),
                started_at_ms,
                last_seen_ms: self.db.now_ms(),
                in_flight: self.in_flight.load(Ordering::Relaxed),
                capacity: capacity as u32,
                browser_memory_bytes,
            };
            if let Err(e) = self.queue.heartbeat(&status).await {
                tracing::debug!("heartbeat not recorded: {e}");
            }
            tokio::select! {
                _ = tokio::time::sleep(HEARTBEAT_EVERY) => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    async fn process(&self, lease: &Lease) {
        let id = &lease.id;
        let submission = match self.db.submission(id).await {
            Ok(Some(s)) => s,
            Ok(None) => {
                tracing::warn!(submission = %id, "job for an unknown submission dropped");
                let _ = self.queue.ack(lease).await;
                return;
            }
            Err(e) => return self.store_failed(lease, e).await,
        };
        if submission.status == reactlab_store::SubmissionStatus::Done {
            // A duplicate delivery of a job whose result is stored.
            let _ = self.queue.ack(lease).await;
            return;
        }
        if lease.attempt > MAX_ATTEMPTS {
            let why = format!("The judge failed {MAX_ATTEMPTS} times on this submission (a worker died while grading it).");
            return self.finish(lease, &submission, internal_error(why.clone()), Settle::DeadLetter(why)).await;
        }
        if let Err(e) = self.db.mark_running(id).await {
            return self.store_failed(lease, e).await;
        }
        self.publish(&submission, SubmissionEvent::Running { id: id.clone() }).await;
        let waited_ms = (self.db.now_ms() - submission.created_at).max(0);
        metrics::histogram!("reactlab_job_wait_seconds").record(waited_ms as f64 / 1000.0);
        let started = std::time::Instant::now();
        let graded = self.grade(&submission).await;
        metrics::histogram!("reactlab_job_run_seconds").record(started.elapsed().as_secs_f64());
        match graded {
            Ok(report) => self.finish(lease, &submission, report, Settle::Ack).await,
            Err(Fault::Final(why)) => self.finish(lease, &submission, internal_error(why), Settle::Ack).await,
            Err(Fault::Outage(why)) => self.put_back(lease, &why).await,
            Err(Fault::Retry(why)) if lease.attempt >= MAX_ATTEMPTS => {
                let why = format!("The judge failed, not your code ({MAX_ATTEMPTS} attempts): {why}");
                self.finish(lease, &submission, internal_error(why.clone()), Settle::DeadLetter(why)).await
            }
            Err(Fault::Retry(why)) => self.retry(lease, &why).await,
        }
    }

    async fn grade(&self, submission: &Submission) -> Result<GradeReport, Fault> {
        let challenge = self.challenge(&submission.challenge).await?;
        let code = self.objects.get(&submission.code_key).await.map_err(|e| match e {
            StoreError::NotFound => Fault::Final("the submitted code is missing from the object store".into()),
            e => store_fault(e),
        })?;
        let code = String::from_utf8_lossy(&code).into_owned();
        // Tests stream out as they finish; a forwarding task keeps the judge from waiting.
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
        let forward = {
            let (bus, id, user) = (self.bus.clone(), submission.id.clone(), submission.user_id.clone());
            tokio::spawn(async move {
                while let Some(test) = receiver.recv().await {
                    let message = SubmissionEvent::Test { id: id.clone(), test }.to_json();
                    let _ = bus.publish(Event { submission: id.clone(), user: user.clone(), message }).await;
                }
            })
        };
        let mut on_test = |test: &reactlab_core::TestResult| drop(sender.send(test.clone()));
        // Boxed as `Send` explicitly: the compiler cannot prove it through the judge's
        // borrows on its own (rust-lang/rust#102211).
        let grading: std::pin::Pin<Box<dyn Future<Output = Result<GradeReport, reactlab_judge::JudgeError>> + Send + '_>> =
            Box::pin(self.judge.grade_observed(&challenge, &submission.file_name, &code, &mut on_test));
        let graded = grading.await;
        drop(sender);
        let _ = forward.await;
        graded.map_err(|e| Fault::Retry(e.to_string()))
    }

    async fn challenge(&self, slug: &str) -> Result<Arc<Challenge>, Fault> {
        let row = match self.db.challenge(slug).await {
            Ok(Some(row)) => row,
            Ok(None) => return Err(Fault::Final(format!("the challenge {slug} no longer exists"))),
            Err(e) => return Err(store_fault(e)),
        };
        if let Some((version, parsed)) = self.challenges.lock().unwrap_or_else(|e| e.into_inner()).get(slug) {
            if *version == row.version {
                return Ok(parsed.clone());
            }
        }
        let parsed = Arc::new(row.to_challenge().map_err(|e| Fault::Final(format!("the challenge {slug} is broken: {e}")))?);
        self.challenges.lock().unwrap_or_else(|e| e.into_inner()).insert(slug.to_string(), (row.version, parsed.clone()));
        Ok(parsed)
    }

    /// Stores the result (once), tells the learner, and settles the job.
    async fn finish(&self, lease: &Lease, submission: &Submission, report: GradeReport, settle: Settle) {
        let id = &submission.id;
        let screenshot_key = match &report.screenshot {
            Some(png) => {
                let key = format!("screenshots/{}/{id}.png", submission.user_id);
                match self.objects.put(&key, Bytes::from(png.clone())).await {
                    Ok(()) => Some(key),
                    Err(e) => {
                        tracing::warn!(submission = %id, "screenshot not stored: {e}");
                        None
                    }
                }
            }
            None => None,
        };
        let all: Vec<(String, String)> = match self.db.challenge_list().await {
            Ok(list) => list.into_iter().map(|c| (c.slug, c.difficulty)).collect(),
            Err(e) => return self.store_failed(lease, e).await,
        };
        match self.db.finish_submission(id, &report, screenshot_key.as_deref(), &all).await {
            Ok(true) => {
                metrics::counter!("reactlab_verdicts_total", "verdict" => report.verdict.as_str()).increment(1);
                tracing::info!(submission = %id, verdict = report.verdict.as_str(), ms = report.duration_ms, "graded");
                self.publish(submission, SubmissionEvent::Done { id: id.clone(), result: report }).await;
            }
            Ok(false) => tracing::info!(submission = %id, "already graded; this duplicate's result is dropped"),
            Err(e) => return self.store_failed(lease, e).await,
        }
        let settled = match settle {
            Settle::Ack => self.queue.ack(lease).await,
            Settle::DeadLetter(why) => {
                metrics::counter!("reactlab_jobs_dead_lettered_total").increment(1);
                self.queue.dead_letter(lease, &why).await
            }
        };
        if let Err(e) = settled {
            // The result is stored: a redelivery finds it done and only acknowledges.
            tracing::warn!(submission = %id, "ack failed: {e}");
        }
    }

    /// A store call failed before the result was recorded.
    async fn store_failed(&self, lease: &Lease, e: StoreError) {
        match store_fault(e) {
            Fault::Outage(why) => self.put_back(lease, &why).await,
            Fault::Retry(why) | Fault::Final(why) => self.retry(lease, &why).await,
        }
    }

    /// Gives the job back untouched after a pause (the lease is renewed meanwhile): the
    /// next worker to take it, once the part is back, grades it as a first attempt.
    async fn put_back(&self, lease: &Lease, why: &str) {
        metrics::counter!("reactlab_job_outages_total").increment(1);
        tracing::warn!(submission = %lease.id, "{why}; back to the queue in {OUTAGE_PAUSE:?}, not counted as an attempt");
        tokio::time::sleep(OUTAGE_PAUSE).await;
        if let Err(e) = self.queue.release(lease).await {
            tracing::warn!(submission = %lease.id, "could not put back (its lease will expire instead): {e}");
        }
    }

    async fn retry(&self, lease: &Lease, why: &str) {
        let delay = Duration::from_secs(1 << lease.attempt.min(6));
        metrics::counter!("reactlab_job_retries_total").increment(1);
        tracing::warn!(submission = %lease.id, attempt = lease.attempt, "judge fault, retrying in {delay:?}: {why}");
        if let Err(e) = self.queue.retry_later(lease, delay).await {
            tracing::warn!(submission = %lease.id, "could not schedule the retry (the lease will expire instead): {e}");
        }
    }

    async fn publish(&self, submission: &Submission, event: SubmissionEvent) {
        let event = Event { submission: submission.id.clone(), user: submission.user_id.clone(), message: event.to_json() };
        if let Err(e) = self.bus.publish(event).await {
            tracing::warn!(submission = %submission.id, "event not published: {e}");
        }
    }
}

/// An outage of the database or object store, or another store error (retried as a fault).
fn store_fault(e: StoreError) -> Fault {
    if e.is_outage() { Fault::Outage(e.to_string()) } else { Fault::Retry(e.to_string()) }
}

fn internal_error(message: String) -> GradeReport {
    GradeReport { verdict: Verdict::InternalError, tests: vec![], compile_error: None, console: vec![], message: Some(message), duration_ms: 0, screenshot: None }
}
