//! Replays the `challenge_file` fuzz target's inputs through its own entry point
//! (`reactlab_core::fuzzing::challenge_file`): every built-in `challenge.toml` and the
//! committed seeds in `fuzz/seeds/challenge_file` (hand-written ones, and `regression-*`
//! inputs of bugs fuzzing found). Plain `cargo test` thereby guards what fuzzing found.

use reactlab_core::catalog::parse_spec;
use reactlab_core::fuzzing::challenge_file;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seeds() -> Vec<PathBuf> {
    let dir = repo().join("fuzz/seeds/challenge_file");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

fn seed(name: &str) -> String {
    std::fs::read_to_string(repo().join("fuzz/seeds/challenge_file").join(name)).unwrap()
}

#[test]
fn every_built_in_challenge_file_loads_and_renders() {
    let mut specs: Vec<PathBuf> =
        std::fs::read_dir(repo().join("challenges")).unwrap().map(|e| e.unwrap().path().join("challenge.toml")).filter(|p| p.is_file()).collect();
    specs.sort();
    assert!(specs.len() >= 20, "the catalog is there");
    for spec in specs {
        let rendered = challenge_file(&std::fs::read(&spec).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
        assert!(rendered.tests >= 1 && rendered.sentences >= rendered.tests, "{}: {rendered:?}", spec.display());
    }
}

#[test]
fn every_committed_seed_replays_within_the_format_s_promises() {
    let files = seeds();
    assert!(files.len() >= 2, "the seeds are there");
    for file in files {
        // `challenge_file` panics if an error points outside the file or a step renders as nothing.
        let outcome = challenge_file(&std::fs::read(&file).unwrap());
        let name = file.file_name().unwrap().to_string_lossy();
        if !name.starts_with("regression-") {
            assert!(outcome.is_ok(), "{name}: {outcome:?}");
        }
    }
}

/// Integers at the edges of their types once overflowed while a step was read or rendered.
#[test]
fn integer_extremes_read_as_words_or_are_refused() {
    let last_sentence = |name: &str| parse_spec(name, &seed(name)).unwrap().tests[0].steps.last().unwrap().get_ref().to_string();
    assert_eq!(last_sentence("regression-nth-i32-min.toml"), "Click the 2147483648th-to-last <li> element");
    assert_eq!(last_sentence("regression-nth-i32-max.toml"), "Click the 2147483648th <li> element");
    assert_eq!(last_sentence("regression-plus-i64-min.toml"), "Expect the number on the page to be the saved “n” minus 9223372036854775808");
    let error = parse_spec("c.toml", &seed("regression-minus-i64-min.toml")).unwrap_err();
    assert!(error.message.contains("too large") && error.line == Some(5), "{error}");
}
