//! Learner JSX/TSX → an ES module for the browser, with oxc. JSX uses the automatic runtime,
//! TypeScript is stripped, imports are limited to React's, and the module always has a
//! default export: the learner's own, or else their top-level `App`.

use oxc::allocator::Allocator;
use oxc::codegen::Codegen;
use oxc::parser::Parser;
use oxc::semantic::SemanticBuilder;
use oxc::span::SourceType;
use oxc::syntax::module_record::ExportExportName;
use oxc::transformer::{JsxRuntime, TransformOptions, Transformer};
use reactlab_core::{CompileError, MAX_CODE_BYTES};
use std::path::Path;

/// The module specifiers a learner may import (resolved by the page's import map).
pub const ALLOWED_IMPORTS: &[&str] = &["react", "react-dom", "react-dom/client", "react/jsx-runtime", "react/jsx-dev-runtime"];

/// Transpiles `source`; `file_name`'s extension picks the dialect (`.tsx`/`.ts` → TSX,
/// anything else → JSX). `development` makes JSX call `jsxDEV` (React's development build).
pub fn transpile(file_name: &str, source: &str, development: bool) -> Result<String, CompileError> {
    // The compiler is hardened, but a learner's file must never take the worker down with it.
    std::panic::catch_unwind(|| transpile_unguarded(file_name, source, development)).unwrap_or_else(|_| {
        Err(refusal("the compiler could not handle this file (an internal compiler error); please report it".into()))
    })
}

fn transpile_unguarded(file_name: &str, source: &str, development: bool) -> Result<String, CompileError> {
    if source.len() > MAX_CODE_BYTES {
        return Err(refusal(format!("the file is {} bytes; the limit is {} bytes (64 KiB)", source.len(), MAX_CODE_BYTES)));
    }
    let is_ts = matches!(Path::new(file_name).extension().and_then(|e| e.to_str()), Some("tsx" | "ts"));
    let source_type = if is_ts { SourceType::tsx() } else { SourceType::jsx() };
    let virtual_path = Path::new(if is_ts { "App.tsx" } else { "App.jsx" });

    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, source_type).parse();
    if let Some(error) = parsed.diagnostics.errors().next() {
        return Err(diagnostic(source, error));
    }
    let mut program = parsed.program;
    let semantic = SemanticBuilder::new().with_check_syntax_error(true).with_enum_eval(true).build(&program);
    if let Some(error) = semantic.diagnostics.iter().next() {
        return Err(diagnostic(source, error));
    }

    let record = &parsed.module_record;
    for (specifier, requests) in record.requested_modules.iter() {
        let spec: &str = specifier.as_ref();
        if ALLOWED_IMPORTS.contains(&spec) || requests.iter().all(|r| r.is_type) {
            continue;
        }
        let at = requests.first().map_or(0, |r| r.span.start as usize);
        return Err(at_offset(
            source,
            at,
            format!("cannot import “{spec}”: only {} are available", ALLOWED_IMPORTS[..4].join(", ")),
        ));
    }
    let has_default = record
        .local_export_entries
        .iter()
        .chain(record.indirect_export_entries.iter())
        .any(|e| matches!(e.export_name, ExportExportName::Default(_)));
    let scoping = semantic.semantic.into_scoping();
    let has_app = scoping.get_root_binding("App".into()).is_some();
    if !has_default && !has_app {
        return Err(refusal(
            "no component to mount: export your component as the default export (export default function App() {…}), or name it App".into(),
        ));
    }

    let mut options = TransformOptions::default();
    options.jsx.runtime = JsxRuntime::Automatic;
    options.jsx.development = development;
    let transformed = Transformer::new(&allocator, virtual_path, &options).build_with_scoping(scoping, &mut program);
    if let Some(error) = transformed.diagnostics.iter().find(|d| d.severity == oxc::diagnostics::Severity::Error) {
        return Err(diagnostic(source, error));
    }
    let mut code = Codegen::new().build(&program).code;
    if !has_default {
        code.push_str("\nexport { App as default };\n");
    }
    Ok(code)
}

/// A refusal that is about the whole file, reported at 1:1.
pub fn refusal(message: String) -> CompileError {
    CompileError { line: 1, column: 1, message, frame: String::new() }
}

fn diagnostic(source: &str, error: &oxc::diagnostics::OxcDiagnostic) -> CompileError {
    // The primary label marks the offending place (a redeclaration also labels the first one).
    let label = error.labels.iter().find(|l| l.primary()).or(error.labels.last());
    let offset = label.map_or(0, |l| l.offset() as usize);
    let mut message = error.message.to_string();
    if let Some(help) = &error.help {
        message.push_str(&format!(" ({help})"));
    }
    at_offset(source, offset, message)
}

fn at_offset(source: &str, offset: usize, message: String) -> CompileError {
    let (line, column) = reactlab_core::catalog::line_col(source, offset);
    CompileError { line: line as u32, column: column as u32, message, frame: code_frame(source, line, column) }
}

/// Two lines of context before the error line, the line itself, and a caret under the column.
pub fn code_frame(source: &str, line: usize, column: usize) -> String {
    let lines: Vec<&str> = source.lines().collect();
    if lines.is_empty() {
        return String::new();
    }
    let line = line.clamp(1, lines.len());
    let first = line.saturating_sub(2).max(1);
    let last = (line + 1).min(lines.len());
    let width = last.to_string().len();
    let mut out = String::new();
    for n in first..=last {
        let marker = if n == line { '>' } else { ' ' };
        out.push_str(&format!("{marker} {n:>width$} | {}\n", lines[n - 1]));
        if n == line {
            let pad: String = lines[n - 1].chars().take(column.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
            out.push_str(&format!("  {:>width$} | {pad}^\n", ""));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const COUNTER: &str = r#"import { useState } from 'react';
export default function Counter() {
  const [n, setN] = useState(0);
  return <div><span>{n}</span><button onClick={() => setN(n + 1)}>Increment</button></div>;
}
"#;

    #[test]
    fn jsx_uses_the_automatic_runtime() {
        let js = transpile("a.jsx", COUNTER, false).unwrap();
        assert!(js.contains("from \"react/jsx-runtime\""), "{js}");
        assert!(!js.contains("<span>"), "{js}");
        let dev = transpile("a.jsx", COUNTER, true).unwrap();
        assert!(dev.contains("react/jsx-dev-runtime"), "{dev}");
    }

    #[test]
    fn tsx_types_are_stripped() {
        let src = r#"import { useState, type ReactNode } from 'react';
enum Mode { A, B }
interface Props { label?: string }
export default function App({ label = 'x' }: Props): ReactNode {
  const [m, setM] = useState<Mode>(Mode.A);
  return <button onClick={() => setM(Mode.B)}>{label}{m as number}</button>;
}
"#;
        let js = transpile("a.tsx", src, false).unwrap();
        assert!(!js.contains("interface"), "{js}");
        assert!(!js.contains(": Props"), "{js}");
        assert!(js.contains("Mode"), "{js}");
    }

    #[test]
    fn app_without_default_export_becomes_the_default() {
        let js = transpile("a.jsx", "function App() { return <p>hi</p>; }", false).unwrap();
        assert!(js.contains("export { App as default }"), "{js}");
        let js = transpile("a.jsx", "export const App = () => <p>hi</p>;", false).unwrap();
        assert!(js.contains("export { App as default }"), "{js}");
        let js = transpile("a.jsx", "class App extends Object {}\nexport default App;", false).unwrap();
        assert!(!js.contains("App as default"), "{js}");
    }

    #[test]
    fn no_component_is_a_compile_error() {
        let err = transpile("a.jsx", "function Main() { return <p/>; }", false).unwrap_err();
        assert!(err.message.contains("no component"), "{err:?}");
        assert_eq!((err.line, err.column), (1, 1));
    }

    #[test]
    fn syntax_errors_have_line_column_and_frame() {
        let src = "export default function App() {\n  return <div>\n    <p>hi</p>\n  </span>;\n}\n";
        let err = transpile("a.jsx", src, false).unwrap_err();
        assert_eq!(err.line, 4, "{err:?}");
        assert!(err.column >= 3, "{err:?}");
        assert!(err.frame.contains(">"), "{err:?}");
        assert!(err.frame.contains("</span>"), "{}", err.frame);
        assert!(err.frame.contains("^"), "{}", err.frame);
    }

    #[test]
    fn semantic_errors_are_compile_errors() {
        let err = transpile("a.jsx", "let a = 1;\nlet a = 2;\nexport default function App() { return null; }", false).unwrap_err();
        assert_eq!(err.line, 2, "{err:?}");
    }

    #[test]
    fn only_react_imports_are_allowed() {
        let err = transpile("a.jsx", "import _ from 'lodash';\nexport default () => null;", false).unwrap_err();
        assert!(err.message.contains("lodash"), "{err:?}");
        assert_eq!(err.line, 1);
        let err = transpile("a.jsx", "import x from 'react';\nimport './App.css';\nexport default () => null;", false).unwrap_err();
        assert_eq!(err.line, 2, "{err:?}");
        transpile("a.jsx", "import * as R from 'react';\nimport { createPortal } from 'react-dom';\nexport default () => null;", false).unwrap();
        transpile("a.tsx", "import type { X } from './types';\nexport default () => null;", false).unwrap();
    }

    #[test]
    fn oversized_files_are_refused() {
        let big = format!("export default () => null;\n//{}", "x".repeat(MAX_CODE_BYTES));
        let err = transpile("a.jsx", &big, false).unwrap_err();
        assert!(err.message.contains("64 KiB"), "{err:?}");
    }
}
