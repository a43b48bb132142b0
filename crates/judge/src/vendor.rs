//! The pinned React runtime, embedded at build time, and the import map that points the
//! learner's bare `react…` imports at it.

use reactlab_core::ReactBuild;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

mod files {
    include!(concat!(env!("OUT_DIR"), "/vendor_files.rs"));
}

#[derive(Deserialize)]
struct Manifest {
    react: String,
    specifiers: BTreeMap<String, String>,
}

static MANIFEST: LazyLock<Manifest> = LazyLock::new(|| serde_json::from_str(files::MANIFEST).expect("vendor manifest is valid JSON"));

/// One build of the runtime: its files and its import map.
pub struct VendorBuild {
    pub mode: &'static str,
    raw: &'static [(&'static str, &'static [u8])],
    /// Bare specifiers → `/vendor/<mode>/<file>` on the page's own origin (the web app's
    /// live preview).
    pub import_map: String,
    /// The same files at the judge's fixed runtime origin (`harness::VENDOR_HOST`).
    pub judge_import_map: String,
}

fn build(mode: &'static str, raw: &'static [(&'static str, &'static [u8])]) -> VendorBuild {
    let import_map = |origin: &str| {
        let imports: BTreeMap<&str, String> =
            MANIFEST.specifiers.iter().map(|(spec, file)| (spec.as_str(), format!("{origin}/vendor/{mode}/{file}"))).collect();
        serde_json::json!({ "imports": imports }).to_string()
    };
    VendorBuild { mode, raw, import_map: import_map(""), judge_import_map: import_map(&format!("http://{}", crate::harness::VENDOR_HOST)) }
}

static DEVELOPMENT: LazyLock<VendorBuild> = LazyLock::new(|| build("development", files::DEVELOPMENT));
static PRODUCTION: LazyLock<VendorBuild> = LazyLock::new(|| build("production", files::PRODUCTION));

impl VendorBuild {
    pub fn get(build: ReactBuild) -> &'static VendorBuild {
        match build {
            ReactBuild::Production => &PRODUCTION,
            ReactBuild::Development | ReactBuild::Auto => &DEVELOPMENT,
        }
    }

    /// The body of `/vendor/<mode>/<file>` (for the web app's live preview, which loads the
    /// same modules through the same import map).
    pub fn file(&self, file: &str) -> Option<&'static [u8]> {
        self.raw.iter().find(|(name, _)| *name == file).map(|(_, body)| *body)
    }

    /// The build whose files live under `/vendor/<mode>/`.
    pub fn by_mode(mode: &str) -> Option<&'static VendorBuild> {
        [&*DEVELOPMENT, &*PRODUCTION].into_iter().find(|b| b.mode == mode)
    }
}

/// The React version the bundle pins.
pub fn react_version() -> &'static str {
    &MANIFEST.react
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_map_covers_every_allowed_specifier() {
        for build in [ReactBuild::Development, ReactBuild::Production] {
            let v = VendorBuild::get(build);
            let map: serde_json::Value = serde_json::from_str(&v.import_map).unwrap();
            for spec in crate::transpile::ALLOWED_IMPORTS {
                let url = map["imports"][spec].as_str().unwrap_or_else(|| panic!("{spec} missing"));
                let file = url.rsplit('/').next().unwrap();
                assert!(v.file(file).is_some(), "{url} not embedded");
            }
        }
        assert!(react_version().starts_with("19."));
    }
}
