//! No request from the page reaches the network: a loopback server listens while the
//! learner's code tries every way out it has, and must see nothing.

mod common;
use common::*;
use reactlab_core::Verdict;
use reactlab_judge::launch::NetworkWall;
use reactlab_judge::procfs::descendants;
use reactlab_judge::{BrowserOptions, Judge};
use std::net::{TcpListener, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Counts connections to a loopback listener until `until`.
fn count_tcp(listener: TcpListener, hits: Arc<AtomicUsize>, until: Instant) -> std::thread::JoinHandle<()> {
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        while Instant::now() < until {
            match listener.accept() {
                Ok(_) => {
                    hits.fetch_add(1, Ordering::SeqCst);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    })
}

const ESCAPES: &str = r#"import { useEffect, useState } from 'react';
const P = __PORT__, P6 = __PORT6__, U = __UDP__;
const u = (path) => `http://127.0.0.1:${P}/${path}`;
export default function App() {
  const [done, setDone] = useState(false);
  useEffect(() => {
    const t = (f) => { try { const r = f(); if (r && typeof r.catch === 'function') r.catch(() => {}); } catch {} };
    t(() => fetch(u('fetch')));
    t(() => fetch(`http://localhost:${P}/localhost`));
    t(() => fetch(`http://[::1]:${P6}/ipv6`));
    t(() => fetch(u('no-cors'), { mode: 'no-cors' }));
    t(() => { const x = new XMLHttpRequest(); x.open('GET', u('xhr')); x.send(); });
    t(() => { const i = new Image(); i.src = u('img'); });
    t(() => document.body.insertAdjacentHTML('beforeend', `<img src="${u('img-tag')}"><video src="${u('video')}"></video>`));
    t(() => { const s = document.createElement('style'); s.textContent = `@import url(${u('import')}); body { background: url(${u('css')}) }`; document.head.appendChild(s); });
    t(() => { const l = document.createElement('link'); l.rel = 'stylesheet'; l.href = u('link'); document.head.appendChild(l); });
    t(() => { const l = document.createElement('link'); l.rel = 'prefetch'; l.href = u('prefetch'); document.head.appendChild(l); });
    t(() => { const s = document.createElement('script'); s.src = u('script'); document.head.appendChild(s); });
    t(() => import(u('module.js')));
    t(() => new WebSocket(`ws://127.0.0.1:${P}/ws`));
    t(() => new WebSocket(`ws://${location.host}/same-origin-ws`));
    t(() => new EventSource(u('sse')));
    t(() => navigator.sendBeacon(u('beacon'), 'x'));
    t(() => new Worker(URL.createObjectURL(new Blob([`fetch("${u('worker')}")`], { type: 'text/javascript' }))));
    t(() => new SharedWorker(URL.createObjectURL(new Blob([`fetch("${u('shared-worker')}")`], { type: 'text/javascript' }))));
    t(() => navigator.serviceWorker && navigator.serviceWorker.register('/sw.js'));
    t(() => { const f = document.createElement('iframe'); f.src = u('iframe'); document.body.appendChild(f); });
    t(() => { const f = document.createElement('iframe'); f.srcdoc = `<img src="${u('srcdoc')}"><script>fetch("${u('srcdoc-fetch')}")</script>`; document.body.appendChild(f); });
    t(() => window.open(u('popup')));
    t(() => new FontFace('x', `url(${u('font')})`).load());
    t(() => new Audio(u('audio')).play());
    t(async () => {
      const pc = new RTCPeerConnection({ iceServers: [{ urls: `stun:127.0.0.1:${U}` }, { urls: `turn:127.0.0.1:${P}`, username: 'u', credential: 'c' }] });
      pc.createDataChannel('x');
      await pc.setLocalDescription(await pc.createOffer());
    });
    setTimeout(() => setDone(true), 2000);
  }, []);
  return <p>{done ? 'tried everything' : 'trying'}</p>;
}"#;

#[test]
fn no_request_from_the_page_reaches_a_listening_loopback_server() {
    assert_nothing_escapes(&JUDGE);
}

/// The judge's proxy, the Content-Security-Policy and the host rules hold on their own
/// too, where the OS gives no network namespace (the judge as a non-root user). The same
/// browser shows that the React runtime is fetched from the judge's runtime server once per
/// browser context, then taken from that context's HTTP cache.
#[test]
fn without_the_network_namespace_nothing_escapes_either_and_the_runtime_comes_from_the_cache() {
    let judge = Judge::new(BrowserOptions { max_in_flight: 1, network_wall: NetworkWall::Off, ..BrowserOptions::default() });
    let served = || RUNTIME.block_on(judge.pool().browser()).unwrap().runtime_served.load(Ordering::SeqCst);
    let r = grade_with(&judge, COUNTER_SPEC, COUNTER_OK);
    assert_eq!(r.verdict, Verdict::Accepted, "{}", explain(&r));
    let first = served();
    assert!(first >= 3, "react, react-dom/client and the JSX runtime come from the runtime server, it sent {first} files");
    assert_counter_still_graded(&judge);
    assert_eq!(served(), first, "later tests in the same browser context take the runtime from its HTTP cache");

    assert_nothing_escapes(&judge);
    RUNTIME.block_on(judge.shutdown());
}

fn assert_nothing_escapes(judge: &Judge) {
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let tcp6 = TcpListener::bind("[::1]:0").ok();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let (port, udp_port) = (tcp.local_addr().unwrap().port(), udp.local_addr().unwrap().port());
    let port6 = tcp6.as_ref().map_or(port, |l| l.local_addr().unwrap().port());
    let hits = Arc::new(AtomicUsize::new(0));
    let until = Instant::now() + Duration::from_secs(25);
    let watchers: Vec<_> = std::iter::once(tcp).chain(tcp6).map(|l| count_tcp(l, hits.clone(), until)).collect();
    udp.set_read_timeout(Some(Duration::from_millis(50))).unwrap();

    let code = ESCAPES.replace("__PORT__", &port.to_string()).replace("__PORT6__", &port6.to_string()).replace("__UDP__", &udp_port.to_string());
    let spec = r#"
title = "escape"
difficulty = "easy"
[[test]]
name = "tries"
steps = [{ do = "expect_text", on = { tag = "p" }, equals = "tried everything", timeout_ms = 8000 }]
"#;
    let r = grade_with(judge, spec, &code);
    // Give stragglers (a retrying WebSocket, a late worker) time to show up.
    std::thread::sleep(Duration::from_millis(1500));
    let mut buf = [0u8; 1500];
    let udp_hits = (0..10).filter(|_| udp.recv_from(&mut buf).is_ok()).count();
    let tcp_hits = hits.load(Ordering::SeqCst);
    assert_eq!(tcp_hits, 0, "TCP connections reached the loopback server:\n{}", explain(&r));
    assert_eq!(udp_hits, 0, "UDP datagrams reached the loopback server");
    assert_eq!(r.verdict, Verdict::Accepted, "the page must stay put while trying:\n{}", explain(&r));
    drop(watchers);
}

#[test]
fn requests_the_test_does_not_mock_fail_and_are_reported() {
    let code = r#"import { useEffect, useState } from 'react';
export default function App() {
  const [status, setStatus] = useState('pending');
  useEffect(() => { fetch('/api/missing').then((r) => setStatus('answered ' + r.status), () => setStatus('failed')); }, []);
  return <p>{status}</p>;
}"#;
    let spec = r#"
title = "t"
difficulty = "easy"
[[test]]
name = "fails"
steps = [{ do = "expect_text", on = { tag = "p" }, equals = "failed" }]
"#;
    let r = grade(spec, code);
    assert_eq!(r.verdict, Verdict::Accepted, "{}", explain(&r));
    assert!(r.console.iter().any(|c| c.text.contains("GET /api/missing")), "{}", explain(&r));
}

#[test]
fn mocks_answer_with_status_body_delay_and_count() {
    let code = r#"import { useEffect, useState } from 'react';
export default function App() {
  const [log, setLog] = useState([]);
  useEffect(() => {
    (async () => {
      const out = [];
      const t0 = performance.now();
      const a = await fetch('/api/users?page=1'); out.push(a.status + ':' + (await a.json()).map((u) => u.name).join('+'));
      out.push(performance.now() - t0 >= 300 ? 'delayed' : 'early');
      const b = await fetch('/api/users'); out.push(b.status + ':' + JSON.stringify(await b.json()));
      const c = await fetch('/api/users').then((r) => 'answered ' + r.status, () => 'failed');
      out.push(c);
      const d = await fetch('/api/save', { method: 'POST', body: '{}' }); out.push(d.status + ':' + (await d.text()));
      setLog(out);
    })();
  }, []);
  return <p>{log.join(' | ')}</p>;
}"#;
    let spec = r#"
title = "t"
difficulty = "easy"
[[test]]
name = "mocks"
mocks = [
  { path = "/api/users", json = [{ id = 1, name = "Ada" }, { id = 2, name = "Grace" }], delay_ms = 300, times = 1 },
  { path = "/api/users", status = 500, json = { error = "down" }, times = 1 },
  { method = "POST", path = "/api/save", status = 201, body = "saved" },
]
steps = [{ do = "expect_text", on = { tag = "p" }, equals = '200:Ada+Grace | delayed | 500:{"error":"down"} | failed | 201:saved', exact = true, timeout_ms = 5000 }]
"#;
    let r = grade(spec, code);
    assert_eq!(r.verdict, Verdict::Accepted, "{}", explain(&r));
}

#[test]
fn a_form_posted_to_loopback_reaches_nothing_and_fails_the_test() {
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = tcp.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let watcher = count_tcp(tcp, hits.clone(), Instant::now() + Duration::from_secs(20));
    let code = r#"export default function App() {
  return <form method="post" action="http://127.0.0.1:__PORT__/form"><button>Send</button></form>;
}"#
    .replace("__PORT__", &port.to_string());
    let spec = r#"
title = "t"
difficulty = "easy"
[[test]]
name = "posts"
steps = [{ do = "click", on = { role = "button", name = "Send" } }, { do = "expect_hidden", on = { role = "button", name = "Send" }, timeout_ms = 3000 }]
"#;
    let r = grade(spec, &code);
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the form reached the loopback server");
    assert_eq!(r.verdict, Verdict::WrongAnswer, "{}", explain(&r));
    assert!(r.tests[0].message.as_deref().unwrap_or_default().contains("127.0.0.1"), "{}", explain(&r));
    drop(watcher);
}

/// The second wall: the browser and every process it starts live in a network namespace of
/// their own with only a loopback interface, so a request that escaped the proxy would
/// find no route out and none of the host's loopback services.
#[test]
fn the_browser_runs_in_its_own_network_namespace_with_no_route_to_the_host() {
    // A submission first, so renderers exist.
    let r = grade(
        "title = \"t\"\ndifficulty = \"easy\"\n[[test]]\nname = \"t\"\nsteps = [{ do = \"expect_text\", on = { tag = \"p\" }, equals = \"hi\" }]\n",
        "export default () => <p>hi</p>;",
    );
    assert_eq!(r.verdict, Verdict::Accepted, "{}", explain(&r));
    let live = RUNTIME.block_on(JUDGE.pool().browser()).unwrap();
    if !live.walled {
        // Only a process that may not create namespaces gets here (`auto` falls back).
        assert_ne!(unsafe { libc::geteuid() }, 0, "as root the browser must get a network namespace of its own");
        eprintln!("!!! SKIPPED: not root, so the browser runs without its network namespace (the judge's proxy and the CSP are the walls)");
        return;
    }
    let pid = live.pid.unwrap();
    let namespace = |p: &str| std::fs::read_link(format!("/proc/{p}/ns/net")).unwrap();
    let walled = namespace(&pid.to_string());
    assert_ne!(walled, namespace("self"));
    let children = descendants(pid);
    assert!(children.len() >= 2, "renderers and helpers are expected under the browser, found {children:?}");
    let interfaces = |p: u32| -> Vec<String> {
        let dev = std::fs::read_to_string(format!("/proc/{p}/net/dev")).unwrap_or_default();
        dev.lines().skip(2).filter_map(|l| Some(l.split(':').next()?.trim().to_string())).collect()
    };
    for &child in &children {
        // Sandboxed renderers get an empty namespace of their own, nested in the wall.
        if let Ok(ns) = std::fs::read_link(format!("/proc/{child}/ns/net")) {
            assert!(ns == walled || interfaces(child) == ["lo"], "process {child} left the browser's namespace for one with {:?}", interfaces(child));
        }
    }
    assert_eq!(interfaces(pid), ["lo"], "the namespace must hold nothing but loopback");

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::net::TcpStream::connect(address).expect("from the judge's namespace the server answers");
    let refused = reactlab_judge::launch::connect_in_namespace_of(pid, address);
    assert!(refused.is_err(), "from the browser's namespace the host's loopback server must be out of reach");
    let outside = std::net::SocketAddr::from(([192, 0, 2, 1], 80));
    let unreachable = reactlab_judge::launch::connect_in_namespace_of(pid, outside).unwrap_err();
    assert_eq!(unreachable.kind(), std::io::ErrorKind::NetworkUnreachable, "no route out: {unreachable}");
}
