//! Every expectation of the test format, against real Chromium: what passes, and for what
//! fails, that the message says what was expected and what the page shows.

mod common;
mod steps_support;
use std::time::Instant;
use steps_support::*;

const TEXT: &str = r#"import { useEffect, useState } from 'react';
export default function App() {
  const [status, setStatus] = useState('loading');
  useEffect(() => { const t = setTimeout(() => setStatus('ready'), 300); return () => clearTimeout(t); }, []);
  return (
    <div>
      <h1>Title</h1>
      <p data-testid="spaced" style={{ whiteSpace: 'pre' }}>{'  Hello   World  '}</p>
      <span data-testid="status">{status}</span>
      <div data-testid="card"><span>Price 12</span> <button>Buy</button></div>
      <button>Press</button>
    </div>
  );
}"#;

#[test]
fn expect_text_comparisons() {
    let tests = [
        ("equals ignores case and surrounding space", r#"{ do = "expect_text", on = { test_id = "spaced" }, equals = " hello world " }"#),
        ("equals with exact", r#"{ do = "expect_text", on = { test_id = "spaced" }, equals = "Hello World", exact = true }"#),
        ("exact counts case", r#"{ do = "expect_text", on = { test_id = "spaced" }, equals = "hello world", exact = true, timeout_ms = 600 }"#),
        ("equals is the whole text", r#"{ do = "expect_text", on = { test_id = "spaced" }, equals = "hello", timeout_ms = 600 }"#),
        ("not_equals", r#"{ do = "expect_text", on = { test_id = "spaced" }, not_equals = "Bye" }"#),
        ("not_equals fails", r#"{ do = "expect_text", on = { test_id = "spaced" }, not_equals = "HELLO WORLD", timeout_ms = 600 }"#),
        ("contains", r#"{ do = "expect_text", on = { test_id = "spaced" }, contains = "LO WOR" }"#),
        ("contains fails", r#"{ do = "expect_text", on = { test_id = "spaced" }, contains = "Goodbye", timeout_ms = 600 }"#),
        ("not_contains", r#"{ do = "expect_text", on = { test_id = "spaced" }, not_contains = "bye" }"#),
        ("not_contains fails", r#"{ do = "expect_text", on = { test_id = "spaced" }, not_contains = "hello", timeout_ms = 600 }"#),
        ("matches is case-insensitive", r#"{ do = "expect_text", on = { test_id = "spaced" }, matches = '^hello\s+world$' }"#),
        ("matches with exact counts case", r#"{ do = "expect_text", on = { test_id = "spaced" }, matches = '^hello', exact = true, timeout_ms = 600 }"#),
        (
            "the whole page",
            r#"{ do = "expect_text", contains = "title" }, { do = "expect_text", contains = "hello world" }, { do = "expect_text", not_contains = "nowhere" }"#,
        ),
        (
            "the page without buttons",
            r#"{ do = "expect_text", contains = "press" }, { do = "expect_text", excluding = { role = "button" }, not_contains = "press" }, { do = "expect_text", excluding = { role = "button" }, not_contains = "buy" }"#,
        ),
        (
            "an element without buttons",
            r#"{ do = "expect_text", on = { test_id = "card" }, equals = "Price 12 Buy" }, { do = "expect_text", on = { test_id = "card" }, excluding = { role = "button" }, equals = "Price 12" }"#,
        ),
        ("the page ignoring a missing element", r#"{ do = "expect_text", excluding = { test_id = "nope" }, contains = "press" }"#),
        ("retries until the text changes", r#"{ do = "expect_text", on = { test_id = "status" }, equals = "ready" }"#),
        ("fails after its deadline", r#"{ do = "expect_text", on = { test_id = "status" }, equals = "done", timeout_ms = 600 }"#),
        ("fails on the page", r#"{ do = "expect_text", contains = "Goodbye", timeout_ms = 600 }"#),
        ("a missing element", r#"{ do = "expect_text", on = { test_id = "nope" }, contains = "x", timeout_ms = 600 }"#),
    ];
    let r = grade(&spec(&tests), TEXT);
    let failing = [
        ("exact counts case", "Expected the element with the test id “spaced” to read “hello world”, but it reads “Hello World”"),
        ("equals is the whole text", "Expected the element with the test id “spaced” to read “hello”, but it reads “Hello World”"),
        ("not_equals fails", "to read something other than “HELLO WORLD”, but it reads “Hello World”"),
        ("contains fails", "to show “Goodbye”, but it reads “Hello World”"),
        ("not_contains fails", "to not show “hello”, but it reads “Hello World”"),
        ("matches with exact counts case", "to match “^hello”, but it reads “Hello World”"),
        ("fails after its deadline", "Expected the element with the test id “status” to read “done”, but it reads “ready”"),
        ("fails on the page", "Expected the page to show “Goodbye”, but it reads “Title Hello World"),
        ("a missing element", "there is no element with the test id “nope”"),
    ];
    for (name, piece) in failing {
        expect_failed(&r, name, &[piece]);
    }
    let ok: Vec<_> = tests.iter().filter(|(n, _)| !failing.iter().any(|(f, _)| f == n)).copied().collect();
    expect_all_passed(&r, &ok);
    let t = test(&r, "fails after its deadline");
    assert!(t.duration_ms >= 600, "a 600 ms deadline ended after {} ms", t.duration_ms);
}

#[test]
fn expect_text_collapses_inner_white_space_of_the_expected_text() {
    // The default comparison ignores white space: "Hello   World" (several spaces) must equal
    // the page's "Hello World", as the page's own runs of spaces are collapsed.
    let tests = [
        ("inner spaces in equals", r#"{ do = "expect_text", on = { test_id = "spaced" }, equals = "hello   world", timeout_ms = 600 }"#),
        ("inner spaces in contains", r#"{ do = "expect_text", on = { test_id = "spaced" }, contains = "hello  world", timeout_ms = 600 }"#),
    ];
    let r = grade(&spec(&tests), TEXT);
    expect_all_passed(&r, &tests);
}

const NUMBERS: &str = r#"import { useState } from 'react';
export default function App() {
  const [n, setN] = useState(5);
  return (
    <div>
      <h1>Counter</h1>
      <p>Count: {n}</p>
      <button onClick={() => setN(n + 1)}>Add 1</button>
      <button onClick={() => setN(n - 10)}>Subtract 10</button>
      <span data-testid="pages">page 3 of 4</span>
    </div>
  );
}"#;

#[test]
fn expect_number() {
    let tests = [
        ("the one number in an element", r#"{ do = "expect_number", on = { tag = "p" }, equals = 5 }"#),
        (
            "capture and add",
            r#"
  { do = "capture", as = "n", on = { tag = "p" }, number = true },
  { do = "click", on = { role = "button", name = "Add 1" } },
  { do = "expect_number", on = { tag = "p" }, equals = "n + 1" },
  { do = "click", on = { role = "button", name = "Subtract 10" } },
  { do = "expect_number", on = { tag = "p" }, equals = "n - 9" },
  { do = "expect_number", on = { tag = "p" }, equals = -4 },
"#,
        ),
        ("a wrong number", r#"{ do = "expect_number", on = { tag = "p" }, equals = 7, timeout_ms = 600 }"#),
        (
            "a wrong expression",
            r#"
  { do = "capture", as = "n", on = { tag = "p" }, number = true },
  { do = "click", on = { role = "button", name = "Add 1" } },
  { do = "expect_number", on = { tag = "p" }, equals = "n + 2", timeout_ms = 600 },
"#,
        ),
        ("several numbers", r#"{ do = "expect_number", on = { test_id = "pages" }, equals = 3, timeout_ms = 600 }"#),
        ("no number", r#"{ do = "expect_number", on = { tag = "h1" }, equals = 3, timeout_ms = 600 }"#),
    ];
    let r = grade(&spec(&tests), NUMBERS);
    expect_passed(&r, "the one number in an element");
    expect_passed(&r, "capture and add");
    expect_failed(&r, "a wrong number", &["Expected the number in the <p> element to be 7, but it is 5"]);
    expect_failed(&r, "a wrong expression", &["to be 7 (the saved “n” plus 2), but it is 6"]);
    expect_failed(&r, "several numbers", &["several numbers are shown (3, 4)"]);
    expect_failed(&r, "no number", &["no number is shown"]);
}

#[test]
fn expect_number_on_the_page_leaves_button_labels_out() {
    let page = r#"import { useState } from 'react';
export default function App() {
  const [n, setN] = useState(-3);
  return <div><p>Temperature: {n}°</p><button onClick={() => setN(n + 1)}>Warm by 1</button><button onClick={() => setN(n + 10)}>+10</button></div>;
}"#;
    let tests = [
        (
            "negative, and buttons left out",
            r#"
  { do = "expect_number", equals = -3 },
  { do = "capture", as = "t", number = true },
  { do = "click", on = { role = "button", name = "Warm by 1" } },
  { do = "expect_number", equals = "t + 1" },
  { do = "click", on = { role = "button", name = "+10" } },
  { do = "expect_number", equals = 8 },
"#,
        ),
        ("fails on the page", r#"{ do = "expect_number", equals = 3, timeout_ms = 600 }"#),
    ];
    let r = grade(&spec(&tests), page);
    expect_passed(&r, "negative, and buttons left out");
    expect_failed(&r, "fails on the page", &["Expected the number in the page to be 3, but it is -3"]);

    let several = r#"export default function App() { return <div><p>3 apples</p><p>4 pears</p><button>Buy 2</button></div>; }"#;
    let tests = [("several numbers on the page", r#"{ do = "expect_number", equals = 3, timeout_ms = 600 }"#)];
    let r = grade(&spec(&tests), several);
    expect_failed(&r, "several numbers on the page", &["Expected a number in the page, but several numbers are shown (3, 4)"]);
}

const VISIBILITY: &str = r#"import { useState } from 'react';
export default function App() {
  const [shown, setShown] = useState(true);
  return (
    <div>
      <p data-testid="none" style={{ display: 'none' }}>display none</p>
      <p data-testid="invisible" style={{ visibility: 'hidden' }}>visibility hidden</p>
      <p data-testid="attr" hidden>hidden attribute</p>
      <div style={{ display: 'none' }}><p data-testid="parent">parent hidden</p></div>
      <p data-testid="zero" style={{ height: 0, margin: 0, overflow: 'hidden' }}>zero size</p>
      <button style={{ display: 'none' }}>Ghost</button>
      <p data-testid="shown">shown</p>
      {shown && <p data-testid="toggled">toggled</p>}
      <button onClick={() => setShown(false)}>Remove</button>
    </div>
  );
}"#;

#[test]
fn visible_hidden_absent() {
    let tests = [
        (
            "hidden in every way",
            r#"
  { do = "expect_hidden", on = { test_id = "none" } },
  { do = "expect_hidden", on = { test_id = "invisible" } },
  { do = "expect_hidden", on = { test_id = "attr" } },
  { do = "expect_hidden", on = { test_id = "parent" } },
  { do = "expect_hidden", on = { test_id = "zero" } },
  { do = "expect_hidden", on = { test_id = "missing" } },
  { do = "expect_hidden", on = { role = "button", name = "Ghost" } },
  { do = "expect_hidden", on = { text = "display none" } },
"#,
        ),
        ("visible", r#"{ do = "expect_visible", on = { test_id = "shown" } }, { do = "expect_visible", on = { text = "toggled" } }"#),
        ("absent", r#"{ do = "expect_absent", on = { test_id = "missing" } }, { do = "expect_absent", on = { role = "button", name = "Nope" } }"#),
        (
            "removed",
            r#"
  { do = "expect_visible", on = { test_id = "toggled" } },
  { do = "click", on = { role = "button", name = "Remove" } },
  { do = "expect_absent", on = { test_id = "toggled" } },
  { do = "expect_hidden", on = { test_id = "toggled" } },
"#,
        ),
        ("visible fails on display none", r#"{ do = "expect_visible", on = { test_id = "none" }, timeout_ms = 600 }"#),
        ("visible fails on visibility hidden", r#"{ do = "expect_visible", on = { test_id = "invisible" }, timeout_ms = 600 }"#),
        ("visible fails on the hidden attribute", r#"{ do = "expect_visible", on = { test_id = "attr" }, timeout_ms = 600 }"#),
        ("visible fails on a missing element", r#"{ do = "expect_visible", on = { test_id = "missing" }, timeout_ms = 600 }"#),
        ("hidden fails on a visible element", r#"{ do = "expect_hidden", on = { test_id = "shown" }, timeout_ms = 600 }"#),
        ("absent fails on display none", r#"{ do = "expect_absent", on = { test_id = "none" }, timeout_ms = 600 }"#),
        ("absent fails on the hidden attribute", r#"{ do = "expect_absent", on = { test_id = "attr" }, timeout_ms = 600 }"#),
        ("absent fails on a hidden role match", r#"{ do = "expect_absent", on = { role = "button", name = "Ghost" }, timeout_ms = 600 }"#),
        ("absent fails on a visible element", r#"{ do = "expect_absent", on = { test_id = "shown" }, timeout_ms = 600 }"#),
    ];
    let r = grade(&spec(&tests), VISIBILITY);
    for name in ["hidden in every way", "visible", "absent", "removed"] {
        expect_passed(&r, name);
    }
    expect_failed(&r, "visible fails on display none", &["Expected the element with the test id “none” to be visible, but it is hidden"]);
    expect_failed(&r, "visible fails on visibility hidden", &["to be visible, but it is hidden"]);
    expect_failed(&r, "visible fails on the hidden attribute", &["to be visible, but it is hidden"]);
    expect_failed(&r, "visible fails on a missing element", &["Expected the element with the test id “missing” to be visible, but it is not in the page"]);
    expect_failed(&r, "hidden fails on a visible element", &["Expected the element with the test id “shown” to be hidden, but it is visible"]);
    expect_failed(&r, "absent fails on display none", &["not to be in the page at all, but it is still there (hidden)"]);
    expect_failed(&r, "absent fails on the hidden attribute", &["still there (hidden)"]);
    expect_failed(&r, "absent fails on a hidden role match", &["Expected the button “Ghost” not to be in the page at all, but it is still there (hidden)"]);
    let m = expect_failed(&r, "absent fails on a visible element", &["not to be in the page at all, but it is still there"]);
    assert!(!m.contains("(hidden)"), "{m}");
}

const ATTRS: &str = r#"import { useState } from 'react';
export default function App() {
  const [items, setItems] = useState(['a', 'b', 'c']);
  const [bold, setBold] = useState(false);
  return (
    <div>
      <ul>{items.map((i) => <li key={i}>{i}</li>)}</ul>
      <button onClick={() => setItems([...items, 'x' + items.length])}>Add</button>
      <button aria-pressed={bold} onClick={() => setBold(!bold)}>Bold</button>
      <button disabled>Off</button>
      <label>Email <input type="email" defaultValue="a@b.c" required /></label>
      <label>Quantity <input type="number" defaultValue="5" readOnly /></label>
      <label><input type="checkbox" defaultChecked /> Remember me</label>
      <select aria-label="Size" defaultValue="m"><option value="s">Small</option><option value="m">Medium</option></select>
      <details open><summary>More</summary>details</details>
    </div>
  );
}"#;

#[test]
fn expect_count_attribute_property() {
    let tests = [
        (
            "count",
            r#"
  { do = "expect_count", on = { tag = "li" }, equals = 3 },
  { do = "click", on = { role = "button", name = "Add" } },
  { do = "expect_count", on = { role = "listitem" }, equals = 4 },
  { do = "expect_count", on = { tag = "table" }, equals = 0 },
"#,
        ),
        ("count fails", r#"{ do = "expect_count", on = { tag = "li" }, equals = 5, timeout_ms = 600 }"#),
        ("count of a role fails", r#"{ do = "expect_count", on = { role = "button", name = "Bold" }, equals = 2, timeout_ms = 600 }"#),
        (
            "attribute",
            r#"
  { do = "expect_attribute", on = { role = "button", name = "Bold" }, name = "aria-pressed", equals = "false" },
  { do = "click", on = { role = "button", name = "Bold" } },
  { do = "expect_attribute", on = { role = "button", name = "Bold" }, name = "aria-pressed", equals = "true" },
  { do = "expect_attribute", on = { role = "button", name = "Bold" }, name = "aria-pressed" },
  { do = "expect_attribute", on = { role = "button", name = "Bold" }, name = "title", present = false },
  { do = "expect_attribute", on = { role = "button", name = "Off" }, name = "disabled" },
  { do = "expect_attribute", on = { role = "button", name = "Add" }, name = "disabled", present = false },
"#,
        ),
        (
            "attribute value fails",
            r#"{ do = "expect_attribute", on = { role = "button", name = "Bold" }, name = "aria-pressed", equals = "true", timeout_ms = 600 }"#,
        ),
        ("attribute presence fails", r#"{ do = "expect_attribute", on = { role = "button", name = "Bold" }, name = "title", timeout_ms = 600 }"#),
        (
            "attribute absence fails",
            r#"{ do = "expect_attribute", on = { role = "button", name = "Bold" }, name = "aria-pressed", present = false, timeout_ms = 600 }"#,
        ),
        (
            "attribute equals on a missing attribute",
            r#"{ do = "expect_attribute", on = { role = "button", name = "Bold" }, name = "title", equals = "x", timeout_ms = 600 }"#,
        ),
        (
            "property",
            r#"
  { do = "expect_property", on = { role = "button", name = "Off" }, name = "disabled", equals = true },
  { do = "expect_property", on = { role = "button", name = "Bold" }, name = "disabled", equals = false },
  { do = "expect_property", on = { label = "Remember me" }, name = "checked", equals = true },
  { do = "expect_property", on = { label = "Email" }, name = "value", equals = "a@b.c" },
  { do = "expect_property", on = { label = "Email" }, name = "type", equals = "email" },
  { do = "expect_property", on = { label = "Email" }, name = "required", equals = true },
  { do = "expect_property", on = { label = "Quantity" }, name = "value", equals = 5 },
  { do = "expect_property", on = { label = "Quantity" }, name = "readOnly", equals = true },
  { do = "expect_property", on = { label = "Size" }, name = "value", equals = "m" },
  { do = "expect_property", on = { role = "option", name = "Medium" }, name = "selected", equals = true },
  { do = "expect_property", on = { role = "option", name = "Small" }, name = "selected", equals = false },
  { do = "expect_property", on = { tag = "details" }, name = "open", equals = true },
"#,
        ),
        ("property fails", r#"{ do = "expect_property", on = { role = "button", name = "Off" }, name = "disabled", equals = false, timeout_ms = 600 }"#),
        ("string property fails", r#"{ do = "expect_property", on = { label = "Email" }, name = "value", equals = "x@y.z", timeout_ms = 600 }"#),
    ];
    let r = grade(&spec(&tests), ATTRS);
    for name in ["count", "attribute", "property"] {
        expect_passed(&r, name);
    }
    expect_failed(&r, "count fails", &["Expected 5 <li> elements, but found 3"]);
    expect_failed(&r, "count of a role fails", &["Expected 2 buttons “Bold”, but found 1"]);
    expect_failed(&r, "attribute value fails", &["Expected the button “Bold” to have aria-pressed=“true”, but it has aria-pressed=“false”"]);
    expect_failed(&r, "attribute presence fails", &["Expected the button “Bold” to have the attribute title, but it has none"]);
    expect_failed(&r, "attribute absence fails", &["Expected the button “Bold” not to have the attribute aria-pressed, but it has aria-pressed=“false”"]);
    expect_failed(&r, "attribute equals on a missing attribute", &["to have title=“x”, but it has no such attribute"]);
    expect_failed(&r, "property fails", &["Expected the disabled of the button “Off” to be false, but it is true"]);
    expect_failed(&r, "string property fails", &["Expected the value of the field labelled “Email” to be \"x@y.z\", but it is \"a@b.c\""]);
}

const STYLE: &str = r#"import { useState } from 'react';
export default function App() {
  const [dark, setDark] = useState(false);
  return (
    <div>
      <div data-testid="box" style={{ color: 'rgb(255, 0, 0)', backgroundColor: dark ? 'black' : 'white', fontSize: 20 }}>box</div>
      <button onClick={() => setDark(!dark)}>Toggle</button>
    </div>
  );
}"#;

#[test]
fn expect_style() {
    let tests = [
        (
            "equals",
            r#"
  { do = "expect_style", on = { test_id = "box" }, property = "color", equals = "rgb(255, 0, 0)" },
  { do = "expect_style", on = { test_id = "box" }, property = "font-size", equals = "20px" },
  { do = "expect_style", on = { test_id = "box" }, property = "background-color", not_equals = "rgb(0, 0, 0)" },
"#,
        ),
        (
            "differs from a captured value",
            r#"
  { do = "capture", as = "bg", on = { test_id = "box" }, style = "background-color" },
  { do = "click", on = { role = "button", name = "Toggle" } },
  { do = "expect_style", on = { test_id = "box" }, property = "background-color", not_equals = "${bg}" },
  { do = "expect_style", on = { test_id = "box" }, property = "background-color", equals = "rgb(0, 0, 0)" },
  { do = "click", on = { role = "button", name = "Toggle" } },
  { do = "expect_style", on = { test_id = "box" }, property = "background-color", equals = "${bg}" },
"#,
        ),
        ("equals fails", r#"{ do = "expect_style", on = { test_id = "box" }, property = "color", equals = "rgb(0, 0, 255)", timeout_ms = 600 }"#),
        (
            "not_equals fails",
            r#"
  { do = "capture", as = "bg", on = { test_id = "box" }, style = "background-color" },
  { do = "expect_style", on = { test_id = "box" }, property = "background-color", not_equals = "${bg}", timeout_ms = 600 },
"#,
        ),
    ];
    let r = grade(&spec(&tests), STYLE);
    expect_passed(&r, "equals");
    expect_passed(&r, "differs from a captured value");
    expect_failed(&r, "equals fails", &["Expected the color of the element with the test id “box” to be “rgb(0, 0, 255)”, but it is “rgb(255, 0, 0)”"]);
    expect_failed(
        &r,
        "not_equals fails",
        &["Expected the background-color of the element with the test id “box” to differ from “rgb(255, 255, 255)”, but it is “rgb(255, 255, 255)”"],
    );
}

#[test]
fn expect_no_errors_and_console_errors() {
    let code = r#"import { useEffect, useState } from 'react';
export default function App() {
  const [mode] = useState(() => new URLSearchParams(location.search).get('m'));
  const [done, setDone] = useState(false);
  return (
    <div>
      <button onClick={() => setTimeout(() => { setDone(true); throw new Error('late boom'); }, 0)}>Throw later</button>
      <button onClick={() => { console.error('my own error'); setDone(true); }}>Log error</button>
      <button onClick={() => { console.warn('just a warning'); console.log('a log'); setDone(true); }}>Log warning</button>
      <button onClick={() => { Promise.reject(new Error('rejected')); setDone(true); }}>Reject</button>
      <p>{done ? 'done' : 'idle'}</p>
    </div>
  );
}"#;
    let tests = [
        ("clean", r#"{ do = "expect_no_errors" }, { do = "expect_no_console_errors" }, { do = "expect_no_react_warnings" }"#),
        (
            "uncaught error",
            r#"
  { do = "click", on = { role = "button", name = "Throw later" } },
  { do = "expect_text", on = { tag = "p" }, equals = "done" },
  { do = "expect_no_console_errors" },
  { do = "expect_no_errors" },
"#,
        ),
        (
            "unhandled rejection",
            r#"
  { do = "click", on = { role = "button", name = "Reject" } },
  { do = "expect_text", on = { tag = "p" }, equals = "done" },
  { do = "expect_no_errors" },
"#,
        ),
        (
            "console error",
            r#"
  { do = "click", on = { role = "button", name = "Log error" } },
  { do = "expect_text", on = { tag = "p" }, equals = "done" },
  { do = "expect_no_errors" },
  { do = "expect_no_react_warnings" },
  { do = "expect_no_console_errors" },
"#,
        ),
        (
            "warnings are not errors",
            r#"
  { do = "click", on = { role = "button", name = "Log warning" } },
  { do = "expect_text", on = { tag = "p" }, equals = "done" },
  { do = "expect_no_console_errors" },
  { do = "expect_no_errors" },
"#,
        ),
    ];
    let r = grade(&spec(&tests), code);
    expect_passed(&r, "clean");
    expect_passed(&r, "warnings are not errors");
    let t = test(&r, "uncaught error");
    assert_eq!(
        t.steps.iter().map(|s| s.status).collect::<Vec<_>>(),
        [StepStatus::Passed, StepStatus::Passed, StepStatus::Passed, StepStatus::Failed],
        "{}",
        explain(&r)
    );
    expect_failed(&r, "uncaught error", &["Expected no uncaught errors, but the page logged:", "late boom"]);
    expect_failed(&r, "unhandled rejection", &["Expected no uncaught errors", "rejected"]);
    let t = test(&r, "console error");
    assert_eq!(t.steps.iter().map(|s| s.status).collect::<Vec<_>>().last(), Some(&StepStatus::Failed), "{}", explain(&r));
    expect_failed(&r, "console error", &["Expected no console errors, but the page logged: my own error"]);
    // An uncaught exception made the first failing test fail: a runtime error.
    assert_eq!(r.verdict, Verdict::RuntimeError, "{}", explain(&r));
}

#[test]
fn expect_no_react_warnings_catches_a_missing_key() {
    let no_keys = r#"export default function App() {
  const items = ['a', 'b', 'c'];
  return <ul>{items.map((i) => <li>{i}</li>)}</ul>;
}"#;
    let with_keys = r#"export default function App() {
  const items = ['a', 'b', 'c'];
  console.error('the learner may log errors of their own');
  return <ul>{items.map((i) => <li key={i}>{i}</li>)}</ul>;
}"#;
    let tests = [("no warnings", r#"{ do = "expect_count", on = { tag = "li" }, equals = 3 }, { do = "expect_no_react_warnings" }"#)];
    for header in ["", "react = \"development\""] {
        let r = grade(&spec_with(header, &tests), no_keys);
        assert_eq!(r.verdict, Verdict::WrongAnswer, "{}", explain(&r));
        expect_failed(&r, "no warnings", &["Expected no React warnings, but the page logged:", "key"]);
        let r = grade(&spec_with(header, &tests), with_keys);
        assert_eq!(r.verdict, Verdict::Accepted, "the learner's own console.error is no React warning:\n{}", explain(&r));
    }
    // The same spec, asking for no console errors: the learner's own error counts there.
    let tests = [("no console errors", r#"{ do = "expect_count", on = { tag = "li" }, equals = 3 }, { do = "expect_no_console_errors" }"#)];
    let r = grade(&spec(&tests), with_keys);
    expect_failed(&r, "no console errors", &["the learner may log errors of their own"]);
    let r = grade(&spec(&tests), no_keys);
    expect_failed(&r, "no console errors", &["key"]);
}

#[test]
fn an_expectation_retries_for_its_whole_deadline_and_no_longer() {
    // 300 ms late text passes a default (2000 ms) expectation; a 600 ms deadline fails in
    // about 600 ms, not the test's 15 s.
    let tests = [("late", r#"{ do = "expect_text", on = { test_id = "status" }, equals = "never", timeout_ms = 600 }"#)];
    let started = Instant::now();
    let r = grade(&spec(&tests), TEXT);
    let took = started.elapsed();
    expect_failed(&r, "late", &["but it reads “ready”"]);
    assert!(took.as_millis() < 8000, "took {took:?}");
}

const PLACED: &str = r#"import { useState } from 'react';
export default function App() {
  const [dark, setDark] = useState(false);
  return (
    <div>
      <div style={{ display: 'flex', gap: 8 }}>
        <input type="search" aria-label="Query" />
        <span data-testid="beside">beside</span>
      </div>
      <div>
        <input aria-label="Name" />
        <br />
        loose words under the input
      </div>
      <p data-testid="under">under</p>
      <input type="button" value="Send it" />
      <div data-testid="fading" style={{ transition: 'background-color 400ms linear', backgroundColor: dark ? 'rgb(0, 0, 0)' : 'rgb(255, 255, 255)' }}>fading</div>
      <button onClick={() => setDark((d) => !d)}>Fade</button>
    </div>
  );
}"#;

/// Positions are where things are drawn; a style is read once its transition has ended; a
/// search field is a text box; an input button's label is its value.
#[test]
fn expect_position_transitions_search_boxes_and_input_buttons() {
    let tests = [
        (
            "below and above",
            r#"
  { do = "expect_position", on = { test_id = "under" }, is = "below", of = { role = "searchbox" } },
  { do = "expect_position", on = { role = "searchbox" }, is = "above", of = { test_id = "under" } },
  { do = "expect_position", on = { test_id = "beside" }, is = "right_of", of = { role = "textbox", name = "Query" } },
  { do = "expect_position", on = { role = "searchbox" }, is = "left_of", of = { test_id = "beside" } },
"#,
        ),
        ("loose text is placed by its words", r#"{ do = "expect_position", on = { text = "loose words" }, is = "below", of = { label = "Name" } }"#),
        ("beside is not below", r#"{ do = "expect_position", on = { test_id = "beside" }, is = "below", of = { label = "Query" }, timeout_ms = 400 }"#),
        (
            "a transition is read once it ends",
            r#"
  { do = "capture", as = "before", on = { test_id = "fading" }, style = "background-color" },
  { do = "click", on = { role = "button", name = "Fade" } },
  { do = "expect_style", on = { test_id = "fading" }, property = "background-color", equals = "rgb(0, 0, 0)" },
  { do = "click", on = { role = "button", name = "Fade" } },
  { do = "capture", as = "after", on = { test_id = "fading" }, style = "background-color" },
  { do = "expect_style", on = { test_id = "fading" }, property = "background-color", equals = "${before}", timeout_ms = 50 },
"#,
        ),
        ("an input button reads its value", r#"{ do = "expect_text", on = { role = "button", name = "Send it" }, equals = "Send it" }"#),
    ];
    let r = grade(&spec(&tests), PLACED);
    expect_failed(&r, "beside is not below", &["Expected the element with the test id “beside” to be below", "px down"]);
    let ok: Vec<_> = tests.iter().filter(|(n, _)| *n != "beside is not below").copied().collect();
    expect_all_passed(&r, &ok);
}
