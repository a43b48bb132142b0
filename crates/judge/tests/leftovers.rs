//! Tests of one submission share its frame, and still cannot affect each other: for each
//! kind of thing a test can leave behind, a first test plants it and a second test would
//! see it if it crossed. Each kind also runs planted and looked for within one test, which
//! must find it: a look that could not see the leftover would prove nothing.

mod common;
use common::*;
use reactlab_core::Verdict;

/// One kind of leftover: the code that plants it (in an async click handler of the first
/// test), an async expression that names it when it is there (empty when not), steps after
/// the planting and after the look (within one test), and the tests' mocks.
struct Kind {
    plant: &'static str,
    found: &'static str,
    plant_steps: &'static str,
    look_steps: &'static str,
    mocks: &'static str,
}

const DEFAULT_FOUND: &str = "document.documentElement.getAttribute('data-leak') || ''";

fn kind(plant: &'static str) -> Kind {
    Kind { plant, found: DEFAULT_FOUND, plant_steps: "", look_steps: "", mocks: "" }
}

fn steps(parts: &[&str]) -> String {
    parts.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(", ")
}

fn component(k: &Kind) -> String {
    format!(
        r#"import {{ useState }} from 'react';
let moduleCounter = 0;
const leak = (what) => document.documentElement.setAttribute('data-leak', what);
export default function App() {{
  const [report, setReport] = useState('idle');
  const plant = async () => {{ {plant}; setReport('planted'); }};
  const check = async () => {{
    setReport('checking');
    await new Promise((resolve) => setTimeout(resolve, 700));
    const found = await (async () => {found})();
    setReport(found ? 'found ' + found : 'clean');
  }};
  return <div><button onClick={{plant}}>Plant</button><button onClick={{check}}>Check</button><input aria-label="Field" /><p>{{report}}</p></div>;
}}"#,
        plant = k.plant,
        found = k.found
    )
}

const PLANT: &str = r#"{ do = "click", on = { role = "button", name = "Plant" } }, { do = "expect_text", on = { tag = "p" }, equals = "planted" }"#;
const CHECK: &str = r#"{ do = "click", on = { role = "button", name = "Check" } }"#;

/// Plants in the first test and looks in the second: the second must find nothing.
fn assert_does_not_cross(k: &Kind) {
    let spec = format!(
        "title = \"t\"\ndifficulty = \"easy\"\n[[test]]\nname = \"plants\"\nmocks = [{mocks}]\nsteps = [{first}]\n\
[[test]]\nname = \"finds nothing\"\nmocks = [{mocks}]\nsteps = [{second}]\n",
        mocks = k.mocks,
        first = steps(&[PLANT, k.plant_steps]),
        second = steps(&[CHECK, r#"{ do = "expect_text", on = { tag = "p" }, equals = "clean", timeout_ms = 4000 }"#]),
    );
    let r = grade(&spec, &component(k));
    assert_eq!(r.verdict, Verdict::Accepted, "planted by `{}`, seen by the next test:\n{}", k.plant, explain(&r));
}

/// Plants and looks within one test: the look must find it.
fn assert_look_finds_it(k: &Kind) {
    let spec = format!(
        "title = \"t\"\ndifficulty = \"easy\"\n[[test]]\nname = \"plants and looks\"\nmocks = [{mocks}]\nsteps = [{steps}]\n",
        mocks = k.mocks,
        steps = steps(&[PLANT, k.plant_steps, CHECK, k.look_steps, r#"{ do = "expect_text", on = { tag = "p" }, contains = "found", timeout_ms = 4000 }"#]),
    );
    let r = grade(&spec, &component(k));
    assert_eq!(r.verdict, Verdict::Accepted, "the look does not see what `{}` plants:\n{}", k.plant, explain(&r));
}

fn check(k: Kind) {
    assert_look_finds_it(&k);
    assert_does_not_cross(&k);
}

#[test]
fn a_pending_timeout() {
    check(kind("setTimeout(() => leak('timeout'), 400)"));
}

#[test]
fn an_interval() {
    check(kind("setInterval(() => leak('interval'), 50)"));
}

#[test]
fn an_animation_frame_loop() {
    check(kind(
        "const t0 = performance.now(); const loop = () => (performance.now() - t0 > 300 ? leak('frame') : requestAnimationFrame(loop)); requestAnimationFrame(loop)",
    ));
}

#[test]
fn an_idle_callback_loop() {
    check(kind(
        "const t0 = performance.now(); const loop = () => (performance.now() - t0 > 300 ? leak('idle') : requestIdleCallback(loop, { timeout: 50 })); requestIdleCallback(loop, { timeout: 50 })",
    ));
}

#[test]
fn an_observer() {
    check(kind("new MutationObserver(() => leak('observer')).observe(document.body, { childList: true, subtree: true, characterData: true })"));
}

#[test]
fn a_window_listener() {
    check(kind("addEventListener('click', () => leak('window listener'))"));
}

#[test]
fn a_document_listener() {
    check(kind("document.addEventListener('pointerdown', () => leak('document listener'))"));
}

#[test]
fn a_handler_property() {
    check(kind("window.onclick = () => leak('onclick'); document.body.onpointerup = () => leak('body onpointerup')"));
}

#[test]
fn a_request_in_flight() {
    check(Kind {
        plant: "fetch('/api/slow').then(() => leak('fetch'), () => {})",
        found: DEFAULT_FOUND,
        plant_steps: "",
        look_steps: "",
        mocks: r#"{ path = "/api/slow", json = 1, delay_ms = 400 }"#,
    });
}

#[test]
fn a_message_channel_loop() {
    check(kind(
        "const c = new MessageChannel(); const t0 = performance.now(); c.port1.onmessage = () => (performance.now() - t0 > 300 ? leak('channel') : c.port2.postMessage(0)); c.port2.postMessage(0)",
    ));
}

#[test]
fn a_broadcast_channel() {
    check(Kind {
        plant: "new BroadcastChannel('leftover').onmessage = () => leak('broadcast')",
        found: "(new BroadcastChannel('leftover').postMessage(1), await new Promise((r) => setTimeout(r, 200)), document.documentElement.getAttribute('data-leak') || '')",
        plant_steps: "",
        look_steps: "",
        mocks: "",
    });
}

#[test]
fn local_storage() {
    check(Kind { plant: "localStorage.setItem('k', '1')", found: "localStorage.length ? 'localStorage' : ''", plant_steps: "", look_steps: "", mocks: "" });
}

#[test]
fn session_storage() {
    check(Kind {
        plant: "sessionStorage.setItem('k', '1')",
        found: "sessionStorage.length ? 'sessionStorage' : ''",
        plant_steps: "",
        look_steps: "",
        mocks: "",
    });
}

#[test]
fn cookies_of_the_origin_and_of_the_site() {
    check(Kind {
        plant: "document.cookie = 'own=1; path=/; max-age=3600'; document.cookie = 'site=1; domain=judge.test; path=/; max-age=3600'",
        found: "document.cookie",
        plant_steps: "",
        look_steps: "",
        mocks: "",
    });
}

#[test]
fn an_indexed_db_database() {
    check(Kind {
        plant: "await new Promise((r) => { const o = indexedDB.open('leftover', 1); o.onupgradeneeded = () => o.result.createObjectStore('s'); o.onsuccess = r; })",
        found: "(await indexedDB.databases()).length ? 'indexedDB' : ''",
        plant_steps: "",
        look_steps: "",
        mocks: "",
    });
}

#[test]
fn a_global_and_a_prototype_property() {
    check(Kind {
        plant: "window.leftover = 1; Array.prototype.leftover = 1",
        found: "[('leftover' in window) && 'global', [].leftover && 'prototype'].filter(Boolean).join(' ')",
        plant_steps: "",
        look_steps: "",
        mocks: "",
    });
}

#[test]
fn a_replaced_built_in() {
    check(Kind {
        plant: "JSON.stringify = () => 'replaced'; window.setTimeout = ((real) => (f, ms) => real(f, ms))(window.setTimeout); console.error = () => {}",
        found: "JSON.stringify(1) !== '1' ? 'replaced JSON.stringify' : ''",
        plant_steps: "",
        look_steps: "",
        mocks: "",
    });
}

#[test]
fn the_document_around_the_container() {
    check(Kind {
        plant: "document.body.className = 'dark'; document.documentElement.lang = 'fr'; document.title = 'changed'; document.body.append(Object.assign(document.createElement('div'), { textContent: 'portal' })); document.head.append(Object.assign(document.createElement('style'), { textContent: 'p { color: red }' }))",
        found: "[document.body.className && 'body class', document.documentElement.lang !== 'en' && 'lang', document.title !== 'ReactLab' && 'title', document.body.children.length > 1 && 'portal', document.head.querySelector('style') && 'style'].filter(Boolean).join(' ')",
        plant_steps: "",
        look_steps: "",
        mocks: "",
    });
}

#[test]
fn module_level_state() {
    check(Kind { plant: "moduleCounter += 1", found: "moduleCounter ? 'module state' : ''", plant_steps: "", look_steps: "", mocks: "" });
}

#[test]
fn window_name() {
    check(Kind { plant: "window.name = 'leftover'", found: "window.name", plant_steps: "", look_steps: "", mocks: "" });
}

#[test]
fn the_page_clock() {
    // The first test stops the clock and moves it ten minutes: the second test's timers must run
    // in real time (the look waits on one), its Date must read the real date.
    // (An event's time stamp is the real time: the clock does not move it.)
    check(Kind {
        plant: "",
        found: "Math.abs(Date.now() - (performance.timeOrigin + new Event('x').timeStamp)) > 60000 ? 'the clock' : ''",
        plant_steps: r#"{ do = "advance_clock", ms = 600000 }"#,
        look_steps: r#"{ do = "advance_clock", ms = 1000 }"#,
        mocks: "",
    });
}

#[test]
fn mock_uses() {
    // A mock answered once per test: the second test has its own use.
    check(Kind {
        plant: "await fetch('/api/once')",
        found: "await fetch('/api/once').then((r) => (r.ok ? '' : 'used up'), () => 'used up')",
        plant_steps: "",
        look_steps: "",
        mocks: r#"{ path = "/api/once", json = 1, times = 1 }"#,
    });
}

#[test]
fn uncaught_errors_are_the_test_s_own() {
    let code = component(&kind("queueMicrotask(() => { throw new Error('from the first test'); })"));
    let spec = format!(
        "title = \"t\"\ndifficulty = \"easy\"\n[[test]]\nname = \"throws\"\nsteps = [{PLANT}, {{ do = \"expect_no_errors\" }}]\n\
[[test]]\nname = \"quiet\"\nsteps = [{CHECK}, {{ do = \"expect_text\", on = {{ tag = \"p\" }}, equals = \"clean\", timeout_ms = 4000 }}, {{ do = \"expect_no_errors\" }}]\n"
    );
    let r = grade(&spec, &code);
    assert_eq!(r.verdict, Verdict::RuntimeError, "{}", explain(&r));
    assert!(!passed(&r, "throws") && passed(&r, "quiet"), "{}", explain(&r));
    let attributed: Vec<_> = r.console.iter().filter(|c| c.text.contains("from the first test")).map(|c| c.test.clone()).collect();
    assert_eq!(attributed, vec![Some("throws".to_string())], "{}", explain(&r));
}

#[test]
fn a_history_entry() {
    check(Kind {
        plant: "history.pushState(null, '', '/elsewhere')",
        found: "location.pathname !== '/' ? 'history' : ''",
        plant_steps: "",
        look_steps: "",
        mocks: "",
    });
}

#[test]
fn a_request_cut_short_between_tests_is_no_error_of_the_next() {
    // The first test's request is still in flight when it ends: the harness aborts it, and
    // the learner's chain without a catch must not count as an uncaught error anywhere.
    let code = component(&kind("fetch('/api/slow').then((r) => r.json()).then(() => leak('fetch'))"));
    let spec = format!(
        "title = \"t\"\ndifficulty = \"easy\"\n[[test]]\nname = \"starts a request\"\nmocks = [{{ path = \"/api/slow\", json = 1, delay_ms = 500 }}]\nsteps = [{PLANT}]\n\
[[test]]\nname = \"quiet\"\nsteps = [{CHECK}, {{ do = \"expect_text\", on = {{ tag = \"p\" }}, equals = \"clean\", timeout_ms = 4000 }}, {{ do = \"expect_no_errors\" }}]\n"
    );
    let r = grade(&spec, &code);
    assert_eq!(r.verdict, Verdict::Accepted, "{}", explain(&r));
    assert!(r.console.iter().all(|c| c.kind != reactlab_core::ConsoleKind::Exception), "{}", explain(&r));
}

#[test]
fn built_ins_the_harness_uses_broken_by_one_test_are_whole_for_the_next() {
    let code = component(&kind(
        "Array.prototype.splice = () => { throw new Error('broken'); }; Set.prototype[Symbol.iterator] = function* () {}; setInterval(() => leak('interval'), 50)",
    ));
    let spec = format!(
        "title = \"t\"\ndifficulty = \"easy\"\n[[test]]\nname = \"breaks\"\nsteps = [{PLANT}]\n\
[[test]]\nname = \"whole\"\nsteps = [{CHECK}, {{ do = \"expect_text\", on = {{ tag = \"p\" }}, equals = \"clean\", timeout_ms = 4000 }}]\n"
    );
    let r = grade(&spec, &code);
    assert_eq!(r.verdict, Verdict::Accepted, "{}", explain(&r));
}
