//! Every action of the test format, against real Chromium: clicks, hovering, typing, filling,
//! clearing, keys and chords, selects, checkboxes, focus; and the waiting for actionability
//! (late, disabled, covered, off-screen elements).

mod common;
mod steps_support;
use steps_support::*;

const WIDGETS: &str = r#"import { useState, useRef } from 'react';
export default function App() {
  const [clicks, setClicks] = useState(0);
  const [doubles, setDoubles] = useState(0);
  const [hover, setHover] = useState('not hovering');
  const [text, setText] = useState('');
  const [keys, setKeys] = useState(0);
  const [changes, setChanges] = useState(0);
  const [lastKey, setLastKey] = useState('none');
  const [color, setColor] = useState('red');
  const [agree, setAgree] = useState(false);
  const [focused, setFocused] = useState('nothing');
  const [pressed, setPressed] = useState('none');
  const describe = (e) => [e.ctrlKey && 'Control', e.shiftKey && 'Shift', e.altKey && 'Alt', e.key].filter(Boolean).join('+');
  return (
    <div>
      <button onClick={() => setClicks(clicks + 1)}>Click me</button>
      <p data-testid="clicks">clicks={clicks}</p>
      <button onDoubleClick={() => setDoubles(doubles + 1)}>Double me</button>
      <p data-testid="doubles">doubles={doubles}</p>
      <div data-testid="hover-zone" style={{ width: 200, height: 60, background: '#eee' }}
        onMouseEnter={() => setHover('hovering')} onMouseLeave={() => setHover('not hovering')}>Hover zone</div>
      <p data-testid="hover">{hover}</p>
      <label>Name <input value={text}
        onChange={(e) => { setText(e.target.value); setChanges((c) => c + 1); }}
        onKeyDown={(e) => { setKeys((k) => k + 1); setLastKey(describe(e)); }}
        onFocus={() => setFocused('name')} /></label>
      <p data-testid="log">value={text} keys={keys} changes={changes} last={lastKey}</p>
      <label>Other <input onFocus={() => setFocused('other')}
        onKeyDown={(e) => setPressed(describe(e))} /></label>
      <p data-testid="focused">focused={focused}</p>
      <p data-testid="pressed">pressed={pressed}</p>
      <label>Colour <select value={color} onChange={(e) => setColor(e.target.value)}>
        <option value="red">Red</option><option value="green">Green</option><option value="b">Blue</option>
      </select></label>
      <p data-testid="color">color={color}</p>
      <label><input type="checkbox" checked={agree} onChange={(e) => setAgree(e.target.checked)} /> Agree</label>
      <label><input type="checkbox" checked={false} onChange={() => {}} /> Stubborn</label>
      <p data-testid="agree">agree={String(agree)}</p>
    </div>
  );
}"#;

#[test]
fn clicks_hover_and_focus() {
    let tests = [
        (
            "click",
            r#"
  { do = "click", on = { role = "button", name = "Click me" } },
  { do = "expect_text", on = { test_id = "clicks" }, equals = "clicks=1" },
  { do = "click", on = { text = "Click me" } },
  { do = "expect_text", on = { test_id = "clicks" }, equals = "clicks=2" },
"#,
        ),
        (
            "double click",
            r#"
  { do = "double_click", on = { role = "button", name = "Double me" } },
  { do = "expect_text", on = { test_id = "doubles" }, equals = "doubles=1" },
"#,
        ),
        (
            "one click is not a double click",
            r#"
  { do = "click", on = { role = "button", name = "Double me" } },
  { do = "expect_text", on = { test_id = "doubles" }, equals = "doubles=1", timeout_ms = 600 },
"#,
        ),
        (
            "hover and move away",
            r#"
  { do = "expect_text", on = { test_id = "hover" }, equals = "not hovering" },
  { do = "hover", on = { test_id = "hover-zone" } },
  { do = "expect_text", on = { test_id = "hover" }, equals = "hovering" },
  { do = "move_pointer_away" },
  { do = "expect_text", on = { test_id = "hover" }, equals = "not hovering" },
  { do = "hover", on = { text = "Hover zone" } },
  { do = "expect_text", on = { test_id = "hover" }, equals = "hovering" },
"#,
        ),
        (
            "focus",
            r#"
  { do = "focus", on = { label = "Other" } },
  { do = "expect_text", on = { test_id = "focused" }, equals = "focused=other" },
  { do = "focus", on = { role = "textbox", name = "Name" } },
  { do = "expect_text", on = { test_id = "focused" }, equals = "focused=name" },
"#,
        ),
    ];
    let r = grade(&spec(&tests), WIDGETS);
    let ok: Vec<_> = tests.iter().filter(|(n, _)| *n != "one click is not a double click").copied().collect();
    expect_all_passed(&r, &ok);
    expect_failed(&r, "one click is not a double click", &["Expected the element with the test id “doubles” to read “doubles=1”, but it reads “doubles=0”"]);
}

#[test]
fn typing_filling_clearing() {
    let tests = [
        (
            "type key by key",
            r#"
  { do = "type", into = { label = "Name" }, text = "abc" },
  { do = "expect_text", on = { test_id = "log" }, equals = "value=abc keys=3 changes=3 last=c" },
  { do = "expect_property", on = { label = "Name" }, name = "value", equals = "abc" },
  { do = "type", into = { label = "Name" }, text = "D e" },
  { do = "expect_text", on = { test_id = "log" }, equals = "value=abcD e keys=6 changes=6 last=e" },
"#,
        ),
        (
            "fill in one input event",
            r#"
  { do = "fill", into = { label = "Name" }, text = "hello" },
  { do = "expect_text", on = { test_id = "log" }, equals = "value=hello keys=0 changes=1 last=none" },
  { do = "fill", into = { label = "Name" }, text = "xy" },
  { do = "expect_property", on = { label = "Name" }, name = "value", equals = "xy" },
  { do = "fill", into = { label = "Name" }, text = "" },
  { do = "expect_property", on = { label = "Name" }, name = "value", equals = "" },
"#,
        ),
        (
            "clear",
            r#"
  { do = "type", into = { label = "Name" }, text = "abc" },
  { do = "clear", on = { label = "Name" } },
  { do = "expect_property", on = { label = "Name" }, name = "value", equals = "" },
  { do = "expect_text", on = { test_id = "log" }, contains = "value= keys" },
"#,
        ),
    ];
    let r = grade(&spec(&tests), WIDGETS);
    expect_all_passed(&r, &tests);
}

#[test]
fn keys_and_chords() {
    let tests = [
        (
            "Enter Escape ArrowRight in the focused element",
            r#"
  { do = "focus", on = { label = "Other" } },
  { do = "press", key = "Enter" },
  { do = "expect_text", on = { test_id = "pressed" }, equals = "pressed=Enter" },
  { do = "press", key = "Escape" },
  { do = "expect_text", on = { test_id = "pressed" }, equals = "pressed=Escape" },
  { do = "press", key = "ArrowRight" },
  { do = "expect_text", on = { test_id = "pressed" }, equals = "pressed=ArrowRight" },
"#,
        ),
        (
            "press on focuses first",
            r#"
  { do = "press", key = "Enter", on = { label = "Other" } },
  { do = "expect_text", on = { test_id = "focused" }, equals = "focused=other" },
  { do = "expect_text", on = { test_id = "pressed" }, equals = "pressed=Enter" },
"#,
        ),
        (
            "Control+a is a chord",
            r#"
  { do = "press", key = "Control+a", on = { label = "Other" } },
  { do = "expect_text", on = { test_id = "pressed" }, equals = "pressed=Control+a" },
"#,
        ),
        (
            "Control+a selects the text",
            r#"
  { do = "type", into = { label = "Name" }, text = "hello" },
  { do = "press", key = "Control+a" },
  { do = "press", key = "Backspace" },
  { do = "expect_property", on = { label = "Name" }, name = "value", equals = "" },
"#,
        ),
        (
            "a character key types it",
            r#"
  { do = "type", into = { label = "Name" }, text = "ab" },
  { do = "press", key = "x" },
  { do = "press", key = "ArrowLeft" },
  { do = "press", key = "Backspace" },
  { do = "expect_property", on = { label = "Name" }, name = "value", equals = "ax" },
"#,
        ),
        (
            "Shift+Tab moves focus back",
            r#"
  { do = "focus", on = { label = "Other" } },
  { do = "press", key = "Shift+Tab" },
  { do = "expect_text", on = { test_id = "focused" }, equals = "focused=name" },
  { do = "expect_text", on = { test_id = "pressed" }, equals = "pressed=Shift+Tab" },
"#,
        ),
        (
            "Tab moves focus forward",
            r#"
  { do = "focus", on = { label = "Name" } },
  { do = "press", key = "Tab" },
  { do = "expect_text", on = { test_id = "focused" }, equals = "focused=other" },
"#,
        ),
    ];
    let r = grade(&spec(&tests), WIDGETS);
    expect_all_passed(&r, &tests);
}

#[test]
fn selects_and_checkboxes() {
    let tests = [
        (
            "select by text",
            r#"
  { do = "select", on = { label = "Colour" }, option = "Green" },
  { do = "expect_text", on = { test_id = "color" }, equals = "color=green" },
  { do = "expect_property", on = { role = "combobox" }, name = "value", equals = "green" },
"#,
        ),
        (
            "select by value",
            r#"
  { do = "select", on = { role = "combobox", name = "Colour" }, option = "b" },
  { do = "expect_text", on = { test_id = "color" }, equals = "color=b" },
"#,
        ),
        ("select a missing option", r#"{ do = "select", on = { tag = "select" }, option = "Purple", timeout_ms = 600 }"#),
        (
            "check and uncheck",
            r#"
  { do = "check", on = { label = "Agree" } },
  { do = "expect_text", on = { test_id = "agree" }, equals = "agree=true" },
  { do = "check", on = { label = "Agree" } },
  { do = "expect_text", on = { test_id = "agree" }, equals = "agree=true" },
  { do = "expect_property", on = { role = "checkbox", name = "Agree" }, name = "checked", equals = true },
  { do = "uncheck", on = { role = "checkbox", name = "Agree" } },
  { do = "expect_text", on = { test_id = "agree" }, equals = "agree=false" },
  { do = "uncheck", on = { role = "checkbox", name = "Agree" } },
  { do = "expect_text", on = { test_id = "agree" }, equals = "agree=false" },
"#,
        ),
        ("a checkbox that ignores the click", r#"{ do = "check", on = { label = "Stubborn" }, timeout_ms = 600 }"#),
        ("unchecking an unchecked box is a no-op", r#"{ do = "uncheck", on = { label = "Stubborn" }, timeout_ms = 600 }"#),
    ];
    let r = grade(&spec(&tests), WIDGETS);
    for name in ["select by text", "select by value", "check and uncheck", "unchecking an unchecked box is a no-op"] {
        expect_passed(&r, name);
    }
    expect_failed(&r, "select a missing option", &["Could not choose “Purple” in the <select> element", "no option “Purple”", "Red, Green, Blue"]);
    expect_failed(&r, "a checkbox that ignores the click", &["Clicking the field labelled “Stubborn” did not check it"]);
}

const PACE: &str = r#"import { useState, useEffect } from 'react';
export default function App() {
  const [open, setOpen] = useState(false);
  const [opened, setOpened] = useState(0);
  useEffect(() => {
    const onKey = (e) => { if (e.key === 'Escape') setTimeout(() => setOpen(false), 0); };
    // On key up, the last event of a press: its task is queued just before the next click.
    addEventListener('keyup', onKey);
    return () => removeEventListener('keyup', onKey);
  }, []);
  return (
    <div>
      <button onClick={() => { setOpen(true); setOpened((n) => n + 1); }}>Open</button>
      <p data-testid="state">{open ? 'open' : 'closed'} {opened}</p>
    </div>
  );
}"#;

/// The judge presses a button a second time without moving the pointer when it stands
/// there over the same element, yet never faster than a person: the tasks the last action
/// queued run first.
#[test]
fn a_second_click_on_the_spot_comes_after_what_the_last_action_queued() {
    let tests = [(
        "a click after a key press comes after the tasks the key queued",
        r#"
  { do = "click", on = { role = "button", name = "Open" } },
  { do = "expect_text", on = { test_id = "state" }, equals = "open 1" },
  { do = "press", key = "Escape" },
  { do = "click", on = { role = "button", name = "Open" } },
  { do = "expect_text", on = { test_id = "state" }, equals = "open 2", timeout_ms = 600 },
  { do = "press", key = "Escape" },
  { do = "click", on = { role = "button", name = "Open" } },
  { do = "expect_text", on = { test_id = "state" }, equals = "open 3", timeout_ms = 600 },
  { do = "press", key = "Escape" },
  { do = "click", on = { role = "button", name = "Open" } },
  { do = "expect_text", on = { test_id = "state" }, equals = "open 4", timeout_ms = 600 },
  { do = "press", key = "Escape" },
  { do = "click", on = { role = "button", name = "Open" } },
  { do = "expect_text", on = { test_id = "state" }, equals = "open 5", timeout_ms = 600 },
  { do = "press", key = "Escape" },
  { do = "click", on = { role = "button", name = "Open" } },
  { do = "expect_text", on = { test_id = "state" }, equals = "open 6", timeout_ms = 600 },
"#,
    )];
    expect_all_passed(&grade(&spec(&tests), PACE), &tests);
}

const WAITING: &str = r#"import { useEffect, useState } from 'react';
export default function App() {
  const [late, setLate] = useState(false);
  const [enabled, setEnabled] = useState(false);
  const [log, setLog] = useState([]);
  const add = (s) => setLog((l) => [...l, s]);
  useEffect(() => {
    const a = setTimeout(() => setLate(true), 500);
    const b = setTimeout(() => setEnabled(true), 500);
    return () => { clearTimeout(a); clearTimeout(b); };
  }, []);
  return (
    <div>
      {late && <button onClick={() => add('late')}>Late</button>}
      <button disabled={!enabled} onClick={() => add('enabled')}>Soon enabled</button>
      <button disabled onClick={() => add('never')}>Never enabled</button>
      <div style={{ position: 'relative' }}>
        <button onClick={() => add('covered')}>Covered</button>
        <div data-testid="overlay" style={{ position: 'absolute', inset: 0, background: 'white' }}>overlay</div>
      </div>
      <button style={{ visibility: 'hidden' }} onClick={() => add('invisible')}>Invisible</button>
      <p data-testid="log">log={log.join(',')}</p>
      <div style={{ height: 3000 }}>tall content</div>
      <button onClick={() => add('far')}>Far below</button>
    </div>
  );
}"#;

#[test]
fn actions_wait_until_the_element_is_actionable() {
    let tests = [
        (
            "an element that appears late is clicked",
            r#"
  { do = "click", on = { role = "button", name = "Late" } },
  { do = "expect_text", on = { test_id = "log" }, equals = "log=late" },
"#,
        ),
        (
            "a disabled button is clicked once enabled",
            r#"
  { do = "click", on = { role = "button", name = "Soon enabled" } },
  { do = "expect_text", on = { test_id = "log" }, equals = "log=enabled" },
"#,
        ),
        ("a forever disabled button", r#"{ do = "click", on = { role = "button", name = "Never enabled" }, timeout_ms = 600 }"#),
        (
            "a disabled button clicked on purpose does nothing",
            r#"
  { do = "click", on = { role = "button", name = "Never enabled" }, times = 3, even_if_disabled = true, timeout_ms = 600 },
  { do = "click", on = { role = "button", name = "Late" }, times = 2 },
  { do = "expect_text", on = { test_id = "log" }, equals = "log=late,late" },
"#,
        ),
        ("a covered button", r#"{ do = "click", on = { role = "button", name = "Covered" }, timeout_ms = 600 }"#),
        ("an invisible button", r#"{ do = "click", on = { text = "Invisible" }, timeout_ms = 600 }"#),
        (
            "an element far below is scrolled into view",
            r#"
  { do = "click", on = { role = "button", name = "Far below" } },
  { do = "expect_text", on = { test_id = "log" }, equals = "log=far" },
"#,
        ),
        ("typing into a missing field", r#"{ do = "type", into = { label = "Missing" }, text = "x", timeout_ms = 600 }"#),
        ("hover waits too", r#"{ do = "hover", on = { role = "button", name = "Late" } }"#),
    ];
    let r = grade(&spec(&tests), WAITING);
    for name in [
        "an element that appears late is clicked",
        "a disabled button is clicked once enabled",
        "a disabled button clicked on purpose does nothing",
        "an element far below is scrolled into view",
        "hover waits too",
    ] {
        expect_passed(&r, name);
    }
    expect_failed(&r, "a forever disabled button", &["Could not act on the button “Never enabled”", "disabled"]);
    expect_failed(&r, "a covered button", &["Could not act on the button “Covered”", "covered by", "overlay"]);
    expect_failed(&r, "an invisible button", &["not visible"]);
    expect_failed(&r, "typing into a missing field", &["there is no field labelled “Missing”"]);
}

#[test]
fn actions_on_the_wrong_kind_of_element_fail_and_say_why() {
    let code = r#"import { useState } from 'react';
export default function App() {
  const [html, setHtml] = useState('');
  return (
    <div>
      <div data-testid="plain">plain</div>
      <div data-testid="editor" contentEditable suppressContentEditableWarning onInput={(e) => setHtml(e.currentTarget.textContent)}>draft</div>
      <p data-testid="echo">echo={html}</p>
      <label><input type="checkbox" /> Box</label>
      <label><input type="radio" name="s" /> Small</label>
      <label><input type="radio" name="s" defaultChecked /> Medium</label>
    </div>
  );
}"#;
    let tests = [
        ("fill a div", r#"{ do = "fill", into = { test_id = "plain" }, text = "zzz", timeout_ms = 600 }"#),
        ("clear a checkbox", r#"{ do = "clear", on = { label = "Box" }, timeout_ms = 600 }"#),
        (
            "fill a contenteditable",
            r#"
  { do = "fill", into = { test_id = "editor" }, text = "final" },
  { do = "expect_text", on = { test_id = "editor" }, equals = "final" },
  { do = "expect_text", on = { test_id = "echo" }, equals = "echo=final" },
"#,
        ),
        ("press in a div", r#"{ do = "press", key = "Enter", on = { test_id = "plain" }, timeout_ms = 600 }"#),
        ("select in a div", r#"{ do = "select", on = { test_id = "plain" }, option = "x", timeout_ms = 600 }"#),
        (
            "check a radio",
            r#"
  { do = "check", on = { label = "Small" } },
  { do = "expect_property", on = { role = "radio", name = "Small" }, name = "checked", equals = true },
  { do = "expect_property", on = { role = "radio", name = "Medium" }, name = "checked", equals = false },
"#,
        ),
        ("a radio cannot be unchecked by a click", r#"{ do = "uncheck", on = { label = "Medium" }, timeout_ms = 600 }"#),
    ];
    let r = grade(&spec(&tests), code);
    expect_passed(&r, "fill a contenteditable");
    expect_passed(&r, "check a radio");
    expect_failed(&r, "fill a div", &["Could not edit the text of the element with the test id “plain”: it is <div>plain…, not a text field"]);
    expect_failed(&r, "clear a checkbox", &["Could not edit the text of the field labelled “Box”", "not a text field"]);
    expect_failed(&r, "press in a div", &["Could not focus the element with the test id “plain”: it does not take focus"]);
    expect_failed(&r, "select in a div", &["it is <div>plain…, not a <select>"]);
    expect_failed(&r, "a radio cannot be unchecked by a click", &["Clicking the field labelled “Medium” did not uncheck it"]);
}
