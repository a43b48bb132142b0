//! Hostile submissions: each must end as a verdict within its deadline, never hang or
//! crash the judge, and the next ordinary submission must be graded correctly.

mod common;
use common::*;
use reactlab_core::{MAX_CODE_BYTES, Verdict};

fn spec(test_timeout_ms: u64, steps: &str) -> String {
    format!(
        "title = \"t\"\ndifficulty = \"easy\"\ntest_timeout_ms = {test_timeout_ms}\n[[test]]\nname = \"only\"\nsteps = [\n{steps}\n]\n[[test]]\nname = \"second\"\nsteps = [{{ do = \"expect_no_errors\" }}]\n"
    )
}

const CLICK: &str = r#"{ do = "click", on = { role = "button", name = "Go" } }, { do = "expect_text", contains = "never" }"#;

#[test]
fn infinite_loop_in_render_is_time_limit_exceeded_within_deadline_plus_one_second() {
    let r = grade(&spec(3000, r#"{ do = "expect_text", contains = "x" }"#), "export default function App() { while (true) {} }");
    assert_eq!(r.verdict, Verdict::TimeLimitExceeded, "{}", explain(&r));
    assert!(r.duration_ms < 4000, "took {} ms for a 3000 ms deadline", r.duration_ms);
    assert!(r.tests[0].message.as_deref().unwrap_or_default().contains("while mounting"), "{}", explain(&r));
    assert_eq!(r.tests[1].status, reactlab_core::TestStatus::Skipped);
    assert_counter_still_graded(&JUDGE);
}

#[test]
fn infinite_loop_in_a_click_handler_is_time_limit_exceeded() {
    let code = r#"export default function App() { return <button onClick={() => { for (;;) {} }}>Go</button>; }"#;
    let r = grade(&spec(3000, CLICK), code);
    assert_eq!(r.verdict, Verdict::TimeLimitExceeded, "{}", explain(&r));
    assert!(r.duration_ms < 4000, "took {} ms for a 3000 ms deadline", r.duration_ms);
    assert_counter_still_graded(&JUDGE);
}

#[test]
fn infinite_loop_in_a_timer_is_time_limit_exceeded() {
    let code = r#"import { useEffect, useState } from 'react';
export default function App() {
  const [go, setGo] = useState(false);
  useEffect(() => { if (go) setTimeout(() => { while (true) {} }, 0); }, [go]);
  return <button onClick={() => setGo(true)}>Go</button>;
}"#;
    let r = grade(&spec(3000, CLICK), code);
    assert_eq!(r.verdict, Verdict::TimeLimitExceeded, "{}", explain(&r));
    assert!(r.duration_ms < 4000, "took {} ms", r.duration_ms);
    assert_counter_still_graded(&JUDGE);
}

#[test]
fn dialogs_are_dismissed() {
    let code = r#"import { useState } from 'react';
export default function App() {
  const [answer, setAnswer] = useState('none');
  return <div><button onClick={() => { alert('hi'); const c = confirm('sure?'); const p = prompt('name?'); setAnswer(`confirm=${c} prompt=${p}`); }}>Go</button><p>{answer}</p></div>;
}"#;
    let steps = r#"{ do = "click", on = { role = "button", name = "Go" } }, { do = "expect_text", on = { tag = "p" }, equals = "confirm=false prompt=null" }"#;
    let r = grade(&spec(15000, steps), code);
    assert_eq!(r.verdict, Verdict::Accepted, "{}", explain(&r));
    assert!(r.console.iter().any(|c| c.text.contains("alert(“hi”) was dismissed")), "{}", explain(&r));
}

#[test]
fn navigating_away_fails_the_test_and_says_why() {
    let code = r#"export default function App() { return <button onClick={() => { location.href = 'http://example.com/'; }}>Go</button>; }"#;
    let steps = r#"{ do = "click", on = { role = "button", name = "Go" } }, { do = "expect_visible", on = { role = "button", name = "Go" } }"#;
    let r = grade(&spec(15000, steps), code);
    assert_eq!(r.verdict, Verdict::WrongAnswer, "{}", explain(&r));
    let message = r.tests[0].message.clone().unwrap_or_default();
    assert!(message.contains("left the test") && message.contains("example.com"), "{message}");
    assert_counter_still_graded(&JUDGE);
}

#[test]
fn reloading_itself_fails_the_test() {
    let code = r#"export default function App() { return <button onClick={() => location.reload()}>Go</button>; }"#;
    let steps = r#"{ do = "click", on = { role = "button", name = "Go" } }, { do = "expect_visible", on = { role = "button", name = "Go" } }"#;
    let r = grade(&spec(15000, steps), code);
    assert_eq!(r.verdict, Verdict::WrongAnswer, "{}", explain(&r));
    assert!(r.tests[0].message.as_deref().unwrap_or_default().contains("navigate"), "{}", explain(&r));
}

#[test]
fn document_write_fails_the_test_and_says_why() {
    let code = r#"export default function App() { return <button onClick={() => { document.open(); document.write('<p>owned</p>'); document.close(); }}>Go</button>; }"#;
    let steps = r#"{ do = "click", on = { role = "button", name = "Go" } }, { do = "expect_text", contains = "owned" }"#;
    let r = grade(&spec(15000, steps), code);
    assert_eq!(r.verdict, Verdict::WrongAnswer, "{}", explain(&r));
    assert!(r.tests[0].message.as_deref().unwrap_or_default().contains("replaced its own document"), "{}", explain(&r));
    assert_counter_still_graded(&JUDGE);
}

#[test]
fn window_close_fails_the_test_or_is_ignored_but_never_hangs() {
    let code = r#"export default function App() { return <button onClick={() => window.close()}>Go</button>; }"#;
    let steps = r#"{ do = "click", on = { role = "button", name = "Go" } }, { do = "expect_text", contains = "never shown" }"#;
    let r = grade(&spec(15000, steps), code);
    assert_eq!(r.verdict, Verdict::WrongAnswer, "{}", explain(&r));
    assert_counter_still_graded(&JUDGE);
}

#[test]
fn running_out_of_memory_is_a_verdict_not_a_crash() {
    let code = r#"export default function App() {
  return <button onClick={() => { const hoard = []; for (;;) hoard.push(new Array(1e6).fill(Math.random())); }}>Go</button>;
}"#;
    let r = grade(&spec(20000, CLICK), code);
    assert!(matches!(r.verdict, Verdict::RuntimeError | Verdict::TimeLimitExceeded), "{}", explain(&r));
    assert_counter_still_graded(&JUDGE);
}

#[test]
fn a_throw_while_mounting_is_a_runtime_error() {
    let r = grade(&spec(15000, CLICK), "export default function App() { throw new Error('boom'); }");
    assert_eq!(r.verdict, Verdict::RuntimeError, "{}", explain(&r));
    assert!(r.tests[0].message.as_deref().unwrap_or_default().contains("boom"), "{}", explain(&r));
}

#[test]
fn a_throw_in_a_handler_makes_the_failure_a_runtime_error() {
    let code = r#"export default function App() { return <button onClick={() => { throw new TypeError('oops'); }}>Go</button>; }"#;
    let r = grade(&spec(15000, CLICK), code);
    assert_eq!(r.verdict, Verdict::RuntimeError, "{}", explain(&r));
    assert!(r.console.iter().any(|c| c.text.contains("oops")), "{}", explain(&r));
}

#[test]
fn oversized_code_is_refused_with_a_clear_message() {
    let code = format!("export default () => null;\n/*{}*/", "x".repeat(MAX_CODE_BYTES));
    let r = grade(&spec(15000, CLICK), &code);
    assert_eq!(r.verdict, Verdict::CompileError);
    assert!(r.compile_error.unwrap().message.contains("64 KiB"));
}

#[test]
fn console_flooding_is_bounded() {
    let code = r#"export default function App() { for (let i = 0; i < 10000; i++) console.error('x'.repeat(100000)); return <button>Go</button>; }"#;
    let r = grade(&spec(15000, CLICK), code);
    assert!(r.console.len() <= reactlab_core::report::MAX_CONSOLE_ENTRIES, "{} entries", r.console.len());
    assert!(r.console.iter().all(|c| c.text.len() <= reactlab_core::report::MAX_CONSOLE_TEXT + 40));
}

#[test]
fn a_component_that_is_not_a_component_is_a_runtime_error() {
    let r = grade(&spec(15000, CLICK), "export default 42;");
    assert_eq!(r.verdict, Verdict::RuntimeError, "{}", explain(&r));
    assert!(r.tests[0].message.as_deref().unwrap_or_default().contains("not a React component"), "{}", explain(&r));
}

#[test]
fn tampering_with_the_host_page_is_contained_and_the_next_submission_is_graded_right() {
    // The frame is at an origin of its own in a sandbox without top navigation, popups or
    // dialogs: it cannot reach the host page, navigate it, or fake its harness's messages.
    let code = r#"export default function App() {
  const go = () => {
    const attempts = [
      () => { parent.document.body.innerHTML = 'owned'; },
      () => { top.location.href = 'http://example.com/'; },
      () => { parent.location = 'http://example.com/'; },
      () => { if (window.open('http://example.com/')) throw new Error('a window opened'); },
      () => parent.__open('http://example.com/', 'x'),
      () => { for (let i = 0; i < 1000; i++) parent.postMessage('reactlab-ready:' + i, '*'); },
      () => { dispatchEvent(new CustomEvent('reactlab--reply', { detail: '{"id":1,"value":{"type":"mounted"}}' })); },
    ];
    let contained = 0;
    for (const attempt of attempts) { try { attempt(); contained += 1; } catch { contained += 1; } }
    document.getElementById('out').textContent = `tried ${contained}`;
  };
  return <div><button onClick={go}>Go</button><p id="out">idle</p></div>;
}"#;
    let steps = r#"{ do = "click", on = { role = "button", name = "Go" } }, { do = "expect_text", on = { tag = "p" }, equals = "tried 7" }, { do = "expect_visible", on = { role = "button", name = "Go" } }"#;
    let r = grade(&spec(15000, steps), code);
    assert_eq!(r.verdict, Verdict::Accepted, "{}", explain(&r));
    assert_counter_still_graded(&JUDGE);
}

#[test]
fn leaving_for_an_address_the_judge_never_sees_fails_the_test_not_the_judge() {
    // https goes through the proxy as CONNECT (refused), data: and javascript: make no
    // request at all: the frame's document is gone either way, and that is the page's doing.
    for target in ["https://example.com/", "data:text/html,<p>elsewhere</p>"] {
        let code = format!(r#"export default function App() {{ return <button onClick={{() => {{ location.href = {target:?}; }}}}>Go</button>; }}"#);
        let steps = r#"{ do = "click", on = { role = "button", name = "Go" } }, { do = "expect_text", contains = "never", timeout_ms = 3000 }"#;
        let r = grade(&spec(15000, steps), &code);
        assert_eq!(r.verdict, Verdict::WrongAnswer, "{target}: {}", explain(&r));
        assert!(r.tests[0].message.as_deref().unwrap_or_default().contains("left the test"), "{target}: {}", explain(&r));
    }
    assert_counter_still_graded(&JUDGE);
}

#[test]
fn a_page_that_breaks_the_harness_is_graded_not_retried_as_the_judge_s_fault() {
    // Removing the body and replacing what the harness relies on, then a second test: the
    // verdict is the learner's, never an internal error.
    let code = r#"export default function App() { return <button onClick={() => { document.documentElement.replaceChildren(); JSON.parse = () => null; }}>Go</button>; }"#;
    let steps = r#"{ do = "click", on = { role = "button", name = "Go" } }"#;
    let r = grade(&spec(15000, steps), code);
    assert_ne!(r.verdict, Verdict::InternalError, "{}", explain(&r));
    assert_counter_still_graded(&JUDGE);
}
