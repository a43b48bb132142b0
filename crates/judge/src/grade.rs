//! Grading one submission: transpile, then run each test in a warm tab, and decide the
//! verdict. The learner's faults are verdicts; only the judge's own faults are errors.

use crate::browser::{BrowserOptions, BrowserPool, LiveBrowser};
use crate::error::JudgeError;
use crate::harness;
use crate::runner::{Stop, TestRun};
use crate::tab::{Site, fresh_host};
use crate::transpile::transpile;
use crate::vendor::VendorBuild;
use base64::Engine;
use chromiumoxide::cdp::browser_protocol::page::{CaptureScreenshotFormat, CaptureScreenshotParams};
use reactlab_core::{Challenge, GradeReport, ReactBuild, StepOutcome, StepStatus, TestResult, TestStatus, Verdict};
use reactlab_core::report::MAX_CONSOLE_ENTRIES;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

pub struct Judge {
    pool: BrowserPool,
}

/// How one test ended, for the verdict.
enum Ending {
    Passed,
    Failed { exceptions: bool },
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
        let html_b64 = harness::b64(&harness::html(vendor, None));
        let app_b64 = harness::b64(&js);

        let mut lease = self.pool.lease().await?;
        // Time spent waiting for a free slot is not the submission's.
        let started = Instant::now();
        let submission_deadline = started + Duration::from_millis(challenge.timeout_ms());
        let mut tests = Vec::new();
        let mut console = Vec::new();
        let mut screenshot = None;
        let mut fatal: Option<Verdict> = None;
        let mut first_failure_had_exceptions = None;

        for test in &challenge.spec.tests {
            let sentences: Vec<String> = test.steps.iter().map(|s| s.get_ref().to_string()).collect();
            if let Some(verdict) = fatal {
                tests.push(TestResult {
                    name: test.name.clone(),
                    status: TestStatus::Skipped,
                    message: Some(format!("Not run: the submission already ended as {verdict}")),
                    steps: sentences.into_iter().map(|sentence| StepOutcome { sentence, status: StepStatus::NotRun }).collect(),
                    duration_ms: 0,
                });
                continue;
            }
            if lease.tab.is_none() {
                if let Err(e) = self.pool.replace_tab(&mut lease).await {
                    self.pool.give_back(lease, false).await;
                    return Err(e);
                }
            }
            let tab = lease.tab.as_mut().expect("a tab is leased");
            tab.uses += 1;
            let test_started = Instant::now();
            let deadline = (test_started + Duration::from_millis(challenge.test_timeout_ms())).min(submission_deadline);
            let (clock, html_b64) = match test.controls_clock() {
                true => {
                    let secret = harness::clock_secret();
                    let html = harness::b64(&harness::html(vendor, Some(&secret)));
                    (Some(secret), html)
                }
                false => (None, html_b64.clone()),
            };
            let site = Arc::new(Site { host: fresh_host(), clock, html_b64, app_b64: app_b64.clone(), vendor, mocks: test.mocks.clone() });
            let mut run = TestRun::new(tab, test, deadline);
            let outcome = run.run(site).await;
            let failed_at = run.current_step;
            // A failure is the learner's only if the browser lived through it: one that died
            // (killed, out of memory) fails every step through no fault of the code.
            if outcome.is_err() && !still_alive(&lease.browser).await {
                self.pool.give_back(lease, false).await;
                return Err(JudgeError::Browser("the browser died while grading".into()));
            }
            let tab = lease.tab.as_mut().expect("a tab is leased");
            let (entries, exceptions) = tab.shared.with(|s| (std::mem::take(&mut s.console), s.exceptions));
            // The bound holds for the whole report, not just each test.
            let room = MAX_CONSOLE_ENTRIES.saturating_sub(console.len());
            console.extend(entries.into_iter().take(room));

            let (ending, message, reuse_tab) = match outcome {
                Ok(()) => (Ending::Passed, None, true),
                Err(Stop::Fail(message)) => (Ending::Failed { exceptions: exceptions > 0 }, Some(with_exception_hint(message, exceptions)), true),
                Err(Stop::Left(why)) => (Ending::Failed { exceptions: false }, Some(format!("The page left the test: {why}")), false),
                Err(Stop::MountFailed(error)) => (Ending::Fatal(Verdict::RuntimeError), Some(format!("Your component threw while mounting: {error}")), true),
                Err(Stop::Crash) => (Ending::Fatal(Verdict::RuntimeError), Some("The page crashed (out of memory, or a runaway recursion).".into()), false),
                Err(Stop::Timeout) => {
                    let when = failed_at.map_or("while mounting".to_string(), |i| format!("during “{}”", sentences[i]));
                    let limit = deadline.saturating_duration_since(test_started).as_millis();
                    (Ending::Fatal(Verdict::TimeLimitExceeded), Some(format!("Time limit exceeded: the page stopped responding {when} (an infinite loop?); the limit is {limit} ms.")), false)
                }
                Err(Stop::Judge(e)) => {
                    self.pool.give_back(lease, false).await;
                    return Err(e);
                }
            };
            if !matches!(ending, Ending::Passed) && screenshot.is_none() && !matches!(ending, Ending::Fatal(Verdict::TimeLimitExceeded)) && reuse_tab {
                screenshot = capture(tab).await;
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
            if !reuse_tab {
                // Hung, crashed or closed: the next test gets a new tab.
                self.pool.drop_tab(&mut lease).await;
            }
        }
        self.pool.give_back(lease, true).await;

        let verdict = match (fatal, first_failure_had_exceptions) {
            (Some(v), _) => v,
            (None, Some(true)) => Verdict::RuntimeError,
            (None, Some(false)) => Verdict::WrongAnswer,
            (None, None) => Verdict::Accepted,
        };
        Ok(GradeReport {
            verdict,
            message: tests.iter().find(|t| t.status == TestStatus::Failed).and_then(|t| t.message.clone()),
            tests,
            compile_error: None,
            console,
            duration_ms: started.elapsed().as_millis() as u64,
            screenshot,
        })
    }
}

impl Judge {
    /// The floor under every test: a fresh, empty document at a never-used origin, ready for
    /// the judge's queries (no React, no learner code). For benchmarks.
    pub async fn blank_document(&self) -> Result<Duration, JudgeError> {
        let mut lease = self.pool.lease().await?;
        let started = Instant::now();
        let tab = lease.tab.as_mut().expect("a tab is leased");
        tab.uses += 1;
        let blank = reactlab_core::catalog::parse_spec("blank", "title = \"blank\"\ndifficulty = \"easy\"\n[[test]]\nname = \"blank\"\nsteps = [{ do = \"reload\" }]\n")
            .map_err(|e| JudgeError::Harness(e.to_string()))?;
        let site = Arc::new(Site {
            host: fresh_host(),
            clock: None,
            html_b64: harness::b64("<!doctype html><html><head><title>blank</title></head><body><div id=\"root\"></div></body></html>"),
            app_b64: String::new(),
            vendor: VendorBuild::get(ReactBuild::Production),
            mocks: vec![],
        });
        let result = TestRun::new(tab, &blank.tests[0], started + Duration::from_secs(10)).load(site).await;
        let healthy = result.is_ok();
        self.pool.give_back(lease, healthy).await;
        match result {
            Ok(()) => Ok(started.elapsed()),
            Err(Stop::Judge(e)) => Err(e),
            Err(other) => Err(JudgeError::Browser(format!("a blank page failed: {other:?}"))),
        }
    }
}

/// Whether the browser process still answers (its renderers may be busy or crashed: the
/// browser process answers for itself).
async fn still_alive(browser: &LiveBrowser) -> bool {
    !browser.is_dead() && matches!(tokio::time::timeout(Duration::from_secs(5), browser.browser.version()).await, Ok(Ok(_)))
}

fn with_exception_hint(message: String, exceptions: u32) -> String {
    if exceptions > 0 { format!("{message}. Your code threw an uncaught error during this test (see the console).") } else { message }
}

async fn capture(tab: &crate::tab::Tab) -> Option<Vec<u8>> {
    let mut params = CaptureScreenshotParams::default();
    params.format = Some(CaptureScreenshotFormat::Png);
    let shot = tokio::time::timeout(Duration::from_secs(3), tab.page.execute(params)).await.ok()?.ok()?;
    base64::engine::general_purpose::STANDARD.decode(AsRef::<str>::as_ref(&shot.result.data)).ok()
}
