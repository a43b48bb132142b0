//! The one entry point the `transpile` fuzz target (`fuzz/`) and the test that replays its
//! seeds (`tests/fuzz_seeds.rs`) share: a learner's file through the judge's transpiler,
//! as JSX and as TSX, checking the promises every outcome keeps. Not part of the judge's
//! API: nothing in the product calls it.

use crate::transpile::{TRANSPILE_STACK_BYTES, transpile};
use oxc::allocator::Allocator;
use oxc::parser::Parser;
use oxc::semantic::SemanticBuilder;
use oxc::span::SourceType;
use oxc::syntax::module_record::ExportExportName;
use reactlab_core::CompileError;

/// Transpiles `data` (bytes that are not UTF-8 are replaced, as the editor would) as
/// `App.jsx` and as `App.tsx`. React's development build alternates with the input's length
/// so that both dialects meet both builds. Panics only if a promise is broken: a module the
/// browser would refuse (it does not parse, or has not exactly one default export), or an
/// error that points outside the file or has no caret.
pub fn transpile_both(data: &[u8]) -> [Result<String, CompileError>; 2] {
    let source = String::from_utf8_lossy(data);
    let development = data.len().is_multiple_of(2);
    [("App.jsx", development), ("App.tsx", !development)].map(|(file, development)| {
        let outcome = transpile(file, &source, development);
        match &outcome {
            Ok(js) => check_module(file, js),
            Err(error) => check_error(&source, error),
        }
        outcome
    })
}

/// The module is plain JavaScript the page can import: it parses, passes the checks a browser
/// makes when it links a module (no duplicate or undeclared exports, …), and has one default
/// export to mount. Checked independently of the transpiler's own logic, from the module
/// record of the output. Parsed on a stack as deep as the transpiler's, for the same deep nesting.
fn check_module(file: &str, js: &str) {
    std::thread::scope(|scope| {
        let parser = std::thread::Builder::new().stack_size(TRANSPILE_STACK_BYTES).spawn_scoped(scope, || parse_module(file, js)).expect("a thread");
        if let Err(panic) = parser.join() {
            std::panic::resume_unwind(panic);
        }
    });
}

fn parse_module(file: &str, js: &str) {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, js, SourceType::mjs()).parse();
    if let Some(error) = parsed.diagnostics.errors().next() {
        panic!("{file} compiled to a module that does not parse ({error}):\n{js}");
    }
    let semantic = SemanticBuilder::new().with_check_syntax_error(true).build(&parsed.program);
    if let Some(error) = semantic.diagnostics.first() {
        panic!("{file} compiled to a module a browser would refuse ({error}):\n{js}");
    }
    let record = &parsed.module_record;
    let is_default = |name: &ExportExportName| name.is_default() || matches!(name, ExportExportName::Name(n) if n.name == "default");
    let defaults = record.local_export_entries.iter().chain(&record.indirect_export_entries).filter(|e| is_default(&e.export_name)).count();
    assert_eq!(defaults, 1, "{file} compiled to a module with {defaults} default exports:\n{js}");
}

/// A compile error points at a line and column of the file, and its frame (when there is
/// one: a refusal of the whole file has none) marks that line with `>` and a caret.
fn check_error(source: &str, error: &CompileError) {
    let lines = source.split('\n').count() as u32;
    assert!((1..=lines).contains(&error.line) && error.column >= 1, "{}:{} in a {lines}-line file: {}", error.line, error.column, error.message);
    assert!(!error.message.trim().is_empty(), "a compile error without a message at {}:{}", error.line, error.column);
    if !error.frame.is_empty() {
        assert!(error.frame.lines().any(|l| l.starts_with('>')) && error.frame.contains('^'), "a frame without its marks:\n{}", error.frame);
    }
}
