import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, renderHook } from "@testing-library/react";
import { FakeSocket } from "./test/fakeSocket";
import { useFollow } from "./useFollow";
import type { SocketEvent } from "./api";

beforeEach(() => {
  FakeSocket.made = [];
  vi.stubGlobal("WebSocket", FakeSocket);
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("useFollow", () => {
  it("subscribes to the submission and passes its events on", () => {
    const events: SocketEvent[] = [];
    const { result } = renderHook(() => useFollow());
    result.current("s1", (e) => events.push(e));
    const [socket] = FakeSocket.made;
    socket.accept();
    expect(socket.sent).toEqual([{ type: "subscribe", id: "s1" }]);
    socket.event({ type: "running", id: "s1" });
    expect(events).toEqual([{ type: "running", id: "s1" }]);
  });

  it("closes the socket on unmount and does not open it again", () => {
    const { result, unmount } = renderHook(() => useFollow());
    result.current("s1", () => {});
    FakeSocket.made[0].accept();
    unmount();
    expect(FakeSocket.open()).toEqual([]);
    // follow() reconnects after a close it did not ask for; this one it asked for.
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.made).toHaveLength(1);
  });

  it("stops following one submission when it follows another", () => {
    const { result } = renderHook(() => useFollow());
    result.current("s1", () => {});
    result.current("s2", () => {});
    expect(FakeSocket.open().map((s) => s.url)).toHaveLength(1);
    FakeSocket.open()[0].accept();
    expect(FakeSocket.open()[0].sent).toEqual([{ type: "subscribe", id: "s2" }]);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.made).toHaveLength(2);
  });

  it("reconnects a socket that drops while following (so the test above means something)", () => {
    const { result } = renderHook(() => useFollow());
    result.current("s1", () => {});
    FakeSocket.made[0].accept();
    FakeSocket.made[0].close();
    vi.advanceTimersByTime(500);
    expect(FakeSocket.open()).toHaveLength(1);
    expect(FakeSocket.made).toHaveLength(2);
  });
});
