//! `reactlab load` against a real `reactlab serve`: virtual users get a result for every
//! submission, each with the verdict its file's label promises, and the tool refuses a URL
//! off this machine and out-of-bounds settings before sending anything.

mod server;

use serde_json::Value;
use server::{Server, repo_root};
use std::process::{Command, Output};

fn load(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reactlab"))
        .arg("load")
        .arg("--catalog")
        .arg(repo_root().join("challenges"))
        .args(args)
        .output()
        .expect("reactlab load runs")
}

#[test]
fn virtual_users_get_every_result_with_the_expected_verdict() {
    let server = Server::start(&[]);
    let watch = format!("serve={}", server.pid());
    let out = load(&[
        "--url",
        &server.base,
        "--users",
        "4",
        "--submissions",
        "12",
        "--challenges",
        "counter,toggle-message",
        "--timeout",
        "60s",
        "--watch",
        &watch,
        "--json",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{stderr}\n{}", String::from_utf8_lossy(&out.stdout), server.log()));
    assert_eq!(out.status.code(), Some(0), "{summary:#}\n{stderr}");
    assert_eq!(summary["users_registered"], 4, "{summary:#}");
    for count in ["sent", "queued", "results"] {
        assert_eq!(summary[count], 12, "{count}: {summary:#}");
    }
    assert_eq!(summary["errors"], serde_json::json!({}), "{summary:#}");
    assert_eq!(summary["wrong_verdicts"], serde_json::json!([]), "{summary:#}");
    // The default mix sends 30 % wrong solutions: 3 of 12, none of them accepted.
    assert_eq!(summary["sent_wrong"], 3, "{summary:#}");
    assert_eq!(summary["verdicts"]["accepted"], summary["sent_right"], "{summary:#}");

    let latency = &summary["latency_ms"];
    let ms = |k: &str| latency[k].as_f64().unwrap_or_else(|| panic!("latency_ms.{k}: {summary:#}"));
    assert!(0.0 < ms("min") && ms("min") <= ms("p50") && ms("p50") <= ms("p95") && ms("p95") <= ms("p99") && ms("p99") <= ms("max"), "{latency:#}");
    assert!(summary["throughput_per_s"].as_f64().unwrap() > 0.0, "{summary:#}");

    let memory = &summary["memory"][0];
    assert_eq!(memory["name"], "serve", "{summary:#}");
    assert!(memory["end"]["rss_bytes"].as_u64().unwrap() > 0, "{memory:#}");
    // The tree's PSS counts the server's Chromium too.
    assert!(memory["end"]["pss_bytes"].as_u64().unwrap() > memory["end"]["rss_bytes"].as_u64().unwrap(), "{memory:#}");
    assert!(memory["pss_growth_bytes"].is_i64(), "the baseline was taken after warm-up: {memory:#}");
}

#[test]
fn a_url_off_this_machine_and_unbounded_settings_are_refused() {
    let out = load(&["--url", "http://192.0.2.1:8080", "--submissions", "1"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not this machine") && stderr.contains("--allow-remote"), "{stderr}");
    assert!(out.stdout.is_empty());

    for args in [&["--users", "100000"][..], &["--submissions", "1000000"], &["--duration", "48h"], &["--timeout", "1h"], &["--mix", "2"]] {
        let out = load(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        // Refused for the bound itself, before looking for a server.
        assert!(stderr.contains("at most") || stderr.contains("invalid value"), "{args:?}: {stderr}");
    }
}
