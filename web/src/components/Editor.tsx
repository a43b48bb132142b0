import { useEffect, useRef } from "react";

type Props = {
  value: string;
  language: "jsx" | "tsx";
  onChange: (value: string) => void;
  onSubmit: () => void;
  dark: boolean;
};

/** The code editor: Monaco, loaded on demand (it is large). */
export function Editor({ value, language, onChange, onSubmit, dark }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<import("monaco-editor").editor.IStandaloneCodeEditor | null>(null);
  const latest = useRef({ onChange, onSubmit });
  latest.current = { onChange, onSubmit };

  useEffect(() => {
    let disposed = false;
    import("../monaco").then(({ monaco }) => {
      if (disposed || !host.current) return;
      const model = monaco.editor.createModel(value, "typescript", monaco.Uri.parse(`file:///App.${language}`));
      const e = monaco.editor.create(host.current, {
        model,
        automaticLayout: true,
        minimap: { enabled: false },
        fontSize: 14,
        tabSize: 2,
        scrollBeyondLastLine: false,
        theme: dark ? "vs-dark" : "vs",
        ariaLabel: "Code editor",
      });
      e.onDidChangeModelContent(() => latest.current.onChange(e.getValue()));
      e.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => latest.current.onSubmit());
      editor.current = e;
    });
    return () => {
      disposed = true;
      editor.current?.getModel()?.dispose();
      editor.current?.dispose();
      editor.current = null;
    };
    // The editor is made once per language; later values come from typing or `reset`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [language]);

  // A value from outside (restore, reset) replaces the text as one edit, on the undo stack:
  // setValue would wipe the stack and the learner's code with it.
  useEffect(() => {
    const e = editor.current;
    const model = e?.getModel();
    if (!e || !model || e.getValue() === value) return;
    e.pushUndoStop();
    e.executeEdits("replace", [{ range: model.getFullModelRange(), text: value }]);
    e.pushUndoStop();
  }, [value]);

  useEffect(() => {
    import("../monaco").then(({ monaco }) => monaco.editor.setTheme(dark ? "vs-dark" : "vs"));
  }, [dark]);

  return <div className="editor" ref={host} data-testid="editor" />;
}
