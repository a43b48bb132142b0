import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, renderHook } from "@testing-library/react";
import { ApiError } from "./api";
import { useApi } from "./useApi";

/** A fetch whose answers the test gives, one request at a time, in any order. */
type Request = { url: string; signal: AbortSignal | undefined; answer: (status: number, body: unknown) => void };
let requests: Request[];

beforeEach(() => {
  requests = [];
  vi.stubGlobal("fetch", (url: string, init: RequestInit) =>
    new Promise<Response>((resolve) => {
      requests.push({
        url,
        signal: init.signal ?? undefined,
        answer: (status, body) => resolve(new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })),
      });
    }),
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("useApi", () => {
  it("loads the path and gives its answer", async () => {
    const { result } = renderHook(() => useApi<{ n: number }>("/things"));
    expect(result.current).toMatchObject({ data: undefined, error: null, loading: true });
    expect(requests.map((r) => r.url)).toEqual(["/api/v1/things"]);
    await act(async () => requests[0].answer(200, { n: 1 }));
    expect(result.current).toMatchObject({ data: { n: 1 }, error: null, loading: false });
  });

  it("gives the API's error", async () => {
    const { result } = renderHook(() => useApi("/things"));
    await act(async () => requests[0].answer(404, { error: { code: "not_found", message: "No such thing." } }));
    expect(result.current.loading).toBe(false);
    expect(result.current.data).toBeUndefined();
    expect(result.current.error).toBeInstanceOf(ApiError);
    expect(result.current.error?.message).toBe("No such thing.");
  });

  it("loads nothing while the path is null", () => {
    const { result } = renderHook(() => useApi<number>(null));
    expect(result.current).toMatchObject({ data: undefined, error: null, loading: false });
    expect(requests).toEqual([]);
  });

  it("drops the answer for a path it no longer shows, even when it comes last", async () => {
    const { result, rerender } = renderHook(({ path }) => useApi<string>(path), { initialProps: { path: "/a" } });
    rerender({ path: "/b" });
    expect(requests.map((r) => r.url)).toEqual(["/api/v1/a", "/api/v1/b"]);
    expect(requests[0].signal?.aborted).toBe(true);
    await act(async () => requests[1].answer(200, "b"));
    await act(async () => requests[0].answer(200, "a"));
    expect(result.current).toMatchObject({ data: "b", loading: false });
  });

  it("shows none of the old path's answer once the path changes, not even for one render", async () => {
    const renders: { path: string; data: string | undefined; loading: boolean }[] = [];
    const { rerender } = renderHook(({ path }) => {
      const r = useApi<string>(path);
      renders.push({ path, data: r.data, loading: r.loading });
      return r;
    }, { initialProps: { path: "/a" } });
    await act(async () => requests[0].answer(200, "a"));
    rerender({ path: "/b" });
    const forB = renders.filter((r) => r.path === "/b");
    expect(forB.length).toBeGreaterThan(0);
    expect(forB.every((r) => r.data === undefined && r.loading)).toBe(true);
  });

  it("reloads, keeping the last answer until the new one comes, and after a failed reload", async () => {
    const { result } = renderHook(() => useApi<number>("/count"));
    await act(async () => requests[0].answer(200, 1));
    act(() => result.current.reload());
    expect(requests).toHaveLength(2);
    expect(result.current).toMatchObject({ data: 1, loading: true });
    await act(async () => requests[1].answer(200, 2));
    expect(result.current).toMatchObject({ data: 2, error: null, loading: false });

    act(() => result.current.reload());
    await act(async () => requests[2].answer(503, { error: { code: "unavailable", message: "Try again." } }));
    expect(result.current).toMatchObject({ data: 2, loading: false });
    expect(result.current.error?.message).toBe("Try again.");

    // A reload that succeeds clears the error.
    act(() => result.current.reload());
    await act(async () => requests[3].answer(200, 3));
    expect(result.current).toMatchObject({ data: 3, error: null });
  });

  it("keeps only the newest of two reloads", async () => {
    const { result } = renderHook(() => useApi<number>("/count"));
    act(() => result.current.reload());
    expect(requests[0].signal?.aborted).toBe(true);
    await act(async () => requests[1].answer(200, 2));
    await act(async () => requests[0].answer(200, 1));
    expect(result.current.data).toBe(2);
  });

  it("aborts the request when unmounted", async () => {
    const { result, unmount } = renderHook(() => useApi<number>("/count"));
    unmount();
    expect(requests[0].signal?.aborted).toBe(true);
    // No state update after unmount (React would warn): the answer is dropped.
    await act(async () => requests[0].answer(200, 1));
    expect(result.current.data).toBeUndefined();
  });
});
