//! Finding a challenge by slug (in the catalog folder) or by folder path.

use reactlab_core::catalog::load_challenge;
use reactlab_core::{Catalog, Challenge};
use std::path::Path;

/// `what` is a slug of the catalog or a path to a challenge folder.
pub fn find(catalog: &Path, what: &str) -> Result<Challenge, String> {
    let as_path = Path::new(what);
    if as_path.join("challenge.toml").is_file() {
        return load_challenge(as_path).map_err(|e| e.to_string());
    }
    let dir = catalog.join(what);
    if dir.join("challenge.toml").is_file() {
        return load_challenge(&dir).map_err(|e| e.to_string());
    }
    Err(format!("unknown challenge “{what}”: no {}/{what}/challenge.toml and no such folder", catalog.display()))
}

pub fn load_all(catalog: &Path) -> Result<Catalog, String> {
    Catalog::load_dir(catalog).map_err(|errors| errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))
}
