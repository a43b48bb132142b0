//! A steady stream of submissions through a fault, and what the record says afterwards:
//! submissions lost, graded twice or given the wrong verdict, and how long the platform
//! took to recover.
#![allow(dead_code)]

use crate::engines::{API_ARGS, Results, migrate, psql, watch};
use crate::server::{Client, Server, fixture};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// One judging slot per worker, and leases short enough that a dead worker's job is taken
/// over within seconds (renewed every 1.5 s while a worker lives).
const WORKER_ARGS: &[&str] = &["--workers", "1", "--job-lease-secs", "6"];

/// Two `reactlab api` and two `reactlab worker` processes on the engines `env` names.
pub struct Platform {
    pub apis: Vec<Server>,
    pub workers: Vec<Server>,
    pub database_url: String,
    _data: tempfile::TempDir,
}

impl Platform {
    pub fn launch(database_url: &str, env: &[(String, String)]) -> Platform {
        migrate(env);
        let data = tempfile::tempdir().unwrap();
        let dir = |name: String| {
            let d = data.path().join(name);
            std::fs::create_dir_all(&d).unwrap();
            d
        };
        let apis = (0..2).map(|i| Server::launch("api", &dir(format!("api{i}")), API_ARGS, env)).collect();
        let workers = (0..2).map(|i| Server::launch("worker", &dir(format!("worker{i}")), WORKER_ARGS, env)).collect();
        Platform { apis, workers, database_url: database_url.to_string(), _data: data }
    }

    /// Submissions being graded right now.
    pub fn running(&self) -> Vec<String> {
        psql(&self.database_url, "SELECT id FROM submissions WHERE status = 'running'").lines().map(str::to_string).collect()
    }

    /// Waits (at most a minute) until every worker is grading, so that a fault hits work in
    /// flight, and returns the fault's window opened that moment (no further query between
    /// seeing the work in flight and the fault, which the caller injects next).
    pub async fn until_all_workers_grade(&self) -> FaultWindow {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let in_flight = self.running();
            if in_flight.len() >= self.workers.len() {
                return FaultWindow::begin(in_flight);
            }
            assert!(Instant::now() < deadline, "the workers never all graded at once\n{}", self.log_tails());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn worker_logs(&self) -> String {
        self.workers.iter().map(Server::log).collect()
    }

    pub fn api_logs(&self) -> String {
        self.apis.iter().map(Server::log).collect()
    }

    /// Every warning and error each process logged, without colours.
    pub fn warnings(&self) -> String {
        let named = self
            .apis
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("api{i}"), s.log()))
            .chain(self.workers.iter().enumerate().map(|(i, s)| (format!("worker{i}"), s.log())));
        named
            .map(|(name, log)| {
                let lines: Vec<String> = log.lines().map(strip_ansi).filter(|l| l.contains(" WARN ") || l.contains(" ERROR ")).collect();
                format!("--- {name}: {} warnings and errors\n{}\n", lines.len(), lines.join("\n"))
            })
            .collect()
    }

    /// The end of every process's log, for assertion messages.
    pub fn log_tails(&self) -> String {
        let tail = |name: String, log: String| {
            let lines: Vec<&str> = log.lines().collect();
            format!("--- {name} (last 40 lines)\n{}\n", lines[lines.len().saturating_sub(40)..].join("\n"))
        };
        let apis = self.apis.iter().enumerate().map(|(i, s)| tail(format!("api{i}"), s.log()));
        let workers = self.workers.iter().enumerate().map(|(i, s)| tail(format!("worker{i}"), s.log()));
        apis.chain(workers).collect()
    }
}

/// A solution to the counter challenge and the verdicts it may get.
#[derive(Clone)]
pub struct Sample {
    pub name: &'static str,
    pub code: String,
    pub verdicts: &'static [&'static str],
}

impl Sample {
    pub fn right() -> Sample {
        Sample { name: "right", code: fixture("counter", "reference.jsx"), verdicts: &["accepted"] }
    }

    pub fn wrong() -> Sample {
        Sample { name: "wrong", code: fixture("counter", "fixtures/fail-adds-two.jsx"), verdicts: &["wrong_answer"] }
    }

    pub fn hostile(name: &'static str, code: &str, verdicts: &'static [&'static str]) -> Sample {
        Sample { name, code: code.to_string(), verdicts }
    }

    fn is_honest(&self) -> bool {
        matches!(self.name, "right" | "wrong")
    }
}

/// Two right solutions to one wrong one, over and over.
pub fn honest_mix() -> Vec<Sample> {
    vec![Sample::right(), Sample::right(), Sample::wrong()]
}

/// An accepted submission (202).
struct Sent {
    id: String,
    sample: Sample,
    sent_at: Instant,
}

/// A submission the API refused (the client was told, so it is not lost).
#[derive(Debug, Clone)]
pub struct Refusal {
    pub status: u16,
    pub code: String,
}

#[derive(Default)]
struct Record {
    sent: Vec<Sent>,
    refused: Vec<Refusal>,
}

/// Learners submitting at a steady pace, each through one API and watching its results
/// over a WebSocket on the other, so that every result crosses processes.
pub struct Stream {
    record: Arc<Mutex<Record>>,
    results: Results,
    pacer: tokio::task::JoinHandle<()>,
    /// The sockets' subscription senders: a watcher stops once they are all dropped.
    _watchers: Vec<mpsc::UnboundedSender<String>>,
    started: Instant,
}

const LEARNERS: usize = 4;

impl Stream {
    /// Submits `count` submissions cycling through `samples`, one every `every`, each
    /// without waiting for the previous one's answer (a request stuck on a part that is down
    /// does not hold up the rest).
    pub async fn start(platform: &Platform, samples: Vec<Sample>, count: usize, every: Duration) -> Stream {
        let results: Results = Default::default();
        let mut learners: Vec<(Client, mpsc::UnboundedSender<String>)> = vec![];
        for i in 0..LEARNERS {
            let mut client = platform.apis[i % 2].client();
            client.register(&format!("learner{i}")).await;
            let mut watcher = platform.apis[(i + 1) % 2].client();
            watcher.token = client.token.clone();
            learners.push((client, watch(watcher.socket().await, results.clone())));
        }
        let watchers = learners.iter().map(|(_, socket)| socket.clone()).collect();
        let record: Arc<Mutex<Record>> = Default::default();
        let pacer = tokio::spawn({
            let record = record.clone();
            async move {
                let mut requests = vec![];
                for i in 0..count {
                    let (client, socket) = learners[i % LEARNERS].clone();
                    let sample = samples[i % samples.len()].clone();
                    requests.push(tokio::spawn(submit(client, socket, sample, record.clone())));
                    tokio::time::sleep(every).await;
                }
                for request in requests {
                    request.await.expect("a submission request ends");
                }
            }
        });
        Stream { record, results, pacer, _watchers: watchers, started: Instant::now() }
    }

    /// Submissions sent so far (accepted or refused).
    fn answered(&self) -> usize {
        let record = self.record.lock().unwrap();
        record.sent.len() + record.refused.len()
    }

    /// Waits until `n` submissions have been answered.
    pub async fn until_answered(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.answered() < n {
            assert!(Instant::now() < deadline, "{} of {n} submissions answered in a minute", self.answered());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits for the stream to end and every accepted submission's result (at most
    /// `patience`), then reads the record.
    pub async fn finish(mut self, platform: &Platform, fault: Option<&FaultWindow>, patience: Duration) -> Figures {
        (&mut self.pacer).await.expect("every submission was answered");
        let deadline = Instant::now() + patience;
        while Instant::now() < deadline && !self.all_announced() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let record = self.record.lock().unwrap();
        let results = self.results.lock().unwrap().clone();
        let stored: HashMap<String, (String, String)> =
            psql(&platform.database_url, "SELECT id || ' ' || status || ' ' || COALESCE(verdict, '-') FROM submissions")
                .lines()
                .map(|l| {
                    let mut parts = l.split(' ').map(str::to_string);
                    (parts.next().unwrap(), (parts.next().unwrap(), parts.next().unwrap()))
                })
                .collect();

        let mut figures = Figures { accepted: record.sent.len(), refused: record.refused.clone(), elapsed: self.started.elapsed(), ..Figures::default() };
        let writes = result_writes(&platform.worker_logs());
        let mut turnarounds = vec![];
        for sent in &record.sent {
            let (status, verdict) = stored.get(&sent.id).cloned().unwrap_or_default();
            let announced = results.get(&sent.id);
            if status != "done" || announced.is_none() {
                figures.lost.push(format!("{} ({}): stored as {status} {verdict}, announced: {}", sent.id, sent.sample.name, announced.is_some()));
                continue;
            }
            let announced = announced.unwrap();
            if !sent.sample.verdicts.contains(&verdict.as_str()) || !sent.sample.verdicts.contains(&announced.verdict.as_str()) {
                figures.wrong.push(format!(
                    "{} ({}): stored {verdict}, announced {}, expected one of {:?}",
                    sent.id, sent.sample.name, announced.verdict, sent.sample.verdicts
                ));
            }
            if writes.get(sent.id.as_str()).copied().unwrap_or(0) > 1 {
                figures.graded_twice += 1;
            }
            *figures.verdicts.entry(sent.sample.name).or_default().entry(verdict.clone()).or_default() += 1;
            let took = announced.at.duration_since(sent.sent_at);
            turnarounds.push(took);
            figures.slowest = figures.slowest.max(took);
            if sent.sample.is_honest() {
                figures.slowest_honest = figures.slowest_honest.max(took);
            }
        }
        turnarounds.sort();
        figures.median = turnarounds.get(turnarounds.len() / 2).copied().unwrap_or_default();
        // Progress is the other record of a result: one accepted result, one count.
        let accepted: i64 = stored.values().filter(|(_, v)| v == "accepted").count() as i64;
        let counted: i64 = psql(&platform.database_url, "SELECT COALESCE(SUM(accepted), 0) FROM activity").parse().unwrap();
        figures.graded_twice += (counted - accepted).max(0) as usize;
        figures.uncounted = (accepted - counted).max(0) as usize;

        if let Some(fault) = fault {
            let first_after = record.sent.iter().filter(|s| s.sent_at >= fault.ended).min_by_key(|s| s.sent_at);
            figures.recovery = first_after.and_then(|s| results.get(&s.id)).map(|d| d.at.duration_since(fault.ended));
            let in_flight: Vec<Option<Instant>> = fault.in_flight.iter().map(|id| results.get(id).map(|d| d.at)).collect();
            figures.in_flight = in_flight.len();
            figures.in_flight_done = in_flight.iter().flatten().map(|at| at.duration_since(fault.began)).max();
        }
        figures
    }

    fn all_announced(&self) -> bool {
        let record = self.record.lock().unwrap();
        let results = self.results.lock().unwrap();
        record.sent.iter().all(|s| results.contains_key(&s.id))
    }
}

async fn submit(client: Client, socket: mpsc::UnboundedSender<String>, sample: Sample, record: Arc<Mutex<Record>>) {
    let sent_at = Instant::now();
    let r = client.post("/api/v1/submissions", json!({ "challenge": "counter", "code": sample.code })).await;
    let mut record = record.lock().unwrap();
    if r.status == reqwest::StatusCode::ACCEPTED {
        let id = r.body["id"].as_str().unwrap().to_string();
        let _ = socket.send(id.clone());
        record.sent.push(Sent { id, sample, sent_at });
    } else {
        record.refused.push(Refusal { status: r.status.as_u16(), code: r.code().to_string() });
    }
}

/// Results written per submission, from the workers' `graded` log lines (one per write
/// that stored a result; a duplicate that found the result stored logs otherwise).
fn result_writes(worker_logs: &str) -> HashMap<String, usize> {
    let mut writes = HashMap::new();
    for line in worker_logs.lines().map(strip_ansi) {
        if let Some(rest) = line.split(" graded submission=").nth(1) {
            let id = rest.split_whitespace().next().unwrap_or_default().to_string();
            *writes.entry(id).or_default() += 1;
        }
    }
    writes
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI sequences end with a letter (`m` for colours).
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// When a fault began and ended (the part was back), and what was being graded as it began.
pub struct FaultWindow {
    pub began: Instant,
    pub ended: Instant,
    pub in_flight: Vec<String>,
}

impl FaultWindow {
    /// Notes what is being graded and the time, just before the fault is injected.
    fn begin(in_flight: Vec<String>) -> FaultWindow {
        let now = Instant::now();
        FaultWindow { began: now, ended: now, in_flight }
    }

    /// The fault is over (the part is back): recovery is measured from here.
    pub fn end(&mut self) {
        self.ended = Instant::now();
    }

    pub fn length(&self) -> Duration {
        self.ended.duration_since(self.began)
    }
}

#[derive(Default, Debug)]
pub struct Figures {
    pub accepted: usize,
    pub refused: Vec<Refusal>,
    /// Accepted (202) but never stored as done, or never announced on the WebSocket.
    pub lost: Vec<String>,
    /// Results written more than once (worker logs), and accepted results counted more
    /// than once in progress.
    pub graded_twice: usize,
    /// Accepted results progress never counted.
    pub uncounted: usize,
    pub wrong: Vec<String>,
    /// Stored verdicts by sample.
    pub verdicts: BTreeMap<&'static str, BTreeMap<String, usize>>,
    /// From the fault's end to the verdict of the first submission sent after it.
    pub recovery: Option<Duration>,
    pub in_flight: usize,
    /// From the fault's start to the last verdict of what was being graded then.
    pub in_flight_done: Option<Duration>,
    /// Time from sending a submission to its verdict on the WebSocket: the median (what a
    /// learner usually waits at this load, the yardstick for the recovery) and the longest.
    pub median: Duration,
    pub slowest: Duration,
    pub slowest_honest: Duration,
    pub elapsed: Duration,
}

impl Figures {
    /// One line for the operations guide, on stderr (`--nocapture` shows it); with
    /// `REACTLAB_TEST_SHOW_LOGS=1`, every warning the processes logged too (what an
    /// operator would have seen).
    pub fn print(&self, fault: &str, window: Option<&FaultWindow>, platform: &Platform) {
        if std::env::var_os("REACTLAB_TEST_SHOW_LOGS").is_some() {
            eprintln!("{}", platform.warnings());
        }
        let secs = |d: Option<Duration>| d.map_or("never".to_string(), |d| format!("{:.1} s", d.as_secs_f64()));
        let mut line = format!("FAULT {fault}: accepted {}", self.accepted);
        if !self.refused.is_empty() {
            let mut codes: Vec<String> = self.refused.iter().map(|r| format!("{} {}", r.status, r.code)).collect();
            codes.dedup();
            line += &format!(", refused {} ({})", self.refused.len(), codes.join(", "));
        }
        line += &format!(", lost {}, graded twice {}, wrong verdicts {}", self.lost.len(), self.graded_twice, self.wrong.len());
        if let Some(window) = window {
            if window.length() > Duration::from_millis(500) {
                line += &format!(", down {:.1} s", window.length().as_secs_f64());
            }
            line += &format!(", recovered in {}", secs(self.recovery));
            line += &format!(", {} in flight at the fault all graded within {}", self.in_flight, secs(self.in_flight_done));
        }
        line += &format!(
            ", verdicts in {:.1} s median, {:.1} s at most; whole run {:.1} s",
            self.median.as_secs_f64(),
            self.slowest.as_secs_f64(),
            self.elapsed.as_secs_f64()
        );
        eprintln!("{line}");
    }

    /// Nothing lost, nothing graded twice, every verdict right, recovered within `bound`;
    /// refusals only as 503 with one of `refusal_codes`.
    pub fn assert_sound(&self, platform: &Platform, window: Option<&FaultWindow>, refusal_codes: &[&str], bound: Duration) {
        let logs = platform.log_tails();
        if window.is_some() {
            assert!(self.recovery.is_some(), "no submission sent after the fault got its verdict\n{logs}");
        }
        assert!(self.lost.is_empty(), "lost submissions: {:#?}\n{logs}", self.lost);
        assert_eq!(self.graded_twice, 0, "results recorded twice\n{logs}");
        assert_eq!(self.uncounted, 0, "accepted results missing from progress\n{logs}");
        assert!(self.wrong.is_empty(), "wrong verdicts: {:#?}\n{logs}", self.wrong);
        for refusal in &self.refused {
            assert!(refusal.status == 503 && refusal.code != "internal" && refusal_codes.contains(&refusal.code.as_str()), "refused with {refusal:?}\n{logs}");
        }
        if let Some(recovery) = self.recovery {
            assert!(recovery < bound, "recovered only after {recovery:?}\n{logs}");
        }
        if let Some(done) = self.in_flight_done {
            assert!(done < bound, "what was in flight at the fault took {done:?}\n{logs}");
        }
    }
}
