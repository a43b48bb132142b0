import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { FakeSocket } from "../test/fakeSocket";
import { ChallengePage } from "./ChallengePage";

// Monaco and the preview frame need a real browser; this test is about the socket.
vi.mock("../components/Editor", () => ({ Editor: () => null }));
vi.mock("../components/Preview", () => ({ Preview: () => null }));

const challenge = {
  slug: "counter", title: "Counter", difficulty: "easy", tags: [], status: null, version: 1,
  statement: "Count.", starter: { name: "starter.jsx", code: "export default function App() {}" }, requirements: [], tests: [],
};
const report = { verdict: "accepted", tests: [], compile_error: null, console: [], duration_ms: 5 };

let requests: string[];
let submitted: number;

beforeEach(() => {
  requests = [];
  submitted = 0;
  FakeSocket.made = [];
  vi.stubGlobal("WebSocket", FakeSocket);
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    const method = init.method ?? "GET";
    requests.push(`${method} ${url}`);
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
    if (method === "GET" && url === "/api/v1/challenges/counter") return json(200, challenge);
    if (method === "GET" && url === "/api/v1/challenges/counter/draft") return json(404, { error: { code: "not_found", message: "No draft." } });
    if (method === "GET" && url === "/api/v1/submissions?challenge=counter") return json(200, { submissions: [] });
    if (method === "POST" && url === "/api/v1/submissions") return json(202, { id: `s${++submitted}`, position: 1 });
    if (method === "GET" && url.startsWith("/api/v1/submissions/s")) {
      return json(200, { id: url.slice(-2), challenge: "counter", status: "done", verdict: "accepted", result: report, position: null, created_at: "2026-01-01T00:00:00Z", has_screenshot: false });
    }
    return json(500, { error: { code: "internal", message: `unexpected ${method} ${url}` } });
  });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

async function submit() {
  const before = FakeSocket.made.length;
  fireEvent.click(screen.getByRole("button", { name: "Submit" }));
  await waitFor(() => expect(FakeSocket.made).toHaveLength(before + 1));
  const socket = FakeSocket.made[before];
  act(() => socket.accept());
  return socket;
}

describe("ChallengePage's result socket", () => {
  it("is closed when the page unmounts while the submission runs", async () => {
    const { unmount } = render(<ChallengePage slug="counter" dark={false} userId="u1" />);
    await screen.findByRole("heading", { name: /Counter/ });
    const socket = await submit();
    expect(socket.sent).toEqual([{ type: "subscribe", id: "s1" }]);
    act(() => socket.event({ type: "running", id: "s1" }));
    expect(FakeSocket.open()).toHaveLength(1);
    unmount();
    expect(FakeSocket.open()).toEqual([]);
  });

  it("follows only the newest submission", async () => {
    render(<ChallengePage slug="counter" dark={false} userId="u1" />);
    await screen.findByRole("heading", { name: /Counter/ });
    const first = await submit();
    const second = await submit();
    expect(first.readyState).toBe(FakeSocket.CLOSED);
    expect(FakeSocket.open()).toEqual([second]);
    expect(second.sent).toEqual([{ type: "subscribe", id: "s2" }]);
  });

  it("stops at the verdict, shows it and reloads the history", async () => {
    render(<ChallengePage slug="counter" dark={false} userId="u1" />);
    await screen.findByRole("heading", { name: /Counter/ });
    const historyLoads = () => requests.filter((r) => r === "GET /api/v1/submissions?challenge=counter").length;
    expect(historyLoads()).toBe(1);
    const socket = await submit();
    act(() => socket.event({ type: "done", id: "s1", result: report }));
    expect(screen.getByTestId("verdict").textContent).toBe("Accepted");
    expect(socket.readyState).toBe(FakeSocket.CLOSED);
    await waitFor(() => expect(historyLoads()).toBe(2));
    expect(requests).toContain("GET /api/v1/submissions/s1");
  });
});
