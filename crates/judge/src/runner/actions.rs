//! What a user does to the page: clicks, the pointer, the keyboard, selects and checkboxes.
//! Each action waits until its element is actionable, within the step's deadline.

use super::{Spot, Stop, TestRun, locator_json, problem};
use crate::input::{self, key_def, key_events, modifier_bit};
use chromiumoxide_cdp::cdp::browser_protocol::input::DispatchMouseEventType;
use reactlab_core::Locator;
use reactlab_core::step::parse_chord;
use serde_json::json;
use std::time::Duration;

impl TestRun<'_> {
    /// The centre of the element once it is visible, stable, (enabled) and not covered.
    async fn actionable(&self, on: &Locator, enabled: bool, timeout: Duration) -> Result<Spot, Stop> {
        let loc = locator_json(on);
        retry!(self, timeout, {
            let v = self.world("point", json!([loc, enabled])).await?;
            if let Some(reason) = problem(on, &v) {
                return Ok(Err(format!("Could not act on {}: {reason}", on.describe())));
            }
            Ok(Ok(Spot { x: v["x"].as_f64().unwrap_or(0.0), y: v["y"].as_f64().unwrap_or(0.0), again: v["again"].as_bool().unwrap_or(false) }))
        })
    }

    /// Clicks once the element is actionable; enabled too unless `even_if_disabled`.
    async fn click(&self, on: &Locator, clicks: i64, timeout: Duration) -> Result<(), Stop> {
        self.click_where(on, clicks, true, timeout).await
    }

    async fn click_where(&self, on: &Locator, clicks: i64, enabled: bool, timeout: Duration) -> Result<(), Stop> {
        let spot = self.actionable(on, enabled, timeout).await?;
        self.move_to(&spot).await?;
        let Spot { x, y, .. } = spot;
        for n in 1..=clicks {
            self.mouse(DispatchMouseEventType::MousePressed, x, y, n).await?;
            self.mouse(DispatchMouseEventType::MouseReleased, x, y, n).await?;
        }
        Ok(())
    }

    async fn press(&self, chord: &str) -> Result<(), Stop> {
        let (modifiers, key) = parse_chord(chord).map_err(Stop::Fail)?;
        let mut held = 0;
        for m in &modifiers {
            held |= modifier_bit(m);
            let [down, _] = key_events(&key_def(m), held);
            self.cdp(down).await?;
        }
        for event in key_events(&key_def(key), held) {
            self.cdp(event).await?;
        }
        for m in modifiers.iter().rev() {
            held &= !modifier_bit(m);
            let [_, up] = key_events(&key_def(m), held);
            self.cdp(up).await?;
        }
        Ok(())
    }

    /// Selects the text of a text field; anything else (a <div>, a checkbox) cannot be filled.
    async fn select_all(&self, on: &Locator) -> Result<(), Stop> {
        let v = self.world("selectAll", json!([locator_json(on)])).await?;
        match v.get("error").and_then(|_| problem(on, &v)) {
            Some(reason) => Err(Stop::Fail(format!("Could not edit the text of {}: {reason}", on.describe()))),
            None => Ok(()),
        }
    }

    /// `click`: `times` clicks, each finding the element anew.
    pub(super) async fn click_step(&self, on: &Locator, times: Option<u32>, even_if_disabled: bool, timeout: Duration) -> Result<(), Stop> {
        for _ in 0..times.unwrap_or(1) {
            self.click_where(on, 1, !even_if_disabled, timeout).await?;
        }
        Ok(())
    }

    pub(super) async fn double_click(&self, on: &Locator, timeout: Duration) -> Result<(), Stop> {
        self.click(on, 2, timeout).await
    }

    pub(super) async fn hover(&self, on: &Locator, timeout: Duration) -> Result<(), Stop> {
        let spot = self.actionable(on, false, timeout).await?;
        self.mouse(DispatchMouseEventType::MouseMoved, spot.x, spot.y, 0).await
    }

    pub(super) async fn move_pointer_away(&self) -> Result<(), Stop> {
        let v = self.world("away", json!([])).await?;
        self.mouse(DispatchMouseEventType::MouseMoved, v["x"].as_f64().unwrap_or(0.0), v["y"].as_f64().unwrap_or(0.0), 0).await
    }

    /// `type`: clicks the field, then types key by key (a newline is Enter).
    pub(super) async fn type_text(&self, into: &Locator, text: &str, timeout: Duration) -> Result<(), Stop> {
        self.click(into, 1, timeout).await?;
        for c in text.chars() {
            let name = if c == '\n' { "Enter".to_string() } else { c.to_string() };
            for event in key_events(&key_def(&name), 0) {
                self.cdp(event).await?;
            }
        }
        Ok(())
    }

    /// `fill`: replaces the field's text in one input event (an empty text deletes it).
    pub(super) async fn fill(&self, into: &Locator, text: &str, timeout: Duration) -> Result<(), Stop> {
        self.click(into, 1, timeout).await?;
        self.select_all(into).await?;
        if text.is_empty() { self.press("Backspace").await } else { self.cdp(input::insert_text(text)).await.map(|_| ()) }
    }

    pub(super) async fn clear(&self, on: &Locator, timeout: Duration) -> Result<(), Stop> {
        self.click(on, 1, timeout).await?;
        self.select_all(on).await?;
        self.press("Backspace").await
    }

    /// `press`: the chord in the focused element, or in `on` once it took focus.
    pub(super) async fn press_step(&self, key: &str, on: Option<&Locator>, timeout: Duration) -> Result<(), Stop> {
        if let Some(on) = on {
            let loc = locator_json(on);
            retry!(self, timeout, {
                let v = self.world("focus", json!([loc])).await?;
                match problem(on, &v) {
                    Some(reason) => Ok(Err(format!("Could not focus {}: {reason}", on.describe()))),
                    None if v["ok"] == json!(true) => Ok(Ok(())),
                    None => Ok(Err(format!("Could not focus {}: it does not take focus", on.describe()))),
                }
            })?;
        }
        self.press(key).await
    }

    pub(super) async fn select(&self, on: &Locator, option: &str, timeout: Duration) -> Result<(), Stop> {
        let loc = locator_json(on);
        retry!(self, timeout, {
            let v = self.world("selectOption", json!([loc, option])).await?;
            match problem(on, &v) {
                Some(reason) => Ok(Err(format!("Could not choose “{option}” in {}: {reason}", on.describe()))),
                None => Ok(Ok(())),
            }
        })
    }

    /// `check` (`want`) and `uncheck`: clicks only if the box is not as wanted, then requires it to be.
    pub(super) async fn set_checked(&self, on: &Locator, want: bool, timeout: Duration) -> Result<(), Stop> {
        let checked = self.expect_value(Some(on), "property", Some("checked"), None, timeout, |_| Ok(())).await?;
        if checked == json!(want) {
            return Ok(());
        }
        self.click(on, 1, timeout).await?;
        let verb = if want { "check" } else { "uncheck" };
        self.expect_value(Some(on), "property", Some("checked"), None, timeout, |v| {
            if *v == json!(want) { Ok(()) } else { Err(format!("Clicking {} did not {verb} it", on.describe())) }
        })
        .await
        .map(|_| ())
    }

    pub(super) async fn focus(&self, on: &Locator, timeout: Duration) -> Result<(), Stop> {
        let loc = locator_json(on);
        retry!(self, timeout, {
            let v = self.world("focus", json!([loc])).await?;
            Ok(match problem(on, &v) {
                Some(reason) => Err(format!("Could not focus {}: {reason}", on.describe())),
                None => Ok(()),
            })
        })
    }
}
