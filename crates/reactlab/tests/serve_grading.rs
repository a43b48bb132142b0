//! `reactlab serve` end to end with real Chromium: submit, follow over the WebSocket, read
//! results, survive a crash.

mod server;
use reqwest::StatusCode;
use server::*;
use std::time::Duration;

#[tokio::test]
async fn the_counter_reference_is_accepted_and_every_event_arrives_in_order() {
    let server = Server::start(&["--workers", "1"]);
    let mut client = server.client();
    client.register("ada").await;
    // Read (and so cache) the profile before: the result must invalidate it.
    assert_eq!(client.get("/api/v1/me").await.body["progress"]["solved"], 0);
    let mut socket = client.socket().await;
    let id = client.submit("counter", &fixture("counter", "reference.jsx")).await;
    socket.subscribe(&id).await;
    let messages = socket.until_done(GRADE_TIMEOUT).await;
    let kinds: Vec<&str> = messages.iter().map(|m| m["type"].as_str().unwrap()).collect();
    assert_eq!(kinds[0], "state", "{messages:?}");
    assert!(messages.iter().all(|m| m["id"] == id.as_str()), "{messages:?}");
    // The state comes first, then the events from where the submission was.
    let challenge = client.get("/api/v1/challenges/counter").await.body;
    let test_count = challenge["tests"].as_array().unwrap().len();
    let tests: Vec<_> = messages.iter().filter(|m| m["type"] == "test").collect();
    assert_eq!(tests.len(), test_count, "one event per test: {kinds:?}");
    assert!(tests.iter().all(|t| t["test"]["status"] == "passed"));
    assert!(kinds.contains(&"running"), "{kinds:?}");
    let done = messages.last().unwrap();
    assert_eq!(done["result"]["verdict"], "accepted", "{done}");

    let me = client.get("/api/v1/me").await.body;
    assert_eq!(me["progress"]["solved"], 1, "{me}");
    assert_eq!(me["progress"]["streak"]["current"], 1);
    assert_eq!(me["progress"]["badges"][0]["badge"], "first_solve");
    let list = client.get("/api/v1/challenges").await.body;
    let counter = list["challenges"].as_array().unwrap().iter().find(|c| c["slug"] == "counter").unwrap();
    assert_eq!(counter["status"], "solved");

    // A later wrong answer never un-solves it.
    let wrong = client.submit("counter", &fixture("counter", "fixtures/fail-adds-two.jsx")).await;
    let result = client.wait_done(&wrong, GRADE_TIMEOUT).await;
    assert_eq!(result["verdict"], "wrong_answer", "{result}");
    let failing: Vec<&str> =
        result["result"]["tests"].as_array().unwrap().iter().filter(|t| t["status"] == "failed").map(|t| t["name"].as_str().unwrap()).collect();
    assert!(!failing.is_empty(), "the failing test is named: {result}");
    assert!(result["result"]["tests"].as_array().unwrap().iter().any(|t| t["status"] == "failed" && t["message"].as_str().is_some_and(|m| !m.is_empty())));
    let me = client.get("/api/v1/me").await.body;
    assert_eq!(me["progress"]["solved"], 1);
    let history = client.get("/api/v1/submissions?challenge=counter").await.body;
    let ids: Vec<&str> = history["submissions"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![wrong.as_str(), id.as_str()], "newest first");
    let page = client.get("/api/v1/submissions?challenge=counter&limit=1").await.body;
    assert_eq!(page["submissions"].as_array().unwrap().len(), 1);
    let next = page["next"].as_str().unwrap();
    let page2 = client.get(&format!("/api/v1/submissions?challenge=counter&limit=1&before={next}")).await.body;
    assert_eq!(page2["submissions"][0]["id"], id.as_str());
    assert!(page2["next"].is_null());
}

#[tokio::test]
async fn subscribing_after_the_result_was_stored_delivers_it() {
    let server = Server::start(&["--workers", "1"]);
    let mut client = server.client();
    client.register("bob").await;
    let id = client.submit("counter", "export default function App() { return <p>no button</p>; }").await;
    let stored = client.wait_done(&id, GRADE_TIMEOUT).await;
    assert_eq!(stored["verdict"], "wrong_answer");
    let mut socket = client.socket().await;
    socket.subscribe(&id).await;
    let state = socket.next(Duration::from_secs(10)).await;
    assert_eq!((state["type"].as_str(), state["submission"]["status"].as_str()), (Some("state"), Some("done")), "{state}");
    let done = socket.next(Duration::from_secs(10)).await;
    assert_eq!(done["type"], "done");
    assert_eq!(done["result"], stored["result"]);
    // Compile errors are verdicts too, with the line.
    let broken = client.submit("counter", "export default function App() { return <p>; }").await;
    let r = client.wait_done(&broken, GRADE_TIMEOUT).await;
    assert_eq!(r["verdict"], "compile_error", "{r}");
    assert!(r["result"]["compile_error"]["line"].as_u64().is_some());
}

#[tokio::test]
async fn a_killed_server_grades_every_accepted_submission_once_after_restart() {
    let mut first = Server::start(&["--workers", "1", "--job-lease-secs", "3"]);
    let data = first.data.clone();
    let mut client = first.client();
    client.register("cat").await;
    let code = fixture("counter", "reference.jsx");
    let mut ids = vec![];
    for _ in 0..4 {
        ids.push(client.submit("counter", &code).await);
    }
    first.kill();
    let before = first.log();

    let second = Server::start_in(&data, &["--workers", "1", "--job-lease-secs", "3"]);
    let client = Client { base: second.base.clone(), ..client };
    for id in &ids {
        let r = client.wait_done(id, GRADE_TIMEOUT).await;
        assert_eq!(r["verdict"], "accepted", "{r}");
    }
    // Once: each submission's result was written by exactly one worker.
    let log = before + &second.log();
    for id in &ids {
        let writes = log.lines().filter(|l| l.contains("graded") && l.contains(id.as_str())).count();
        assert_eq!(writes, 1, "{id} graded {writes} times\n{log}");
    }
    let me = client.get("/api/v1/me").await.body;
    assert_eq!(me["progress"]["activity"][0]["accepted"], 4, "{me}");
    drop(second);
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly_and_leaves_queued_jobs_queued() {
    let mut server = Server::start(&["--workers", "1", "--grace-secs", "20"]);
    let data = server.data.clone();
    let mut client = server.client();
    client.register("dan").await;
    let mut socket = client.socket().await;
    let code = fixture("counter", "reference.jsx");
    let ids = [client.submit("counter", &code).await, client.submit("counter", &code).await, client.submit("counter", &code).await];
    let status = server.terminate();
    assert!(status.success(), "exit status {status}");
    // Open sockets were closed (going away) rather than left hanging.
    assert!(socket.closes_within(Duration::from_secs(5)).await);
    let log = server.log();
    assert!(log.contains("Stopped."), "{log}");
    let restarted = Server::start_in(&data, &["--workers", "1"]);
    let client = Client { base: restarted.base.clone(), ..client };
    for id in &ids {
        assert_eq!(client.wait_done(id, GRADE_TIMEOUT).await["verdict"], "accepted");
    }
}

#[tokio::test]
async fn judge_faults_are_retried_then_become_internal_error_and_readiness_says_why() {
    // A "browser" that exits at once: every attempt is the judge's fault, never the learner's.
    let server = Server::start(&["--workers", "1", "--chromium", "/bin/false"]);
    let mut client = server.client();
    client.register("joe").await;
    let id = client.submit("counter", &fixture("counter", "reference.jsx")).await;
    let r = client.wait_done(&id, GRADE_TIMEOUT).await;
    assert_eq!(r["verdict"], "internal_error", "{r}");
    assert_eq!(r["attempts"], 3, "{r}");
    assert!(r["result"]["message"].as_str().unwrap().contains("not your code"), "{r}");
    let ready = client.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.body["checks"]["database"], "ok");
    assert_ne!(ready.body["checks"]["judge"], "ok");
}

#[tokio::test]
async fn metrics_count_what_happened_in_prometheus_text() {
    let server = Server::start(&["--workers", "1"]);
    let mut client = server.client();
    client.register("meter").await;
    let mut socket = client.socket().await;
    let right = client.submit("counter", &fixture("counter", "reference.jsx")).await;
    let wrong = client.submit("counter", &fixture("counter", "fixtures/fail-adds-two.jsx")).await;
    socket.subscribe(&right).await;
    client.wait_done(&right, GRADE_TIMEOUT).await;
    client.wait_done(&wrong, GRADE_TIMEOUT).await;
    client.get("/api/v1/challenges").await;
    client.get("/api/v1/challenges").await;
    let r = client.get("/metrics").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let m = r.body.as_str().unwrap().to_string();
    assert_eq!(series(&m, "reactlab_verdicts_total{verdict=\"accepted\"}"), Some(1.0), "{m}");
    assert_eq!(series(&m, "reactlab_verdicts_total{verdict=\"wrong_answer\"}"), Some(1.0));
    assert_eq!(series(&m, "reactlab_job_run_seconds_count"), Some(2.0));
    assert_eq!(series(&m, "reactlab_job_wait_seconds_count"), Some(2.0));
    assert_eq!(series(&m, "reactlab_browser_launches_total"), Some(1.0));
    assert_eq!(series(&m, "reactlab_websockets_open"), Some(1.0));
    assert_eq!(series(&m, "reactlab_queue_jobs{state=\"waiting\"}"), Some(0.0));
    assert_eq!(series(&m, "reactlab_queue_jobs{state=\"dead\"}"), Some(0.0));
    assert_eq!(series(&m, "reactlab_queue_up"), Some(1.0));
    assert!(series(&m, "reactlab_cache_requests_total{result=\"hit\"}").unwrap_or(0.0) >= 1.0, "the second list read is a hit");
    let submits = "reactlab_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/submissions\",status=\"202\"}";
    assert_eq!(series(&m, submits), Some(2.0), "requests by route pattern and status");
    assert!(m.contains("route=\"/api/v1/submissions/{id}\""), "parametrised routes are one series, not one per id");
    drop(socket);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let m = client.get("/metrics").await.body.as_str().unwrap().to_string();
    assert_eq!(series(&m, "reactlab_websockets_open"), Some(0.0), "closed sockets are counted out");
}

#[tokio::test]
async fn admins_see_dead_jobs_and_workers_and_a_retried_dead_job_is_graded_again() {
    let data = tempfile::tempdir().unwrap();
    let broken = ["--workers", "1", "--chromium", "/bin/false"];
    let mut first = Server::start_in(data.path(), &broken);
    let mut boss = first.client();
    boss.register("boss").await;
    first.grant_admin("boss@example.com");
    let id = boss.submit("counter", &fixture("counter", "reference.jsx")).await;
    assert_eq!(boss.wait_done(&id, GRADE_TIMEOUT).await["verdict"], "internal_error");
    let q = boss.get("/api/v1/admin/queue").await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.body);
    assert_eq!((q.body["dead"].as_u64(), q.body["waiting"].as_u64(), q.body["running"].as_u64()), (Some(1), Some(0), Some(0)), "{}", q.body);
    let dead = &q.body["dead_jobs"][0];
    assert_eq!((dead["id"].as_str(), dead["challenge"].as_str(), dead["attempts"].as_u64()), (Some(id.as_str()), Some("counter"), Some(3)), "{dead}");
    assert!(dead["reason"].as_str().unwrap().contains("not your code"), "{dead}");
    let workers = q.body["workers"].as_array().unwrap();
    assert_eq!((workers.len(), workers[0]["capacity"].as_u64(), workers[0]["silent"].as_bool()), (1, Some(1), Some(false)), "{}", q.body);
    assert!(q.body["alert"].is_null(), "a live worker: no alert");
    let metrics = boss.get("/metrics").await.body.as_str().unwrap().to_string();
    assert_eq!(series(&metrics, "reactlab_jobs_dead_lettered_total{cause=\"judge\"}"), Some(1.0));
    assert_eq!(series(&metrics, "reactlab_job_retries_total"), Some(2.0));
    first.terminate();

    // The browser is fixed: the admin retries the dead job and it is graded for real.
    let second = Server::start_in(data.path(), &["--workers", "1"]);
    boss.base = second.base.clone();
    let r = boss.post(&format!("/api/v1/admin/queue/dead/{id}/retry"), serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(boss.wait_done(&id, GRADE_TIMEOUT).await["verdict"], "accepted");
    assert_eq!(boss.get("/api/v1/me").await.body["progress"]["solved"], 1, "the retried result counts");
    let q = boss.get("/api/v1/admin/queue").await;
    assert_eq!(q.body["dead"], 0);
    assert_eq!(boss.post(&format!("/api/v1/admin/queue/dead/{id}/retry"), serde_json::json!({})).await.status, StatusCode::NOT_FOUND, "retried once");
    assert_eq!(boss.post(&format!("/api/v1/admin/queue/dead/{id}/discard"), serde_json::json!({})).await.status, StatusCode::NOT_FOUND);
}

/// The browser never runs as root and keeps its sandbox, and `/readyz` says so; what the
/// server keeps (database, solutions, keys) is out of the browser user's reach.
#[tokio::test]
async fn the_data_directory_is_closed_to_the_browser_user_and_readiness_reports_the_sandbox() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let root = tempfile::tempdir().unwrap();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data = root.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let server = Server::start_in(&data, &["--workers", "1"]);
    let ready = server.client().get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert_eq!(ready.body["status"], "ready", "a browser with its sandbox and walls: {}", ready.body);
    assert!(ready.body.get("warnings").is_none(), "{}", ready.body);
    let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "the data directory must be private");
    let database = data.join("reactlab.db");
    assert!(database.is_file());
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("!!! not root: no browser user to try the data directory as (the mode is checked above)");
        return;
    }
    let user = reactlab_judge::launch::BrowserUser::find().unwrap();
    let read = std::process::Command::new("cat")
        .arg(&database)
        .uid(user.uid)
        .gid(user.gid)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert!(!read.status.success(), "the browser's user {} read the database", user.name);
    assert!(String::from_utf8_lossy(&read.stderr).contains("Permission denied"), "{}", String::from_utf8_lossy(&read.stderr));
}
