//! The small expressions a test compares captured values with: `0`, `count`, `count + 1`,
//! and `${name}` references inside expected strings.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// A whole number, or a captured number plus or minus a constant (`"count + 1"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum NumberExpr {
    Literal(i64),
    /// `name`, `name + k` or `name - k`, where `name` was captured earlier in the test.
    Expr(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedExpr {
    pub capture: Option<String>,
    pub offset: i64,
}

impl NumberExpr {
    pub fn parse(&self) -> Result<ParsedExpr, String> {
        match self {
            NumberExpr::Literal(n) => Ok(ParsedExpr { capture: None, offset: *n }),
            NumberExpr::Expr(s) => parse_expr(s),
        }
    }

    /// The value, given the numbers captured so far.
    pub fn evaluate(&self, captures: &HashMap<String, String>) -> Result<f64, String> {
        let parsed = self.parse()?;
        let base = match &parsed.capture {
            None => 0.0,
            Some(name) => {
                let raw = captures.get(name).ok_or_else(|| format!("nothing was captured as “{name}”"))?;
                raw.parse::<f64>().map_err(|_| format!("“{name}” holds “{raw}”, which is not a number"))?
            }
        };
        Ok(base + parsed.offset as f64)
    }
}

fn parse_expr(s: &str) -> Result<ParsedExpr, String> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Ok(ParsedExpr { capture: None, offset: n });
    }
    let (name, offset) = match s.find(['+', '-']) {
        None => (s, 0),
        Some(at) => {
            let k: i64 = s[at + 1..].trim().parse().map_err(|_| format!("`{s}` is not `name`, `name + k` or `name - k` with a whole number k"))?;
            // `name - -9223372036854775808` has no offset that fits in an i64.
            let offset = if &s[at..at + 1] == "-" { k.checked_neg().ok_or_else(|| format!("`{s}`: the number is too large"))? } else { k };
            (s[..at].trim(), offset)
        }
    };
    if !is_name(name) {
        return Err(format!("`{name}` is not a capture name (letters, digits and `_`)"));
    }
    Ok(ParsedExpr { capture: Some(name.to_string()), offset })
}

pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The capture names a string refers to with `${name}`.
pub fn references(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                out.push(&after[..end]);
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

/// Replaces every `${name}` with its captured value.
pub fn substitute(s: &str, captures: &HashMap<String, String>) -> Result<String, String> {
    let mut out = s.to_string();
    for name in references(s) {
        let value = captures.get(name).ok_or_else(|| format!("nothing was captured as “{name}”"))?;
        out = out.replace(&format!("${{{name}}}"), value);
    }
    Ok(out)
}

impl fmt::Display for NumberExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberExpr::Literal(n) => write!(f, "{n}"),
            NumberExpr::Expr(s) => match parse_expr(s) {
                Ok(ParsedExpr { capture: Some(name), offset: 0 }) => write!(f, "the saved “{name}”"),
                Ok(ParsedExpr { capture: Some(name), offset }) if offset > 0 => write!(f, "the saved “{name}” plus {offset}"),
                Ok(ParsedExpr { capture: Some(name), offset }) => write!(f, "the saved “{name}” minus {}", offset.unsigned_abs()),
                _ => write!(f, "{s}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_and_evaluates() {
        let c = caps(&[("n", "41"), ("x", "-3")]);
        assert_eq!(NumberExpr::Literal(7).evaluate(&c), Ok(7.0));
        assert_eq!(NumberExpr::Expr("n + 1".into()).evaluate(&c), Ok(42.0));
        assert_eq!(NumberExpr::Expr("n-2".into()).evaluate(&c), Ok(39.0));
        assert_eq!(NumberExpr::Expr("x".into()).evaluate(&c), Ok(-3.0));
        assert_eq!(NumberExpr::Expr(" 5 ".into()).evaluate(&c), Ok(5.0));
    }

    #[test]
    fn rejects_bad_expressions() {
        assert!(NumberExpr::Expr("n * 2".into()).parse().is_err());
        assert!(NumberExpr::Expr("n + x".into()).parse().is_err());
        assert!(NumberExpr::Expr("1abc".into()).parse().is_err());
        let err = NumberExpr::Expr("m + 1".into()).evaluate(&HashMap::new()).unwrap_err();
        assert!(err.contains("“m”"), "{err}");
    }

    #[test]
    fn substitutes_references() {
        let c = caps(&[("bg", "rgb(0, 0, 0)")]);
        assert_eq!(references("a ${bg} b ${c}"), vec!["bg", "c"]);
        assert_eq!(substitute("is ${bg}!", &c).unwrap(), "is rgb(0, 0, 0)!");
        assert!(substitute("${nope}", &c).is_err());
    }

    #[test]
    fn displays_in_words() {
        assert_eq!(NumberExpr::Expr("count + 1".into()).to_string(), "the saved “count” plus 1");
        assert_eq!(NumberExpr::Expr("count - 2".into()).to_string(), "the saved “count” minus 2");
        assert_eq!(NumberExpr::Literal(0).to_string(), "0");
    }
}
