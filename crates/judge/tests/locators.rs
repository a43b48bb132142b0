//! Every locator strategy and refinement of the test format, against real Chromium: roles
//! (explicit and implicit) and accessible names from every source, labels, text, placeholder,
//! test ids, tags, CSS, `has_text`, `nth`, `within`, and strictness.

mod common;
mod steps_support;
use steps_support::*;

const PAGE: &str = r##"import { useState } from 'react';
export default function App() {
  const [msg, setMsg] = useState('none');
  return (
    <main>
      <h1>Main title</h1>
      <h2>Sub title</h2>
      <button>Save</button>
      <div role="button" tabIndex={0}>Custom</div>
      <button aria-label="Close dialog">X</button>
      <span id="dl">Delete label</span>
      <button aria-labelledby="dl">🗑</button>
      <a href="#docs">Docs link</a>
      <a>Not a link</a>
      <label htmlFor="fname">First name</label><input id="fname" />
      <label>Email address <input type="email" /></label>
      <input aria-label="Search site" />
      <span id="ph">Phone number</span><input aria-labelledby="ph" />
      <input placeholder="Nickname" />
      <label><input type="checkbox" /> Agree to terms</label>
      <select aria-label="Colour"><option>Red</option></select>
      <textarea aria-label="Notes" />
      <ul><li>One</li><li>Two</li><li>Three</li></ul>
      <dialog open>Dialog body</dialog>
      <div role="tablist"><button role="tab">Tab A</button><button role="tab">Tab B</button></div>
      <button style={{ display: 'none' }}>Ghost</button>
      <button hidden>Hidden attr</button>
      <div aria-hidden="true"><button>Secret</button></div>
      <p data-testid="para">Hello <b>World</b></p>
      <p>Case Matters</p>
      <section data-testid="box1"><span>Item</span><button onClick={() => setMsg('box1')}>Go</button></section>
      <section data-testid="box2"><span>Item</span><button onClick={() => setMsg('box2')}>Go</button></section>
      <output>clicked: {msg}</output>
    </main>
  );
}"##;

#[test]
fn roles_find_explicit_and_implicit_roles_by_accessible_name() {
    let tests = [
        ("implicit button, name from content", r#"{ do = "expect_visible", on = { role = "button", name = "Save" } }"#),
        ("explicit role attribute", r#"{ do = "expect_visible", on = { role = "button", name = "Custom" } }"#),
        ("name from aria-label, case-insensitive", r#"{ do = "expect_visible", on = { role = "button", name = "close DIALOG" } }"#),
        ("aria-label replaces content", r#"{ do = "expect_count", on = { role = "button", name = "X", exact = true }, equals = 0 }"#),
        ("name from aria-labelledby", r#"{ do = "expect_visible", on = { role = "button", name = "Delete label" } }"#),
        ("link needs href", r#"{ do = "expect_count", on = { role = "link" }, equals = 1 }, { do = "expect_visible", on = { role = "link", name = "Docs" } }"#),
        ("textbox by label for", r#"{ do = "expect_visible", on = { role = "textbox", name = "First name" } }"#),
        ("textbox by wrapping label", r#"{ do = "expect_visible", on = { role = "textbox", name = "Email address" } }"#),
        ("textbox by aria-label", r#"{ do = "expect_visible", on = { role = "textbox", name = "Search site" } }"#),
        ("textbox by aria-labelledby", r#"{ do = "expect_visible", on = { role = "textbox", name = "Phone number" } }"#),
        ("textarea is a textbox", r#"{ do = "expect_visible", on = { role = "textbox", name = "Notes" } }"#),
        ("every textbox", r#"{ do = "expect_count", on = { role = "textbox" }, equals = 6 }"#),
        ("checkbox by wrapping label", r#"{ do = "expect_visible", on = { role = "checkbox", name = "Agree to terms" } }"#),
        ("select is a combobox", r#"{ do = "expect_visible", on = { role = "combobox", name = "Colour" } }"#),
        (
            "list items",
            r#"{ do = "expect_count", on = { role = "listitem" }, equals = 3 }, { do = "expect_visible", on = { role = "listitem", name = "Two" } }, { do = "expect_count", on = { role = "list" }, equals = 1 }"#,
        ),
        (
            "headings",
            r#"{ do = "expect_count", on = { role = "heading" }, equals = 2 }, { do = "expect_visible", on = { role = "heading", name = "Main title" } }"#,
        ),
        ("dialog", r#"{ do = "expect_visible", on = { role = "dialog" } }"#),
        (
            "tabs",
            r#"{ do = "expect_count", on = { role = "tab" }, equals = 2 }, { do = "expect_visible", on = { role = "tab", name = "Tab B" } }, { do = "expect_visible", on = { role = "tablist" } }"#,
        ),
        (
            "options of a closed drop-down",
            r#"{ do = "expect_count", on = { role = "option" }, equals = 1 }, { do = "expect_count", on = { role = "option", name = "Red", within = { role = "combobox", name = "Colour" } }, equals = 1 }"#,
        ),
        ("paragraphs", r#"{ do = "expect_count", on = { role = "paragraph" }, equals = 2 }"#),
        (
            "exact name",
            r#"{ do = "expect_count", on = { role = "button", name = "save", exact = true }, equals = 0 }, { do = "expect_count", on = { role = "button", name = "Sav", exact = true }, equals = 0 }, { do = "expect_visible", on = { role = "button", name = "Save", exact = true } }"#,
        ),
        ("name is a substring by default", r#"{ do = "expect_visible", on = { role = "button", name = "sav" } }"#),
    ];
    let r = grade(&spec(&tests), PAGE);
    expect_all_passed(&r, &tests);
}

#[test]
fn roles_skip_hidden_elements_unless_include_hidden() {
    let tests = [
        ("display none is skipped", r#"{ do = "expect_count", on = { role = "button", name = "Ghost" }, equals = 0 }"#),
        ("hidden attribute is skipped", r#"{ do = "expect_count", on = { role = "button", name = "Hidden attr" }, equals = 0 }"#),
        ("aria-hidden ancestor is skipped", r#"{ do = "expect_count", on = { role = "button", name = "Secret" }, equals = 0 }"#),
        (
            "include_hidden finds them",
            r#"
  { do = "expect_count", on = { role = "button", name = "Ghost", include_hidden = true }, equals = 1 },
  { do = "expect_count", on = { role = "button", name = "Hidden attr", include_hidden = true }, equals = 1 },
  { do = "expect_count", on = { role = "button", name = "Secret", include_hidden = true }, equals = 1 },
  { do = "expect_hidden", on = { role = "button", name = "Ghost", include_hidden = true } },
"#,
        ),
        ("count of visible buttons", r#"{ do = "expect_count", on = { role = "button" }, equals = 6 }"#),
        // The hidden button is no match for a role locator: expect_hidden passes, expect_absent too.
        ("hidden role match counts as hidden", r#"{ do = "expect_hidden", on = { role = "button", name = "Ghost" } }"#),
    ];
    let r = grade(&spec(&tests), PAGE);
    expect_all_passed(&r, &tests);
}

#[test]
fn labels_and_placeholders() {
    let tests = [
        (
            "label for",
            r#"{ do = "fill", into = { label = "First name" }, text = "Ada" }, { do = "expect_property", on = { role = "textbox", name = "First name" }, name = "value", equals = "Ada" }"#,
        ),
        ("wrapping label", r#"{ do = "expect_property", on = { label = "email address" }, name = "type", equals = "email" }"#),
        ("aria-label", r#"{ do = "expect_count", on = { label = "Search site" }, equals = 1 }"#),
        ("aria-labelledby", r#"{ do = "expect_count", on = { label = "Phone number" }, equals = 1 }"#),
        (
            "label of a checkbox",
            r#"{ do = "check", on = { label = "Agree" } }, { do = "expect_property", on = { role = "checkbox" }, name = "checked", equals = true }"#,
        ),
        ("label of a select", r#"{ do = "expect_property", on = { label = "Colour" }, name = "value", equals = "Red" }"#),
        ("a placeholder is not a label", r#"{ do = "expect_count", on = { label = "Nickname" }, equals = 0 }"#),
        (
            "placeholder",
            r#"{ do = "expect_count", on = { placeholder = "nick" }, equals = 1 }, { do = "fill", into = { placeholder = "Nickname" }, text = "Bob" }, { do = "expect_property", on = { placeholder = "Nickname", exact = true }, name = "value", equals = "Bob" }"#,
        ),
        ("exact placeholder", r#"{ do = "expect_count", on = { placeholder = "nickname", exact = true }, equals = 0 }"#),
        (
            "exact label",
            r#"{ do = "expect_count", on = { label = "first", exact = true }, equals = 0 }, { do = "expect_count", on = { label = "First name", exact = true }, equals = 1 }"#,
        ),
    ];
    let r = grade(&spec(&tests), PAGE);
    expect_all_passed(&r, &tests);
}

#[test]
fn text_test_id_tag_css_and_refinements() {
    let tests = [
        ("text finds the innermost element", r#"{ do = "expect_text", on = { text = "world" }, equals = "World", exact = true }"#),
        ("text across children finds the parent", r#"{ do = "expect_attribute", on = { text = "hello world" }, name = "data-testid", equals = "para" }"#),
        ("text is a case-insensitive substring", r#"{ do = "expect_count", on = { text = "case mat" }, equals = 1 }"#),
        (
            "exact text is whole and case-sensitive",
            r#"
  { do = "expect_count", on = { text = "case matters", exact = true }, equals = 0 },
  { do = "expect_count", on = { text = "Case", exact = true }, equals = 0 },
  { do = "expect_count", on = { text = "Case Matters", exact = true }, equals = 1 },
"#,
        ),
        ("test id", r#"{ do = "expect_text", on = { test_id = "para" }, equals = "Hello World" }"#),
        ("tag", r#"{ do = "expect_count", on = { tag = "li" }, equals = 3 }, { do = "expect_count", on = { tag = "section" }, equals = 2 }"#),
        ("css", r#"{ do = "expect_text", on = { css = "ul > li:last-child" }, equals = "Three" }, { do = "expect_count", on = { css = "body" }, equals = 1 }"#),
        (
            "has_text",
            r#"{ do = "expect_text", on = { tag = "li", has_text = "tw" }, equals = "Two" }, { do = "expect_count", on = { tag = "li", has_text = "o" }, equals = 2 }"#,
        ),
        (
            "nth",
            r#"
  { do = "expect_text", on = { tag = "li", nth = 0 }, equals = "One" },
  { do = "expect_text", on = { tag = "li", nth = 1 }, equals = "Two" },
  { do = "expect_text", on = { tag = "li", nth = -1 }, equals = "Three" },
  { do = "expect_text", on = { role = "listitem", nth = -2 }, equals = "Two" },
  { do = "expect_count", on = { tag = "li", nth = 3 }, equals = 0 },
  { do = "expect_count", on = { tag = "li", nth = -4 }, equals = 0 },
"#,
        ),
        (
            "within",
            r#"
  { do = "expect_count", on = { role = "button", name = "Go" }, equals = 2 },
  { do = "click", on = { role = "button", name = "Go", within = { test_id = "box2" } } },
  { do = "expect_text", on = { tag = "output" }, equals = "clicked: box2" },
  { do = "click", on = { role = "button", within = { tag = "section", has_text = "item", nth = 0 } } },
  { do = "expect_text", on = { tag = "output" }, equals = "clicked: box1" },
  { do = "expect_count", on = { text = "Item", within = { test_id = "box1" } }, equals = 1 },
"#,
        ),
        ("within a missing element finds nothing", r#"{ do = "expect_count", on = { tag = "li", within = { test_id = "nope" } }, equals = 0 }"#),
    ];
    let r = grade(&spec(&tests), PAGE);
    expect_all_passed(&r, &tests);
}

#[test]
fn more_than_one_match_is_an_error_that_says_how_many() {
    let tests = [
        ("click two buttons", r#"{ do = "click", on = { role = "button", name = "Go" }, timeout_ms = 600 }"#),
        ("read three items", r#"{ do = "expect_text", on = { tag = "li" }, contains = "One", timeout_ms = 600 }"#),
        ("visible three items", r#"{ do = "expect_visible", on = { tag = "li" }, timeout_ms = 600 }"#),
        ("hidden three items", r#"{ do = "expect_hidden", on = { tag = "li" }, timeout_ms = 600 }"#),
        ("visible in an ambiguous within", r#"{ do = "expect_visible", on = { tag = "span", within = { tag = "section" } }, timeout_ms = 600 }"#),
        ("absent two buttons", r#"{ do = "expect_absent", on = { role = "button", name = "Go" }, timeout_ms = 600 }"#),
        ("ambiguous within", r#"{ do = "click", on = { role = "button", within = { tag = "section" } }, timeout_ms = 600 }"#),
        ("no match", r#"{ do = "click", on = { role = "button", name = "Nope" }, timeout_ms = 600 }"#),
    ];
    let r = grade(&spec(&tests), PAGE);
    expect_failed(&r, "click two buttons", &["2 elements match the button “Go”", "exactly one"]);
    expect_failed(&r, "read three items", &["3 elements match the <li> element"]);
    expect_failed(&r, "visible three items", &["Expected the <li> element to be visible, but 3 elements match"]);
    expect_failed(&r, "hidden three items", &["Expected the <li> element to be hidden, but 3 elements match"]);
    expect_failed(&r, "visible in an ambiguous within", &["2 elements match the <section> element (`within` needs exactly one)"]);
    expect_failed(&r, "absent two buttons", &["Expected the button “Go” not to be in the page, but 2 elements match"]);
    expect_failed(
        &r,
        "ambiguous within",
        &["Could not act on the button inside the <section> element: 2 elements match the <section> element (`within` needs exactly one)"],
    );
    expect_failed(&r, "no match", &["there is no button “Nope”"]);
}
