//! What a test expects of the page: its text, numbers, states, counts, attributes,
//! properties, styles, positions, and a quiet console; and the `capture` step that reads a
//! value for later ones. Each expectation retries until its deadline.

use super::{Stop, TestRun, locator_json, problem, short};
use reactlab_core::expr::{self, NumberExpr};
use reactlab_core::step::{Placement, Read, TextCheck};
use reactlab_core::{ConsoleKind, Locator, Step};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::time::{Instant, sleep};

/// How long `expect_no_*` steps let the page finish reporting what it already did.
const QUIET_SETTLE: Duration = Duration::from_millis(50);

/// The `on` and `excluding` of a step that reads text.
pub(super) struct TextOf<'s> {
    pub on: Option<&'s Locator>,
    pub excluding: Option<&'s Locator>,
}

impl TestRun<'_> {
    /// `expect_text`: the (collapsed, case-folded unless `exact`) text passes the check.
    pub(super) async fn expect_text(&self, of: TextOf<'_>, check: TextCheck<'_>, exact: bool, timeout: Duration) -> Result<(), Stop> {
        let TextOf { on, excluding } = of;
        let target = on.map_or_else(|| "the page".to_string(), Locator::describe);
        let (want, re) = match check {
            TextCheck::Matches(pattern) => {
                (pattern.to_string(), Some(regex::RegexBuilder::new(pattern).case_insensitive(!exact).build().map_err(|e| Stop::Fail(e.to_string()))?))
            }
            other => (expr::substitute(other.value(), &self.captures).map_err(Stop::Fail)?, None),
        };
        // The page's text is already collapsed; the expected text is too, unless exact.
        let norm = |s: &str| if exact { s.to_string() } else { s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase() };
        self.expect_value(on, "text", None, excluding, timeout, |v| {
            let actual = v.as_str().unwrap_or_default();
            let (a, w) = (norm(actual), norm(want.trim()));
            let ok = match check {
                TextCheck::Equals(_) => a == w,
                TextCheck::NotEquals(_) => a != w,
                TextCheck::Contains(_) => a.contains(&w),
                TextCheck::NotContains(_) => !a.contains(&w),
                TextCheck::Matches(_) => re.as_ref().is_some_and(|re| re.is_match(actual)),
            };
            if ok { Ok(()) } else { Err(format!("Expected {target} to {} “{want}”, but it reads “{}”", check.verb(), short(actual))) }
        })
        .await
        .map(|_| ())
    }

    pub(super) async fn expect_number(&self, on: Option<&Locator>, equals: &NumberExpr, timeout: Duration) -> Result<(), Stop> {
        let want = equals.evaluate(&self.captures).map_err(Stop::Fail)?;
        let target = on.map_or_else(|| "the page".to_string(), Locator::describe);
        self.expect_value(on, "number", None, None, timeout, |v| {
            let got: f64 = v.as_str().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
            if got == want {
                Ok(())
            } else {
                Err(format!("Expected the number in {target} to be {}, but it is {}", fmt_num(want, equals), v.as_str().unwrap_or("?")))
            }
        })
        .await
        .map(|_| ())
    }

    /// `expect_visible`, `expect_hidden` and `expect_absent` (`wanted`: "visible", "hidden", "absent").
    pub(super) async fn expect_state(&self, on: &Locator, wanted: &str, timeout: Duration) -> Result<(), Stop> {
        // Absent means not in the DOM at all, so hidden elements count.
        let loc = if wanted == "absent" { locator_json(&Locator { include_hidden: true, ..on.clone() }) } else { locator_json(on) };
        retry!(self, timeout, {
            let v = self.world("state", json!([loc])).await?;
            if let Some(count) = v.get("count").and_then(Value::as_u64).filter(|_| v.get("error").and_then(Value::as_str) == Some("ambiguous")) {
                let what = match wanted {
                    "absent" => "not to be in the page",
                    "visible" => "to be visible",
                    _ => "to be hidden",
                };
                return Ok(Err(format!("Expected {} {what}, but {count} elements match", on.describe())));
            }
            if let Some(reason) = problem(on, &v) {
                return Ok(Err(format!("Expected {}, but {reason}", on.describe())));
            }
            let state = v["state"].as_str().unwrap_or_default();
            let ok = match wanted {
                "visible" => state == "visible",
                "hidden" => state != "visible",
                _ => state == "absent",
            };
            let message = match (wanted, state) {
                ("visible", "absent") => format!("Expected {} to be visible, but it is not in the page", on.describe()),
                ("visible", _) => format!("Expected {} to be visible, but it is hidden", on.describe()),
                ("hidden", _) => format!("Expected {} to be hidden, but it is visible", on.describe()),
                (_, "hidden") => format!("Expected {} not to be in the page at all, but it is still there (hidden)", on.describe()),
                _ => format!("Expected {} not to be in the page at all, but it is still there", on.describe()),
            };
            Ok(if ok { Ok(()) } else { Err(message) })
        })
    }

    pub(super) async fn expect_position(&self, on: &Locator, is: Placement, of: &Locator, timeout: Duration) -> Result<(), Stop> {
        let (what, to) = (on.describe(), format!("{} {}", is.words(), of.describe()));
        let locs = json!([locator_json(on), locator_json(of)]);
        retry!(self, timeout, {
            let v = self.world("position", locs.clone()).await?;
            let which = if v["which"] == "of" { of } else { on };
            if let Some(reason) = problem(which, &v) {
                return Ok(Err(format!("Expected {what} to be {to}, but {reason}")));
            }
            let edge = |side: &str, key: &str| v[side][key].as_f64().unwrap_or(0.0);
            // Half a pixel of slack for rounding; touching boxes are still apart.
            let placed = match is {
                Placement::Below => edge("on", "top") >= edge("of", "bottom") - 0.5,
                Placement::Above => edge("on", "bottom") <= edge("of", "top") + 0.5,
                Placement::LeftOf => edge("on", "right") <= edge("of", "left") + 0.5,
                Placement::RightOf => edge("on", "left") >= edge("of", "right") - 0.5,
            };
            Ok(if placed {
                Ok(())
            } else {
                let at = |side: &str| {
                    format!("{:.0}–{:.0} px down, {:.0}–{:.0} px across", edge(side, "top"), edge(side, "bottom"), edge(side, "left"), edge(side, "right"))
                };
                Err(format!("Expected {what} to be {to}, but it is drawn at {} and the other at {}", at("on"), at("of")))
            })
        })
    }

    pub(super) async fn expect_count(&self, on: &Locator, equals: u32, timeout: Duration) -> Result<(), Stop> {
        let loc = locator_json(on);
        retry!(self, timeout, {
            let v = self.world("count", json!([loc])).await?;
            if let Some(reason) = problem(on, &v) {
                return Ok(Err(format!("Expected {equals} {}, but {reason}", on.describe_plural())));
            }
            let n = v["count"].as_u64().unwrap_or(0);
            Ok(if n == equals as u64 { Ok(()) } else { Err(format!("Expected {equals} {}, but found {n}", on.describe_plural())) })
        })
    }

    pub(super) async fn expect_attribute(&self, on: &Locator, name: &str, equals: Option<&str>, present: Option<bool>, timeout: Duration) -> Result<(), Stop> {
        let want_present = present.unwrap_or(true);
        let equals = match equals {
            Some(v) => Some(expr::substitute(v, &self.captures).map_err(Stop::Fail)?),
            None => None,
        };
        self.expect_value(Some(on), "attribute", Some(name), None, timeout, |v| {
            let ok = match (&equals, v) {
                (Some(want), Value::String(got)) => got.trim() == want.trim(),
                (Some(_), _) => false,
                (None, v) => v.is_null() != want_present,
            };
            if ok {
                return Ok(());
            }
            let got = v.as_str().map_or("no such attribute".to_string(), |g| format!("{name}=“{g}”"));
            Err(match &equals {
                Some(want) => format!("Expected {} to have {name}=“{want}”, but it has {got}", on.describe()),
                None if want_present => format!("Expected {} to have the attribute {name}, but it has none", on.describe()),
                None => format!("Expected {} not to have the attribute {name}, but it has {got}", on.describe()),
            })
        })
        .await
        .map(|_| ())
    }

    pub(super) async fn expect_property(&self, on: &Locator, name: &str, equals: &Value, timeout: Duration) -> Result<(), Stop> {
        let equals = &match equals {
            Value::String(v) => Value::String(expr::substitute(v, &self.captures).map_err(Stop::Fail)?),
            other => other.clone(),
        };
        self.expect_value(Some(on), "property", Some(name), None, timeout, |v| {
            let ok = match (equals, v) {
                (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
                (Value::String(a), Value::Number(b)) | (Value::Number(b), Value::String(a)) => a.parse::<f64>().ok() == b.as_f64(),
                (a, b) => a == b,
            };
            if ok { Ok(()) } else { Err(format!("Expected the {name} of {} to be {equals}, but it is {v}", on.describe())) }
        })
        .await
        .map(|_| ())
    }

    /// `expect_style` with `equals` (`equal`) or `not_equals`.
    pub(super) async fn expect_style(
        &self,
        on: &Locator,
        property: &str,
        equals: Option<&str>,
        not_equals: Option<&str>,
        timeout: Duration,
    ) -> Result<(), Stop> {
        let (want, equal) = match (equals, not_equals) {
            (Some(v), _) => (expr::substitute(v, &self.captures).map_err(Stop::Fail)?, true),
            (_, v) => (expr::substitute(v.unwrap_or_default(), &self.captures).map_err(Stop::Fail)?, false),
        };
        self.expect_value(Some(on), "style", Some(property), None, timeout, |v| {
            let got = v.as_str().unwrap_or_default().trim();
            let same = got.eq_ignore_ascii_case(want.trim());
            if same == equal {
                Ok(())
            } else if equal {
                Err(format!("Expected the {property} of {} to be “{want}”, but it is “{got}”", on.describe()))
            } else {
                Err(format!("Expected the {property} of {} to differ from “{want}”, but it is “{got}”", on.describe()))
            }
        })
        .await
        .map(|_| ())
    }

    pub(super) async fn expect_quiet(&mut self, kinds: &[ConsoleKind], containing: Option<&str>, what: &str) -> Result<(), Stop> {
        // What the page already did may not be recorded yet: an unhandled rejection is reported
        // a task after it happens. Give it a moment; the look itself is a round trip, so the
        // page has run what was queued before it.
        sleep(QUIET_SETTLE.min(self.deadline.saturating_duration_since(Instant::now()))).await;
        self.collect().await;
        let about = containing.map(str::to_lowercase);
        let first = self
            .logged
            .console
            .iter()
            .find(|e| kinds.contains(&e.kind) && about.as_ref().is_none_or(|a| e.text.to_lowercase().contains(a)))
            .map(|e| e.text.clone());
        match first {
            None => Ok(()),
            Some(text) => Err(Stop::Fail(format!("Expected no {what}, but the page logged: {}", short(&text)))),
        }
    }

    /// `capture`: saves what the step reads, as text, under `name`.
    pub(super) async fn capture(&mut self, step: &Step, name: &str, of: TextOf<'_>, timeout: Duration) -> Result<(), Stop> {
        let (what, arg) = match step.capture_read() {
            Some(Read::Text) => ("text", None),
            Some(Read::Number) => ("number", None),
            Some(Read::Style(p)) => ("style", Some(p)),
            Some(Read::Attribute(a)) => ("attribute", Some(a)),
            Some(Read::Property(p)) => ("property", Some(p)),
            None => return Err(Stop::Fail("the capture step reads nothing".into())),
        };
        let v = self.expect_value(of.on, what, arg, of.excluding, timeout, |_| Ok(())).await?;
        let text = match v {
            Value::String(s) => s,
            Value::Null => String::new(),
            other => other.to_string(),
        };
        self.captures.insert(name.to_string(), text);
        Ok(())
    }
}

fn fmt_num(v: f64, expr: &NumberExpr) -> String {
    match expr {
        NumberExpr::Literal(_) => format!("{v}"),
        NumberExpr::Expr(_) => format!("{v} ({expr})"),
    }
}
