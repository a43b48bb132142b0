//! A private PostgreSQL server, for tests that stop and restart it: its own cluster
//! (`initdb`) in a temporary folder, on a free loopback port. The machine's own server is
//! never touched.

use crate::free_port;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct PgServer {
    pub port: u16,
    /// `initdb`, `pg_ctl` and `postgres`.
    bin: PathBuf,
    /// The cluster (`data/`), its socket and its log; owned by the `postgres` user when
    /// the tests run as root, since PostgreSQL refuses to run as root.
    dir: tempfile::TempDir,
    running: bool,
}

impl PgServer {
    /// Creates a cluster (trust authentication, user `postgres`) and starts it.
    pub fn start() -> PgServer {
        let bin = postgres_bin();
        let dir = tempfile::Builder::new().prefix("reactlab-pg-").tempdir().unwrap();
        let mut server = PgServer { port: free_port(), bin, dir, running: false };
        if running_as_root() {
            let out = Command::new("chown").arg("postgres:").arg(server.dir.path()).output().expect("chown runs");
            assert!(out.status.success(), "cannot give {} to the postgres user: {}", server.dir.path().display(), String::from_utf8_lossy(&out.stderr));
        }
        let data = server.data();
        server.run_pg("initdb", &["-D", &data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        server.start_again();
        server
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`: the whole server is the test's.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// A fast shutdown: sessions are ended, committed data is kept.
    pub fn stop(&mut self) {
        let data = self.data();
        self.run_pg("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]);
        self.running = false;
    }

    /// Starts the stopped server again on the same port and data, once it accepts connections.
    pub fn start_again(&mut self) {
        let (data, log) = (self.data(), self.dir.path().join("server.log").display().to_string());
        let options = format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.path().display());
        self.run_pg("pg_ctl", &["-D", &data, "-l", &log, "-w", "-t", "60", "-o", &options, "start"]);
        self.running = true;
    }

    pub fn restart(&mut self) {
        self.stop();
        self.start_again();
    }

    /// What the server logged, for assertion messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// One of PostgreSQL's programs, as the `postgres` user when we are root.
    fn pg_command(&self, program: &str, args: &[&str]) -> Command {
        let program = self.bin.join(program);
        let mut command = if running_as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command.args(args).current_dir(self.dir.path());
        command
    }

    fn run_pg(&self, program: &str, args: &[&str]) -> Output {
        let out = self.pg_command(program, args).output().unwrap_or_else(|e| panic!("{program} runs: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
        out
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if self.running {
            // Immediate: nothing of this cluster is kept, so nothing needs a clean shutdown.
            let _ = self.pg_command("pg_ctl", &["-D", &self.data(), "-m", "immediate", "-w", "stop"]).output();
        }
    }
}

/// The newest `/usr/lib/postgresql/*/bin` (Debian's layout), else where `initdb` is on PATH.
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin): &(u32, PathBuf)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return bin;
    }
    let found = std::env::var_os("PATH").and_then(|path| std::env::split_paths(&path).find(|d| d.join("initdb").exists()));
    found.expect("PostgreSQL's initdb is missing: scripts/setup installs PostgreSQL")
}

fn running_as_root() -> bool {
    // /proc/self belongs to the process's effective user.
    Path::new("/proc/self").metadata().map(|m| m.uid() == 0).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What psql prints for `sql`, or `None` when the server does not answer.
    fn query(server: &PgServer, sql: &str) -> Option<String> {
        let out = Command::new("psql").args([&server.url(), "-v", "ON_ERROR_STOP=1", "-tAc", sql]).output().unwrap();
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    #[test]
    fn a_private_server_stops_and_starts_again_with_its_data() {
        let mut server = PgServer::start();
        assert!(query(&server, "CREATE TABLE kept (n INT); INSERT INTO kept VALUES (42)").is_some());
        server.stop();
        assert_eq!(query(&server, "SELECT 1"), None, "a stopped server refuses connections");
        server.start_again();
        assert_eq!(query(&server, "SELECT n FROM kept").as_deref(), Some("42"));
    }
}
