//! One step of a test: an action a user takes, an expectation about the page, or a change
//! of the world around it (time passing, a reload). Written in a challenge file as an inline
//! table tagged by `do`, e.g. `{ do = "click", on = { role = "button", name = "Add" } }`.

use crate::expr::{self, NumberExpr};
use crate::locator::Locator;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The most clicks one `click` step may make (`times`).
pub const MAX_CLICKS: u32 = 100;

/// Properties an `expect_property` step may read.
pub const PROPERTIES: &[&str] = &["disabled", "checked", "value", "type", "selected", "readOnly", "required", "open"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// A trusted click at the element's centre, once it is visible, stable, enabled and not covered.
    /// With `times`, that many clicks one after the other (each finds the element anew), for
    /// a statement's "each click": enough of them that a ceiling or a wrap-around shows.
    Click {
        on: Locator,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        times: Option<u32>,
        /// Click even when the element is disabled (a person can; nothing should happen),
        /// for a statement that lets a button be disabled where clicking it must do nothing.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        even_if_disabled: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    DoubleClick {
        on: Locator,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// Moves the pointer over the element.
    Hover {
        on: Locator,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// Moves the pointer to a corner of the page that the last hovered element does not cover.
    MovePointerAway {},
    /// Clicks the field, then types the text key by key (keydown, input, keyup for each).
    Type {
        into: Locator,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// Replaces the field's text in one input event, as pasting does.
    Fill {
        into: Locator,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// Selects all of the field's text and deletes it with the keyboard.
    Clear {
        on: Locator,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// Presses a key or a chord (`Enter`, `ArrowRight`, `Control+A`) in the focused element,
    /// or in `on` after focusing it.
    Press {
        key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<Locator>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// Chooses an option of a `<select>` by its visible text (or its value).
    Select {
        on: Locator,
        option: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// Clicks a checkbox or radio that is not checked, and requires it to become checked.
    Check {
        on: Locator,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    Uncheck {
        on: Locator,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    Focus {
        on: Locator,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// The visible text of `on` (the whole page when absent), less the text of the elements
    /// `excluding` finds. Exactly one comparison; `${name}` inserts a captured value.
    ExpectText {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<Locator>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        excluding: Option<Locator>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        equals: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_equals: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contains: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_contains: Option<String>,
        /// A regular expression (Rust `regex` syntax, case-insensitive unless `exact`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        matches: Option<String>,
        /// Compare case and surrounding white space too.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        exact: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// The one number in the visible text of `on` (the whole page when absent, button labels
    /// left out) equals a value.
    ExpectNumber {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<Locator>,
        equals: NumberExpr,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    ExpectVisible {
        on: Locator,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// Not visible: not rendered, hidden by CSS, or not in the page at all.
    ExpectHidden {
        on: Locator,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// Not in the DOM at all, hidden elements included.
    ExpectAbsent {
        on: Locator,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    ExpectCount {
        on: Locator,
        equals: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// With `equals`, the attribute has that value; without it, the attribute is present;
    /// with `present = false`, it is absent.
    ExpectAttribute {
        on: Locator,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        equals: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        present: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// A DOM property (`disabled`, `checked`, `value`, `type`, …) equals a value.
    ExpectProperty {
        on: Locator,
        name: String,
        #[schemars(with = "serde_json::Value")]
        equals: serde_json::Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// A computed CSS property equals, or differs from, a value (`${name}` allowed).
    ExpectStyle {
        on: Locator,
        property: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        equals: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_equals: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// `on` sits `below`, `above`, `left_of` or `right_of` the element `of` finds, by where
    /// they are drawn on the page (for text, where its own text is drawn), not by markup order.
    ExpectPosition {
        on: Locator,
        is: Placement,
        of: Locator,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// No uncaught exception since the page loaded.
    ExpectNoErrors {},
    /// Nothing logged with `console.error` since the page loaded (React's warnings included);
    /// with `containing`, nothing whose text contains it.
    ExpectNoConsoleErrors {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        containing: Option<String>,
    },
    /// No warning from React itself (a missing `key`, an invalid hook call, …); with
    /// `containing`, no such warning whose text contains it (e.g. `"key"`).
    ExpectNoReactWarnings {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        containing: Option<String>,
    },
    /// Saves a value for later steps: `${as}` in strings, `as + 1` in numbers. Read exactly
    /// one of: `text`, `number`, `style`, `attribute`, `property`.
    Capture {
        #[serde(rename = "as")]
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<Locator>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        excluding: Option<Locator>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        text: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        number: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        style: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        attribute: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        property: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// Moves the page's clock (timers and `Date`) forward without waiting. The clock stands
    /// still from the mount on in a test that has this step.
    AdvanceClock { ms: u64 },
    /// Reloads the page; storage (localStorage, sessionStorage, cookies) is kept, the
    /// component mounts anew.
    Reload {},
    /// Opens the page again as in a new tab of the same browser: localStorage and cookies
    /// are kept, sessionStorage starts empty (it belongs to the tab), the component mounts anew.
    Reopen {},
}

/// Where an element is drawn relative to another (`expect_position`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    Below,
    Above,
    LeftOf,
    RightOf,
}

impl Placement {
    pub fn words(self) -> &'static str {
        match self {
            Placement::Below => "below",
            Placement::Above => "above",
            Placement::LeftOf => "left of",
            Placement::RightOf => "right of",
        }
    }
}

/// The one comparison of an `expect_text` step, decoded from its five options (the file
/// keeps them as separate keys, so the format and its schema stay as they are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextCheck<'a> {
    Equals(&'a str),
    NotEquals(&'a str),
    Contains(&'a str),
    NotContains(&'a str),
    /// A regular expression; `${name}` is not substituted in it.
    Matches(&'a str),
}

impl<'a> TextCheck<'a> {
    /// Decodes the options of an `expect_text` step: exactly one of them must be set.
    pub fn of(
        equals: &'a Option<String>,
        not_equals: &'a Option<String>,
        contains: &'a Option<String>,
        not_contains: &'a Option<String>,
        matches: &'a Option<String>,
    ) -> Result<Self, String> {
        let set: Vec<TextCheck<'a>> = [
            equals.as_deref().map(TextCheck::Equals),
            not_equals.as_deref().map(TextCheck::NotEquals),
            contains.as_deref().map(TextCheck::Contains),
            not_contains.as_deref().map(TextCheck::NotContains),
            matches.as_deref().map(TextCheck::Matches),
        ]
        .into_iter()
        .flatten()
        .collect();
        match set[..] {
            [check] => Ok(check),
            _ => Err("`expect_text` takes exactly one of `equals`, `not_equals`, `contains`, `not_contains`, `matches`".into()),
        }
    }

    /// The value as the file writes it.
    pub fn value(self) -> &'a str {
        match self {
            TextCheck::Equals(v) | TextCheck::NotEquals(v) | TextCheck::Contains(v) | TextCheck::NotContains(v) | TextCheck::Matches(v) => v,
        }
    }

    /// The verb of the judge's failure message: “Expected the page to {verb} “…””.
    pub fn verb(self) -> &'static str {
        match self {
            TextCheck::Equals(_) => "read",
            TextCheck::NotEquals(_) => "read something other than",
            TextCheck::Contains(_) => "show",
            TextCheck::NotContains(_) => "not show",
            TextCheck::Matches(_) => "match",
        }
    }
}

/// What a `capture` step reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read<'a> {
    Text,
    Number,
    Style(&'a str),
    Attribute(&'a str),
    Property(&'a str),
}

impl Step {
    /// The kind as written in the file (`do = "…"`).
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Click { .. } => "click",
            Step::DoubleClick { .. } => "double_click",
            Step::Hover { .. } => "hover",
            Step::MovePointerAway {} => "move_pointer_away",
            Step::Type { .. } => "type",
            Step::Fill { .. } => "fill",
            Step::Clear { .. } => "clear",
            Step::Press { .. } => "press",
            Step::Select { .. } => "select",
            Step::Check { .. } => "check",
            Step::Uncheck { .. } => "uncheck",
            Step::Focus { .. } => "focus",
            Step::ExpectText { .. } => "expect_text",
            Step::ExpectNumber { .. } => "expect_number",
            Step::ExpectVisible { .. } => "expect_visible",
            Step::ExpectHidden { .. } => "expect_hidden",
            Step::ExpectAbsent { .. } => "expect_absent",
            Step::ExpectCount { .. } => "expect_count",
            Step::ExpectAttribute { .. } => "expect_attribute",
            Step::ExpectProperty { .. } => "expect_property",
            Step::ExpectStyle { .. } => "expect_style",
            Step::ExpectPosition { .. } => "expect_position",
            Step::ExpectNoErrors {} => "expect_no_errors",
            Step::ExpectNoConsoleErrors { .. } => "expect_no_console_errors",
            Step::ExpectNoReactWarnings { .. } => "expect_no_react_warnings",
            Step::Capture { .. } => "capture",
            Step::AdvanceClock { .. } => "advance_clock",
            Step::Reload {} => "reload",
            Step::Reopen {} => "reopen",
        }
    }

    /// The step's own deadline, if it sets one.
    pub fn timeout_ms(&self) -> Option<u64> {
        match self {
            Step::Click { timeout_ms, .. }
            | Step::DoubleClick { timeout_ms, .. }
            | Step::Hover { timeout_ms, .. }
            | Step::Type { timeout_ms, .. }
            | Step::Fill { timeout_ms, .. }
            | Step::Clear { timeout_ms, .. }
            | Step::Press { timeout_ms, .. }
            | Step::Select { timeout_ms, .. }
            | Step::Check { timeout_ms, .. }
            | Step::Uncheck { timeout_ms, .. }
            | Step::Focus { timeout_ms, .. }
            | Step::ExpectText { timeout_ms, .. }
            | Step::ExpectNumber { timeout_ms, .. }
            | Step::ExpectVisible { timeout_ms, .. }
            | Step::ExpectHidden { timeout_ms, .. }
            | Step::ExpectAbsent { timeout_ms, .. }
            | Step::ExpectCount { timeout_ms, .. }
            | Step::ExpectAttribute { timeout_ms, .. }
            | Step::ExpectProperty { timeout_ms, .. }
            | Step::ExpectStyle { timeout_ms, .. }
            | Step::ExpectPosition { timeout_ms, .. }
            | Step::Capture { timeout_ms, .. } => *timeout_ms,
            Step::MovePointerAway {}
            | Step::ExpectNoErrors {}
            | Step::ExpectNoConsoleErrors { .. }
            | Step::ExpectNoReactWarnings { .. }
            | Step::AdvanceClock { .. }
            | Step::Reload {}
            | Step::Reopen {} => None,
        }
    }

    /// Every locator the step uses, for validation.
    pub fn locators(&self) -> Vec<&Locator> {
        match self {
            Step::Click { on, .. }
            | Step::DoubleClick { on, .. }
            | Step::Hover { on, .. }
            | Step::Clear { on, .. }
            | Step::Select { on, .. }
            | Step::Check { on, .. }
            | Step::Uncheck { on, .. }
            | Step::Focus { on, .. }
            | Step::ExpectVisible { on, .. }
            | Step::ExpectHidden { on, .. }
            | Step::ExpectAbsent { on, .. }
            | Step::ExpectCount { on, .. }
            | Step::ExpectAttribute { on, .. }
            | Step::ExpectProperty { on, .. }
            | Step::ExpectStyle { on, .. } => vec![on],
            Step::Type { into, .. } | Step::Fill { into, .. } => vec![into],
            Step::ExpectPosition { on, of, .. } => vec![on, of],
            Step::Press { on, .. } | Step::ExpectNumber { on, .. } => on.iter().collect(),
            Step::ExpectText { on, excluding, .. } | Step::Capture { on, excluding, .. } => on.iter().chain(excluding.iter()).collect(),
            Step::MovePointerAway {}
            | Step::ExpectNoErrors {}
            | Step::ExpectNoConsoleErrors { .. }
            | Step::ExpectNoReactWarnings { .. }
            | Step::AdvanceClock { .. }
            | Step::Reload {}
            | Step::Reopen {} => vec![],
        }
    }

    /// What a capture step reads (None for other steps).
    pub fn capture_read(&self) -> Option<Read<'_>> {
        let Step::Capture { text, number, style, attribute, property, .. } = self else { return None };
        let reads = [
            text.then_some(Read::Text),
            number.then_some(Read::Number),
            style.as_deref().map(Read::Style),
            attribute.as_deref().map(Read::Attribute),
            property.as_deref().map(Read::Property),
        ];
        let set: Vec<_> = reads.into_iter().flatten().collect();
        (set.len() == 1).then(|| set[0])
    }

    /// Checks the rules serde cannot express. `captured` holds the names captured by the
    /// steps before this one in the same test; a capture step adds its own.
    pub fn validate(&self, captured: &mut Vec<String>) -> Result<(), String> {
        for locator in self.locators() {
            locator.validate()?;
        }
        let uses: Vec<String> = match self {
            Step::ExpectText { equals, not_equals, contains, not_contains, matches, .. } => {
                let check = TextCheck::of(equals, not_equals, contains, not_contains, matches)?;
                if let TextCheck::Matches(re) = check {
                    regex::Regex::new(re).map_err(|e| format!("`matches` is not a valid regular expression: {e}"))?;
                }
                // A `matches` pattern is never substituted, but a `${name}` in it must still be captured first.
                expr::references(check.value()).into_iter().map(String::from).collect()
            }
            Step::ExpectStyle { equals, not_equals, property, .. } => {
                if equals.is_some() == not_equals.is_some() {
                    return Err("`expect_style` takes exactly one of `equals` and `not_equals`".into());
                }
                if property.trim().is_empty() {
                    return Err("`property` must name a CSS property".into());
                }
                [equals, not_equals].into_iter().flatten().flat_map(|s| expr::references(s)).map(String::from).collect()
            }
            Step::ExpectNumber { equals, .. } => equals.parse()?.capture.into_iter().collect(),
            Step::ExpectProperty { name, equals, .. } => {
                if !PROPERTIES.contains(&name.as_str()) {
                    return Err(format!("`expect_property` reads one of {}, not `{name}`", PROPERTIES.join(", ")));
                }
                if !(equals.is_boolean() || equals.is_string() || equals.is_number()) {
                    return Err("`equals` must be a boolean, a string or a number".into());
                }
                equals.as_str().map(expr::references).unwrap_or_default().into_iter().map(String::from).collect()
            }
            Step::ExpectAttribute { equals, present, .. } => {
                if equals.is_some() && present == &Some(false) {
                    return Err("`equals` and `present = false` contradict each other".into());
                }
                equals.as_deref().map(expr::references).unwrap_or_default().into_iter().map(String::from).collect()
            }
            Step::Press { key, .. } => {
                crate::step::parse_chord(key)?;
                vec![]
            }
            Step::Type { text, .. } if text.is_empty() => return Err("`type` needs a non-empty `text`".into()),
            Step::Click { times: Some(n), .. } if !(1..=MAX_CLICKS).contains(n) => {
                return Err(format!("`times` must be between 1 and {MAX_CLICKS}"));
            }
            Step::AdvanceClock { ms } if *ms == 0 || *ms > 600_000 => {
                return Err("`ms` must be between 1 and 600000".into());
            }
            Step::Capture { name, .. } => {
                if !expr::is_name(name) {
                    return Err(format!("`as` must be a name of letters, digits and `_`, not `{name}`"));
                }
                if self.capture_read().is_none() {
                    return Err("`capture` reads exactly one of `text`, `number`, `style`, `attribute`, `property`".into());
                }
                captured.push(name.clone());
                vec![]
            }
            _ => vec![],
        };
        for name in uses {
            if !captured.contains(&name) {
                return Err(format!("“{name}” is used before a `capture` step saves it"));
            }
        }
        Ok(())
    }
}

/// Key names the judge can press, besides single printable characters.
pub const NAMED_KEYS: &[&str] =
    &["Enter", "Tab", "Escape", "Backspace", "Delete", "Space", "ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"];

/// Modifier keys a chord may hold.
pub const MODIFIERS: &[&str] = &["Alt", "Control", "Meta", "Shift"];

/// Splits `Control+Shift+A` into modifiers and the key, checking every part.
pub fn parse_chord(chord: &str) -> Result<(Vec<&str>, &str), String> {
    let parts: Vec<&str> = if chord == "+" { vec!["+"] } else { chord.split('+').collect() };
    let (key, modifiers) = parts.split_last().ok_or("empty key")?;
    for m in modifiers {
        if !MODIFIERS.contains(m) {
            return Err(format!("`{m}` is not a modifier ({})", MODIFIERS.join(", ")));
        }
    }
    if key.chars().count() != 1 && !NAMED_KEYS.contains(key) {
        return Err(format!("`{key}` is not a key: use one character or one of {}", NAMED_KEYS.join(", ")));
    }
    Ok((modifiers.to_vec(), key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chords() {
        assert_eq!(parse_chord("Enter").unwrap(), (vec![], "Enter"));
        assert_eq!(parse_chord("Control+Shift+a").unwrap(), (vec!["Control", "Shift"], "a"));
        assert_eq!(parse_chord("+").unwrap(), (vec![], "+"));
        assert!(parse_chord("Ctrl+a").unwrap_err().contains("modifier"));
        assert!(parse_chord("Return").unwrap_err().contains("not a key"));
    }

    #[test]
    fn capture_needs_exactly_one_read() {
        let mut names = vec![];
        let step: Step = toml::from_str(
            r#"do = "capture"
as = "n"
number = true
text = true"#,
        )
        .unwrap();
        assert!(step.validate(&mut names).unwrap_err().contains("exactly one"));
    }

    #[test]
    fn expect_text_takes_exactly_one_comparison() {
        let check = |src: &str| {
            let step: Step = toml::from_str(&format!("do = \"expect_text\"\n{src}")).unwrap();
            let Step::ExpectText { equals, not_equals, contains, not_contains, matches, .. } = &step else { unreachable!() };
            TextCheck::of(equals, not_equals, contains, not_contains, matches).map(|c| (c.verb(), c.value().to_string()))
        };
        assert_eq!(check("not_contains = \"bye\""), Ok(("not show", "bye".to_string())));
        assert_eq!(check("matches = \"^a+$\""), Ok(("match", "^a+$".to_string())));
        assert!(check("").unwrap_err().contains("exactly one of `equals`"));
        assert!(check("equals = \"a\"\ncontains = \"a\"").unwrap_err().contains("exactly one of `equals`"));
        let mut names = vec![];
        let bad: Step = toml::from_str("do = \"expect_text\"\nmatches = \"(\"").unwrap();
        assert!(bad.validate(&mut names).unwrap_err().starts_with("`matches` is not a valid regular expression"));
    }

    #[test]
    fn attribute_and_property_references_are_checked() {
        let mut names = vec![];
        let step: Step = toml::from_str("do = \"expect_attribute\"\non = { tag = \"p\" }\nname = \"title\"\nequals = \"${t}\"").unwrap();
        assert!(step.validate(&mut names).unwrap_err().contains("“t”"));
        let step: Step = toml::from_str("do = \"expect_property\"\non = { tag = \"input\" }\nname = \"value\"\nequals = \"${v}\"").unwrap();
        assert!(step.validate(&mut names).unwrap_err().contains("“v”"));
    }

    #[test]
    fn references_must_be_captured_first() {
        let mut names = vec![];
        let use_before: Step = toml::from_str("do = \"expect_number\"\nequals = \"n + 1\"").unwrap();
        assert!(use_before.validate(&mut names).unwrap_err().contains("before a `capture`"));
        let capture: Step = toml::from_str("do = \"capture\"\nas = \"n\"\nnumber = true").unwrap();
        capture.validate(&mut names).unwrap();
        use_before.validate(&mut names).unwrap();
    }
}
