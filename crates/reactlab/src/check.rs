//! `reactlab challenges check`: proves the catalog. For every challenge, the files load,
//! the reference passes, the starter fails, and every fixture does what its name says.

use crate::grade::judge;
use crate::{JudgeArgs, catalog};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use reactlab_core::{Challenge, Verdict};

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Check only this challenge (a slug or a folder).
    #[arg(long)]
    challenge: Option<String>,
    #[command(flatten)]
    judge: JudgeArgs,
}

struct Case<'a> {
    challenge: &'a Challenge,
    file: String,
    code: &'a str,
    should_pass: bool,
}

pub async fn run(args: CheckArgs) -> u8 {
    let challenges = match &args.challenge {
        Some(c) => catalog::find(&args.judge.catalog, c).map(|c| vec![c]),
        None => catalog::load_all(&args.judge.catalog).map(|c| c.challenges),
    };
    let challenges = match challenges {
        Ok(c) => c,
        Err(e) => {
            eprintln!("The catalog does not load:\n{e}");
            return 1;
        }
    };
    let mut cases = Vec::new();
    for c in &challenges {
        cases.push(Case { challenge: c, file: c.reference.name.clone(), code: &c.reference.code, should_pass: true });
        cases.push(Case { challenge: c, file: c.starter.name.clone(), code: &c.starter.code, should_pass: false });
        for f in &c.fixtures {
            cases.push(Case { challenge: c, file: format!("fixtures/{}", f.file.name), code: &f.file.code, should_pass: f.should_pass });
        }
    }
    let judge = judge(&args.judge);
    let bar = ProgressBar::new(cases.len() as u64);
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}").expect("a valid template"));
    let in_flight = judge.pool().options().max_in_flight;
    let results: Vec<_> = futures::stream::iter(cases.iter())
        .map(|case| {
            let (judge, bar) = (&judge, &bar);
            async move {
                let report = judge.grade_with_retries(case.challenge, &case.file, case.code, 3).await;
                bar.inc(1);
                bar.set_message(case.challenge.slug.clone());
                (case, report)
            }
        })
        .buffer_unordered(in_flight)
        .collect()
        .await;
    bar.finish_and_clear();
    judge.shutdown().await;

    let mut failures = 0;
    for (case, report) in &results {
        let passed = report.verdict == Verdict::Accepted;
        let judge_failed = report.verdict == Verdict::InternalError;
        if passed != case.should_pass || judge_failed {
            failures += 1;
            let want = if case.should_pass { "pass" } else { "fail" };
            println!("✗ {}/{}: should {want}, got {}", case.challenge.slug, case.file, report.verdict);
            if let Some(m) = &report.message {
                println!("    {m}");
            }
        }
    }
    println!(
        "{} challenges, {} files graded: {} as expected, {failures} not",
        challenges.len(),
        results.len(),
        results.len() - failures
    );
    if failures == 0 { 0 } else { 1 }
}
