//! What a load run observed: every submission sent, every result and its verdict against
//! what was expected, submit-to-result times, and every failure by kind; summarised as a
//! readable report or one JSON object.

use super::memory::Track;
use super::plan::Solution;
use reactlab_core::Verdict;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where in a user's life a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Register,
    Submit,
    WebSocket,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Register => "register",
            Stage::Submit => "submit",
            Stage::WebSocket => "websocket",
        }
    }
}

/// One thing that went wrong. Its `Display` is the key it is counted under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server answered with an error status (429: a rate limit, see `--rate-*`).
    Status { stage: Stage, status: u16 },
    /// No connection could be made.
    Connect { stage: Stage },
    /// A request got no answer within the client's timeout.
    RequestTimeout { stage: Stage },
    /// The connection broke mid-request, or the answer was not what docs/api.md describes.
    Transport { stage: Stage },
    /// No `done` within `--timeout` of submitting.
    ResultTimeout,
    /// The socket closed or failed while a result was awaited (it is reopened and the
    /// submission subscribed again, as the web app does).
    WebSocketDrop,
    /// The server sent `{"type":"error"}` on the socket, with this code.
    SocketError(String),
    /// A right solution not accepted, or a wrong one accepted.
    WrongVerdict,
    /// The judge gave up on a submission (`internal_error`): its own fault, whatever the code.
    JudgeInternalError,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Status { stage, status } => write!(f, "http_{status}_{}", stage.as_str()),
            Failure::Connect { stage } => write!(f, "connect_{}", stage.as_str()),
            Failure::RequestTimeout { stage } => write!(f, "request_timeout_{}", stage.as_str()),
            Failure::Transport { stage } => write!(f, "transport_{}", stage.as_str()),
            Failure::ResultTimeout => f.write_str("result_timeout"),
            Failure::WebSocketDrop => f.write_str("websocket_drop"),
            Failure::SocketError(code) => write!(f, "socket_error_{code}"),
            Failure::WrongVerdict => f.write_str("wrong_verdict"),
            Failure::JudgeInternalError => f.write_str("judge_internal_error"),
        }
    }
}

/// A verdict that contradicted the solution's label, kept for the report (the first few).
#[derive(Debug, Clone, Serialize)]
pub struct WrongVerdict {
    pub challenge: String,
    pub file: String,
    pub expected: &'static str,
    pub verdict: Verdict,
}

const WRONG_VERDICTS_KEPT: usize = 20;

#[derive(Default)]
struct Tally {
    registered: u64,
    sent: u64,
    sent_right: u64,
    queued: u64,
    first_sent: Option<Instant>,
    last_result: Option<Instant>,
    latencies: Vec<Duration>,
    verdicts: BTreeMap<String, u64>,
    errors: BTreeMap<String, u64>,
    wrong_verdicts: Vec<WrongVerdict>,
}

/// Shared by all users; every method is a short critical section.
#[derive(Default)]
pub struct Recorder {
    tally: Mutex<Tally>,
}

impl Recorder {
    fn with<T>(&self, f: impl FnOnce(&mut Tally) -> T) -> T {
        f(&mut self.tally.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn registered(&self) {
        self.with(|t| t.registered += 1);
    }

    pub fn sent(&self, solution: &Solution) {
        self.with(|t| {
            t.sent += 1;
            t.sent_right += u64::from(solution.right);
            t.first_sent.get_or_insert_with(Instant::now);
        });
    }

    pub fn queued(&self) {
        self.with(|t| t.queued += 1);
    }

    pub fn failure(&self, failure: &Failure) {
        self.with(|t| *t.errors.entry(failure.to_string()).or_default() += 1);
    }

    /// A result arrived `latency` after its submission was sent.
    pub fn result(&self, solution: &Solution, verdict: Verdict, latency: Duration) {
        let accepted = verdict == Verdict::Accepted;
        let failure = if verdict == Verdict::InternalError {
            Some(Failure::JudgeInternalError)
        } else if accepted != solution.right {
            Some(Failure::WrongVerdict)
        } else {
            None
        };
        self.with(|t| {
            t.latencies.push(latency);
            t.last_result = Some(Instant::now());
            *t.verdicts.entry(verdict.as_str().to_string()).or_default() += 1;
            if let Some(failure) = failure {
                *t.errors.entry(failure.to_string()).or_default() += 1;
                if failure == Failure::WrongVerdict && t.wrong_verdicts.len() < WRONG_VERDICTS_KEPT {
                    let expected = if solution.right { "accepted" } else { "not accepted" };
                    t.wrong_verdicts.push(WrongVerdict { challenge: solution.challenge.clone(), file: solution.file.clone(), expected, verdict });
                }
            }
        });
    }

    /// (results, errors) so far, for progress lines and the memory warm-up.
    pub fn progress(&self) -> (u64, u64) {
        self.with(|t| (t.latencies.len() as u64, t.errors.values().sum()))
    }

    pub fn summary(&self, run: RunFacts, memory: Vec<Track>) -> Summary {
        self.with(|t| {
            let mut sorted = t.latencies.clone();
            sorted.sort();
            let window = match (t.first_sent, t.last_result) {
                (Some(a), Some(b)) if b > a => b - a,
                _ => Duration::ZERO,
            };
            let results = sorted.len() as u64;
            Summary {
                url: run.url,
                mode: run.mode,
                users: run.users,
                users_registered: t.registered,
                planned: run.planned,
                mix: run.mix,
                challenges: run.challenges,
                elapsed_s: run.elapsed.as_secs_f64(),
                sent: t.sent,
                sent_right: t.sent_right,
                sent_wrong: t.sent - t.sent_right,
                queued: t.queued,
                results,
                throughput_per_s: if window.is_zero() { 0.0 } else { results as f64 / window.as_secs_f64() },
                latency_ms: Latency::of(&sorted),
                verdicts: t.verdicts.clone(),
                wrong_verdicts: t.wrong_verdicts.clone(),
                errors: t.errors.clone(),
                memory,
            }
        })
    }
}

/// Facts about the run that the recorder does not see.
pub struct RunFacts {
    pub url: String,
    pub mode: &'static str,
    pub users: u32,
    pub planned: Option<u64>,
    pub mix: f64,
    pub challenges: usize,
    pub elapsed: Duration,
}

#[derive(Debug, Serialize)]
pub struct Latency {
    pub min: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

impl Latency {
    /// From durations sorted ascending; `None` when there are none.
    fn of(sorted: &[Duration]) -> Option<Latency> {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let (first, last) = (sorted.first()?, sorted.last()?);
        let mean = sorted.iter().map(|d| ms(*d)).sum::<f64>() / sorted.len() as f64;
        Some(Latency {
            min: ms(*first),
            p50: ms(percentile(sorted, 50.0)),
            p95: ms(percentile(sorted, 95.0)),
            p99: ms(percentile(sorted, 99.0)),
            max: ms(*last),
            mean,
        })
    }
}

/// The nearest-rank percentile of a non-empty ascending slice: the smallest value with at
/// least `p` % of the values at or below it.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The `--json` object; the readable report shows the same.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub url: String,
    /// `count` (a number of submissions) or `soak` (a duration).
    pub mode: &'static str,
    pub users: u32,
    pub users_registered: u64,
    /// Submissions asked for (`count`), or the cap (`soak`).
    pub planned: Option<u64>,
    pub mix: f64,
    pub challenges: usize,
    /// The whole run, registrations included.
    pub elapsed_s: f64,
    /// Submissions POSTed, of which right and wrong solutions.
    pub sent: u64,
    pub sent_right: u64,
    pub sent_wrong: u64,
    /// Submissions the API accepted (202).
    pub queued: u64,
    /// Submissions whose `done` arrived on the WebSocket.
    pub results: u64,
    /// Results per second, from the first submission sent to the last result.
    pub throughput_per_s: f64,
    /// Submit-to-result: from just before the POST to the `done` event.
    pub latency_ms: Option<Latency>,
    pub verdicts: BTreeMap<String, u64>,
    pub wrong_verdicts: Vec<WrongVerdict>,
    /// Failures by kind (see `Failure`); empty in a clean run.
    pub errors: BTreeMap<String, u64>,
    pub memory: Vec<Track>,
}

impl Summary {
    /// Clean: every accepted submission got its result, and nothing failed.
    pub fn clean(&self) -> bool {
        self.errors.is_empty() && self.results == self.queued && self.queued == self.sent && self.results > 0
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let scope = match self.planned {
            Some(n) if self.mode == "count" => format!("{n} submissions"),
            _ => "a soak".to_string(),
        };
        out += &format!(
            "load: {} users ({} registered), {scope} over {} challenges ({:.0} % wrong solutions) against {}, {:.1} s\n",
            self.users,
            self.users_registered,
            self.challenges,
            self.mix * 100.0,
            self.url,
            self.elapsed_s
        );
        out += &format!(
            "submissions  {} sent ({} right, {} wrong), {} queued, {} results\n",
            self.sent, self.sent_right, self.sent_wrong, self.queued, self.results
        );
        out += &format!("throughput   {:.2} results/s\n", self.throughput_per_s);
        match &self.latency_ms {
            Some(l) => {
                out += &format!(
                    "submit→done  p50 {}  p95 {}  p99 {}  (min {}, max {}, mean {})\n",
                    ms(l.p50),
                    ms(l.p95),
                    ms(l.p99),
                    ms(l.min),
                    ms(l.max),
                    ms(l.mean)
                )
            }
            None => out += "submit→done  no results\n",
        }
        out += &format!("verdicts     {}\n", counts(&self.verdicts));
        out += &format!("errors       {}\n", counts(&self.errors));
        for w in &self.wrong_verdicts {
            out += &format!("  wrong verdict: {}/{} should be {}, got {}\n", w.challenge, w.file, w.expected, w.verdict.as_str());
        }
        if self.errors.keys().any(|k| k.starts_with("http_429")) {
            out += "  429s are the server's rate limits: load a server started with raised --rate-register and --rate-submit (docs/benchmarks.md)\n";
        }
        if !self.memory.is_empty() {
            out += "memory       RSS of the process; PSS of it and its children; start is after warm-up\n";
            for t in &self.memory {
                out += &format!("  {}\n", t.to_text());
            }
        }
        out
    }
}

fn ms(v: f64) -> String {
    if v >= 1000.0 { format!("{:.2} s", v / 1000.0) } else { format!("{v:.0} ms") }
}

fn counts(map: &BTreeMap<String, u64>) -> String {
    if map.is_empty() {
        return "none".into();
    }
    map.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solution(right: bool) -> Solution {
        Solution { challenge: "counter".into(), file: "reference.jsx".into(), code: String::new(), language: "jsx", right }
    }

    fn facts() -> RunFacts {
        RunFacts { url: "http://127.0.0.1:1".into(), mode: "count", users: 2, planned: Some(4), mix: 0.5, challenges: 1, elapsed: Duration::from_secs(1) }
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&sorted, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&sorted, 95.0), Duration::from_millis(95));
        assert_eq!(percentile(&sorted, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&sorted[..1], 99.0), Duration::from_millis(1));
        assert_eq!(percentile(&sorted[..3], 50.0), Duration::from_millis(2));
        assert!(Latency::of(&[]).is_none());
    }

    #[test]
    fn verdicts_that_contradict_the_label_are_errors() {
        let r = Recorder::default();
        for (right, verdict) in [
            (true, Verdict::Accepted),
            (false, Verdict::WrongAnswer),
            (true, Verdict::WrongAnswer),
            (false, Verdict::Accepted),
            (false, Verdict::InternalError),
        ] {
            r.sent(&solution(right));
            r.queued();
            r.result(&solution(right), verdict, Duration::from_millis(10));
        }
        let s = r.summary(facts(), vec![]);
        assert_eq!(s.errors.get("wrong_verdict"), Some(&2));
        assert_eq!(s.errors.get("judge_internal_error"), Some(&1));
        assert_eq!(s.wrong_verdicts.len(), 2);
        assert_eq!(s.verdicts.get("accepted"), Some(&2));
        assert!(!s.clean());
        assert!(s.to_text().contains("wrong verdict: counter/reference.jsx should be accepted, got wrong_answer"), "{}", s.to_text());
    }

    #[test]
    fn a_run_is_clean_only_when_every_submission_got_its_result() {
        let r = Recorder::default();
        r.sent(&solution(true));
        r.queued();
        r.result(&solution(true), Verdict::Accepted, Duration::from_millis(10));
        assert!(r.summary(facts(), vec![]).clean());
        r.sent(&solution(true));
        r.queued();
        r.failure(&Failure::ResultTimeout);
        let s = r.summary(facts(), vec![]);
        assert!(!s.clean());
        assert_eq!(s.errors.get("result_timeout"), Some(&1));
        assert_eq!(Failure::Status { stage: Stage::Submit, status: 429 }.to_string(), "http_429_submit");
        assert_eq!(Failure::SocketError("not_found".into()).to_string(), "socket_error_not_found");
    }
}
