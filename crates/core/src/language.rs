//! The language a learner writes in, which names the file their code is graded as.

use schemars::JsonSchema;
use serde::Deserialize;

// `jsx` (the default) or `tsx`. (No doc comment: schemars would put it in the API's schema.)
#[derive(Debug, Deserialize, JsonSchema, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Jsx,
    Tsx,
}

impl Language {
    /// The name the learner's file is transpiled and graded under; its extension picks
    /// JSX or TSX.
    pub const fn file_name(self) -> &'static str {
        match self {
            Language::Jsx => "App.jsx",
            Language::Tsx => "App.tsx",
        }
    }

    /// The file's extension, without the dot.
    pub const fn extension(self) -> &'static str {
        match self {
            Language::Jsx => "jsx",
            Language::Tsx => "tsx",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_is_named_as_clients_send_it_and_its_file_ends_so() {
        for (wire, language) in [("jsx", Language::Jsx), ("tsx", Language::Tsx)] {
            assert_eq!(serde_json::from_str::<Language>(&format!("\"{wire}\"")).unwrap(), language);
            assert_eq!(language.extension(), wire);
            assert_eq!(language.file_name(), format!("App.{wire}"));
        }
        assert_eq!(Language::default(), Language::Jsx);
    }
}
