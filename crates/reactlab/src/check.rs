//! `reactlab challenges check`: proves the catalog. For every challenge, the files load (and
//! every requirement of its statement is checked by a test), the reference passes, the
//! starter fails, every fixture does what its name says, and a `fail-*` fixture fails in a
//! test that checks a requirement it says it breaks.

use crate::grade::judge;
use crate::{JudgeArgs, catalog};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use reactlab_core::requirement::broken_by;
use reactlab_core::{Challenge, GradeReport, TestStatus, Verdict};

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
    /// The requirements a fail fixture says it breaks.
    breaks: Vec<String>,
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
        cases.push(Case { challenge: c, file: c.reference.name.clone(), code: &c.reference.code, should_pass: true, breaks: vec![] });
        cases.push(Case { challenge: c, file: c.starter.name.clone(), code: &c.starter.code, should_pass: false, breaks: vec![] });
        for f in &c.fixtures {
            let breaks = if f.should_pass { vec![] } else { broken_by(f) };
            cases.push(Case { challenge: c, file: format!("fixtures/{}", f.file.name), code: &f.file.code, should_pass: f.should_pass, breaks });
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
        } else if let Some(why) = failed_elsewhere(case, report) {
            failures += 1;
            println!("✗ {}/{}: {why}", case.challenge.slug, case.file);
        }
    }
    println!("{} challenges, {} files graded: {} as expected, {failures} not", challenges.len(), results.len(), results.len() - failures);
    if failures == 0 { 0 } else { 1 }
}

/// Why a fail fixture's failure does not prove what it says it breaks: none of the tests it
/// failed checks one of those requirements. A failure before any test ran (a compile error,
/// a crash at mount) proves nothing either way and passes.
fn failed_elsewhere(case: &Case, report: &GradeReport) -> Option<String> {
    if case.breaks.is_empty() {
        return None;
    }
    let failed: Vec<&str> = report.tests.iter().filter(|t| t.status == TestStatus::Failed).map(|t| t.name.as_str()).collect();
    let checks = |name: &str| case.challenge.spec.tests.iter().find(|t| t.name == name).map_or(&[][..], |t| &t.checks[..]);
    if failed.is_empty() || failed.iter().any(|name| checks(name).iter().any(|id| case.breaks.contains(id))) {
        return None;
    }
    Some(format!(
        "fails, but only in tests that do not check what it breaks ({}): {}",
        case.breaks.join(", "),
        failed.iter().map(|n| format!("“{n}”")).collect::<Vec<_>>().join(", ")
    ))
}
