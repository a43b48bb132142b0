//! `docs/challenges.md` is the audit table of the built-in catalog, kept in step with it.

use reactlab_core::Catalog;
use std::path::Path;

#[test]
fn the_published_audit_table_is_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let catalog = Catalog::load_dir(&root.join("challenges"))
        .unwrap_or_else(|errors| panic!("the built-in catalog does not load:\n{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")));
    let generated = reactlab_core::requirement::audit(&catalog);
    let path = root.join("docs/challenges.md");
    if std::env::var_os("REACTLAB_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(published == generated, "docs/challenges.md is stale: run `REACTLAB_BLESS=1 cargo test -p reactlab-core --test audit` to regenerate it");
}

#[test]
fn every_built_in_requirement_is_broken_by_a_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../challenges");
    let catalog = Catalog::load_dir(&root).unwrap_or_else(|_| panic!("the built-in catalog does not load"));
    let mut missing = Vec::new();
    for c in &catalog.challenges {
        for r in &c.requirements {
            let broken = c.fixtures.iter().any(|f| !f.should_pass && reactlab_core::requirement::broken_by(f).contains(&r.id));
            if !broken {
                missing.push(format!("{}: {}", c.slug, r.id));
            }
        }
    }
    assert!(missing.is_empty(), "requirements no fail fixture breaks:\n{}", missing.join("\n"));
}
