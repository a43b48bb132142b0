// The API client: JSON in and out, the session cookie carried by the browser.

export type ApiErrorBody = { code: string; message: string; field?: string };

export class ApiError extends Error {
  constructor(public status: number, public body: ApiErrorBody) {
    super(body.message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api/v1${path}`, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;
  const json = await response.json().catch(() => ({ error: { code: "internal", message: `HTTP ${response.status}` } }));
  if (!response.ok) throw new ApiError(response.status, json.error);
  return json as T;
}

export type User = { id: string; username: string; email: string; is_admin: boolean };
export type Progress = "solved" | "attempted" | null;
export type ChallengeSummary = { slug: string; title: string; difficulty: string; tags: string[]; status: Progress };
export type SourceFile = { name: string; code: string };
export type Requirement = { id: string; text: string };
export type Challenge = ChallengeSummary & { statement: string; starter: SourceFile; requirements: Requirement[]; tests: { name: string; checks: string[]; steps: string[] }[]; version: number };
export type Step = { sentence: string; status: "passed" | "failed" | "not_run" };
export type TestResult = { name: string; status: "passed" | "failed" | "skipped"; message?: string; steps: Step[]; duration_ms: number };
export type CompileError = { line: number; column: number; message: string; frame: string };
export type Report = { verdict: string; tests: TestResult[]; compile_error: CompileError | null; console: { kind: string; text: string; test?: string }[]; message?: string; duration_ms: number };
export type Submission = { id: string; challenge: string; status: "queued" | "running" | "done"; verdict: string | null; result: Report | null; position: number | null; created_at: string; has_screenshot: boolean };
export type Profile = { solved: number; streak: { current: number; longest: number }; activity: { day: string; accepted: number }[]; badges: { badge: string; awarded_at: number }[] };

export type SocketEvent =
  | { type: "state"; id: string; submission: Submission }
  | { type: "queued"; id: string; position: number | null }
  | { type: "running"; id: string }
  | { type: "test"; id: string; test: TestResult }
  | { type: "done"; id: string; result: Report }
  | { type: "error"; id?: string; code: string; message: string };

/// Follows one submission over the WebSocket; reconnects and resubscribes (the server
/// sends the current state first, so nothing is lost). Returns a function that stops.
export function follow(id: string, onEvent: (e: SocketEvent) => void): () => void {
  let socket: WebSocket | null = null;
  let stopped = false;
  let finished = false;
  const open = (delay: number) => {
    if (stopped || finished) return;
    socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/ws`);
    socket.onopen = () => socket?.send(JSON.stringify({ type: "subscribe", id }));
    socket.onmessage = (m) => {
      const event = JSON.parse(m.data) as SocketEvent;
      if (event.type === "done") finished = true;
      onEvent(event);
    };
    socket.onclose = () => setTimeout(() => open(Math.min(delay * 2, 8000)), delay);
  };
  open(500);
  return () => {
    stopped = true;
    socket?.close();
  };
}
