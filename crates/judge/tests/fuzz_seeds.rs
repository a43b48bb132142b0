//! Replays the `transpile` fuzz target's inputs through its own entry point
//! (`reactlab_judge::fuzzing::transpile_both`, no browser): every learner file kept in the
//! repository (the catalog's starters, references and fixtures, and the web app's preview
//! corpus) and the committed seeds in `fuzz/seeds/transpile` (hand-written ones, and
//! `regression-*` inputs of bugs fuzzing found). Plain `cargo test` thereby guards what
//! fuzzing found.

use reactlab_judge::fuzzing::transpile_both;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).map(|d| d.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect()).unwrap_or_default();
    files.sort();
    files
}

fn is_learner_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "jsx" || e == "tsx")
}

fn challenge_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo().join("challenges")).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    dirs
}

/// Every reference and passing fixture compiles in its own dialect: the transpiler's checks
/// (some added for what fuzzing found) refuse no file a learner may rightly write.
#[test]
fn every_passing_file_compiles_in_its_own_dialect() {
    let passing: Vec<PathBuf> = challenge_dirs()
        .iter()
        .flat_map(|c| files_in(c).into_iter().chain(files_in(&c.join("fixtures"))))
        .filter(|p| is_learner_file(p) && p.file_stem().is_some_and(|s| s == "reference" || s.to_string_lossy().starts_with("pass-")))
        .collect();
    assert!(passing.len() >= 40, "the catalog is there");
    for file in passing {
        let [jsx, tsx] = transpile_both(&std::fs::read(&file).unwrap());
        let own = if file.extension().is_some_and(|e| e == "tsx") { tsx } else { jsx };
        assert!(own.is_ok(), "{}: {own:?}", file.display());
    }
}

#[test]
fn every_kept_learner_file_and_seed_replays_within_the_transpiler_s_promises() {
    let mut files: Vec<PathBuf> =
        challenge_dirs().into_iter().flat_map(|c| files_in(&c).into_iter().chain(files_in(&c.join("fixtures")))).filter(|p| is_learner_file(p)).collect();
    files.extend(files_in(&repo().join("web/e2e/corpus")));
    let seeds = files_in(&repo().join("fuzz/seeds/transpile"));
    assert!(seeds.len() >= 3 && files.len() >= 50, "the seeds and kept files are there");
    // `transpile_both` panics if a module lacks its default export or an error points outside the file.
    for file in files.iter().chain(&seeds) {
        let _outcomes = transpile_both(&std::fs::read(file).unwrap());
    }
}

fn seed(name: &str) -> [Result<String, reactlab_core::CompileError>; 2] {
    transpile_both(&std::fs::read(repo().join("fuzz/seeds/transpile").join(name)).unwrap())
}

#[test]
fn the_hand_written_seeds_get_their_outcomes() {
    let [_, tsx] = seed("app-without-default.tsx");
    assert!(tsx.unwrap().contains("export { App as default }"));
    // `export { X as default }` is a default export: it was refused ("no component"), or for
    // X = App given a second one the browser refuses.
    let [jsx, _] = seed("regression-export-main-as-default.jsx");
    assert!(!jsx.unwrap().contains("App as default"));
    let [jsx, _] = seed("regression-export-app-as-default.jsx");
    assert_eq!(jsx.unwrap().matches("as default").count(), 1);
    // Only types (an overload signature, an interface) named as the component leave nothing
    // to mount once compiled: refused, no longer a module the page cannot use.
    for name in ["regression-default-overload-signature", "regression-type-named-app.tsx"] {
        let [_, tsx] = seed(name);
        assert!(tsx.unwrap_err().message.contains("no component"), "{name}");
    }
    // An export inside a function is refused as in JavaScript, at its place, not compiled.
    for error in seed("regression-export-inside-function").map(Result::unwrap_err) {
        assert_eq!((error.line, error.column), (3, 3), "{error:?}");
    }
    // So is an export of a name the file never declares.
    for error in seed("regression-export-of-nothing").map(Result::unwrap_err) {
        assert!(error.line == 1 && error.message.contains("App"), "{error:?}");
    }
    let [jsx, tsx] = seed("forbidden-import.jsx");
    for refused in [jsx, tsx] {
        assert!(refused.unwrap_err().message.contains("lodash"));
    }
    let [jsx, _] = seed("tabbed-syntax-error.jsx");
    let error = jsx.unwrap_err();
    // The caret keeps the line's tab, so that it sits under the mistake in any editor.
    assert!(error.line == 4 && error.frame.contains("| \t  ^"), "{error:?}");
    let [jsx, _] = seed("crlf-redeclared.jsx");
    assert_eq!(jsx.unwrap_err().line, 2);
    let [_, tsx] = seed("enum-namespace.tsx");
    assert!(!tsx.unwrap().contains("declare module"));
}
