//! The browser as a process on the host: an unprivileged user, its own sandbox on, no
//! listening socket, and nothing left behind when it is killed.

mod common;
use common::*;
use reactlab_core::Verdict;
use reactlab_judge::procfs::{cmdline, parent_of, state_of, status_field, tree};
use reactlab_judge::{BrowserOptions, Judge};
use std::time::{Duration, Instant};

const SPEC: &str = "title = \"t\"\ndifficulty = \"easy\"\n[[test]]\nname = \"t\"\nsteps = [{ do = \"expect_text\", on = { tag = \"p\" }, equals = \"hi\" }]\n";
const CODE: &str = "export default () => <p>hi</p>;";

fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn the_browser_runs_as_an_unprivileged_user_with_its_sandbox_on() {
    let r = grade(SPEC, CODE);
    assert_eq!(r.verdict, Verdict::Accepted, "{}", explain(&r));
    let live = RUNTIME.block_on(JUDGE.pool().browser()).unwrap();
    assert!(live.sandboxed, "the browser must run with its sandbox on here (user namespaces are allowed)");
    let browser = live.pid.unwrap();
    let processes = tree(browser);
    assert!(!cmdline(browser).contains("--no-sandbox"), "{}", cmdline(browser));
    if is_root() {
        let user = live.user.as_deref().expect("a root judge names the browser's user");
        let uid = reactlab_judge::launch::BrowserUser::find().unwrap().uid;
        assert_ne!(uid, 0, "{user} must not be root");
        for &p in &processes {
            if let Some(uids) = status_field(p, "Uid") {
                assert!(uids.split_whitespace().all(|u| u == uid.to_string()), "process {p} ({}) runs as uids {uids}, not {user} ({uid})", cmdline(p));
            }
        }
    } else {
        eprintln!("!!! the judge is not root: the browser runs as the judge's own user (no user to drop to)");
    }
    let renderers: Vec<u32> = processes.iter().copied().filter(|&p| cmdline(p).contains("--type=renderer")).collect();
    assert!(!renderers.is_empty(), "no renderer under the browser: {:?}", processes.iter().map(|&p| cmdline(p)).collect::<Vec<_>>());
    for p in renderers {
        assert_eq!(status_field(p, "Seccomp").as_deref(), Some("2"), "renderer {p} must run under a seccomp filter");
        assert_eq!(status_field(p, "NoNewPrivs").as_deref(), Some("1"), "renderer {p} must not gain privileges");
    }
}

/// The judge drives the browser over pipes: no process of the browser listens on a TCP
/// port or a named Unix socket that another local process could connect to.
#[test]
fn no_process_of_the_browser_listens_on_a_socket() {
    let r = grade(SPEC, CODE);
    assert_eq!(r.verdict, Verdict::Accepted, "{}", explain(&r));
    let live = RUNTIME.block_on(JUDGE.pool().browser()).unwrap();
    let browser = live.pid.unwrap();
    assert!(cmdline(browser).contains("--remote-debugging-pipe") && !cmdline(browser).contains("--remote-debugging-port"), "{}", cmdline(browser));
    for p in tree(browser) {
        let sockets: Vec<String> = std::fs::read_dir(format!("/proc/{p}/fd"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|fd| std::fs::read_link(fd.path()).ok()?.to_str()?.strip_prefix("socket:[")?.strip_suffix(']').map(String::from))
            .collect();
        // TCP: state 0A is LISTEN; the inode is the 10th column. Unix: flag 00010000 is a
        // listening socket; the inode is the 7th column.
        for table in ["tcp", "tcp6"] {
            let text = std::fs::read_to_string(format!("/proc/{p}/net/{table}")).unwrap_or_default();
            for line in text.lines().skip(1) {
                let cols: Vec<&str> = line.split_whitespace().collect();
                if cols.get(3) == Some(&"0A") && cols.get(9).is_some_and(|inode| sockets.iter().any(|s| s == inode)) {
                    panic!("process {p} ({}) listens on {table} {}", cmdline(p), cols[1]);
                }
            }
        }
        let unix = std::fs::read_to_string(format!("/proc/{p}/net/unix")).unwrap_or_default();
        for line in unix.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.get(3) == Some(&"00010000") && cols.get(6).is_some_and(|inode| sockets.iter().any(|s| s == inode)) {
                panic!("process {p} ({}) listens on a Unix socket: {line}", cmdline(p));
            }
        }
    }
}

/// A browser killed under the judge (a crash, the OOM killer) is replaced, and leaves no
/// zombie and no profile folder: the judge reaps its orphans itself, whatever PID 1 does.
#[test]
fn a_killed_browser_leaves_no_zombie_and_no_profile_behind() {
    let judge = Judge::new(BrowserOptions { max_in_flight: 1, ..BrowserOptions::default() });
    let r = grade_with(&judge, SPEC, CODE);
    assert_eq!(r.verdict, Verdict::Accepted, "{}", explain(&r));
    assert!(reactlab_judge::reaper::adopts_orphans(), "the judge must be the subreaper of its browsers' processes");
    let (browser, profile, processes) = {
        let live = RUNTIME.block_on(judge.pool().browser()).unwrap();
        let browser = live.pid.unwrap();
        (browser, live.profile().unwrap().to_path_buf(), tree(browser))
    };
    assert!(processes.len() >= 3, "helpers are expected under the browser: {processes:?}");
    assert!(profile.is_dir());
    unsafe { libc::kill(browser as i32, libc::SIGKILL) };

    // The next submission gets a new browser, and is graded right (as the workers grade:
    // a submission that met the dying browser is graded again).
    let r = RUNTIME.block_on(judge.grade_with_retries(&challenge(SPEC), "App.jsx", CODE, 3));
    assert_eq!(r.verdict, Verdict::Accepted, "{}", explain(&r));
    let fresh = RUNTIME.block_on(judge.pool().browser()).unwrap().pid.unwrap();
    assert_ne!(fresh, browser);

    let me = std::process::id();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        // Pids are not reused this fast; a process of the old tree that still exists is a
        // helper left running or a zombie nobody reaped.
        let left: Vec<(u32, char, Option<u32>)> = processes.iter().filter_map(|&p| Some((p, state_of(p)?, parent_of(p)))).collect();
        if left.is_empty() && !profile.exists() {
            break;
        }
        assert!(Instant::now() < deadline, "15 s after the kill: left {left:?} (this process is {me}), profile there: {}", profile.exists());
        std::thread::sleep(Duration::from_millis(100));
    }
}
