//! The container files (`Dockerfile`, `deploy/docker-compose.yml`) checked without a
//! container engine, which the machines this is developed on do not have: every
//! `REACTLAB_*` variable they set is a setting of the binary, every long-running ReactLab
//! service has a health check that the binary answers, and the image is built with the
//! same steps as `scripts/setup`.

mod server;
use server::{Server, repo_root};
use std::collections::BTreeSet;
use std::process::Command;

fn read(path: &str) -> String {
    std::fs::read_to_string(repo_root().join(path)).unwrap()
}

fn reactlab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_reactlab")).args(args).output().unwrap()
}

/// `REACTLAB_…` names in `text`.
fn variables(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("REACTLAB_") {
        let name: String = text[i..].chars().take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_').collect();
        out.insert(name);
    }
    out
}

#[test]
fn every_variable_the_container_files_set_is_a_setting_of_the_binary() {
    let help: String = ["serve", "api", "worker", "migrate"]
        .iter()
        .map(|command| String::from_utf8(reactlab(&[command, "--help"]).stdout).unwrap())
        .collect::<Vec<_>>()
        .join(" ")
        // The help wraps its lines, sometimes inside `[env: …]`.
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let known: BTreeSet<String> = help.split("[env: ").skip(1).filter_map(|rest| rest.split('=').next().map(String::from)).collect();
    assert!(known.contains("REACTLAB_DATABASE_URL") && known.len() > 20, "the settings are read from the help: {known:?}");
    for file in ["Dockerfile", "deploy/docker-compose.yml"] {
        let set = variables(&read(file));
        assert!(!set.is_empty(), "{file} sets REACTLAB_ variables");
        let unknown: Vec<_> = set.difference(&known).collect();
        assert!(unknown.is_empty(), "{file} sets variables the binary does not read: {unknown:?}");
    }
}

/// The compose services, each with its lines (a service is a key at two spaces of indent;
/// `api2: *api` is api1's definition again, written here as a merge of it).
fn services(compose: &str) -> Vec<(String, String)> {
    let body = compose.split("\nservices:\n").nth(1).expect("a services section");
    let mut out: Vec<(String, String)> = Vec::new();
    for line in body.lines() {
        if !line.is_empty() && !line.starts_with(' ') {
            break; // the next top-level section
        }
        match line.strip_prefix("  ").filter(|l| !l.is_empty() && !l.starts_with(' ')) {
            Some(head) => {
                let (name, rest) = head.split_once(':').expect("a service is a key");
                let alias = rest.trim().strip_prefix('*').map(|a| format!("<<: *{a}\n")).unwrap_or_default();
                out.push((name.to_string(), alias));
            }
            None => {
                if let Some((_, lines)) = out.last_mut() {
                    lines.push_str(line);
                    lines.push('\n');
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn every_reactlab_service_has_a_health_check_the_binary_answers() {
    let compose = read("deploy/docker-compose.yml");
    let all = services(&compose);
    let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    for expected in ["postgres", "redis", "migrate", "api1", "api2", "worker", "nginx"] {
        assert!(names.contains(&expected), "service {expected} in {names:?}");
    }
    // The long-running ReactLab services: those built from the image that are not one-shot.
    let mut urls = Vec::new();
    for (name, lines) in &all {
        let reactlab = lines.contains("<<: *reactlab") || lines.contains("<<: *api");
        if !reactlab {
            continue;
        }
        let check = if lines.contains("<<: *api") && !lines.contains("healthcheck") {
            all.iter().find(|(n, _)| n == "api1").map(|(_, l)| l.clone()).unwrap()
        } else {
            lines.clone()
        };
        let line = check.lines().find(|l| l.contains("healthcheck:")).unwrap_or_else(|| panic!("service {name} has no health check"));
        assert!(line.contains(r#"["CMD", "reactlab", "healthcheck", "#), "service {name} checks its health with the binary: {line}");
        let url = line.split(r#""healthcheck", ""#).nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
        urls.push((name.clone(), url));
    }
    assert!(urls.len() >= 3, "api1, api2 and worker: {urls:?}");
    let dockerfile = read("Dockerfile");
    assert!(dockerfile.contains(r#"HEALTHCHECK --interval=10s --timeout=30s CMD ["reactlab", "healthcheck", "#), "the image has one too");

    // Each path is one the binary serves: asked of a running server, the check passes; of
    // a port where nothing listens, it fails.
    let server = Server::start(&["--workers", "1"]);
    for (name, url) in &urls {
        let path = url.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap();
        let ok = reactlab(&["healthcheck", &format!("{}{path}", server.base)]);
        assert!(ok.status.success(), "{name}: {path}: {}", String::from_utf8_lossy(&ok.stderr));
    }
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let down = reactlab(&["healthcheck", &format!("http://{closed}/readyz")]);
    assert!(!down.status.success() && String::from_utf8_lossy(&down.stderr).contains("did not answer"));
}

#[test]
fn the_image_is_built_with_the_steps_of_scripts_setup() {
    let dockerfile = read("Dockerfile");
    let setup = read("scripts/setup");
    // (folder, command) pairs each must run, in both.
    let steps = [
        ("crates/judge/vendor", "npm ci --no-audit --no-fund"),
        ("crates/judge/vendor", "node build.mjs"),
        ("web", "npm ci --no-audit --no-fund"),
        ("web", "npm run"),
        ("", "cargo build --locked"),
    ];
    for (folder, command) in steps {
        assert!(dockerfile.contains(command), "the Dockerfile lacks `{command}`");
        assert!(setup.contains(command), "scripts/setup lacks `{command}`");
        if !folder.is_empty() {
            let in_folder = |text: &str, dir: &str| text.lines().any(|l| l.contains(dir) && l.contains(command));
            assert!(in_folder(&dockerfile, &format!("cd {folder}")), "the Dockerfile runs `{command}` in {folder}");
            let var = if folder == "web" { "$web" } else { "$vendor" };
            assert!(in_folder(&setup, &format!("cd \"{var}\"")), "scripts/setup runs `{command}` in {folder}");
        }
    }
    assert!(dockerfile.contains("-p reactlab") && setup.contains("-p reactlab"), "both build the reactlab binary");
    // The image's browser is the one the judge prefers and the set-up installs.
    assert!(dockerfile.contains("chromium-headless-shell") && setup.contains("chromium-headless-shell"));
}
