//! Learner JSX/TSX → an ES module for the browser, with oxc. JSX uses the automatic runtime,
//! TypeScript is stripped, imports are limited to React's, and the module always has a
//! default export: the learner's own, or else their top-level `App`.

use oxc::allocator::Allocator;
use oxc::ast::ast::{Declaration, Program, Statement};
use oxc::codegen::Codegen;
use oxc::parser::Parser;
use oxc::semantic::SemanticBuilder;
use oxc::span::SourceType;
use oxc::transformer::{JsxRuntime, TransformOptions, Transformer};
use reactlab_core::{CompileError, MAX_CODE_BYTES};
use std::path::Path;

/// The module specifiers a learner may import (resolved by the page's import map).
pub const ALLOWED_IMPORTS: &[&str] = &["react", "react-dom", "react-dom/client", "react/jsx-runtime", "react/jsx-dev-runtime"];

/// Transpiles `source`; `file_name`'s extension picks the dialect (`.tsx`/`.ts` → TSX,
/// anything else → JSX). `development` makes JSX call `jsxDEV` (React's development build).
pub fn transpile(file_name: &str, source: &str, development: bool) -> Result<String, CompileError> {
    // A learner's file must never take the process down with it: a compiler panic becomes
    // a compile error, and the compiler runs on a thread with a stack for the deepest
    // nesting a file of the allowed size can hold (an overflow aborts the whole process).
    std::thread::scope(|scope| {
        let compiler = std::thread::Builder::new()
            .name("transpile".into())
            .stack_size(TRANSPILE_STACK_BYTES)
            .spawn_scoped(scope, || transpile_unguarded(file_name, source, development));
        match compiler {
            Ok(compiler) => compiler
                .join()
                .unwrap_or_else(|_| Err(refusal("the compiler could not handle this file (an internal compiler error); please report it".into()))),
            Err(e) => Err(refusal(format!("the compiler could not start ({e}); this is the server's fault, not your code's"))),
        }
    })
}

/// oxc's parser and passes recurse once per level of nesting (brackets, JSX elements,
/// operators) with no limit of their own. The deepest nesting that fits in
/// `MAX_CODE_BYTES`, 64 Ki unclosed brackets, was measured to need about 70 MiB of stack
/// (1.1 KiB a level, debug build; release needs less). The stack is reserved address
/// space: only the pages the recursion reaches are ever touched.
pub(crate) const TRANSPILE_STACK_BYTES: usize = 256 * 1024 * 1024;

fn transpile_unguarded(file_name: &str, source: &str, development: bool) -> Result<String, CompileError> {
    if source.len() > MAX_CODE_BYTES {
        return Err(refusal(format!("the file is {} bytes; the limit is {} bytes (64 KiB)", source.len(), MAX_CODE_BYTES)));
    }
    let is_ts = matches!(Path::new(file_name).extension().and_then(|e| e.to_str()), Some("tsx" | "ts"));
    // Always a module, whatever the file contains: oxc reads a TSX file with no `import` or
    // `export` as a script and gives it the JSX runtime by `require`, which a page has not.
    let source_type = if is_ts { SourceType::tsx() } else { SourceType::jsx() }.with_module(true);
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
        return Err(at_offset(source, at, format!("cannot import “{spec}”: only {} are available", ALLOWED_IMPORTS[..4].join(", "))));
    }
    let scoping = semantic.semantic.into_scoping();
    // A file written for a page with React as a global (`React.useState` and no import) gets
    // the import it assumes: a module has no such global.
    let assumes_global_react = scoping.root_unresolved_references().keys().any(|name| name.as_str() == "React");

    let mut options = TransformOptions::default();
    options.jsx.runtime = JsxRuntime::Automatic;
    options.jsx.development = development;
    let transformed = Transformer::new(&allocator, virtual_path, &options).build_with_scoping(scoping, &mut program);
    if let Some(error) = transformed.diagnostics.iter().find(|d| d.severity == oxc::diagnostics::Severity::Error) {
        return Err(diagnostic(source, error));
    }
    if is_ts {
        // oxc leaves the module checks out for TypeScript (`export` inside a function, an
        // export of nothing), and such a file compiled to a module the page refused at mount
        // (found by fuzzing). Types gone, the program is JavaScript: checked as such, with
        // the learner's positions.
        program.source_type = SourceType::mjs();
        if let Some(error) = SemanticBuilder::new().with_check_syntax_error(true).build(&program).diagnostics.first() {
            return Err(diagnostic(source, error));
        }
    }
    // Decided on the compiled program, where TypeScript's types, overload signatures and
    // ambient declarations are gone: `export default function App();` or `interface App {}`
    // leave nothing to mount (found by fuzzing; they compiled to a module the page could not use).
    let has_default = exports_default(&program);
    if !has_default && !declares_app(&program) {
        return Err(refusal("no component to mount: export your component as the default export (export default function App() {…}), or name it App".into()));
    }
    let mut code = Codegen::new().build(&program).code;
    if !has_default {
        code.push_str("\nexport { App as default };\n");
    }
    if assumes_global_react {
        // At the end, so the learner's line numbers stay theirs; imports are hoisted.
        code.push_str("\nimport * as React from \"react\";\n");
    }
    Ok(code)
}

/// Whether a compiled program exports a default. `export { Main as default }` does too (it
/// was once missed: such files were refused, or given a second default export when the
/// component was named App).
fn exports_default(program: &Program) -> bool {
    program.body.iter().any(|statement| match statement {
        Statement::ExportDefaultDeclaration(_) => true,
        Statement::ExportNamedDeclaration(export) => export.specifiers.iter().any(|s| s.exported.name() == "default"),
        Statement::ExportFromDeclaration(export) => export.specifiers.iter().any(|s| s.exported.name() == "default"),
        _ => false,
    })
}

/// Whether a compiled program declares a top-level function, class or variable `App`.
fn declares_app(program: &Program) -> bool {
    let is_app = |declaration: &Declaration| match declaration {
        Declaration::FunctionDeclaration(f) => f.name().is_some_and(|n| n == "App"),
        Declaration::ClassDeclaration(c) => c.name().is_some_and(|n| n == "App"),
        Declaration::VariableDeclaration(v) => v.declarations.iter().any(|d| d.id.get_identifier_name().is_some_and(|n| n == "App")),
        _ => false,
    };
    program.body.iter().any(|statement| match statement {
        Statement::ExportDeclaration(export) => is_app(&export.declaration),
        statement => statement.as_declaration().is_some_and(is_app),
    })
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

    /// Sources as deep as the size limit allows, in every shape that makes the compiler
    /// recurse: each must come back as a module or a compile error, never abort the process.
    #[test]
    fn the_deepest_nesting_within_the_size_limit_is_answered() {
        let fill = |unit: &str, tail: &str| {
            let head = "export default () => ";
            format!("{head}{}{tail}", unit.repeat((MAX_CODE_BYTES - head.len() - tail.len()) / unit.len()))
        };
        let closed = |open: &str, close: &str| {
            let n = (MAX_CODE_BYTES - 40) / (open.len() + close.len());
            format!("export default () => {}1{};", open.repeat(n), close.repeat(n))
        };
        let sources = [
            fill("(", ""),
            fill("[", ""),
            fill("{a:", ""),
            fill("`${", ""),
            fill("<a>", ""),
            fill("!", "1;"),
            fill("a?1:", "1;"),
            fill("()=>", "1;"),
            fill("1+", "1;"),
            format!("export default () => a{};", ".a".repeat((MAX_CODE_BYTES - 40) / 2)),
            closed("(", ")"),
            closed("[", "]"),
            closed("<a>", "</a>"),
            format!("export default function App() {{ {} return null; }}", "if (a) ".repeat((MAX_CODE_BYTES - 60) / 7)),
        ];
        for source in sources {
            assert!(source.len() <= MAX_CODE_BYTES, "{}", source.len());
            for file in ["App.jsx", "App.tsx"] {
                let _answered = transpile(file, &source, true);
            }
        }
    }

    #[test]
    fn jsx_uses_the_automatic_runtime() {
        let js = transpile("a.jsx", COUNTER, false).unwrap();
        assert!(js.contains("from \"react/jsx-runtime\""), "{js}");
        assert!(!js.contains("<span>"), "{js}");
        let dev = transpile("a.jsx", COUNTER, true).unwrap();
        assert!(dev.contains("react/jsx-dev-runtime"), "{dev}");
    }

    /// Every shape the contract accepts compiles to an ES module in both languages: a TSX
    /// file with neither `import` nor `export` was once read as a script and given
    /// `require("react/jsx-runtime")`, which failed at mount.
    #[test]
    fn every_accepted_shape_is_a_module_in_both_languages() {
        let shapes = [
            "function App() { return <button>Go</button>; }",
            "const App = () => <p>hi</p>;",
            "class App extends React.Component { render() { return <p>hi</p>; } }",
            "function App() { const [n, setN] = React.useState(0); return <button onClick={() => setN(n + 1)}>{n}</button>; }",
            "import { useState } from 'react';\nfunction App() { const [n] = useState(0); return <p>{n}</p>; }",
            "export default function Counter() { return <p>0</p>; }",
        ];
        for file in ["App.jsx", "App.tsx"] {
            for development in [false, true] {
                for shape in shapes {
                    let js = transpile(file, shape, development).unwrap_or_else(|e| panic!("{file}: {shape}: {e:?}"));
                    assert!(!js.contains("require("), "{file}: {js}");
                    assert!(js.contains("from \"react/jsx-"), "{file}: {js}");
                    assert_eq!(js.matches("as default").count() + js.matches("export default").count(), 1, "{file}: {js}");
                    assert_eq!(js.contains("import * as React from"), shape.contains("React.") && !shape.contains("import"), "{file}: {js}");
                }
            }
        }
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
        for source in ["function App() { return null; }\nexport { App as default };", "const Main = () => null;\nexport { Main as default };"] {
            let js = transpile("a.jsx", source, false).unwrap();
            assert_eq!(js.matches("as default").count(), 1, "{js}");
        }
        let js = transpile("a.tsx", "function App(): null;\nfunction App() { return null; }", false).unwrap();
        assert_eq!(js.matches("as default").count(), 1, "{js}");
    }

    #[test]
    fn imports_and_exports_belong_at_the_top_level() {
        let source = "export default function App() {\n  export { App as default };\n  return null;\n}\n";
        for file in ["a.jsx", "a.tsx"] {
            let err = transpile(file, source, false).unwrap_err();
            assert_eq!((err.line, err.column), (2, 3), "{file}: {err:?}");
        }
        let js = transpile("a.tsx", "namespace N { export const x = 1; }\nexport default () => N.x;", false).unwrap();
        assert!(js.contains("N.x"), "{js}");
        let err = transpile("a.tsx", "const Main = () => null;\nexport { Mian as default };", false).unwrap_err();
        assert_eq!((err.line, err.column), (2, 10), "{err:?}");
    }

    #[test]
    fn types_alone_are_no_component() {
        for source in
            ["export default function App();", "interface App {}", "type App = {};", "declare function App(): null;", "export default interface App {}"]
        {
            let err = transpile("a.tsx", source, false).unwrap_err();
            assert!(err.message.contains("no component"), "{source}: {err:?}");
        }
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
