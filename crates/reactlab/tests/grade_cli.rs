//! `reactlab grade` as a process: its browser lives and dies with it.

use reactlab_judge::procfs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn a_grade_process_killed_with_sigkill_takes_its_browser_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let challenge = dir.path().join("waits");
    std::fs::create_dir_all(&challenge).unwrap();
    std::fs::write(
        challenge.join("challenge.toml"),
        "title = \"Waits\"\ndifficulty = \"easy\"\ntimeout_ms = 60000\n[[test]]\nname = \"waits\"\nchecks = [\"says-never\"]\nsteps = [{ do = \"expect_text\", on = { tag = \"p\" }, equals = \"never\", timeout_ms = 50000 }]\n",
    )
    .unwrap();
    std::fs::write(challenge.join("statement.md"), "Wait.\n\n## Requirements\n\n- [says-never] The paragraph says “never”.\n").unwrap();
    std::fs::write(challenge.join("starter.jsx"), "export default () => <p>no</p>;").unwrap();
    std::fs::write(challenge.join("reference.jsx"), "export default () => <p>never</p>;").unwrap();
    let file = dir.path().join("App.jsx");
    std::fs::write(&file, "export default () => <p>not yet</p>;").unwrap();

    let mut grade = Command::new(env!("CARGO_BIN_EXE_reactlab"))
        .args(["grade", "--json", "--challenge"])
        .arg(&challenge)
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let grade_pid = grade.id();
    let deadline = Instant::now() + Duration::from_secs(30);
    let browser = loop {
        let found = procfs::children(grade_pid).into_iter().find(|&c| procfs::cmdline(c).contains("--remote-debugging-pipe"));
        if let Some(pid) = found {
            break pid;
        }
        if let Some(status) = grade.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut grade.stderr.take().unwrap(), &mut stderr).unwrap();
            panic!("`reactlab grade` ended ({status}) before its browser was seen: {stderr}");
        }
        assert!(Instant::now() < deadline, "no browser was started under `reactlab grade`");
        std::thread::sleep(Duration::from_millis(100));
    };
    // Let it get into the test (a page open, a step waiting).
    std::thread::sleep(Duration::from_secs(2));
    grade.kill().unwrap(); // SIGKILL: no destructor, no shutdown code runs
    grade.wait().unwrap();

    let deadline = Instant::now() + Duration::from_secs(10);
    while matches!(procfs::state_of(browser), Some(s) if s != 'Z') {
        assert!(Instant::now() < deadline, "the browser {browser} outlived its judge by 10 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A `reactlab grade` that ends normally leaves no browser profile behind.
#[test]
fn a_finished_grade_leaves_no_browser_profile() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../challenges/counter");
    let grade = Command::new(env!("CARGO_BIN_EXE_reactlab"))
        .args(["grade", "--json", "--challenge"])
        .arg(&root)
        .arg(root.join("reference.jsx"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = grade.id();
    let status = grade.wait_with_output().unwrap().status;
    assert!(status.success(), "{status}");
    let prefix = format!("reactlab-chromium-{pid}-");
    let left: Vec<_> =
        std::fs::read_dir(std::env::temp_dir()).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().starts_with(&prefix)).map(|e| e.path()).collect();
    assert!(left.is_empty(), "profiles left by `reactlab grade`: {left:?}");
}
