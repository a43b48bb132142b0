import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushDrafts, forgetLocalDrafts, loadDraft, saveDraft } from "./drafts";
import { markRequirementIds } from "./pages/ChallengePage";

type Call = { method: string; path: string; body?: unknown };

/** A stand-in for the API's draft endpoints (no server in unit tests): one draft store. */
function fakeServer(initial: { code: string; updated_at: number } | null) {
  let draft = initial;
  const calls: Call[] = [];
  vi.stubGlobal("fetch", vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? "GET";
    const path = url.replace("/api/v1", "");
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, path, body });
    if (method === "PUT") {
      draft = { code: body.code, updated_at: Date.now() };
      return new Response(JSON.stringify(draft), { status: 200, headers: { "content-type": "application/json" } });
    }
    if (!draft) return new Response(JSON.stringify({ error: { code: "not_found", message: "no draft" } }), { status: 404, headers: { "content-type": "application/json" } });
    return new Response(JSON.stringify(draft), { status: 200, headers: { "content-type": "application/json" } });
  }));
  return { calls, get draft() { return draft; } };
}

beforeEach(() => localStorage.clear());
afterEach(() => vi.unstubAllGlobals());

describe("drafts", () => {
  it("belong to their learner in this browser and leave it on sign-out", async () => {
    fakeServer(null);
    saveDraft("ada", "counter", "ada's code");
    saveDraft(null, "counter", "a visitor's code");
    localStorage.setItem("reactlab:draft:counter", "from before accounts had drafts");
    await flushDrafts();
    fakeServer(null); // bob has nothing on the server, and ada's copy here is not his
    expect(await loadDraft("bob", "counter")).toBeNull();
    expect(await loadDraft(null, "counter")).toBe("a visitor's code");
    forgetLocalDrafts("ada");
    expect(Object.keys(localStorage).filter((k) => k.includes("draft"))).toEqual(["reactlab:draft:guest:counter"]);
  });

  it("are kept on the server, so another device opens them", async () => {
    const server = fakeServer(null);
    saveDraft("ada", "counter", "typed here");
    await flushDrafts();
    expect(server.draft?.code).toBe("typed here");
    localStorage.clear(); // another browser
    expect(await loadDraft("ada", "counter")).toBe("typed here");
  });

  it("open the newer of the server's and this browser's copy, and send a newer local one", async () => {
    const server = fakeServer({ code: "older, on the server", updated_at: 1 });
    localStorage.setItem("reactlab:draft:ada:counter", JSON.stringify({ code: "newer, saved offline", at: 2 }));
    expect(await loadDraft("ada", "counter")).toBe("newer, saved offline");
    await flushDrafts();
    expect(server.draft?.code).toBe("newer, saved offline");
    const fresh = fakeServer({ code: "from the other device", updated_at: Date.now() + 1000 });
    expect(await loadDraft("ada", "counter")).toBe("from the other device");
    expect(fresh.calls.filter((c) => c.method === "PUT")).toEqual([]);
  });
});

describe("markRequirementIds", () => {
  it("shows each requirement's id as a label, and nothing else", () => {
    const md = "Intro [not-an-id] here.\n\n## Requirements\n\n- [starts-at-zero] The number is 0.\n* [each-click] Each click.\n- [Bad Id] stays as written\n";
    const out = markRequirementIds(md);
    expect(out).toContain('- <span class="req-id">starts-at-zero</span> The number is 0.');
    expect(out).toContain('* <span class="req-id">each-click</span> Each click.');
    expect(out).toContain("Intro [not-an-id] here.");
    expect(out).toContain("- [Bad Id] stays as written");
  });
});
