//! Every step in plain English, as the learner reads it: “Click the button “Increment””.

use crate::expr;
use crate::locator::{Locator, Strategy};
use crate::step::{Step, TextCheck};
use std::fmt;

fn quote(s: &str) -> String {
    format!("“{s}”")
}

/// A `${name}` reference reads as “the saved “name””.
fn value(s: &str) -> String {
    let refs = expr::references(s);
    if refs.len() == 1 && s == format!("${{{}}}", refs[0]) { format!("the saved {}", quote(refs[0])) } else { quote(s) }
}

fn role_noun(role: &str) -> String {
    match role {
        "listitem" => "list item".into(),
        "textbox" => "text box".into(),
        "tabpanel" => "tab panel".into(),
        "tablist" => "tab list".into(),
        "combobox" => "drop-down".into(),
        "spinbutton" => "number field".into(),
        "searchbox" => "search box".into(),
        other => other.into(),
    }
}

fn plural(noun: &str) -> String {
    if noun.ends_with('x') || noun.ends_with('s') || noun.ends_with("ch") { format!("{noun}es") } else { format!("{noun}s") }
}

/// `nth` in words: 0 is the first, -1 the last; any `i32` a file holds, the extremes included.
fn ordinal(n: i32) -> String {
    match n {
        -1 => "last".into(),
        -2 => "second-to-last".into(),
        -3 => "third-to-last".into(),
        0 => "first".into(),
        1 => "second".into(),
        2 => "third".into(),
        3 => "fourth".into(),
        4 => "fifth".into(),
        n if n < 0 => format!("{}-to-last", numbered(n.unsigned_abs().into())),
        n => numbered(u64::from(n.unsigned_abs()) + 1),
    }
}

/// 6th, 21st, 22nd, 23rd, 111th.
fn numbered(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

impl Locator {
    /// “the button “Increment””, “the second <li> element”, “the field labelled “Notes””.
    pub fn describe(&self) -> String {
        let exact = if self.exact { " (exactly)" } else { "" };
        let noun = match self.strategy() {
            Strategy::Role(role) => match &self.name {
                Some(name) => format!("{} {}{exact}", role_noun(role), quote(name)),
                None => role_noun(role),
            },
            Strategy::Label(l) => format!("field labelled {}{exact}", quote(l)),
            Strategy::Text(t) => format!("text {}{exact}", quote(t)),
            Strategy::Placeholder(p) => format!("field with the placeholder {}{exact}", quote(p)),
            Strategy::TestId(id) => format!("element with the test id {}", quote(id)),
            Strategy::Tag(tag) => format!("<{tag}> element"),
            Strategy::Css("body") => "page body".into(),
            Strategy::Css(css) => format!("element matching `{css}`"),
        };
        let mut out = match self.nth {
            Some(n) => format!("the {} {noun}", ordinal(n)),
            None => format!("the {noun}"),
        };
        if let Some(t) = &self.has_text {
            out.push_str(&format!(" containing {}", quote(t)));
        }
        if self.named {
            out.push_str(" (with an accessible name)");
        }
        if let Some(within) = &self.within {
            out.push_str(&format!(" inside {}", within.describe()));
        }
        out
    }

    /// “<li> elements”, “buttons “Delete””: for counts.
    pub fn describe_plural(&self) -> String {
        let base = match self.strategy() {
            Strategy::Role(role) => match &self.name {
                Some(name) => format!("{} {}", plural(&role_noun(role)), quote(name)),
                None => plural(&role_noun(role)),
            },
            Strategy::Tag(tag) => format!("<{tag}> elements"),
            _ => return format!("elements like {}", Locator { nth: None, ..self.clone() }.describe()),
        };
        let mut out = base;
        if let Some(t) = &self.has_text {
            out.push_str(&format!(" containing {}", quote(t)));
        }
        if let Some(within) = &self.within {
            out.push_str(&format!(" inside {}", within.describe()));
        }
        out
    }
}

fn target(on: &Option<Locator>) -> String {
    on.as_ref().map_or_else(|| "the page".to_string(), Locator::describe)
}

fn text_target(on: &Option<Locator>, excluding: &Option<Locator>) -> String {
    match excluding {
        Some(x) => format!("{} (leaving out {})", target(on), x.describe_plural()),
        None => target(on),
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Step::Click { on, times, even_if_disabled, .. } => {
                let times = times.filter(|n| *n > 1).map_or(String::new(), |n| format!(" {n} times"));
                let disabled = if *even_if_disabled { " (even if it is disabled)" } else { "" };
                format!("Click {}{times}{disabled}", on.describe())
            }
            Step::DoubleClick { on, .. } => format!("Double-click {}", on.describe()),
            Step::Hover { on, .. } => format!("Move the pointer over {}", on.describe()),
            Step::MovePointerAway {} => "Move the pointer away".into(),
            Step::Type { into, text, .. } => format!("Type {} into {}", quote(text), into.describe()),
            Step::Fill { into, text, .. } if text.is_empty() => format!("Empty {}", into.describe()),
            Step::Fill { into, text, .. } => format!("Fill {} with {}", into.describe(), quote(text)),
            Step::Clear { on, .. } => format!("Clear {}", on.describe()),
            Step::Press { key, on: None, .. } => format!("Press {key}"),
            Step::Press { key, on: Some(on), .. } => format!("Press {key} in {}", on.describe()),
            Step::Select { on, option, .. } => format!("Choose {} in {}", quote(option), on.describe()),
            Step::Check { on, .. } => format!("Check {}", on.describe()),
            Step::Uncheck { on, .. } => format!("Uncheck {}", on.describe()),
            Step::Focus { on, .. } => format!("Focus {}", on.describe()),
            Step::ExpectText { on, excluding, equals, not_equals, contains, not_contains, matches, exact, .. } => {
                let what = text_target(on, excluding);
                let exactly = if *exact { " exactly" } else { "" };
                // Validation rejects a step without exactly one comparison before anyone reads it.
                match TextCheck::of(equals, not_equals, contains, not_contains, matches).unwrap_or(TextCheck::Matches("")) {
                    TextCheck::Equals(v) => format!("Expect {what} to read{exactly} {}", value(v)),
                    TextCheck::NotEquals(v) => format!("Expect {what} to read something other than {}", value(v)),
                    TextCheck::Contains(v) => format!("Expect {what} to show{exactly} {}", value(v)),
                    TextCheck::NotContains(v) => format!("Expect {what} not to show {}", value(v)),
                    TextCheck::Matches(re) => format!("Expect the text of {what} to match /{re}/"),
                }
            }
            Step::ExpectNumber { on, equals, .. } => {
                let what = on.as_ref().map_or_else(|| "the number on the page".to_string(), |l| format!("the number in {}", l.describe()));
                format!("Expect {what} to be {equals}")
            }
            Step::ExpectVisible { on, .. } => format!("Expect {} to be visible", on.describe()),
            Step::ExpectHidden { on, .. } => format!("Expect {} to be hidden", on.describe()),
            Step::ExpectAbsent { on, .. } => format!("Expect {} not to be in the page at all", on.describe()),
            Step::ExpectCount { on, equals, .. } => format!("Expect {equals} {}", on.describe_plural()),
            Step::ExpectAttribute { on, name, equals, present, .. } => match (equals, present) {
                (Some(v), _) => format!("Expect {} to have {name}={}", on.describe(), quote(v)),
                (None, Some(false)) => format!("Expect {} not to have the attribute {name}", on.describe()),
                (None, _) => format!("Expect {} to have the attribute {name}", on.describe()),
            },
            Step::ExpectProperty { on, name, equals, .. } => match (name.as_str(), equals) {
                ("disabled" | "checked" | "selected" | "required" | "open", serde_json::Value::Bool(b)) => {
                    let adjective = if name == "readOnly" { "read-only" } else { name.as_str() };
                    format!("Expect {} {} {adjective}", on.describe(), if *b { "to be" } else { "not to be" })
                }
                (_, serde_json::Value::String(s)) => format!("Expect the {name} of {} to be {}", on.describe(), quote(s)),
                (_, v) => format!("Expect the {name} of {} to be {v}", on.describe()),
            },
            Step::ExpectStyle { on, property, equals, not_equals, .. } => match (equals, not_equals) {
                (Some(v), _) => format!("Expect the {property} of {} to be {}", on.describe(), value(v)),
                (_, v) => format!("Expect the {property} of {} to differ from {}", on.describe(), value(v.as_deref().unwrap_or_default())),
            },
            Step::ExpectPosition { on, is, of, .. } => format!("Expect {} to be {} {}", on.describe(), is.words(), of.describe()),
            Step::ExpectNoErrors {} => "Expect no uncaught errors".into(),
            Step::ExpectNoConsoleErrors { containing: None } => "Expect no errors in the console".into(),
            Step::ExpectNoConsoleErrors { containing: Some(t) } => format!("Expect no console errors about {}", quote(t)),
            Step::ExpectNoReactWarnings { containing: None } => "Expect no warnings from React (such as a missing key)".into(),
            Step::ExpectNoReactWarnings { containing: Some(t) } => format!("Expect no React warnings about {}", quote(t)),
            Step::Capture { name, on, excluding, .. } => {
                let what = match self.capture_read() {
                    Some(crate::step::Read::Number) => match on {
                        None => "the number on the page".to_string(),
                        Some(l) => format!("the number in {}", l.describe()),
                    },
                    Some(crate::step::Read::Style(p)) => format!("the {p} of {}", target(on)),
                    Some(crate::step::Read::Attribute(a)) => format!("the {a} attribute of {}", target(on)),
                    Some(crate::step::Read::Property(p)) => format!("the {p} of {}", target(on)),
                    _ => format!("the text of {}", text_target(on, excluding)),
                };
                format!("Remember {what} as {}", quote(name))
            }
            Step::AdvanceClock { ms } if ms % 1000 == 0 && *ms >= 1000 => {
                let s = ms / 1000;
                format!("Let {s} second{} pass", if s == 1 { "" } else { "s" })
            }
            Step::AdvanceClock { ms } => format!("Let {ms} ms pass"),
            Step::Reload {} => "Reload the page".into(),
            Step::Reopen {} => "Open the page again in a new tab".into(),
        };
        f.write_str(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(src: &str) -> Step {
        toml::from_str::<Step>(src).unwrap_or_else(|e| panic!("{src}: {e}"))
    }

    #[test]
    fn renders_actions() {
        assert_eq!(step("do = \"click\"\non = { role = \"button\", name = \"Increment\" }").to_string(), "Click the button “Increment”");
        assert_eq!(step("do = \"type\"\ninto = { label = \"First name\" }\ntext = \"Ada\"").to_string(), "Type “Ada” into the field labelled “First name”");
        assert_eq!(step("do = \"press\"\nkey = \"ArrowRight\"").to_string(), "Press ArrowRight");
        assert_eq!(step("do = \"hover\"\non = { text = \"Hover me\" }").to_string(), "Move the pointer over the text “Hover me”");
        assert_eq!(step("do = \"click\"\non = { role = \"button\", name = \"Delete\", nth = 1 }").to_string(), "Click the second button “Delete”");
        assert_eq!(step("do = \"click\"\non = { tag = \"li\", nth = -2 }").to_string(), "Click the second-to-last <li> element");
        assert_eq!(step("do = \"select\"\non = { tag = \"select\" }\noption = \"Green\"").to_string(), "Choose “Green” in the <select> element");
        assert_eq!(step("do = \"advance_clock\"\nms = 1000").to_string(), "Let 1 second pass");
        assert_eq!(step("do = \"advance_clock\"\nms = 250").to_string(), "Let 250 ms pass");
    }

    #[test]
    fn ordinals_take_their_english_suffix() {
        let click = |nth: i32| step(&format!("do = \"click\"\non = {{ tag = \"li\", nth = {nth} }}")).to_string();
        assert_eq!(click(5), "Click the 6th <li> element");
        assert_eq!(click(20), "Click the 21st <li> element");
        assert_eq!(click(21), "Click the 22nd <li> element");
        assert_eq!(click(110), "Click the 111th <li> element");
        assert_eq!(click(-23), "Click the 23rd-to-last <li> element");
    }

    #[test]
    fn renders_expectations() {
        assert_eq!(step("do = \"expect_visible\"\non = { text = \"1\" }").to_string(), "Expect the text “1” to be visible");
        assert_eq!(step("do = \"expect_text\"\non = { tag = \"p\" }\nequals = \"cba\"").to_string(), "Expect the <p> element to read “cba”");
        assert_eq!(step("do = \"expect_text\"\ncontains = \"Done!\"").to_string(), "Expect the page to show “Done!”");
        assert_eq!(
            step("do = \"expect_text\"\nexcluding = { role = \"button\" }\nnot_equals = \"${t}\"").to_string(),
            "Expect the page (leaving out buttons) to read something other than the saved “t”"
        );
        assert_eq!(step("do = \"expect_text\"\nmatches = \"^\\\\d+$\"\nexact = true").to_string(), "Expect the text of the page to match /^\\d+$/");
        assert_eq!(step("do = \"expect_number\"\nequals = \"n + 1\"").to_string(), "Expect the number on the page to be the saved “n” plus 1");
        assert_eq!(
            step("do = \"expect_property\"\non = { role = \"button\", name = \"Submit\" }\nname = \"disabled\"\nequals = true").to_string(),
            "Expect the button “Submit” to be disabled"
        );
        assert_eq!(step("do = \"expect_count\"\non = { tag = \"li\" }\nequals = 3").to_string(), "Expect 3 <li> elements");
        assert_eq!(step("do = \"expect_count\"\non = { role = \"textbox\" }\nequals = 2").to_string(), "Expect 2 text boxes");
        assert_eq!(step("do = \"expect_count\"\non = { role = \"checkbox\" }\nequals = 2").to_string(), "Expect 2 checkboxes");
        assert_eq!(
            step("do = \"expect_style\"\non = { css = \"body\" }\nproperty = \"background-color\"\nnot_equals = \"${bg}\"").to_string(),
            "Expect the background-color of the page body to differ from the saved “bg”"
        );
        assert_eq!(
            step("do = \"expect_absent\"\non = { role = \"button\", name = \"Submit\" }").to_string(),
            "Expect the button “Submit” not to be in the page at all"
        );
    }
}
