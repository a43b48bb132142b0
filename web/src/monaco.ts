// Monaco, bundled with its workers (no CDN). JSX/TSX get the TypeScript language service.
import * as monaco from "monaco-editor";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";
import TsWorker from "monaco-editor/language/typescript/ts.worker?worker";

self.MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    return label === "typescript" || label === "javascript" ? new TsWorker() : new EditorWorker();
  },
};

const options = {
  jsx: monaco.typescript.JsxEmit.ReactJSX,
  target: monaco.typescript.ScriptTarget.ES2020,
  allowNonTsExtensions: true,
  allowJs: true,
  moduleResolution: monaco.typescript.ModuleResolutionKind.NodeJs,
};
monaco.typescript.typescriptDefaults.setCompilerOptions(options);
monaco.typescript.javascriptDefaults.setCompilerOptions(options);
// The learner imports React, which the editor has no types for: keep its squiggles quiet.
const quiet = { noSemanticValidation: true, noSyntaxValidation: false };
monaco.typescript.typescriptDefaults.setDiagnosticsOptions(quiet);
monaco.typescript.javascriptDefaults.setDiagnosticsOptions(quiet);

export { monaco };
