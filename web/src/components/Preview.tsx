import { useEffect, useRef, useState } from "react";
import { api, type CompileError, type TranspileRequest, type TranspileResponse } from "../api";

type ConsoleLine = { level: string; text: string };

/** How long the frame may leave the app's pings unanswered before it counts as stuck. */
const HANG_MS = 3000;

/**
 * The live preview: the code is transpiled by the server exactly as the judge does, then
 * run in a fresh sandboxed frame (scripts only, an opaque origin: it cannot read the
 * app's cookie or storage) that loads React through the judge's import map.
 */
export function Preview({ code, language }: { code: string; language: "jsx" | "tsx" }) {
  const [run, setRun] = useState<{ key: number; js: string } | null>(null);
  const [compileError, setCompileError] = useState<CompileError | null>(null);
  const [runtimeError, setRuntimeError] = useState<string | null>(null);
  const [lines, setLines] = useState<ConsoleLine[]>([]);
  const [mounted, setMounted] = useState(false);
  // Counts transpilations answered, so a test can tell this code's outcome from the last.
  const [version, setVersion] = useState(0);
  const frame = useRef<HTMLIFrameElement>(null);
  const latest = useRef(0);
  // The frame answers pings; one that leaves a ping unanswered for HANG_MS is stuck (an
  // endless loop). Timed from the ping, not the last answer, so a throttled background tab
  // is not mistaken for a stuck frame.
  const [hung, setHung] = useState(false);
  const unansweredSince = useRef<number | null>(null);
  const ready = useRef(false);

  useEffect(() => {
    const timer = setTimeout(async () => {
      const request = ++latest.current;
      try {
        const r = await api<TranspileResponse>("POST", "/preview/transpile", { code, language } satisfies TranspileRequest);
        // An answer for code that has since changed is dropped.
        if (request !== latest.current) return;
        setCompileError(r.error ?? null);
        setVersion((v) => v + 1);
        if (r.js) {
          setRuntimeError(null);
          setMounted(false);
          setLines([]);
          setRun((old) => ({ key: (old?.key ?? 0) + 1, js: r.js! }));
        }
      } catch (e) {
        if (request !== latest.current) return;
        setRuntimeError(`The preview is unavailable: ${(e as Error).message}`);
      }
    }, 350);
    return () => {
      clearTimeout(timer);
      latest.current++;
    };
  }, [code, language]);

  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      if (event.source !== frame.current?.contentWindow || event.data?.source !== "reactlab-preview") return;
      const m = event.data;
      unansweredSince.current = null;
      setHung(false);
      if (m.type === "ready") ready.current = true;
      if (m.type === "ready" && run) frame.current?.contentWindow?.postMessage({ type: "run", js: run.js }, "*");
      if (m.type === "console") setLines((l) => [...l.slice(-199), { level: m.level, text: m.text }]);
      if (m.type === "runtime-error") setRuntimeError(m.message);
      if (m.type === "mounted") setMounted(true);
    };
    addEventListener("message", onMessage);
    setHung(false);
    unansweredSince.current = null;
    ready.current = false;
    let n = 0;
    const heartbeat = setInterval(() => {
      const since = unansweredSince.current;
      // Not before the frame said it is ready: a ping to a frame still loading is lost.
      if (!ready.current) return;
      if (since === null) {
        unansweredSince.current = Date.now();
        frame.current?.contentWindow?.postMessage({ type: "ping", n: ++n }, "*");
      } else if (Date.now() - since > HANG_MS) setHung(true);
    }, 1000);
    return () => {
      removeEventListener("message", onMessage);
      clearInterval(heartbeat);
    };
  }, [run]);

  // A new frame for the same code: the component starts over (and a stuck one is dropped).
  const restart = () => setRun((old) => old && { key: old.key + 1, js: old.js });

  return (
    // `data-state` says what became of the code, as the judge would classify it.
    <div className="preview" data-state={compileError ? "compile-error" : runtimeError ? "mount-error" : mounted ? "mounted" : "loading"} data-version={version} data-hung={hung || undefined}>
      <div className="preview-toolbar">
        <button onClick={restart} disabled={!run} title="Mount the component again in a fresh frame">Reload preview</button>
      </div>
      <div className="preview-stage">
        {run && <iframe key={run.key} ref={frame} title="Preview" sandbox="allow-scripts" src="/preview/frame.html" />}
        {compileError && (
          <div className="overlay" role="alert">
            <strong>Compile error, line {compileError.line}, column {compileError.column}</strong>
            <p>{compileError.message}</p>
            <pre>{compileError.frame}</pre>
          </div>
        )}
        {!compileError && hung && (
          <div className="overlay" role="alert">
            <strong>The preview stopped responding</strong>
            <p>Your component may be stuck in an endless loop. Fix the code (the preview restarts as you type), or restart it.</p>
            <button onClick={restart}>Restart the preview</button>
          </div>
        )}
        {!compileError && !hung && runtimeError && (
          <div className="overlay" role="alert">
            <strong>Runtime error</strong>
            <pre>{runtimeError}</pre>
          </div>
        )}
      </div>
      <details className="console" open={lines.length > 0}>
        <summary>Console ({lines.length})</summary>
        {lines.length === 0 ? <p className="muted">Nothing logged yet.</p> : (
          <ol>{lines.map((l, i) => <li key={i} className={`log-${l.level}`}>{l.text}</li>)}</ol>
        )}
      </details>
    </div>
  );
}
