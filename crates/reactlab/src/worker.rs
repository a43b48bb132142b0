//! A worker: takes a submission off the queue, grades it, streams each test to the event
//! bus, stores the result once, and only then acknowledges the job.

use bytes::Bytes;
use reactlab_core::{Challenge, GradeReport, SubmissionEvent, Verdict};
use reactlab_judge::Judge;
use reactlab_queue::{Event, EventBus, JobQueue, Lease, WorkerStatus};
use reactlab_store::{Db, Failure, Objects, StoreError, Submission};
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
    /// Given up on: parked for an operator, with the reason (the learner gets
    /// `internal_error`).
    DeadLetter(Cause, String),
}

/// Why a job was dead-lettered (the label of `reactlab_jobs_dead_lettered_total`).
#[derive(Clone, Copy)]
enum Cause {
    /// The judge kept failing, or workers kept dying while grading it.
    Judge,
    /// The database or the object store kept refusing (credentials, permissions, a
    /// missing bucket, a full disk): an operator must act, then Retry on the dashboard.
    Store,
}

impl Cause {
    fn label(self) -> &'static str {
        match self {
            Cause::Judge => "judge",
            Cause::Store => "store",
        }
    }
}

/// Why an attempt did not produce a result.
enum Fault {
    /// The judge's or the platform's own: try again later.
    Retry(String),
    /// The database or the object store cannot be reached: the job goes back to the queue
    /// and the attempt does not count (the code was not tried; an outage must not use up
    /// a submission's attempts and end it as `internal_error`).
    Outage(String),
    /// The database or the object store refused in a way that lasts until an operator acts:
    /// counted like a judge fault, so that the job ends on the dead-letter list with the
    /// cause instead of going round forever.
    Refused(String),
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
            let browser_memory_bytes = self.judge.pool().browser_pid().await.map(reactlab_judge::procfs::tree_pss_bytes);
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
            return self.finish(lease, &submission, internal_error(why.clone()), Settle::DeadLetter(Cause::Judge, why)).await;
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
                self.finish(lease, &submission, internal_error(why.clone()), Settle::DeadLetter(Cause::Judge, why)).await
            }
            Err(Fault::Refused(why)) if lease.attempt >= MAX_ATTEMPTS => {
                let why = format!("The platform's storage refused, not your code ({MAX_ATTEMPTS} attempts): {why}");
                self.finish(lease, &submission, internal_error(why.clone()), Settle::DeadLetter(Cause::Store, why)).await
            }
            Err(Fault::Retry(why) | Fault::Refused(why)) => self.retry(lease, &why).await,
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
        if let Some((version, parsed)) = self.challenges.lock().unwrap_or_else(|e| e.into_inner()).get(slug)
            && *version == row.version
        {
            return Ok(parsed.clone());
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
            Settle::DeadLetter(cause, why) => return self.dead_letter(lease, cause, &why).await,
        };
        if let Err(e) = settled {
            // The result is stored: a redelivery finds it done and only acknowledges.
            tracing::warn!(submission = %id, "ack failed: {e}");
        }
    }

    /// A store call failed before the result was recorded. Past the last attempt the job
    /// is parked without a result: the store that would record one is what keeps failing.
    async fn store_failed(&self, lease: &Lease, e: StoreError) {
        match store_fault(e) {
            Fault::Outage(why) => self.put_back(lease, &why).await,
            Fault::Refused(why) | Fault::Retry(why) | Fault::Final(why) if lease.attempt >= MAX_ATTEMPTS => {
                let why = format!("The result could not be recorded ({MAX_ATTEMPTS} attempts): {why}");
                self.dead_letter(lease, Cause::Store, &why).await
            }
            Fault::Refused(why) | Fault::Retry(why) | Fault::Final(why) => self.retry(lease, &why).await,
        }
    }

    async fn dead_letter(&self, lease: &Lease, cause: Cause, why: &str) {
        metrics::counter!("reactlab_jobs_dead_lettered_total", "cause" => cause.label()).increment(1);
        tracing::error!(submission = %lease.id, cause = cause.label(), "dead-lettered: {why}");
        if let Err(e) = self.queue.dead_letter(lease, why).await {
            tracing::warn!(submission = %lease.id, "could not dead-letter (its lease will expire and it is tried again): {e}");
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

/// An outage of the database or object store (put back, not counted), a refusal that lasts
/// (counted, then dead-lettered with the cause), or another store error (retried as a fault).
fn store_fault(e: StoreError) -> Fault {
    match e.failure() {
        Failure::Outage => Fault::Outage(e.to_string()),
        Failure::Permanent => {
            metrics::counter!("reactlab_store_refusals_total", "part" => e.part()).increment(1);
            tracing::error!("the {} refuses (this lasts until an operator acts): {e}", e.part().replace('_', " "));
            Fault::Refused(e.to_string())
        }
        Failure::Answer => Fault::Retry(e.to_string()),
    }
}

fn internal_error(message: String) -> GradeReport {
    GradeReport {
        verdict: Verdict::InternalError,
        tests: vec![],
        compile_error: None,
        console: vec![],
        message: Some(message),
        duration_ms: 0,
        screenshot: None,
    }
}

#[cfg(test)]
mod tests {
    //! A worker meeting a store that is down (the job goes back, the attempt is not counted)
    //! and one that refuses for good (counted, then dead-lettered with the cause and the
    //! metric), on real parts: SQLite, moto behind a gate the test closes, Chromium.

    use super::*;
    use reactlab_queue::{LocalBus, SqlQueue};
    use reactlab_store::NewSubmission;
    use reactlab_testkit::{S3Server, TcpGate, repo_root};

    struct Bench {
        /// A writable handle on the database the worker uses (its own may be read-only).
        db: Db,
        queue: Arc<SqlQueue>,
        submission: String,
        _dir: tempfile::TempDir,
    }

    /// A database with the counter challenge, one queued submission of its reference
    /// solution, and its code in `objects`.
    async fn bench(objects: &Objects) -> Bench {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}", dir.path().join("reactlab.db").display())).await.unwrap();
        let folder = repo_root().join("challenges/counter");
        let challenge = reactlab_core::catalog::load_challenge(&folder).unwrap();
        db.sync_builtin(&challenge, &std::fs::read_to_string(folder.join("challenge.toml")).unwrap(), 0).await.unwrap();
        let user = db.create_user("ada", "ada@example.com", "hash").await.unwrap();
        let id = NewSubmission::id();
        let code_key = format!("code/{id}.jsx");
        objects.put(&code_key, Bytes::from(challenge.reference.code.clone())).await.unwrap();
        let new = NewSubmission { id: id.clone(), user_id: &user.id, challenge: "counter", file_name: &challenge.reference.name, code_key: &code_key };
        db.create_submission(&new).await.unwrap();
        let queue = Arc::new(SqlQueue::new(db.pool().clone()).await.unwrap());
        queue.enqueue(&id).await.unwrap();
        Bench { db, queue, submission: id, _dir: dir }
    }

    impl Bench {
        fn worker(&self, db: Db, objects: Objects) -> Worker {
            let judge = Arc::new(Judge::new(reactlab_judge::BrowserOptions { max_in_flight: 1, ..Default::default() }));
            Worker::new(db, objects, self.queue.clone(), Arc::new(LocalBus::new(16)), judge, Duration::from_secs(60))
        }

        async fn take(&self) -> Option<Lease> {
            self.queue.take(Duration::from_secs(60), Duration::from_secs(10)).await.unwrap()
        }

        /// Takes and processes the job once per attempt, each refused and counted, and
        /// returns the dead job it ends as and the metrics recorded meanwhile.
        async fn refused_every_time(&self, worker: &Worker) -> (reactlab_queue::DeadJob, String) {
            let metrics = recording(async {
                for attempt in 1..=MAX_ATTEMPTS {
                    let lease = self.take().await.expect("the job comes back after each refusal");
                    assert_eq!(lease.attempt, attempt, "each refusal counts");
                    worker.process(&lease).await;
                }
            })
            .await;
            assert!(!self.waiting().await, "not taken a fourth time");
            let mut dead = self.queue.dead_jobs(10).await.unwrap();
            assert_eq!(dead.len(), 1, "{dead:?}");
            (dead.remove(0), metrics)
        }

        /// Whether a job is there to take now.
        async fn waiting(&self) -> bool {
            self.queue.take(Duration::from_secs(60), Duration::ZERO).await.unwrap().is_some()
        }
    }

    /// The Prometheus text of what `body` recorded on this thread.
    async fn recording<F: Future<Output = ()>>(body: F) -> String {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let _local = metrics::set_default_local_recorder(&recorder);
        body.await;
        handle.render()
    }

    #[tokio::test]
    async fn an_unreachable_object_store_puts_the_job_back_uncounted_and_it_is_graded_once_back() {
        let s3 = S3Server::start();
        s3.export_credentials();
        let gate = TcpGate::to(s3.port);
        let objects = Objects::s3(&s3.bucket, Some(&gate.endpoint()), None).unwrap();
        let bench = bench(&objects).await;
        let worker = bench.worker(bench.db.clone(), objects);

        gate.close();
        let lease = bench.take().await.expect("the job");
        assert_eq!(lease.attempt, 1);
        let metrics = recording(worker.process(&lease)).await;
        assert!(metrics.contains("reactlab_job_outages_total 1"), "{metrics}");
        let lease = bench.take().await.expect("the job is back on the queue");
        assert_eq!(lease.attempt, 1, "an outage does not use up an attempt");
        assert_eq!(bench.db.submission(&bench.submission).await.unwrap().unwrap().report, None);

        gate.open();
        worker.process(&lease).await;
        let graded = bench.db.submission(&bench.submission).await.unwrap().unwrap();
        assert_eq!(graded.report.map(|r| r.verdict), Some(Verdict::Accepted));
        assert!(!bench.waiting().await, "acknowledged");
    }

    #[tokio::test]
    async fn a_missing_bucket_is_tried_three_times_then_dead_lettered_with_the_cause() {
        let s3 = S3Server::start();
        s3.export_credentials();
        let bench = bench(&Objects::s3(&s3.bucket, Some(&s3.endpoint()), None).unwrap()).await;
        let worker = bench.worker(bench.db.clone(), Objects::s3("reactlab-gone", Some(&s3.endpoint()), None).unwrap());

        let (dead, metrics) = bench.refused_every_time(&worker).await;
        assert!(dead.reason.contains("storage refused") && dead.reason.contains("NoSuchBucket"), "the dashboard shows the cause: {}", dead.reason);
        let report = bench.db.submission(&bench.submission).await.unwrap().unwrap().report.expect("the learner is told");
        assert_eq!(report.verdict, Verdict::InternalError);
        assert!(metrics.contains(r#"reactlab_jobs_dead_lettered_total{cause="store"} 1"#), "{metrics}");
        assert!(metrics.contains(r#"reactlab_store_refusals_total{part="object_store"} 3"#), "{metrics}");
        assert!(!metrics.contains("reactlab_job_outages_total"), "not taken for an outage: {metrics}");
    }

    #[tokio::test]
    async fn a_read_only_database_is_tried_three_times_then_dead_lettered_without_a_result() {
        let dir = tempfile::tempdir().unwrap();
        let objects = Objects::local(dir.path(), Arc::new(reactlab_store::LocalSigner::new(b"k".to_vec(), "/o"))).unwrap();
        let bench = bench(&objects).await;
        let url = format!("sqlite://{}?mode=ro", bench._dir.path().join("reactlab.db").display());
        let read_only = Db::open(&url, reactlab_store::Migrations::Require, Arc::new(reactlab_store::SystemClock)).await.unwrap();
        let worker = bench.worker(read_only, objects);

        let (dead, metrics) = bench.refused_every_time(&worker).await;
        assert!(dead.reason.contains("could not be recorded") && dead.reason.contains("readonly"), "the dashboard shows the cause: {}", dead.reason);
        assert!(metrics.contains(r#"reactlab_jobs_dead_lettered_total{cause="store"} 1"#), "{metrics}");
        assert!(metrics.contains(r#"reactlab_store_refusals_total{part="database"} 3"#), "{metrics}");
    }
}
