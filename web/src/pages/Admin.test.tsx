import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import openapi from "../api/openapi.json";
import { AdminEditor } from "./Admin";

// What the API accepts in a challenge body: it refuses any other field (deny_unknown_fields).
const accepted = Object.keys(openapi.components.schemas.ChallengeInput.properties).sort();

const source = {
  slug: "say-hello", spec_toml: 'title = "Hi"\n', statement: "Say hello.", version: 3, builtin: false,
  starter: { name: "starter.jsx", code: "export default () => null;" }, reference: { name: "reference.jsx", code: "export default () => <p>Hello</p>;" },
};
let bodies: { method: string; url: string; body: Record<string, unknown> }[];

beforeEach(() => {
  bodies = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    const method = init.method ?? "GET";
    if (init.body) bodies.push({ method, url, body: JSON.parse(String(init.body)) });
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
    if (method === "GET" && url === "/api/v1/challenges/say-hello/source") return json(source);
    if (url === "/api/v1/challenges/validate") return json({ tests: [] });
    return json({});
  });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("AdminEditor", () => {
  it("sends back only the fields a challenge body may have, not the loaded source's version", async () => {
    render(<AdminEditor slug="say-hello" />);
    await waitFor(() => expect(screen.getByTestId("validation").textContent).toBe("Valid."), { timeout: 3000 });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByText("Saved.");
    const sent = bodies;
    expect(sent.map((b) => `${b.method} ${b.url}`)).toEqual(["POST /api/v1/challenges/validate", "PUT /api/v1/challenges/say-hello"]);
    for (const { body } of sent) {
      expect(Object.keys(body).sort()).toEqual(accepted);
      expect(body.statement).toBe("Say hello.");
    }
  });
});
