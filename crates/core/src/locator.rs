//! How a test finds an element: the way a person does (role and accessible name, label,
//! visible text, placeholder), then test id and tag, and CSS as a last resort.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Finds elements in the page. Exactly one strategy field (`role`, `label`, `text`,
/// `placeholder`, `test_id`, `tag`, `css`) is set; the others refine it.
///
/// Text comparisons (`name`, `label`, `text`, `placeholder`) ignore case, collapse white
/// space and match a part of the text; with `exact`, the whole text must match, case
/// included (white space is still collapsed). `has_text` always matches a part, ignoring case.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Locator {
    /// ARIA role, explicit (`role="tab"`) or implicit (`<button>` is `button`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Accessible name, only with `role` (e.g. the button's label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Form control by its label: `<label>`, `aria-labelledby` or `aria-label` (not placeholder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The innermost element whose text contains this text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Form control by its `placeholder` attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// Element by its `data-testid` attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_id: Option<String>,
    /// Element by tag name, e.g. `p`, `li`, `select`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// CSS selector: a last resort, for what the statement names (e.g. `body`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub css: Option<String>,
    /// Keep only elements whose text contains this (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_text: Option<String>,
    /// Keep only elements with a non-empty accessible name (e.g. a dialog that is labelled).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub named: bool,
    /// Compare names and texts whole and case-sensitively (white space is still collapsed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exact: bool,
    /// Role locators skip elements hidden from people and assistive technology;
    /// set this to find them too. Other strategies always find hidden elements.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_hidden: bool,
    /// Pick the n-th match (0-based; -1 is the last) instead of requiring exactly one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<i32>,
    /// Search only inside the (single) element this locator finds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<Box<Locator>>,
}

/// The strategy a locator uses, with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy<'a> {
    Role(&'a str),
    Label(&'a str),
    Text(&'a str),
    Placeholder(&'a str),
    TestId(&'a str),
    Tag(&'a str),
    Css(&'a str),
}

impl Locator {
    /// The strategies that are set, in declaration order.
    fn strategies(&self) -> Vec<Strategy<'_>> {
        let candidates = [
            self.role.as_deref().map(Strategy::Role),
            self.label.as_deref().map(Strategy::Label),
            self.text.as_deref().map(Strategy::Text),
            self.placeholder.as_deref().map(Strategy::Placeholder),
            self.test_id.as_deref().map(Strategy::TestId),
            self.tag.as_deref().map(Strategy::Tag),
            self.css.as_deref().map(Strategy::Css),
        ];
        candidates.into_iter().flatten().collect()
    }

    /// The one strategy of a validated locator.
    pub fn strategy(&self) -> Strategy<'_> {
        self.strategies().first().copied().unwrap_or(Strategy::Css("*"))
    }

    /// Checks the shape rules serde cannot express.
    pub fn validate(&self) -> Result<(), String> {
        let n = self.strategies().len();
        if n == 0 {
            return Err("a locator needs one of `role`, `label`, `text`, `placeholder`, `test_id`, `tag` or `css`".into());
        }
        if n > 1 {
            return Err(
                "a locator takes only one of `role`, `label`, `text`, `placeholder`, `test_id`, `tag` and `css`; use `within` or `has_text` to combine".into(),
            );
        }
        if self.name.is_some() && self.role.is_none() {
            return Err("`name` goes with `role` (the accessible name of that role)".into());
        }
        if let Some(tag) = &self.tag
            && !tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(format!("`tag` must be a tag name such as `p` or `li`, not `{tag}`"));
        }
        for (field, value) in [("role", &self.role), ("label", &self.label), ("text", &self.text), ("css", &self.css)] {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Err(format!("`{field}` must not be empty"));
            }
        }
        if let Some(within) = &self.within {
            within.validate().map_err(|e| format!("in `within`: {e}"))?;
        }
        Ok(())
    }
}
