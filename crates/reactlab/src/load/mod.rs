//! `reactlab load`: virtual users drive a running ReactLab the way learners do — register,
//! submit a mix of right and wrong solutions from the catalog, wait for each result on the
//! WebSocket — and the run reports throughput, submit-to-result percentiles, verdicts
//! against expectations, errors by kind and, for watched processes, memory growth.
//! Bounded in users, submissions and time, and aimed at this machine unless told otherwise.

mod memory;
mod plan;
mod report;
mod target;
mod user;

use memory::{Memory, Watched};
use plan::{Budget, Plan};
use report::{Recorder, RunFacts};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use target::Target;
use tokio::sync::watch;

/// A count run stops taking new submissions after this long, whatever is left.
const LONGEST_COUNT_RUN: Duration = Duration::from_secs(3600);
/// The longest soak.
const LONGEST_SOAK: Duration = Duration::from_secs(2 * 3600);
/// Submissions a soak may send at most, unless `--submissions` says fewer.
const SOAK_SUBMISSIONS_CAP: u64 = 100_000;
/// Longest `--timeout`.
const LONGEST_RESULT_TIMEOUT: Duration = Duration::from_secs(600);
/// Longest wait for one HTTP answer (registration hashes a password: not instant under load).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How often watched processes are sampled for their peak.
const MEMORY_EVERY: Duration = Duration::from_secs(5);
/// How often a progress line goes to stderr.
const PROGRESS_EVERY: Duration = Duration::from_secs(15);

#[derive(clap::Args)]
pub struct LoadArgs {
    /// The server to load.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Allow a --url that is not this machine (127.0.0.0/8, ::1, localhost): only for a
    /// server you run.
    #[arg(long)]
    allow_remote: bool,
    /// Virtual users: each registers, opens a WebSocket and has one submission in flight (1–200).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=200))]
    users: u32,
    /// Submissions in all, shared among the users (1–10000) [default: 100; new ones stop
    /// after an hour in any case]. With --duration, an upper bound instead [default: 100000].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    submissions: Option<u64>,
    /// Soak: keep submitting until this much time has passed, e.g. 600s or 10m (at most 2h).
    #[arg(long, value_parser = parse_duration)]
    duration: Option<Duration>,
    /// Fraction of submissions that are wrong solutions (starters, fail-* fixtures), 0–1.
    #[arg(long, default_value_t = 0.3, value_parser = parse_fraction)]
    mix: f64,
    /// Only these challenges (comma-separated slugs) [default: the whole catalog].
    #[arg(long, value_delimiter = ',')]
    challenges: Vec<String>,
    /// The challenge folder the solutions come from: the catalog the server loaded.
    #[arg(long, env = "REACTLAB_CHALLENGES", default_value = "challenges")]
    catalog: PathBuf,
    /// Longest wait for one result, from its submission, e.g. 120s or 2m (at most 10m).
    #[arg(long, default_value = "120s", value_parser = parse_duration)]
    timeout: Duration,
    /// A process whose memory to follow, as name=pid (e.g. serve=1234, api=…, worker=…); repeat.
    #[arg(long = "watch", value_parser = memory::parse_watch)]
    watch: Vec<Watched>,
    /// Print one JSON object summarising the run on stdout, instead of the report.
    #[arg(long)]
    json: bool,
}

/// `600`, `600s`, `10m` or `2h`.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let (number, unit) = s.trim().split_at(s.trim().find(|c: char| !c.is_ascii_digit()).unwrap_or(s.trim().len()));
    let n: u64 = number.parse().map_err(|_| format!("{s:?}: expected a number of seconds, e.g. 600s or 10m"))?;
    let seconds = match unit {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => return Err(format!("{s:?}: the unit is s, m or h")),
    };
    if seconds == 0 {
        return Err("a duration must be at least 1s".into());
    }
    Ok(Duration::from_secs(seconds))
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err(format!("{s:?}: expected a fraction from 0 to 1, e.g. 0.3")),
    }
}

/// Exit status: 0 for a clean run, 1 when anything failed (an error of any kind, a wrong
/// verdict, a submission without its result), 2 when the run could not start.
pub async fn run(args: LoadArgs) -> u8 {
    let run = match prepare(&args).await {
        Ok(run) => Arc::new(run),
        Err(e) => {
            eprintln!("error: {e:#}");
            return 2;
        }
    };
    let started = Instant::now();
    let (stop_memory, stopped) = watch::channel(false);
    let sampler = tokio::spawn(follow_memory(run.clone(), Memory::new(&args.watch), args.users as u64, stopped));
    let progress = tokio::spawn(report_progress(run.clone(), started));
    let interrupt = tokio::spawn({
        let run = run.clone();
        async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("load: interrupted; waiting for the submissions in flight");
                run.budget.stop();
            }
        }
    });
    let users: Vec<_> = (0..args.users).map(|i| tokio::spawn(user::live(run.clone(), i))).collect();
    for u in users {
        let _ = u.await;
    }
    interrupt.abort();
    progress.abort();
    let _ = stop_memory.send(true);
    let memory = sampler.await.map(Memory::finish).unwrap_or_default();
    let facts = RunFacts {
        url: run.target.base.clone(),
        mode: if args.duration.is_some() { "soak" } else { "count" },
        users: args.users,
        planned: Some(planned(&args)),
        mix: args.mix,
        challenges: run.plan.challenges(),
        elapsed: started.elapsed(),
    };
    let summary = run.recorder.summary(facts, memory);
    if args.json {
        println!("{}", serde_json::to_string(&summary).expect("the summary serializes"));
    } else {
        print!("{}", summary.to_text());
    }
    if summary.clean() { 0 } else { 1 }
}

fn planned(args: &LoadArgs) -> u64 {
    match args.duration {
        Some(_) => args.submissions.unwrap_or(SOAK_SUBMISSIONS_CAP),
        None => args.submissions.unwrap_or(100),
    }
}

/// Everything checked before the first request that loads the server.
async fn prepare(args: &LoadArgs) -> anyhow::Result<user::Run> {
    let target = Target::parse(&args.url, args.allow_remote)?;
    if args.timeout > LONGEST_RESULT_TIMEOUT {
        anyhow::bail!("--timeout is at most {}s", LONGEST_RESULT_TIMEOUT.as_secs());
    }
    if args.duration.is_some_and(|d| d > LONGEST_SOAK) {
        anyhow::bail!("--duration is at most {}s", LONGEST_SOAK.as_secs());
    }
    let plan = Plan::from_catalog(&args.catalog, &args.challenges, args.mix)?;
    let http = reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build()?;
    // One cheap request first, so a wrong --url is one clear error, not N users' failures.
    let health = http.get(target.endpoint("/healthz")).send().await;
    if !health.as_ref().is_ok_and(|r| r.status().is_success()) {
        anyhow::bail!("no ReactLab answers at {}/healthz: {}", target.base, health.map(|r| r.status().to_string()).unwrap_or_else(|e| e.to_string()));
    }
    let until = Instant::now() + args.duration.unwrap_or(LONGEST_COUNT_RUN);
    let run_id = format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() % 0xfff_ffff));
    Ok(user::Run { http, target, plan, budget: Budget::new(planned(args), until), recorder: Recorder::default(), result_timeout: args.timeout, run_id })
}

/// Samples the watched processes: the baseline once every user has had a result (or at
/// least one result, if fewer submissions than users), then every few seconds until told to stop.
async fn follow_memory(run: Arc<user::Run>, mut memory: Memory, users: u64, mut stop: watch::Receiver<bool>) -> Memory {
    let warm = users.min(run.budget.limit());
    loop {
        if *stop.borrow() {
            return memory;
        }
        if run.recorder.progress().0 >= warm {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    memory.start();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(MEMORY_EVERY) => memory.tick(),
            _ = stop.changed() => return memory,
        }
    }
}

async fn report_progress(run: Arc<user::Run>, started: Instant) {
    loop {
        tokio::time::sleep(PROGRESS_EVERY).await;
        let (results, errors) = run.recorder.progress();
        let elapsed = started.elapsed().as_secs_f64();
        eprintln!("load: {elapsed:.0} s, {results} results ({:.2}/s), {errors} errors", results as f64 / elapsed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_seconds_minutes_or_hours() {
        assert_eq!(parse_duration("600"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("45s"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("1m30s").is_err());
    }

    #[test]
    fn the_mix_is_a_fraction() {
        assert_eq!(parse_fraction("0.3"), Ok(0.3));
        assert_eq!(parse_fraction("1"), Ok(1.0));
        assert!(parse_fraction("1.5").is_err());
        assert!(parse_fraction("-0.1").is_err());
        assert!(parse_fraction("NaN").is_err());
    }
}
