//! What a browser leaves behind when it goes: its helper processes and its profile folder.
//!
//! A killed browser's renderers, zygote and utility processes are orphans; the kernel
//! gives them to the nearest "child subreaper", else to PID 1. Where PID 1 does not reap
//! (a container whose first process is the judge, or a minimal init), they would stay as
//! zombies for good. The judge makes itself their subreaper and reaps them itself, then
//! removes the browser's profile once nothing writes to it. A judge killed outright leaves
//! its profiles behind: the next judge on the machine removes those of judges that are gone.

use crate::procfs;
use std::ffi::OsStr;
use std::io;
use std::path::Path;
use std::sync::Once;
use std::time::{Duration, Instant};

const PROFILE_PREFIX: &str = "reactlab-chromium-";

/// Makes this process the reaper of its browsers' orphans (once), and removes the profile
/// folders of judges that no longer run.
pub fn adopt_orphans() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: a plain prctl on this process.
        if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1) } != 0 {
            tracing::warn!("cannot become the subreaper of the browser's processes: {}", io::Error::last_os_error());
        }
        remove_stale_profiles(&std::env::temp_dir());
    });
}

/// Whether this process reaps its descendants' orphans.
pub fn adopts_orphans() -> bool {
    let mut flag: libc::c_int = 0;
    // SAFETY: prctl writes one int into `flag`.
    unsafe { libc::prctl(libc::PR_GET_CHILD_SUBREAPER, &mut flag as *mut libc::c_int) == 0 && flag != 0 }
}

/// A new, private profile folder for a browser, named after this process so that a later
/// judge can tell whether its owner is gone.
pub fn profile_folder() -> io::Result<tempfile::TempDir> {
    tempfile::Builder::new().prefix(&format!("{PROFILE_PREFIX}{}-", std::process::id())).tempdir()
}

fn remove_stale_profiles(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(owner) = name.to_str().and_then(|n| n.strip_prefix(PROFILE_PREFIX)).and_then(|rest| rest.split('-').next()?.parse::<u32>().ok()) else {
            continue;
        };
        if owner != std::process::id() && !procfs::exists(owner) {
            match std::fs::remove_dir_all(entry.path()) {
                Ok(()) => tracing::info!(profile = %entry.path().display(), "removed the browser profile of a judge that is gone"),
                Err(e) => tracing::debug!(profile = %entry.path().display(), "cannot remove a stale browser profile: {e}"),
            }
        }
    }
}

/// After a browser is gone: its orphans reaped (for up to `within`), then its profile removed
/// once nothing writes to it any more. Blocks: run it off the async runtime.
pub fn bury(chromium: &Path, profile: Option<tempfile::TempDir>, within: Duration) {
    reap_orphans(chromium, within);
    drop(profile);
}

/// Kills this process's orphaned helpers of `chromium` (processes of that binary with a
/// `--type=`: renderers, zygotes, utilities whose browser is gone) and reaps them, with the
/// zombies among them, until none is left or `within` has passed. A browser itself (no
/// `--type=`) is left to whoever spawned it.
pub fn reap_orphans(chromium: &Path, within: Duration) {
    let Some(name) = chromium.file_name().map(comm_of) else { return };
    let deadline = Instant::now() + within;
    loop {
        let mut left = 0;
        for (pid, state) in children_named(&name) {
            let helper = procfs::cmdline(pid).contains("--type=");
            if state != 'Z' && !helper {
                continue;
            }
            // SAFETY: signals and waitpid on a child of this process, by pid.
            unsafe {
                if state != 'Z' {
                    libc::kill(pid as libc::pid_t, libc::SIGKILL);
                }
                if libc::waitpid(pid as libc::pid_t, std::ptr::null_mut(), libc::WNOHANG) <= 0 {
                    left += 1;
                }
            }
        }
        if left == 0 || Instant::now() >= deadline {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The kernel's short name of a program (its file name, cut to 15 bytes).
fn comm_of(file_name: &OsStr) -> String {
    let name = file_name.to_string_lossy();
    name.chars()
        .scan(0, |len, c| {
            *len += c.len_utf8();
            (*len <= 15).then_some(c)
        })
        .collect()
}

/// This process's children (any of its threads') named `name`, with their state letters.
fn children_named(name: &str) -> Vec<(u32, char)> {
    procfs::Processes::now().children(std::process::id()).filter(|s| s.comm == name).map(|s| (s.pid, s.state)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_is_known_by_its_first_15_bytes() {
        assert_eq!(comm_of(OsStr::new("chromium-headless-shell")), "chromium-headle");
        assert_eq!(comm_of(OsStr::new("chromium")), "chromium");
    }

    #[test]
    fn only_the_profiles_of_judges_that_are_gone_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir.path().join(format!("{PROFILE_PREFIX}{}-abc", std::process::id()));
        // pid_max is at most 2^22: this pid cannot exist.
        let gone = dir.path().join(format!("{PROFILE_PREFIX}{}-def", 1u32 << 23));
        let other = dir.path().join("something-else");
        for d in [&mine, &gone, &other] {
            std::fs::create_dir(d).unwrap();
        }
        remove_stale_profiles(dir.path());
        assert!(mine.exists() && other.exists());
        assert!(!gone.exists());
    }
}
