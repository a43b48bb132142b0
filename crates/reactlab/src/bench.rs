//! `reactlab bench`: the judge's cost, measured in one run (so the figures compare on the
//! same machine state). CPU comes from /proc: the browser's whole process tree plus this
//! process, before and after each phase.

use crate::grade::judge as judge_for;
use crate::{JudgeArgs, catalog};
use futures::StreamExt;
use reactlab_core::{Challenge, Verdict};
use reactlab_judge::{Judge, procfs};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Counter submissions graded one at a time for the latency percentiles.
    #[arg(long, default_value_t = 60)]
    sequential: usize,
    /// Counter submissions per in-flight level for throughput.
    #[arg(long, default_value_t = 48)]
    per_level: usize,
    /// In-flight levels for throughput.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8")]
    levels: Vec<usize>,
    /// Chromium binaries to compare (CPU per counter submission, one in flight, each in a
    /// judge of its own); by default Debian's `chromium` and `chromium-headless-shell`,
    /// those installed.
    #[arg(long, value_delimiter = ',')]
    browsers: Vec<std::path::PathBuf>,
    #[command(flatten)]
    judge: JudgeArgs,
}

/// The roles Chromium gives its processes (`--type=` on their command lines): where the
/// browser's time goes.
const KINDS: [&str; 5] = ["browser", "renderer", "network", "gpu", "other"];

fn kind_of(pid: u32) -> usize {
    let cmdline = procfs::cmdline(pid);
    if !cmdline.contains("--type=") {
        0
    } else if cmdline.contains("--type=renderer") {
        1
    } else if cmdline.contains("NetworkService") {
        2
    } else if cmdline.contains("--type=gpu-process") {
        3
    } else {
        4
    }
}

/// Clock ticks of CPU (user + system) used so far by a process and its descendants, by kind.
/// The CPU of children that have exited and been reaped counts too: without it a renderer
/// that ends during a phase takes its whole CPU history out of the sum (and the figure comes
/// out too low). Reaped children count for their parent's kind.
fn tree_ticks(root: u32) -> [u64; 5] {
    let now = procfs::Processes::now();
    let mut total = [0; 5];
    for pid in now.tree(root) {
        if let Some(s) = now.get(pid) {
            total[kind_of(pid)] += s.cpu_ticks + s.reaped_children_ticks;
        }
    }
    total
}

/// CPU ticks of the browser tree (by kind) and of this process (its exited threads included).
struct Cpu {
    kinds: [u64; 5],
    browser: u64,
    judge: u64,
}

fn ticks_per_second() -> f64 {
    100.0 // USER_HZ on Linux
}

fn self_ticks() -> u64 {
    procfs::cpu_ticks(std::process::id()).unwrap_or(0)
}

async fn cpu(judge: &Judge) -> Cpu {
    let kinds = match judge.pool().browser_pid().await {
        Some(pid) => tree_ticks(pid),
        None => [0; 5],
    };
    Cpu { kinds, browser: kinds.iter().sum(), judge: self_ticks() }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

async fn grade_ok(judge: &Judge, c: &Challenge) -> Duration {
    let t = Instant::now();
    let r = judge.grade_with_retries(c, &c.reference.name, &c.reference.code, 1).await;
    if r.verdict != Verdict::Accepted {
        eprintln!("warning: {} reference graded {} ({:?})", c.slug, r.verdict, r.message);
    }
    t.elapsed()
}

pub async fn run(args: BenchArgs) -> u8 {
    let counter = match catalog::find(&args.judge.catalog, "counter") {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let max_level = args.levels.iter().copied().max().unwrap_or(1);
    let judge = judge_for(&JudgeArgs { in_flight: Some(max_level), ..args.judge.clone() });
    println!("# reactlab bench");
    println!(
        "machine: {} cores, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );

    // Warm up: launch the browser and open tabs for the highest level.
    futures::future::join_all((0..max_level).map(|_| grade_ok(&judge, &counter))).await;
    let Some(pid) = judge.pool().browser_pid().await else {
        eprintln!("error: no browser");
        return 2;
    };

    // Chromium keeps busy for several seconds after launch (measured: ~380 ms CPU per second
    // in the first 3 s, under 15 ms/s from 8 s on). Measuring before it settles charges that
    // start-up work to the first submissions and to "idle".
    println!("settled {:.1} s after launch", settle(&judge).await.as_secs_f64());

    // Idle: what the browser burns with its warm host pages and nothing to do.
    let before = cpu(&judge).await;
    let idle = Duration::from_secs(3);
    tokio::time::sleep(idle).await;
    let after = cpu(&judge).await;
    println!(
        "idle: browser {:.0} ms CPU per second with {max_level} warm host pages",
        (after.browser - before.browser) as f64 * 1000.0 / ticks_per_second() / idle.as_secs_f64()
    );

    // Transpile.
    let sample = include_str!("bench_component.tsx");
    let n = 2000;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(reactlab_judge::transpile::transpile("Bench.tsx", sample, false).expect("the sample compiles"));
    }
    println!("transpile: {:.1} µs per {}-line TSX component (mean of {n})", t.elapsed().as_secs_f64() * 1e6 / n as f64, sample.lines().count());

    // The floor.
    let before = cpu(&judge).await;
    let mut floor: Vec<f64> = Vec::new();
    for _ in 0..args.sequential {
        match judge.blank_frame().await {
            Ok(d) => floor.push(d.as_secs_f64() * 1000.0),
            Err(e) => eprintln!("warning: blank document: {e}"),
        }
    }
    let after = cpu(&judge).await;
    floor.sort_by(f64::total_cmp);
    println!(
        "floor (fresh frame at a new origin, React loaded, no component): p50 {:.1} ms, p95 {:.1} ms; CPU {:.1} ms browser + {:.1} ms judge per document",
        percentile(&floor, 50.0),
        percentile(&floor, 95.0),
        (after.browser - before.browser) as f64 * 1000.0 / ticks_per_second() / floor.len().max(1) as f64,
        (after.judge - before.judge) as f64 * 1000.0 / ticks_per_second() / floor.len().max(1) as f64,
    );

    // Counter, one at a time.
    let messages_before = cdp_messages(&judge).await;
    let before = cpu(&judge).await;
    let mut lat: Vec<f64> = Vec::new();
    for _ in 0..args.sequential {
        lat.push(grade_ok(&judge, &counter).await.as_secs_f64() * 1000.0);
    }
    let after = cpu(&judge).await;
    let messages_after = cdp_messages(&judge).await;
    lat.sort_by(f64::total_cmp);
    println!("  CDP messages per counter submission: {:.1}", messages_after.saturating_sub(messages_before) as f64 / lat.len().max(1) as f64);
    let per = |a: u64, b: u64| (b - a) as f64 * 1000.0 / ticks_per_second() / lat.len() as f64;
    println!(
        "counter, 1 in flight ({} tests each): p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
        counter.spec.tests.len(),
        percentile(&lat, 50.0),
        percentile(&lat, 95.0),
        percentile(&lat, 99.0)
    );
    let full_cpu = per(before.browser, after.browser) + per(before.judge, after.judge);
    println!(
        "CPU per counter submission: {:.1} ms browser + {:.1} ms judge = {full_cpu:.1} ms",
        per(before.browser, after.browser),
        per(before.judge, after.judge)
    );

    let by_kind: Vec<String> = KINDS.iter().enumerate().map(|(i, k)| format!("{k} {:.1}", per(before.kinds[i], after.kinds[i]))).collect();
    println!("  by process (ms per submission): {}, judge {:.1}", by_kind.join(", "), per(before.judge, after.judge));

    // Where a test's CPU goes: the same tests with no steps (a fresh document, React loaded,
    // the component mounted), against the full tests.
    let mut mount_only = counter.clone();
    for test in &mut mount_only.spec.tests {
        test.steps.clear();
    }
    let before = cpu(&judge).await;
    for _ in 0..args.sequential {
        grade_ok(&judge, &mount_only).await;
    }
    let after = cpu(&judge).await;
    let mount = per(before.browser + before.judge, after.browser + after.judge);
    let tests = counter.spec.tests.len().max(1) as f64;
    println!(
        "  per test: {:.1} ms to load a document with React and mount the component (fresh empty document alone: see the floor), {:.1} ms for the steps ({} steps per test on average)",
        mount / tests,
        (full_cpu - mount) / tests,
        counter.spec.tests.iter().map(|t| t.steps.len()).sum::<usize>() as f64 / tests
    );

    // Throughput.
    let mut peak_pss: f64 = procfs::tree_pss_bytes(pid) as f64 / 1048576.0;
    for &level in &args.levels {
        let before = cpu(&judge).await;
        let t = Instant::now();
        let mut stream = futures::stream::iter(0..args.per_level).map(|_| grade_ok(&judge, &counter)).buffer_unordered(level);
        let mut lat = Vec::new();
        while let Some(d) = stream.next().await {
            lat.push(d.as_secs_f64() * 1000.0);
            peak_pss = peak_pss.max(procfs::tree_pss_bytes(pid) as f64 / 1048576.0);
        }
        let wall = t.elapsed().as_secs_f64();
        let after = cpu(&judge).await;
        lat.sort_by(f64::total_cmp);
        println!(
            "throughput, {level} in flight: {:.1} submissions/s; latency p50 {:.0} ms, p95 {:.0} ms; CPU {:.1} ms per submission",
            args.per_level as f64 / wall,
            percentile(&lat, 50.0),
            percentile(&lat, 95.0),
            ((after.browser + after.judge) - (before.browser + before.judge)) as f64 * 1000.0 / ticks_per_second() / args.per_level as f64
        );
    }
    println!("browser memory: PSS {:.0} MiB now, {:.0} MiB peak during the throughput runs", procfs::tree_pss_bytes(pid) as f64 / 1048576.0, peak_pss);

    // The catalog's references.
    match catalog::load_all(&args.judge.catalog) {
        Ok(all) => {
            let t = Instant::now();
            let mut slowest = (String::new(), Duration::ZERO);
            for c in &all.challenges {
                let d = grade_ok(&judge, c).await;
                if d > slowest.1 {
                    slowest = (c.slug.clone(), d);
                }
            }
            println!(
                "catalog: {} reference solutions graded one after another in {:.1} s (slowest: {} in {} ms)",
                all.challenges.len(),
                t.elapsed().as_secs_f64(),
                slowest.0,
                slowest.1.as_millis()
            );
        }
        Err(e) => eprintln!("warning: the catalog does not load: {e}"),
    }
    judge.shutdown().await;

    // The browsers side by side, in fresh judges, one after the other.
    let browsers = if args.browsers.is_empty() { reactlab_judge::browser::debian_chromiums() } else { args.browsers.clone() };
    for chromium in browsers {
        let judge = judge_for(&JudgeArgs { in_flight: Some(1), chromium: Some(chromium.clone()), ..args.judge.clone() });
        grade_ok(&judge, &counter).await;
        settle(&judge).await;
        let before = cpu(&judge).await;
        let mut lat = Vec::new();
        for _ in 0..args.sequential {
            lat.push(grade_ok(&judge, &counter).await.as_secs_f64() * 1000.0);
        }
        let after = cpu(&judge).await;
        lat.sort_by(f64::total_cmp);
        let n = lat.len().max(1) as f64;
        let ms = |a: u64, b: u64| (b - a) as f64 * 1000.0 / ticks_per_second() / n;
        println!(
            "browser {}: CPU {:.1} ms per counter submission ({:.1} browser + {:.1} judge), p50 {:.1} ms",
            chromium.display(),
            ms(before.browser, after.browser) + ms(before.judge, after.judge),
            ms(before.browser, after.browser),
            ms(before.judge, after.judge),
            percentile(&lat, 50.0)
        );
        judge.shutdown().await;
    }
    0
}

async fn cdp_messages(judge: &Judge) -> u64 {
    judge.pool().browser().await.map_or(0, |b| b.conn.messages())
}

/// Waits until a freshly launched browser stops its start-up work (at most 30 s).
async fn settle(judge: &Judge) -> Duration {
    let started = Instant::now();
    loop {
        let before = cpu(judge).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let after = cpu(judge).await;
        let per_second = (after.browser - before.browser) as f64 * 1000.0 / ticks_per_second();
        if per_second < 20.0 || started.elapsed() > Duration::from_secs(30) {
            return started.elapsed();
        }
    }
}
