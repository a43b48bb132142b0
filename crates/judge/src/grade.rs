//! Grading one submission: transpile, open a fresh frame in a warm host page, run each test
//! in it on a fresh instance of the component, and decide the verdict. The learner's faults
//! are verdicts; only the judge's own faults are errors.

use crate::browser::{BrowserOptions, BrowserPool, Lease};
use crate::error::JudgeError;
use crate::frame::Frame;
use crate::runner::{Stop, TestRun};
use crate::site::Site;
use crate::transpile::transpile;
use crate::vendor::VendorBuild;
use base64::Engine;
use chromiumoxide_cdp::cdp::browser_protocol::page::{CaptureScreenshotFormat, CaptureScreenshotParams};
use reactlab_core::report::MAX_CONSOLE_ENTRIES;
use reactlab_core::{Challenge, GradeReport, ReactBuild, StepOutcome, StepStatus, TestResult, TestStatus, Verdict};
use std::time::Duration;
use tokio::time::Instant;

pub struct Judge {
    pool: BrowserPool,
}

/// How one test ended, for the verdict.
enum Ending {
    Passed,
    Failed {
        exceptions: bool,
    },
    /// Ends the submission: the remaining tests are skipped with this verdict.
    Fatal(Verdict),
}

impl Judge {
    pub fn new(options: BrowserOptions) -> Self {
        Judge { pool: BrowserPool::new(options) }
    }

    pub fn pool(&self) -> &BrowserPool {
        &self.pool
    }

    pub async fn shutdown(&self) {
        self.pool.shutdown().await;
    }

    /// Grades with up to `attempts` tries; a judge fault on the last one becomes an
    /// `internal_error` report.
    pub async fn grade_with_retries(&self, challenge: &Challenge, file_name: &str, code: &str, attempts: u32) -> GradeReport {
        self.grade_with_retries_observed(challenge, file_name, code, attempts, &mut |_| {}).await
    }

    /// As [`Judge::grade_with_retries`], calling `on_test` as each test finishes. A retried
    /// attempt starts over, so `on_test` may see a test name again.
    pub async fn grade_with_retries_observed(
        &self,
        challenge: &Challenge,
        file_name: &str,
        code: &str,
        attempts: u32,
        on_test: &mut (dyn FnMut(&TestResult) + Send),
    ) -> GradeReport {
        let started = Instant::now();
        let mut last = None;
        for attempt in 1..=attempts.max(1) {
            match self.grade_observed(challenge, file_name, code, on_test).await {
                Ok(report) => return report,
                Err(e) => {
                    tracing::warn!(attempt, challenge = %challenge.slug, "judge fault: {e}");
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                }
            }
        }
        GradeReport {
            verdict: Verdict::InternalError,
            tests: vec![],
            compile_error: None,
            console: vec![],
            message: Some(format!("The judge failed, not your code: {}", last.map(|e| e.to_string()).unwrap_or_default())),
            duration_ms: started.elapsed().as_millis() as u64,
            screenshot: None,
        }
    }

    /// Grades once. `Err` only for the judge's own faults (the browser died, …).
    pub async fn grade(&self, challenge: &Challenge, file_name: &str, code: &str) -> Result<GradeReport, JudgeError> {
        self.grade_observed(challenge, file_name, code, &mut |_| {}).await
    }

    /// As [`Judge::grade`], calling `on_test` as each test finishes (for live progress).
    pub async fn grade_observed(
        &self,
        challenge: &Challenge,
        file_name: &str,
        code: &str,
        on_test: &mut (dyn FnMut(&TestResult) + Send),
    ) -> Result<GradeReport, JudgeError> {
        let build = challenge.react_build();
        let js = match transpile(file_name, code, build == ReactBuild::Development) {
            Ok(js) => js,
            Err(error) => return Ok(GradeReport::compile_error(error)),
        };
        let vendor = VendorBuild::get(build);

        let mut lease = self.pool.lease().await?;
        // Time spent waiting for a free slot is not the submission's.
        let started = Instant::now();
        let graded = self.grade_leased(&mut lease, started, challenge, vendor, &js, on_test).await;
        // The one place the lease goes back: after a judge fault its host is not reused.
        let healthy = matches!(graded, Ok((_, true)));
        self.pool.give_back(lease, healthy).await;
        graded.map(|(report, _)| GradeReport { duration_ms: started.elapsed().as_millis() as u64, ..report })
    }

    /// Runs the tests on a leased browser; with the report, whether the lease's host is fit
    /// to serve the next submission. Never gives the lease back: its caller does.
    async fn grade_leased(
        &self,
        lease: &mut Lease,
        started: Instant,
        challenge: &Challenge,
        vendor: &'static VendorBuild,
        js: &str,
        on_test: &mut (dyn FnMut(&TestResult) + Send),
    ) -> Result<(GradeReport, bool), JudgeError> {
        let submission_deadline = started + Duration::from_millis(challenge.timeout_ms());
        let mut tests = Vec::new();
        let mut console = Vec::new();
        let mut screenshot = None;
        let mut fatal: Option<Verdict> = None;
        let mut first_failure_had_exceptions = None;
        // The submission's frame; a new one (in a new host page) after a test that broke it.
        let mut frame: Option<Frame> = None;

        for (index, test) in challenge.spec.tests.iter().enumerate() {
            let sentences: Vec<String> = test.steps.iter().map(|s| s.get_ref().to_string()).collect();
            if let Some(verdict) = fatal {
                tests.push(TestResult {
                    name: test.name.clone(),
                    status: TestStatus::Skipped,
                    message: Some(format!("Not run: the submission already ended in {}", verdict.in_words())),
                    steps: sentences.into_iter().map(|sentence| StepOutcome { sentence, status: StepStatus::NotRun }).collect(),
                    duration_ms: 0,
                });
                continue;
            }
            if index > 0 && test.checks_react_warnings() {
                // React prints each warning once per realm: this test needs a fresh one.
                if let Some(used) = frame.take()
                    && !used.close().await
                {
                    self.pool.drop_host(lease).await;
                }
            }
            let current = match frame.as_mut() {
                Some(current) => current,
                None => frame.insert(self.open_frame(lease, vendor, js).await?),
            };
            // The test's time starts once its frame is ready.
            let test_started = Instant::now();
            let deadline = (test_started + Duration::from_millis(challenge.test_timeout_ms())).min(submission_deadline);
            let mut run = TestRun::new(current, test, index, deadline);
            let mut outcome = run.run().await;
            let failed_at = run.current_step;
            // What the page logged, unless it cannot answer (hung or crashed).
            if !matches!(outcome, Err(Stop::Timeout | Stop::Crash | Stop::Judge(_))) {
                // The last test's frame closes right after: undoing its leftovers is wasted.
                run.finish(index + 1 == challenge.spec.tests.len()).await;
            }
            let logged = std::mem::take(&mut run.logged);
            if let (Ok(()), Some(problem)) = (&outcome, &logged.left) {
                outcome = Err(Stop::Left(problem.clone()));
            }
            // A failure is the learner's only if the browser lived through it: one that died
            // (killed, out of memory) fails every step through no fault of the code.
            if outcome.is_err() && !lease.browser.answers().await {
                return Err(JudgeError::BrowserDied);
            }
            // The bound holds for the whole report, not just each test.
            let room = MAX_CONSOLE_ENTRIES.saturating_sub(console.len());
            console.extend(logged.console.into_iter().take(room));
            let exceptions = logged.exceptions;

            let (ending, message, reuse_frame) = match outcome {
                Ok(()) => (Ending::Passed, None, true),
                Err(Stop::Fail(message)) => (Ending::Failed { exceptions: exceptions > 0 }, Some(with_exception_hint(message, exceptions)), true),
                Err(Stop::Left(why)) => (Ending::Failed { exceptions: false }, Some(format!("The page left the test: {why}")), false),
                Err(Stop::MountFailed(error)) => (Ending::Fatal(Verdict::RuntimeError), Some(format!("Your component threw while mounting: {error}")), true),
                Err(Stop::Crash) => (Ending::Fatal(Verdict::RuntimeError), Some("The page crashed (out of memory, or a runaway recursion).".into()), false),
                Err(Stop::Timeout) => {
                    let when = failed_at.map_or("while mounting".to_string(), |i| format!("during “{}”", sentences[i]));
                    let limit = deadline.saturating_duration_since(test_started).as_millis();
                    (
                        Ending::Fatal(Verdict::TimeLimitExceeded),
                        Some(format!("Time limit exceeded: the page stopped responding {when} (an infinite loop?); the limit is {limit} ms.")),
                        false,
                    )
                }
                // The frame is dropped on the way out, before the caller gives the lease back.
                Err(Stop::Judge(e)) => return Err(e),
            };
            if !matches!(ending, Ending::Passed) && screenshot.is_none() && reuse_frame {
                screenshot = capture(frame.as_ref()).await;
            }
            let steps = sentences
                .into_iter()
                .enumerate()
                .map(|(i, sentence)| {
                    let status = match (&ending, failed_at) {
                        (Ending::Passed, _) => StepStatus::Passed,
                        (_, Some(f)) if i < f => StepStatus::Passed,
                        (_, Some(f)) if i == f => StepStatus::Failed,
                        _ => StepStatus::NotRun,
                    };
                    StepOutcome { sentence, status }
                })
                .collect();
            let status = if matches!(ending, Ending::Passed) { TestStatus::Passed } else { TestStatus::Failed };
            let result = TestResult { name: test.name.clone(), status, message, steps, duration_ms: test_started.elapsed().as_millis() as u64 };
            on_test(&result);
            tests.push(result);
            match ending {
                Ending::Passed => {}
                Ending::Failed { exceptions } => {
                    first_failure_had_exceptions.get_or_insert(exceptions);
                }
                Ending::Fatal(v) => fatal = Some(v),
            }
            if !reuse_frame {
                // Hung, crashed or misbehaved: the host page is rebuilt, and the next test
                // gets a new frame in it.
                frame = None;
                self.pool.drop_host(lease).await;
            }
        }
        let mut healthy = true;
        if let Some(frame) = frame.take() {
            healthy = frame.close().await;
        }

        let verdict = match (fatal, first_failure_had_exceptions) {
            (Some(v), _) => v,
            (None, Some(true)) => Verdict::RuntimeError,
            (None, Some(false)) => Verdict::WrongAnswer,
            (None, None) => Verdict::Accepted,
        };
        let report = GradeReport {
            verdict,
            message: tests.iter().find(|t| t.status == TestStatus::Failed).and_then(|t| t.message.clone()),
            tests,
            compile_error: None,
            console,
            // Set by the caller once the lease is back, as it always was.
            duration_ms: 0,
            screenshot,
        };
        Ok((report, healthy))
    }
}

impl Judge {
    /// A fresh frame in the lease's warm host page, at a new origin, with React loaded and
    /// the judge's world ready.
    async fn open_frame(&self, lease: &mut Lease, vendor: &'static VendorBuild, module: &str) -> Result<Frame, JudgeError> {
        let host = self.pool.host(lease).await?;
        let deadline = Instant::now() + Duration::from_secs(15);
        match Frame::open(host, &lease.browser.sites, Site::new(vendor, module.to_string()), deadline).await {
            Ok(frame) => Ok(frame),
            // Nothing of the learner's runs before the frame is open: any failure is the judge's.
            Err(Stop::Judge(e)) => Err(e),
            Err(Stop::Timeout) => Err(JudgeError::NoAnswer { doing: "open a frame", within: Duration::from_secs(15) }),
            Err(Stop::Crash) => Err(JudgeError::HostCrashed),
            Err(Stop::Left(why) | Stop::Fail(why) | Stop::MountFailed(why)) => Err(JudgeError::Harness(format!("could not open a frame: {why}"))),
        }
    }

    /// The floor under every submission: a fresh frame at a never-used origin in a warm host
    /// page, React loaded and the judge's world ready (no learner code). For benchmarks and
    /// readiness checks.
    pub async fn blank_frame(&self) -> Result<Duration, JudgeError> {
        let mut lease = self.pool.lease().await?;
        let started = Instant::now();
        let opened = self.open_frame(&mut lease, VendorBuild::get(ReactBuild::Production), "export default () => null;").await;
        let elapsed = started.elapsed();
        let healthy = match opened {
            Ok(frame) => frame.close().await,
            Err(e) => {
                self.pool.give_back(lease, false).await;
                return Err(e);
            }
        };
        self.pool.give_back(lease, healthy).await;
        Ok(elapsed)
    }
}

fn with_exception_hint(message: String, exceptions: u32) -> String {
    if exceptions > 0 { format!("{message}. Your code threw an uncaught error during this test (see the console).") } else { message }
}

async fn capture(frame: Option<&Frame>) -> Option<Vec<u8>> {
    let params = CaptureScreenshotParams { format: Some(CaptureScreenshotFormat::Png), ..Default::default() };
    let shot = frame?.cdp(params, Instant::now() + Duration::from_secs(3)).await.ok()?;
    base64::engine::general_purpose::STANDARD.decode(AsRef::<str>::as_ref(&shot.data)).ok()
}
