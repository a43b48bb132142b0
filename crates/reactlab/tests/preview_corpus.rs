//! The judge's side of the shared corpus (web/e2e/corpus): each file must compile and
//! mount, be refused as a compile error, or fail while mounting, exactly as its name says
//! and as the web app's preview classifies it (web/e2e/learner.test.mjs).

mod server;
use server::repo_root;

#[test]
fn the_judge_classifies_the_shared_corpus_as_the_preview_does() {
    let challenge = tempfile::tempdir().unwrap();
    let dir = challenge.path().join("mounts");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("challenge.toml"),
        "title = \"Mounts\"\ndifficulty = \"easy\"\n[[test]]\nname = \"mounts\"\nchecks = [\"mounts\"]\nsteps = [{ do = \"expect_no_errors\" }]\n",
    )
    .unwrap();
    std::fs::write(dir.join("statement.md"), "Mount.\n\n## Requirements\n\n- [mounts] The component mounts without an error.\n").unwrap();
    std::fs::write(dir.join("starter.jsx"), "export default function App() { throw new Error('todo'); }").unwrap();
    std::fs::write(dir.join("reference.jsx"), "export default function App() { return <p>ok</p>; }").unwrap();
    let corpus = repo_root().join("web/e2e/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&corpus).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "jsx")).collect();
    files.sort();
    assert!(files.len() >= 6, "the corpus is there");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reactlab")).args(["grade", "--json", "--challenge"]).arg(&dir).args(&files).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let reports: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(reports.len(), files.len(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for (file, report) in files.iter().zip(&reports) {
        let name = file.file_name().unwrap().to_string_lossy();
        let expected = if name.starts_with("mounts-") {
            "accepted"
        } else if name.starts_with("compile-error-") {
            "compile_error"
        } else {
            "runtime_error"
        };
        assert_eq!(report["verdict"], expected, "{name}: {report}");
    }
}
