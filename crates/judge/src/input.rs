//! Trusted input through CDP's Input domain: the browser treats these events exactly like a
//! person's (isTrusted is true, focus moves, default actions run).

use chromiumoxide_cdp::cdp::browser_protocol::input::{
    DispatchKeyEventParams, DispatchKeyEventType, DispatchMouseEventParams, DispatchMouseEventType, InsertTextParams, MouseButton,
};

/// What CDP needs to know about one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDef {
    pub key: String,
    pub code: String,
    pub key_code: i64,
    /// The text the key types (None for Escape, arrows, …).
    pub text: Option<String>,
}

/// The key for a name from `parse_chord` (`Enter`, `ArrowLeft`, `a`, `+`, …).
pub fn key_def(name: &str) -> KeyDef {
    let named = |key: &str, code: &str, key_code: i64, text: Option<&str>| KeyDef { key: key.into(), code: code.into(), key_code, text: text.map(Into::into) };
    match name {
        "Enter" => named("Enter", "Enter", 13, Some("\r")),
        "Tab" => named("Tab", "Tab", 9, None),
        "Escape" => named("Escape", "Escape", 27, None),
        "Backspace" => named("Backspace", "Backspace", 8, None),
        "Delete" => named("Delete", "Delete", 46, None),
        "Space" | " " => named(" ", "Space", 32, Some(" ")),
        "ArrowLeft" => named("ArrowLeft", "ArrowLeft", 37, None),
        "ArrowUp" => named("ArrowUp", "ArrowUp", 38, None),
        "ArrowRight" => named("ArrowRight", "ArrowRight", 39, None),
        "ArrowDown" => named("ArrowDown", "ArrowDown", 40, None),
        "Home" => named("Home", "Home", 36, None),
        "End" => named("End", "End", 35, None),
        "PageUp" => named("PageUp", "PageUp", 33, None),
        "PageDown" => named("PageDown", "PageDown", 34, None),
        "Alt" => named("Alt", "AltLeft", 18, None),
        "Control" => named("Control", "ControlLeft", 17, None),
        "Meta" => named("Meta", "MetaLeft", 91, None),
        "Shift" => named("Shift", "ShiftLeft", 16, None),
        other => {
            let c = other.chars().next().unwrap_or(' ');
            let (code, key_code) = if c.is_ascii_alphabetic() {
                (format!("Key{}", c.to_ascii_uppercase()), c.to_ascii_uppercase() as i64)
            } else if c.is_ascii_digit() {
                (format!("Digit{c}"), c as i64)
            } else {
                (String::new(), 0)
            };
            KeyDef { key: c.to_string(), code, key_code, text: Some(c.to_string()) }
        }
    }
}

/// The CDP modifier bit of a modifier key.
pub fn modifier_bit(name: &str) -> i64 {
    match name {
        "Alt" => 1,
        "Control" => 2,
        "Meta" => 4,
        "Shift" => 8,
        _ => 0,
    }
}

pub fn mouse(kind: DispatchMouseEventType, x: f64, y: f64, click_count: i64) -> DispatchMouseEventParams {
    let pressed = !matches!(kind, DispatchMouseEventType::MouseMoved);
    let mut p = DispatchMouseEventParams::new(kind, x, y);
    if pressed {
        p.button = Some(MouseButton::Left);
        p.click_count = Some(click_count);
        p.buttons = Some(1);
    } else {
        p.button = Some(MouseButton::None);
    }
    p
}

/// The key-down and key-up events for one key, with `modifiers` held. A key that types
/// text sends it unless Control, Alt or Meta is held (then it is a shortcut).
pub fn key_events(def: &KeyDef, modifiers: i64) -> [DispatchKeyEventParams; 2] {
    let shortcut = modifiers & (1 | 2 | 4) != 0;
    let text = if shortcut { None } else { def.text.clone() };
    let down_type = if text.is_some() { DispatchKeyEventType::KeyDown } else { DispatchKeyEventType::RawKeyDown };
    let make = |kind: DispatchKeyEventType, text: Option<String>| {
        let mut p = DispatchKeyEventParams::new(kind);
        p.key = Some(def.key.clone());
        p.code = (!def.code.is_empty()).then(|| def.code.clone());
        p.windows_virtual_key_code = Some(def.key_code);
        p.native_virtual_key_code = Some(def.key_code);
        p.unmodified_text = text.clone();
        p.text = text;
        p.modifiers = Some(modifiers);
        p
    };
    [make(down_type, text), make(DispatchKeyEventType::KeyUp, None)]
}

pub fn insert_text(text: &str) -> InsertTextParams {
    InsertTextParams::new(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(key_def("a").code, "KeyA");
        assert_eq!(key_def("a").key_code, 65);
        assert_eq!(key_def("7").code, "Digit7");
        assert_eq!(key_def("Enter").text.as_deref(), Some("\r"));
        assert_eq!(key_def("é").text.as_deref(), Some("é"));
        let [down, _] = key_events(&key_def("a"), 2);
        assert!(down.text.is_none(), "Control+a is a shortcut, not text");
        let [down, up] = key_events(&key_def("a"), 0);
        assert_eq!(down.text.as_deref(), Some("a"));
        assert!(up.text.is_none());
    }
}
