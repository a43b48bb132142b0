import type { Report, SignedUrl, TestResult } from "../api";
import { useApi } from "../useApi";

export type Live = {
  id: string;
  status: "queued" | "running" | "done";
  position: number | null;
  tests: TestResult[];
  result: Report | null;
  hasScreenshot: boolean;
};

/** A verdict or a submission's state in words, for people. */
export function verdictLabel(code: string): string {
  return VERDICTS[code] ?? code.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

const VERDICTS: Record<string, string> = {
  queued: "Queued",
  running: "Running",
  accepted: "Accepted",
  wrong_answer: "Wrong answer",
  compile_error: "Compile error",
  runtime_error: "Runtime error",
  time_limit_exceeded: "Time limit exceeded",
  internal_error: "Internal error (not your fault — try again)",
};

function Test({ test }: { test: TestResult }) {
  return (
    <li className={`test test-${test.status}`}>
      <div className="test-name">
        <span aria-hidden="true">{test.status === "passed" ? "✓" : test.status === "failed" ? "✗" : "–"}</span> {test.name}
        <span className="muted"> {test.duration_ms} ms</span>
      </div>
      {test.status !== "passed" && (
        <ol className="steps">
          {test.steps.map((s, i) => (
            <li key={i} className={`step step-${s.status}`} aria-current={s.status === "failed" ? "step" : undefined}>
              {s.sentence}
            </li>
          ))}
        </ol>
      )}
      {test.message && <p className="message">{test.message}</p>}
    </li>
  );
}

export function Results({ live }: { live: Live | null }) {
  // A failed load shows no screenshot.
  const shot = useApi<SignedUrl>(live?.status === "done" && live.hasScreenshot ? `/submissions/${live.id}/screenshot` : null).data?.url;

  if (!live) return <p className="muted">Submit (Ctrl/Cmd+Enter) to run the tests in a real browser.</p>;
  const tests = live.result?.tests.length ? live.result.tests : live.tests;
  return (
    <section aria-live="polite" className="results">
      {live.status === "queued" && <p>Queued{live.position ? ` — position ${live.position}` : ""}…</p>}
      {live.status === "running" && <p>Running the tests…</p>}
      {live.result && (
        <p className={`verdict verdict-${live.result.verdict}`} data-testid="verdict">
          {verdictLabel(live.result.verdict)}
        </p>
      )}
      {live.result?.compile_error && (
        <pre className="overlay-inline">Line {live.result.compile_error.line}, column {live.result.compile_error.column}: {live.result.compile_error.message}{"\n"}{live.result.compile_error.frame}</pre>
      )}
      {live.result?.message && !live.result.compile_error && live.result.verdict !== "wrong_answer" && <p className="message">{live.result.message}</p>}
      <ul className="tests">{tests.map((t) => <Test key={t.name} test={t} />)}</ul>
      {shot && (
        <a href={shot} target="_blank" rel="noopener noreferrer" className="screenshot-link" title="Open the screenshot at full size">
          <img className="screenshot" src={shot} alt="The page when the first test failed (opens at full size)" />
        </a>
      )}
      {live.result && live.result.console.length > 0 && (
        <details className="console">
          <summary>Console during the tests ({live.result.console.length})</summary>
          <ol>{live.result.console.map((c, i) => <li key={i} className={`log-${c.kind}`}>{c.test ? `[${c.test}] ` : ""}{c.text}</li>)}</ol>
        </details>
      )}
    </section>
  );
}
