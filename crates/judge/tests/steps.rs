//! The rest of the test format, against real Chromium: captures and `${name}`, the page
//! clock, reload, learner code that tampers with the DOM API the judge could have used, and
//! the sentences and step statuses a learner reads.

mod common;
mod steps_support;
use std::time::Instant;
use steps_support::*;

/// Every step's sentence in the report is its `Display`, in order.
#[track_caller]
fn assert_sentences(spec_toml: &str, r: &GradeReport) {
    let c = challenge(spec_toml);
    for (test, result) in c.spec.tests.iter().zip(&r.tests) {
        let want: Vec<String> = test.steps.iter().map(|s| s.get_ref().to_string()).collect();
        let got: Vec<String> = result.steps.iter().map(|s| s.sentence.clone()).collect();
        assert_eq!(got, want, "sentences of “{}”", test.name);
    }
}

const CAPTURE: &str = r#"import { useState } from 'react';
export default function App() {
  const [name, setName] = useState('Ada');
  const [n, setN] = useState(3);
  const [theme, setTheme] = useState('light');
  return (
    <div>
      <p data-testid="greeting">Hello, {name}</p>
      <p data-testid="echo">{name}</p>
      <label>Name <input value={name} onChange={(e) => setName(e.target.value)} /></label>
      <div data-testid="panel" data-theme={theme} style={{ color: theme === 'light' ? 'rgb(0, 0, 0)' : 'rgb(255, 255, 255)' }}>Panel</div>
      <button onClick={() => setTheme(theme === 'light' ? 'dark' : 'light')}>Theme</button>
      <span data-testid="count">{n} items</span>
      <button onClick={() => setN(n + 1)}>More</button>
    </div>
  );
}"#;

#[test]
fn captures_of_every_kind() {
    let tests = [
        (
            "text",
            r#"
  { do = "capture", as = "who", on = { test_id = "echo" }, text = true },
  { do = "expect_text", on = { test_id = "greeting" }, equals = "Hello, ${who}" },
  { do = "fill", into = { label = "Name" }, text = "Bob" },
  { do = "expect_text", on = { test_id = "greeting" }, not_contains = "${who}" },
  { do = "expect_text", on = { test_id = "echo" }, not_equals = "${who}" },
"#,
        ),
        (
            "page text without buttons",
            r#"
  { do = "capture", as = "page", excluding = { role = "button" }, text = true },
  { do = "expect_text", excluding = { role = "button" }, equals = "${page}" },
  { do = "click", on = { role = "button", name = "More" } },
  { do = "expect_text", excluding = { role = "button" }, not_equals = "${page}" },
"#,
        ),
        (
            "number",
            r#"
  { do = "capture", as = "c", on = { test_id = "count" }, number = true },
  { do = "click", on = { role = "button", name = "More" } },
  { do = "expect_number", on = { test_id = "count" }, equals = "c + 1" },
  { do = "expect_text", on = { test_id = "count" }, not_equals = "${c} items" },
"#,
        ),
        (
            "style",
            r#"
  { do = "capture", as = "col", on = { test_id = "panel" }, style = "color" },
  { do = "click", on = { role = "button", name = "Theme" } },
  { do = "expect_style", on = { test_id = "panel" }, property = "color", not_equals = "${col}" },
  { do = "click", on = { role = "button", name = "Theme" } },
  { do = "expect_style", on = { test_id = "panel" }, property = "color", equals = "${col}" },
"#,
        ),
        (
            "attribute",
            r#"
  { do = "capture", as = "th", on = { test_id = "panel" }, attribute = "data-theme" },
  { do = "expect_text", on = { test_id = "panel" }, not_equals = "${th}" },
  { do = "expect_attribute", on = { test_id = "panel" }, name = "data-theme", equals = "${th}" },
  { do = "click", on = { role = "button", name = "Theme" } },
  { do = "expect_attribute", on = { test_id = "panel" }, name = "data-theme", equals = "dark" },
  { do = "click", on = { role = "button", name = "Theme" } },
  { do = "expect_attribute", on = { test_id = "panel" }, name = "data-theme", equals = "${th}" },
"#,
        ),
        (
            "attribute differs",
            r#"
  { do = "capture", as = "th", on = { test_id = "panel" }, attribute = "data-theme" },
  { do = "click", on = { role = "button", name = "Theme" } },
  { do = "expect_attribute", on = { test_id = "panel" }, name = "data-theme", equals = "${th}", timeout_ms = 600 },
"#,
        ),
        (
            "property",
            r#"
  { do = "capture", as = "v", on = { label = "Name" }, property = "value" },
  { do = "expect_text", on = { test_id = "echo" }, equals = "${v}" },
  { do = "expect_property", on = { label = "Name" }, name = "value", equals = "${v}" },
  { do = "type", into = { label = "Name" }, text = "!" },
  { do = "expect_text", on = { test_id = "echo" }, equals = "${v}!" },
"#,
        ),
        ("a capture of a missing element", r#"{ do = "capture", as = "x", on = { test_id = "nope" }, text = true, timeout_ms = 600 }"#),
        ("a capture with no number", r#"{ do = "capture", as = "x", on = { test_id = "echo" }, number = true, timeout_ms = 600 }"#),
    ];
    let spec = spec(&tests);
    let r = grade(&spec, CAPTURE);
    for name in ["text", "page text without buttons", "number", "style", "attribute", "property"] {
        expect_passed(&r, name);
    }
    expect_failed(&r, "attribute differs", &["Expected the element with the test id “panel” to have data-theme=“light”, but it has data-theme=“dark”"]);
    expect_failed(&r, "a capture of a missing element", &["there is no element with the test id “nope”"]);
    expect_failed(&r, "a capture with no number", &["no number is shown"]);
    assert_sentences(&spec, &r);
}

const CLOCK: &str = r#"import { useEffect, useState } from 'react';
export default function App() {
  const [fired, setFired] = useState(false);
  const [later, setLater] = useState('idle');
  const [ticks, setTicks] = useState(0);
  const [elapsed, setElapsed] = useState(0);
  const [started, setStarted] = useState(false);
  useEffect(() => { const t = setTimeout(() => setFired(true), 1000); return () => clearTimeout(t); }, []);
  useEffect(() => {
    if (!started) return;
    const t0 = Date.now();
    const id = setInterval(() => { setTicks((k) => k + 1); setElapsed(Date.now() - t0); }, 100);
    return () => clearInterval(id);
  }, [started]);
  const arm = () => { setLater('armed'); setTimeout(() => setLater('rang'), 1000); };
  return (
    <div>
      <p data-testid="timer">{fired ? 'fired' : 'waiting'}</p>
      <p data-testid="later">{later}</p>
      <p data-testid="ticks">ticks={ticks} elapsed={elapsed}</p>
      <button onClick={() => setStarted(true)}>Start</button>
      <button onClick={arm}>Arm</button>
    </div>
  );
}"#;

#[test]
fn advance_clock_moves_timers_and_date() {
    let tests = [
        (
            "a timer set at mount",
            r#"
  { do = "advance_clock", ms = 999 },
  { do = "expect_text", on = { test_id = "timer" }, equals = "waiting" },
  { do = "advance_clock", ms = 1 },
  { do = "expect_text", on = { test_id = "timer" }, equals = "fired" },
"#,
        ),
        (
            "a timer set by a click",
            r#"
  { do = "click", on = { role = "button", name = "Arm" } },
  { do = "expect_text", on = { test_id = "later" }, equals = "armed" },
  { do = "advance_clock", ms = 999 },
  { do = "expect_text", on = { test_id = "later" }, equals = "armed" },
  { do = "advance_clock", ms = 1 },
  { do = "expect_text", on = { test_id = "later" }, equals = "rang" },
"#,
        ),
        (
            "an interval and Date.now",
            r#"
  { do = "click", on = { role = "button", name = "Start" } },
  { do = "advance_clock", ms = 1000 },
  { do = "expect_text", on = { test_id = "ticks" }, equals = "ticks=10 elapsed=1000" },
  { do = "advance_clock", ms = 250 },
  { do = "expect_text", on = { test_id = "ticks" }, equals = "ticks=12 elapsed=1200" },
"#,
        ),
        (
            "the clock stands still",
            r#"
  { do = "click", on = { role = "button", name = "Start" } },
  { do = "click", on = { role = "button", name = "Arm" } },
  { do = "expect_text", on = { test_id = "ticks" }, not_equals = "ticks=0 elapsed=0", timeout_ms = 1500 },
  { do = "advance_clock", ms = 1 },
"#,
        ),
        (
            "the clock stands still for a timer set at mount",
            r#"
  { do = "expect_text", on = { test_id = "timer" }, equals = "fired", timeout_ms = 1500 },
  { do = "advance_clock", ms = 1 },
"#,
        ),
        (
            "without advance_clock the real clock runs",
            r#"
  { do = "click", on = { role = "button", name = "Start" } },
  { do = "expect_text", on = { test_id = "timer" }, equals = "fired" },
  { do = "expect_text", on = { test_id = "ticks" }, not_contains = "ticks=0 " },
"#,
        ),
        (
            "reload before moving the clock",
            r#"
  { do = "reload" },
  { do = "click", on = { role = "button", name = "Arm" } },
  { do = "advance_clock", ms = 1000 },
  { do = "expect_text", on = { test_id = "later" }, equals = "rang" },
"#,
        ),
    ];
    let spec = spec(&tests);
    let r = grade(&spec, CLOCK);
    for name in [
        "a timer set at mount",
        "a timer set by a click",
        "an interval and Date.now",
        "without advance_clock the real clock runs",
        "reload before moving the clock",
    ] {
        expect_passed(&r, name);
    }
    let t = test(&r, "the clock stands still");
    expect_failed(&r, "the clock stands still", &["to read something other than “ticks=0 elapsed=0”, but it reads “ticks=0 elapsed=0”"]);
    assert!(t.duration_ms >= 1500, "{}", t.duration_ms);
    expect_failed(&r, "the clock stands still for a timer set at mount", &["to read “fired”, but it reads “waiting”"]);
    assert_sentences(&spec, &r);
}

/// `reload` is the same tab (every storage kept); `reopen` a new tab of the same browser
/// (sessionStorage empty, even when the old document writes it as it goes away).
#[test]
fn reload_keeps_storage_reopen_keeps_all_but_the_session_and_both_remount() {
    let code = r#"import { useState } from 'react';
addEventListener('pagehide', () => sessionStorage.setItem('late', 'written on the way out'));
export default function App() {
  const [count, setCount] = useState(0);
  const [saved] = useState(() => localStorage.getItem('v') ?? 'nothing');
  const [session] = useState(() => sessionStorage.getItem('s') ?? 'none');
  const [late] = useState(() => sessionStorage.getItem('late') ?? 'none');
  const [cookie] = useState(() => document.cookie || 'none');
  return (
    <div>
      <p data-testid="count">count={count}</p>
      <p data-testid="saved">saved={saved}</p>
      <p data-testid="session">session={session} late={late}</p>
      <p data-testid="cookie">cookie={cookie}</p>
      <button onClick={() => { setCount((c) => c + 1); localStorage.setItem('v', 'kept'); sessionStorage.setItem('s', 'tab'); document.cookie = 'c=1; path=/'; }}>Save</button>
    </div>
  );
}"#;
    let tests = [
        (
            "reload",
            r#"
  { do = "expect_text", on = { test_id = "saved" }, equals = "saved=nothing" },
  { do = "click", on = { role = "button", name = "Save" } },
  { do = "expect_text", on = { test_id = "count" }, equals = "count=1" },
  { do = "reload" },
  { do = "expect_text", on = { test_id = "count" }, equals = "count=0" },
  { do = "expect_text", on = { test_id = "saved" }, equals = "saved=kept" },
  { do = "expect_text", on = { test_id = "cookie" }, equals = "cookie=c=1" },
  { do = "expect_text", on = { test_id = "session" }, equals = "session=tab late=written on the way out" },
  { do = "click", on = { role = "button", name = "Save" } },
  { do = "reload" },
  { do = "expect_text", on = { test_id = "count" }, equals = "count=0" },
"#,
        ),
        (
            "reopen",
            r#"
  { do = "click", on = { role = "button", name = "Save" }, times = 3 },
  { do = "expect_text", on = { test_id = "count" }, equals = "count=3" },
  { do = "reopen" },
  { do = "expect_text", on = { test_id = "count" }, equals = "count=0" },
  { do = "expect_text", on = { test_id = "saved" }, equals = "saved=kept" },
  { do = "expect_text", on = { test_id = "cookie" }, equals = "cookie=c=1" },
  { do = "expect_text", on = { test_id = "session" }, equals = "session=none late=none" },
"#,
        ),
        (
            "the next test starts empty",
            r#"
  { do = "expect_text", on = { test_id = "saved" }, equals = "saved=nothing" },
  { do = "expect_text", on = { test_id = "session" }, equals = "session=none late=none" },
  { do = "expect_text", on = { test_id = "cookie" }, equals = "cookie=none" },
"#,
        ),
    ];
    let r = grade(&spec(&tests), code);
    expect_all_passed(&r, &tests);
}

/// Replaces, in the page, everything the judge could have read the page with.
const TAMPER: &str = r#"
let clicked = false;
const lie = (get) => function () { const real = get.call(this); return clicked && typeof real === 'string' ? real.replace('Count: 0', 'Count: 1') : real; };
for (const [proto, prop] of [[Node.prototype, 'textContent'], [HTMLElement.prototype, 'innerText'], [Element.prototype, 'innerHTML']]) {
  const d = Object.getOwnPropertyDescriptor(proto, prop);
  Object.defineProperty(proto, prop, { ...d, get: lie(d.get) });
}
const textData = Object.getOwnPropertyDescriptor(CharacterData.prototype, 'data');
Object.defineProperty(CharacterData.prototype, 'data', { ...textData, get: lie(textData.get) });
Object.defineProperty(Node.prototype, 'nodeValue', { ...Object.getOwnPropertyDescriptor(Node.prototype, 'nodeValue'), get() { return 'Count: 1'; } });
document.querySelector = () => null;
document.querySelectorAll = () => [];
Element.prototype.querySelectorAll = function () { return []; };
document.elementFromPoint = () => null;
Element.prototype.getBoundingClientRect = () => new DOMRect(0, 0, 0, 0);
Element.prototype.checkVisibility = () => false;
window.getComputedStyle = () => ({ display: 'none', getPropertyValue: () => 'none' });
window.MutationObserver = class { observe() {} disconnect() {} takeRecords() { return []; } };
Object.defineProperty(window, '__rl', { value: Object.freeze({
  read: () => ({ value: 'Count: 1' }), point: () => ({ x: 0, y: 0, rect: [0, 0, 1, 1] }), state: () => ({ state: 'visible', count: 1 }),
  count: () => ({ count: 1 }), health: () => null, focus: () => ({ ok: true }),
}) });
"#;

#[test]
fn tampering_with_the_page_api_does_not_fool_the_judge() {
    let cheat = format!(
        "{TAMPER}\nexport default function App() {{ return <div><p>Count: 0</p><button onClick={{() => {{ clicked = true; }}}}>Increment</button></div>; }}"
    );
    let r = grade(COUNTER_SPEC, &cheat);
    assert_eq!(r.verdict, Verdict::WrongAnswer, "a counter that fakes its text must fail:\n{}", explain(&r));
    expect_failed(&r, "counts", &["Expected the number in the page to be 1, but it is 0"]);

    let honest = format!(
        "import {{ useState }} from 'react';\n{TAMPER}\nexport default function App() {{
  const [n, setN] = useState(0);
  return <div><p>Count: {{n}}</p><button onClick={{() => setN(n + 1)}}>Increment</button></div>;
}}"
    );
    let r = grade(COUNTER_SPEC, &honest);
    assert_eq!(r.verdict, Verdict::Accepted, "an honest counter with the overrides installed must pass:\n{}", explain(&r));
    assert_counter_still_graded(&JUDGE);
}

#[test]
fn a_failed_step_is_marked_and_described() {
    let code = r#"import { useState } from 'react';
export default function App() {
  const [n, setN] = useState(0);
  return <main><p>Count: {n}</p><button onClick={() => setN(n + 1)}>Add</button></main>;
}"#;
    let tests = [
        (
            "fails in the middle",
            r#"
  { do = "expect_number", equals = 0 },
  { do = "click", on = { role = "button", name = "Increment" }, timeout_ms = 600 },
  { do = "expect_number", equals = 1 },
"#,
        ),
        (
            "passes",
            r#"
  { do = "expect_number", equals = 0 },
  { do = "click", on = { role = "button", name = "Add" } },
  { do = "expect_number", equals = 1 },
"#,
        ),
        (
            "fails first",
            r#"
  { do = "expect_text", on = { role = "button", name = "Add", within = { tag = "main" } }, equals = "Remove", timeout_ms = 600 },
  { do = "click", on = { role = "button", name = "Add", nth = -1 } },
"#,
        ),
    ];
    let spec = spec(&tests);
    let started = Instant::now();
    let r = grade(&spec, code);
    assert!(started.elapsed().as_secs() < 10, "took {:?}", started.elapsed());
    assert_eq!(r.verdict, Verdict::WrongAnswer);
    assert_sentences(&spec, &r);

    let t = test(&r, "fails in the middle");
    let statuses: Vec<_> = t.steps.iter().map(|s| s.status).collect();
    assert_eq!(statuses, [StepStatus::Passed, StepStatus::Failed, StepStatus::NotRun]);
    assert_eq!(t.steps[1].sentence, "Click the button “Increment”");
    assert_eq!(t.steps[0].sentence, "Expect the number on the page to be 0");
    expect_failed(&r, "fails in the middle", &["Could not act on the button “Increment”: there is no button “Increment”"]);
    // The report's message is the first failure's.
    assert_eq!(r.message, t.message);

    let t = test(&r, "passes");
    assert!(t.steps.iter().all(|s| s.status == StepStatus::Passed), "{:?}", t.steps);

    let t = test(&r, "fails first");
    assert_eq!(t.steps.iter().map(|s| s.status).collect::<Vec<_>>(), [StepStatus::Failed, StepStatus::NotRun]);
    assert_eq!(t.steps[0].sentence, "Expect the button “Add” inside the <main> element to read “Remove”");
    assert_eq!(t.steps[1].sentence, "Click the last button “Add”");
    expect_failed(&r, "fails first", &["Expected the button “Add” inside the <main> element to read “Remove”, but it reads “Add”"]);
}
