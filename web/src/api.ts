// The API client: JSON in and out, the session cookie carried by the browser.
import type { components } from "./api/schema";

// The request and response types, by the names the pages use, from the API's OpenAPI
// document (src/api/schema.ts is generated from src/api/openapi.json: `npm run gen:api`).
type Schemas = components["schemas"];
export type ApiErrorBody = Schemas["Error"]["error"];
export type User = Schemas["UserView"];
export type Me = Schemas["MeResponse"];
export type Profile = Schemas["Profile"];
export type ChallengeSummary = Schemas["ChallengeListItem"];
export type ChallengeList = Schemas["ChallengeList"];
export type Challenge = Schemas["ChallengeView"];
export type SourceFile = Schemas["SourceFile"];
export type ChallengeSource = Schemas["ChallengeSource"];
export type ChallengeInput = Schemas["ChallengeInput"];
export type Validation = Schemas["Validation"];
export type VerifyResponse = Schemas["VerifyResponse"];
export type Draft = Schemas["Draft"];
export type DraftRequest = Schemas["DraftRequest"];
export type TranspileRequest = Schemas["TranspileRequest"];
export type TranspileResponse = Schemas["TranspileResponse"];
export type SubmitRequest = Schemas["SubmitRequest"];
export type Submitted = Schemas["SubmitResponse"];
export type Submission = Schemas["SubmissionView"];
export type SubmissionList = Schemas["History"];
export type Report = Schemas["GradeReport"];
export type TestResult = Schemas["TestResult"];
export type CompileError = Schemas["CompileError"];
export type SignedUrl = Schemas["SignedUrl"];
export type QueueOverview = Schemas["QueueOverview"];
export type Session = Schemas["SessionResponse"];
export type LoginRequest = Schemas["LoginRequest"];
export type RegisterRequest = Schemas["RegisterRequest"];

export class ApiError extends Error {
  constructor(public status: number, public body: ApiErrorBody) {
    super(body.message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const response = await fetch(`/api/v1${path}`, {
    method,
    signal,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;
  const json = await response.json().catch(() => ({ error: { code: "internal", message: `HTTP ${response.status}` } }));
  if (!response.ok) throw new ApiError(response.status, json.error);
  return json as T;
}

// Written by hand: the WebSocket's messages are not in the OpenAPI document (it describes
// HTTP only); crates/api/src/ws.rs sends them.
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
