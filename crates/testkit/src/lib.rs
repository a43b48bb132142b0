//! Real servers for tests, on loopback: each test gets its own Redis (so it may stop and
//! restart it), its own S3-compatible server (moto), and its own PostgreSQL database on
//! the server `scripts/services` made sure of, or a whole private PostgreSQL server
//! ([`PgServer`]) when it must stop it; a [`TcpGate`] in front of any of them stands for the
//! network failing. Everything started here is stopped by its pid when dropped.

mod pg_server;
pub mod queue_contract;
pub mod queue_model;
mod tcp_gate;

pub use pg_server::PgServer;
pub use tcp_gate::TcpGate;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace's root folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for_port(port: u16, what: &str, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before listening ({status})");
        }
        assert!(Instant::now() < deadline, "{what} did not listen on {port} within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// A private `redis-server` with append-only persistence in a temporary folder, so that a
/// restart keeps its data as a production Redis would.
pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    dir: tempfile::TempDir,
    tls: bool,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        Self::launch(false)
    }

    /// Listens with TLS only, on a certificate signed by a CA made for it
    /// ([`RedisServer::ca_file`]).
    pub fn start_tls() -> RedisServer {
        Self::launch(true)
    }

    fn launch(tls: bool) -> RedisServer {
        let dir = tempfile::tempdir().unwrap();
        if tls {
            make_certificates(dir.path());
        }
        let mut server = RedisServer { child: None, port: free_port(), dir, tls };
        server.run();
        server
    }

    fn run(&mut self) {
        let mut command = Command::new("redis-server");
        let port = self.port.to_string();
        command.args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir"]).arg(self.dir.path());
        if self.tls {
            let d = self.dir.path();
            command.args(["--port", "0", "--tls-port", &port]);
            command.arg("--tls-cert-file").arg(d.join("server.crt")).arg("--tls-key-file").arg(d.join("server.key"));
            command.arg("--tls-ca-cert-file").arg(d.join("ca.crt")).args(["--tls-auth-clients", "no"]);
        } else {
            command.args(["--port", &port]);
        }
        let mut child = command.stdout(Stdio::null()).stderr(Stdio::inherit()).spawn().expect("redis-server runs (scripts/setup installs it)");
        wait_for_port(self.port, "redis-server", &mut child);
        self.child = Some(child);
    }

    pub fn url(&self) -> String {
        if self.tls { format!("rediss://localhost:{}/", self.port) } else { format!("redis://127.0.0.1:{}/", self.port) }
    }

    /// The PEM file of the CA that signed a TLS server's certificate.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    /// Kills the server (SIGKILL): clients see their connections drop.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            stop(&mut child);
        }
    }

    /// Starts it again on the same port and data.
    pub fn restart(&mut self) {
        self.kill();
        self.run();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A CA and a server certificate for `localhost` and 127.0.0.1, made with openssl.
fn make_certificates(dir: &Path) {
    let run = |args: &[&str]| {
        let status = Command::new("openssl").args(args).current_dir(dir).stdout(Stdio::null()).stderr(Stdio::null()).status().expect("openssl runs");
        assert!(status.success(), "openssl {args:?} failed");
    };
    run(&["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=ReactLab test CA", "-keyout", "ca.key", "-out", "ca.crt"]);
    run(&["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"]);
    std::fs::write(dir.join("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n").unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        "-out",
        "server.crt",
    ]);
}

/// A private S3-compatible server (moto, installed by scripts/setup), with a bucket.
pub struct S3Server {
    child: Child,
    pub port: u16,
    pub bucket: String,
}

impl S3Server {
    pub fn start() -> S3Server {
        let binary = std::env::var_os("REACTLAB_MOTO_SERVER").map(PathBuf::from).unwrap_or_else(|| repo_root().join("target/services/venv/bin/moto_server"));
        assert!(binary.exists(), "{} is missing: run scripts/setup (it installs moto, an S3-compatible server, from PyPI)", binary.display());
        let port = free_port();
        let mut child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server runs");
        wait_for_port(port, "moto_server", &mut child);
        let bucket = "reactlab-test".to_string();
        // moto takes unsigned requests: a bare PUT makes the bucket.
        let status =
            Command::new("curl").args(["-sf", "-X", "PUT", &format!("http://127.0.0.1:{port}/{bucket}")]).stdout(Stdio::null()).status().expect("curl runs");
        assert!(status.success(), "cannot create the test bucket");
        S3Server { child, port, bucket }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Sets this server's `AWS_*` credentials in this process, for an object store client a
    /// test builds in-process (the client reads them when built). Every server here takes
    /// the same ones, so tests running at once do not disagree.
    pub fn export_credentials(&self) {
        for (key, value) in self.env().into_iter().filter(|(k, _)| k.starts_with("AWS_")) {
            // SAFETY: the same values from every caller; read only when a client is built.
            unsafe { std::env::set_var(key, value) };
        }
    }

    /// The variables a ReactLab process needs to use this server.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("REACTLAB_STORE_URL".into(), format!("s3://{}", self.bucket)),
            ("REACTLAB_S3_ENDPOINT".into(), self.endpoint()),
            ("AWS_ACCESS_KEY_ID".into(), "test".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "test".into()),
            ("AWS_REGION".into(), "us-east-1".into()),
        ]
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// A new, empty PostgreSQL database, dropped afterwards. The server is
/// `REACTLAB_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`);
/// `scripts/services` starts one when none answers.
pub struct PgDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    pub fn create() -> PgDatabase {
        let admin_url = std::env::var("REACTLAB_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("reactlab_test_{}", uuid::Uuid::now_v7().simple());
        psql(&admin_url, &format!("CREATE DATABASE {name}"));
        let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(base, _)| base);
        let url = format!("{base}/{name}");
        PgDatabase { admin_url, name, url }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        psql(&self.admin_url, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

fn psql(url: &str, sql: &str) {
    let out = Command::new("psql").args([url, "-v", "ON_ERROR_STOP=1", "-qc", sql]).output().expect("psql runs (scripts/setup installs it)");
    assert!(
        out.status.success(),
        "psql {sql:?} on {url} failed: {} (is PostgreSQL running? scripts/services starts one)",
        String::from_utf8_lossy(&out.stderr)
    );
}
