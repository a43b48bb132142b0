//! `reactlab api` and `reactlab worker` as separate processes on real engines: PostgreSQL,
//! a private Redis and an S3-compatible server (moto), all on loopback. Faults (a worker
//! killed, Redis or PostgreSQL restarted, …) are in faults.rs, one test each.

mod engines;
mod server;

use engines::{API_ARGS, Results, migrate, psql, reactlab, start_engines, watch};
use serde_json::json;
use server::{Client, Server, fixture};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

#[test]
fn api_and_worker_refuse_to_start_on_what_they_cannot_run_on() {
    let (_db, _redis, _s3, env) = start_engines();
    let data = tempfile::tempdir().unwrap();
    let data = data.path().to_str().unwrap();

    let out = reactlab(&["api", "--data-dir", data], &env);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("reactlab migrate"), "an unmigrated database is refused with the way out: {err}");

    let out = reactlab(&["migrate"], &env);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Applied migrations"), "{}", String::from_utf8_lossy(&out.stdout));
    let out = reactlab(&["migrate"], &env);
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"), "migrating twice changes nothing");

    // An API with no worker behind it: the queue dashboard raises the alarm.
    let api = Server::launch("api", std::path::Path::new(data), &[], &env);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut ops = api.client();
        ops.register("ops").await;
        api.grant_admin("ops@example.com");
        let q = ops.get("/api/v1/admin/queue").await;
        assert!(q.body["alert"].as_str().unwrap_or("").contains("No worker"), "{}\n{}", q.body, api.log());
    });
    drop(api);

    let no_redis: Vec<_> = env.iter().filter(|(k, _)| k != "REACTLAB_REDIS_URL").cloned().collect();
    let out = reactlab(&["worker", "--data-dir", data], &no_redis);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("needs Redis"), "{err}");

    let out = reactlab(&["api", "--data-dir", data, "--store-url", "ftp://x"], &env);
    assert!(String::from_utf8_lossy(&out.stderr).contains("file:// or s3://"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_apis_and_three_workers_grade_200_submissions_each_once() {
    const SUBMISSIONS: usize = 200;
    const USERS: usize = 10;
    let (db, _redis, _s3, env) = start_engines();
    migrate(&env);
    let data = tempfile::tempdir().unwrap();
    let dir = |name: &str| {
        let d = data.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    };
    let apis: Vec<Server> = (0..2).map(|i| Server::launch("api", &dir(&format!("api{i}")), API_ARGS, &env)).collect();
    let workers: Vec<Server> = (0..3).map(|i| Server::launch("worker", &dir(&format!("worker{i}")), &["--workers", "1"], &env)).collect();

    let passing = fixture("counter", "reference.jsx");
    let failing = fixture("counter", "fixtures/fail-adds-two.jsx");
    let results: Results = Default::default();
    let mut learners: Vec<(Vec<Client>, Vec<mpsc::UnboundedSender<String>>)> = vec![];
    for u in 0..USERS {
        let mut first = apis[0].client();
        first.register(&format!("learner{u}")).await;
        let mut second = apis[1].client();
        second.token = first.token.clone();
        let sockets = vec![watch(first.socket().await, results.clone()), watch(second.socket().await, results.clone())];
        learners.push((vec![first, second], sockets));
    }

    let mut expected: HashMap<String, &str> = HashMap::new();
    let started = Instant::now();
    for i in 0..SUBMISSIONS {
        let (clients, sockets) = &learners[i % USERS];
        let via = i % 2;
        let accepted = i % 3 != 0;
        let id = clients[via].submit("counter", if accepted { &passing } else { &failing }).await;
        // The subscriber sits on the other API: the result must cross processes.
        sockets[1 - via].send(id.clone()).unwrap();
        expected.insert(id, if accepted { "accepted" } else { "wrong_answer" });
    }

    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let finished = results.lock().unwrap().len();
        if finished == SUBMISSIONS {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{finished} of {SUBMISSIONS} results reached their subscribers in 10 minutes\nworker log:\n{}\napi log:\n{}",
            workers[0].log(),
            apis[0].log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let elapsed = started.elapsed();

    let results = results.lock().unwrap().clone();
    for (id, verdict) in &expected {
        assert_eq!(results[id].verdict, *verdict, "the subscriber's verdict for {id}");
    }
    // The record: every submission done once with its verdict, and progress counted once.
    let rows = psql(&db.url, "SELECT id || ' ' || status || ' ' || COALESCE(verdict, '') FROM submissions");
    let stored: HashMap<&str, &str> = rows.lines().map(|l| l.split_once(' ').unwrap()).collect();
    assert_eq!(stored.len(), SUBMISSIONS);
    for (id, verdict) in &expected {
        assert_eq!(stored[id.as_str()], format!("done {verdict}"), "{id}");
    }
    let accepted = expected.values().filter(|v| **v == "accepted").count();
    assert_eq!(psql(&db.url, "SELECT SUM(accepted) FROM activity"), accepted.to_string(), "each accepted result counted exactly once");
    let graded_by: Vec<usize> = workers.iter().map(|w| w.log().matches(" graded ").count()).collect();
    assert!(graded_by.iter().all(|n| *n > 0), "every worker took a share: {graded_by:?}");
    eprintln!("{SUBMISSIONS} submissions through 2 APIs and 3 workers (graded {graded_by:?}) in {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submissions_made_while_redis_is_down_are_kept_and_graded_when_it_returns() {
    let (db, mut redis, s3, env) = start_engines();
    migrate(&env);
    let data = tempfile::tempdir().unwrap();
    let api = Server::launch("api", data.path(), API_ARGS, &env);
    let worker_dir = tempfile::tempdir().unwrap();
    let worker = Server::launch("worker", worker_dir.path(), &["--workers", "1"], &env);
    let mut client = api.client();
    client.register("offline").await;
    let code = fixture("counter", "reference.jsx");

    redis.kill();
    let mut ids = vec![];
    for _ in 0..3 {
        let r = client.post("/api/v1/submissions", json!({ "challenge": "counter", "code": code })).await;
        assert_eq!(r.status, reqwest::StatusCode::ACCEPTED, "accepted without Redis: {}", r.body);
        ids.push(r.body["id"].as_str().unwrap().to_string());
    }
    let ready = client.get("/readyz").await;
    assert_eq!((ready.status.as_u16(), ready.body["status"].as_str()), (200, Some("degraded")), "{}", ready.body);
    assert!(ready.body["checks"]["queue"].as_str().unwrap().contains("outbox"), "{}", ready.body);
    assert_eq!(psql(&db.url, "SELECT COUNT(*) FROM outbox"), "3", "kept in the database's outbox");
    let mut socket = client.socket().await;
    socket.subscribe(&ids[0]).await;

    redis.restart();
    for id in &ids {
        let done = client.wait_done(id, Duration::from_secs(120)).await;
        assert_eq!(done["verdict"], "accepted", "{done}");
    }
    let messages = socket.until_done(Duration::from_secs(60)).await;
    assert_eq!(messages.last().unwrap()["result"]["verdict"], "accepted");
    assert_eq!(psql(&db.url, "SELECT COUNT(*) FROM outbox"), "0");
    assert!(api.log().contains("redis: ready again") || api.log().contains("re-queueing from the outbox"), "{}", api.log());

    // Code lives in the S3-compatible server, read through a presigned link.
    let link = client.get(&format!("/api/v1/submissions/{}/code", ids[0])).await;
    let url = link.body["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&s3.endpoint()) && url.contains("X-Amz-Signature="), "{url}");
    let fetched = reqwest::get(&url).await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.text().await.unwrap(), code);
    let forged = url.replace("code/", "code/x");
    assert_ne!(reqwest::get(&forged).await.unwrap().status(), 200, "a link for another key does not work");
    // The worker serves health and metrics only.
    let worker_http = worker.client();
    let m = worker_http.get("/metrics").await.body.as_str().unwrap().to_string();
    assert!(m.lines().any(|l| l == "reactlab_verdicts_total{verdict=\"accepted\"} 3"), "{m}");
    assert_eq!(worker_http.get("/readyz").await.body["status"], "ready");
    assert_eq!(worker_http.get("/api/v1/challenges").await.status, reqwest::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn serve_runs_in_one_process_on_the_real_engines_too() {
    let (db, _redis, s3, env) = start_engines();
    let data = tempfile::tempdir().unwrap();
    // `serve` migrates by itself, as on its embedded defaults.
    let server = Server::launch("serve", data.path(), &["--workers", "1"], &env);
    let mut client = server.client();
    client.register("paas").await;
    let id = client.submit("counter", &fixture("counter", "fixtures/fail-starts-at-one.jsx")).await;
    let mut socket = client.socket().await;
    socket.subscribe(&id).await;
    let messages = socket.until_done(Duration::from_secs(90)).await;
    assert_eq!(messages.last().unwrap()["result"]["verdict"], "wrong_answer");
    assert_eq!(psql(&db.url, &format!("SELECT verdict FROM submissions WHERE id = '{id}'")), "wrong_answer");
    assert!(server.log().contains("redis: ready"), "{}", server.log());
    // The web app may fetch signed links from the S3 endpoint, and from nowhere else new.
    let page = client.http.get(format!("{}/", client.base)).send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains(&format!("connect-src 'self' ws: wss: {}", s3.endpoint())), "{csp}");
}

/// Behind a load balancer, a client's limit is the platform's, not each API process's:
/// two APIs on one Redis allow three registrations a minute from one address between them.
#[tokio::test]
async fn rate_limits_hold_across_api_processes() {
    let (_db, _redis, _s3, env) = start_engines();
    migrate(&env);
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let apis: Vec<Server> = dirs.iter().map(|d| Server::launch("api", d.path(), &["--rate-register", "3"], &env)).collect();
    let register = |api: &Server, name: &str| {
        let client = api.client();
        let name = name.to_string();
        async move { client.post("/api/v1/auth/register", json!({ "username": name, "email": format!("{name}@example.com"), "password": "correct horse" })).await }
    };
    for (i, name) in ["ann", "ben", "cat"].iter().enumerate() {
        let r = register(&apis[i % 2], name).await;
        assert_eq!(r.status, reqwest::StatusCode::CREATED, "{}", r.body);
    }
    // Each API has seen at most two of the three: only a shared count refuses the fourth.
    let r = register(&apis[1], "dan").await;
    assert_eq!((r.status, r.code()), (reqwest::StatusCode::TOO_MANY_REQUESTS, "rate_limited"), "{}", r.body);
    let r = register(&apis[0], "eve").await;
    assert_eq!(r.status, reqwest::StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
}
