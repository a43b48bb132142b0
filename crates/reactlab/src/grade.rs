//! `reactlab grade`: grade files against a challenge, in parallel on one browser.

use crate::{JudgeArgs, catalog, text_report};
use futures::future::join_all;
use reactlab_core::{GradeReport, MAX_CODE_BYTES, Verdict};
use reactlab_judge::transpile::refusal;
use reactlab_judge::{BrowserOptions, Judge};
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct GradeArgs {
    /// The challenge: a slug of the catalog, or a path to a challenge folder.
    #[arg(long)]
    challenge: String,
    /// The learner files (.jsx or .tsx).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// One JSON object per file, one per line.
    #[arg(long)]
    json: bool,
    /// Save a PNG of the page at the first failure into this folder.
    #[arg(long)]
    screenshots: Option<PathBuf>,
    #[command(flatten)]
    judge: JudgeArgs,
}

pub fn judge(args: &JudgeArgs) -> Judge {
    let mut options = BrowserOptions { network_wall: args.network_wall, sandbox: args.browser_sandbox, ..BrowserOptions::default() };
    if let Some(c) = &args.chromium {
        options.chromium = c.clone();
    }
    if let Some(n) = args.in_flight {
        options.max_in_flight = n.max(1);
    }
    Judge::new(options)
}

/// Reads a learner file, or the report that refuses it (too large, not UTF-8).
pub fn read_source(path: &Path) -> Result<String, Box<GradeReport>> {
    let refused = |why: String| Box::new(GradeReport::compile_error(refusal(why)));
    let bytes = std::fs::read(path).map_err(|e| refused(format!("cannot read the file: {e}")))?;
    if bytes.len() > MAX_CODE_BYTES {
        return Err(refused(format!("the file is {} bytes; the limit is {MAX_CODE_BYTES} bytes (64 KiB)", bytes.len())));
    }
    String::from_utf8(bytes).map_err(|e| refused(format!("the file is not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to())))
}

pub async fn run(args: GradeArgs) -> u8 {
    let challenge = match catalog::find(&args.judge.catalog, &args.challenge) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let judge = judge(&args.judge);
    let reports = join_all(args.files.iter().map(|file| {
        let (judge, challenge) = (&judge, &challenge);
        async move {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            match read_source(file) {
                Ok(code) => judge.grade_with_retries(challenge, &name, &code, 3).await,
                Err(refused) => *refused,
            }
        }
    }))
    .await;
    judge.shutdown().await;

    for (file, report) in args.files.iter().zip(&reports) {
        if let (Some(dir), Some(png)) = (&args.screenshots, &report.screenshot) {
            let _ = std::fs::create_dir_all(dir);
            let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let _ = std::fs::write(dir.join(format!("{stem}.png")), png);
        }
        if args.json {
            println!("{}", json_line(file, &challenge.slug, report));
        } else {
            text_report::print(file, &challenge.slug, report);
        }
    }
    exit_code(&reports)
}

pub fn json_line(file: &Path, challenge: &str, r: &GradeReport) -> serde_json::Value {
    json!({
        "file": file.display().to_string(),
        "challenge": challenge,
        "verdict": r.verdict,
        "tests": r.tests.iter().map(|t| json!({"name": t.name, "status": t.status, "message": t.message, "duration_ms": t.duration_ms})).collect::<Vec<_>>(),
        "compile_error": r.compile_error,
        "console": r.console,
        "duration_ms": r.duration_ms,
    })
}

/// 0 when all are accepted, 2 when the judge failed, else 1.
pub fn exit_code(reports: &[GradeReport]) -> u8 {
    if reports.iter().any(|r| r.verdict == Verdict::InternalError) {
        2
    } else if reports.iter().all(|r| r.verdict == Verdict::Accepted) {
        0
    } else {
        1
    }
}
