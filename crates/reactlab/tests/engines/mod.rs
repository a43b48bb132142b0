//! The engines a scaled-out ReactLab runs on, started privately for a test: PostgreSQL, a
//! Redis and an S3-compatible server (moto), all on loopback; running `reactlab` against
//! them, and reading the record back.
#![allow(dead_code)]

use crate::server::Socket;
use reactlab_testkit::{PgDatabase, RedisServer, S3Server};
use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Limits out of the way of tests that register many learners and submit in bursts.
pub const API_ARGS: &[&str] = &["--rate-register", "1000", "--rate-submit", "100000", "--max-sockets-per-user", "8"];

/// A fresh PostgreSQL database, a private Redis and a private S3-compatible server, and
/// the variables that point a ReactLab process at them.
pub fn start_engines() -> (PgDatabase, RedisServer, S3Server, Vec<(String, String)>) {
    let (db, redis, s3) = (PgDatabase::create(), RedisServer::start(), S3Server::start());
    let env = engine_env(&db.url, &redis, s3.env());
    (db, redis, s3, env)
}

/// The variables for a database at `database_url`, `redis`, and an object store (`store_env`).
pub fn engine_env(database_url: &str, redis: &RedisServer, store_env: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut env = store_env;
    env.push(("REACTLAB_DATABASE_URL".into(), database_url.to_string()));
    env.push(("REACTLAB_REDIS_URL".into(), redis.url()));
    env
}

pub fn migrate(env: &[(String, String)]) {
    let out = reactlab(&["migrate"], env);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

pub fn reactlab(args: &[&str], env: &[(String, String)]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_reactlab")).args(args).envs(env.iter().map(|(k, v)| (k, v))).output().unwrap()
}

pub fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql").args([url, "-tAc", sql]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A result as a learner's socket announced it.
#[derive(Debug, Clone)]
pub struct Done {
    pub verdict: String,
    /// When the first `done` arrived.
    pub at: Instant,
    /// `done` events received for it (the server sends one per socket).
    pub times: u32,
}

/// Results by submission id, from every watching socket.
pub type Results = Arc<Mutex<HashMap<String, Done>>>;

/// Subscriptions answered with an error are tried again this often, this many times.
const RESUBSCRIBE_AFTER: Duration = Duration::from_secs(1);
const RESUBSCRIBE_TRIES: u32 = 120;

/// One learner's WebSocket: subscribes to the ids it is sent and records every `done`. A
/// subscription the server could not serve (its database was down: an `error` with the
/// id) is sent again a second later, as a client told "try again" does.
pub fn watch(mut socket: Socket, results: Results) -> mpsc::UnboundedSender<String> {
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    // Weak: the task ends when the test drops its sender.
    let again = tx.downgrade();
    tokio::spawn(async move {
        let mut tries: HashMap<String, u32> = HashMap::new();
        loop {
            tokio::select! {
                id = rx.recv() => match id {
                    Some(id) => socket.subscribe(&id).await,
                    None => return,
                },
                message = socket.try_next(Duration::from_secs(1)) => {
                    let Some(m) = message else { continue };
                    let id = m["id"].as_str().unwrap_or_default().to_string();
                    if m["type"] == "done" {
                        let verdict = m["result"]["verdict"].as_str().unwrap_or_default().to_string();
                        let mut results = results.lock().unwrap();
                        let entry = results.entry(id).or_insert(Done { verdict, at: Instant::now(), times: 0 });
                        entry.times += 1;
                    } else if m["type"] == "error" && !id.is_empty() {
                        let tried = tries.entry(id.clone()).or_default();
                        *tried += 1;
                        if *tried <= RESUBSCRIBE_TRIES && let Some(again) = again.upgrade() {
                            tokio::spawn(async move {
                                tokio::time::sleep(RESUBSCRIBE_AFTER).await;
                                let _ = again.send(id);
                            });
                        }
                    }
                }
            }
        }
    });
    tx
}
