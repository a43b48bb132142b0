//! A grading report for people: colour on a terminal, plain text elsewhere.

use anstream::println;
use anstyle::{AnsiColor, Style};
use reactlab_core::{ConsoleKind, GradeReport, StepStatus, TestStatus, Verdict};
use std::path::Path;

const GREEN: Style = AnsiColor::Green.on_default().bold();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

pub fn print(file: &Path, challenge: &str, r: &GradeReport) {
    let style = if r.verdict == Verdict::Accepted { GREEN } else { RED };
    println!("{BOLD}{}{BOLD:#} ({challenge}): {style}{}{style:#} {DIM}in {} ms{DIM:#}", file.display(), r.verdict, r.duration_ms);
    if let Some(e) = &r.compile_error {
        println!("  {RED}line {}, column {}: {}{RED:#}", e.line, e.column, e.message);
        for line in e.frame.lines() {
            println!("    {line}");
        }
    } else if r.tests.is_empty()
        && let Some(m) = &r.message
    {
        println!("  {m}");
    }
    for t in &r.tests {
        let (mark, style) = match t.status {
            TestStatus::Passed => ("✓", GREEN),
            TestStatus::Failed => ("✗", RED),
            TestStatus::Skipped => ("-", DIM),
        };
        println!("  {style}{mark}{style:#} {} {DIM}({} ms){DIM:#}", t.name, t.duration_ms);
        if t.status != TestStatus::Failed {
            continue;
        }
        for s in &t.steps {
            match s.status {
                StepStatus::Passed => println!("      {DIM}✓ {}{DIM:#}", s.sentence),
                StepStatus::Failed => println!("      {RED}✗ {}{RED:#}", s.sentence),
                StepStatus::NotRun => println!("      {DIM}  {}{DIM:#}", s.sentence),
            }
        }
        if let Some(m) = &t.message {
            println!("    {YELLOW}{m}{YELLOW:#}");
        }
    }
    let notable: Vec<_> = r.console.iter().filter(|e| e.kind != ConsoleKind::Warning).take(5).collect();
    if !notable.is_empty() {
        println!("  console:");
        for e in notable {
            println!("    {DIM}[{:?}]{DIM:#} {}", e.kind, e.text.lines().next().unwrap_or_default());
        }
    }
}
