// End to end, in real Chromium (Debian's /usr/bin/chromium driven by playwright-core; no
// downloaded browser) against a real `reactlab serve` on a random loopback port.
// Saves a screenshot of every page under target/e2e/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "../..");
const shots = join(root, "target/e2e");
const bin = process.env.REACTLAB_BIN ?? join(root, "target/debug/reactlab");
let server, base, browser, data;

before(async () => {
  mkdirSync(shots, { recursive: true });
  data = mkdtempSync(join(tmpdir(), "reactlab-e2e-"));
  server = spawn(bin, ["serve", "--addr", "127.0.0.1:0", "--data-dir", data, "--workers", "1",
    "--catalog", join(root, "challenges"), "--web-dir", join(root, "web/dist")], { stdio: ["ignore", "pipe", "inherit"] });
  base = await new Promise((ok, fail) => {
    server.stdout.on("data", (chunk) => {
      const m = String(chunk).match(/running at (http:\/\/[^/]+)\//);
      if (m) ok(m[1]);
    });
    server.on("exit", (code) => fail(new Error(`reactlab serve exited (${code})`)));
  });
  browser = await chromium.launch({
    executablePath: process.env.REACTLAB_CHROMIUM_E2E ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  await new Promise((ok) => (server?.exitCode !== null ? ok() : server.on("exit", ok)));
  rmSync(data, { recursive: true, force: true });
});

const axeSource = readFileSync(join(root, "web/node_modules/axe-core/axe.min.js"), "utf8");

/**
 * Saves a screenshot of the page and checks it with axe-core (WCAG 2 A/AA rules): no
 * serious or critical violation. Evaluated through the DevTools protocol, so the app's
 * CSP does not have to allow it.
 */
async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run({ exclude: [[".editor"], ["iframe"]] }, { runOnly: ["wcag2a", "wcag2aa"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`), [], `${name}: accessibility`);
}

/** Replaces the editor's content as a paste would (no auto-closed brackets). */
async function setCode(page, code) {
  await page.locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Delete");
  // A paste: typing would let the editor auto-indent and auto-close brackets.
  await page.evaluate((text) => {
    const data = new DataTransfer();
    data.setData("text/plain", text);
    document.activeElement.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, code);
}

const preview = (page) => page.frameLocator("iframe[title=Preview]").locator("body");

test("a learner signs up, previews, fails, fixes, and sees their progress", { timeout: 180_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // A guest on a challenge follows "Sign in to submit", signs up instead, and comes back.
  await page.goto(`${base}/challenges/counter`);
  await page.getByText("to submit").getByRole("link", { name: "Sign in" }).click();
  await page.getByRole("link", { name: "Create an account" }).click();
  assert.equal(new URL(page.url()).searchParams.get("next"), "/challenges/counter");
  await shot(page, "sign-up");
  await page.getByLabel("Username").fill("e2e-learner");
  await page.getByLabel("E-mail").fill("learner@example.com");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("alert").filter({ hasText: "8 to 128" }).waitFor();
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("heading", { name: /Counter/ }).waitFor();
  assert.equal(new URL(page.url()).pathname, "/challenges/counter", "back where the learner was");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Challenges" }).click();
  await page.getByRole("heading", { name: "Challenges" }).waitFor();
  await shot(page, "challenges");

  // Easy first, then medium, then hard; within each, the catalog's order.
  const difficulties = await page.locator("table.challenges tbody tr .badge").allTextContents();
  assert.deepEqual(difficulties, [...difficulties].sort((a, b) => ["easy", "medium", "hard"].indexOf(a) - ["easy", "medium", "hard"].indexOf(b)));
  await page.getByLabel("Search").fill("countdown");
  assert.equal(await page.locator("table.challenges tbody tr").count(), 1, "search filters the list");
  assert.equal(new URL(page.url()).searchParams.get("q"), "countdown", "the filter is in the address");
  await page.reload();
  await page.locator("table.challenges tbody tr").first().waitFor();
  assert.equal(await page.locator("table.challenges tbody tr").count(), 1, "and survives a reload");
  assert.equal(await page.getByLabel("Search").inputValue(), "countdown");
  await page.getByLabel("Search").fill("");
  // A tag filters by itself, and shows as a filter that can be removed.
  const tag = page.locator("table.challenges tbody tr .tag").first();
  const tagName = await tag.textContent();
  await tag.click();
  const tagged = await page.locator("table.challenges tbody tr").count();
  assert.ok(tagged >= 1 && tagged === await page.locator("table.challenges tbody tr").filter({ has: page.getByRole("button", { name: tagName, exact: true }) }).count(), "only challenges with the tag");
  assert.equal(new URL(page.url()).searchParams.get("tag"), tagName);
  await page.getByRole("button", { name: `Tag: ${tagName}; remove this filter` }).click();
  assert.equal(new URL(page.url()).search, "");
  await page.getByRole("link", { name: "Counter", exact: true }).click();
  await page.getByRole("heading", { name: /Counter/ }).waitFor();
  await preview(page).getByText("Increment").waitFor();

  const wrong = "import { useState } from 'react';\nexport default function App() {\n  const [n, setN] = useState(0);\n  return <div><p>Clicks: {n}</p><button onClick={() => setN(n + 2)}>Increment</button></div>;\n}\n";
  await setCode(page, wrong.replace("return <div>", "console.log('rendering', n);\n  return <div>"));
  await preview(page).getByText("Clicks: 0").waitFor();
  await page.locator(".console li").filter({ hasText: "rendering 0" }).first().waitFor();
  // Drafts survive a reload.
  await page.reload();
  await preview(page).getByText("Clicks: 0").waitFor();
  await shot(page, "challenge-preview");
  await page.locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("ControlOrMeta+Enter");
  await page.getByTestId("verdict").filter({ hasText: "Wrong answer" }).waitFor({ timeout: 90_000 });
  assert.ok(await page.locator(".step-failed").count() > 0, "the failing step is marked");
  await page.locator("img.screenshot").waitFor();
  // It opens at full size, by its own signed link.
  assert.equal(await page.locator("a.screenshot-link").getAttribute("href"), await page.locator("img.screenshot").getAttribute("src"));
  await shot(page, "challenge-wrong-answer");

  await setCode(page, readFileSync(join(root, "challenges/counter/reference.jsx"), "utf8"));
  await page.getByRole("button", { name: "Submit" }).click();
  await page.getByTestId("verdict").filter({ hasText: "Accepted" }).waitFor({ timeout: 90_000 });
  // What to try next: the next easy challenge after Counter in the list's order.
  await page.getByRole("status").filter({ hasText: "Solved! Next:" }).getByRole("link").waitFor();
  await shot(page, "challenge-accepted");

  // The history keeps both; the wrong one's results and code come back on demand.
  await page.getByRole("tab", { name: "History" }).click();
  // Newest first, each row named and its verdict in words.
  assert.deepEqual(await page.locator(".history li").evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("span")].map((s) => s.textContent).join(" "))),
    ["#2 Accepted", "#1 Wrong answer"]);
  await page.getByRole("button", { name: "Results of submission #1" }).waitFor();
  await page.locator(".history li").nth(1).getByRole("button", { name: "Results" }).click();
  await page.getByTestId("verdict").filter({ hasText: "Wrong answer" }).waitFor();
  // Restore asks first: declined, the code stays; accepted, it is replaced as one edit that
  // Ctrl+Z takes back.
  const restore = page.locator(".history li").nth(1).getByRole("button", { name: "Restore code" });
  page.once("dialog", (d) => d.dismiss());
  await restore.click();
  await page.waitForTimeout(500);
  assert.equal(await preview(page).getByText("Clicks: 0").count(), 0, "declined: the code is not replaced");
  page.once("dialog", (d) => d.accept());
  await restore.click();
  await preview(page).getByText("Clicks: 0").waitFor();
  await page.locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("ControlOrMeta+Z");
  // Ctrl+Z brings the accepted code back (the preview follows the editor).
  await preview(page).getByText("Clicks:").waitFor({ state: "detached" });
  await page.keyboard.press("ControlOrMeta+Shift+Z");
  await preview(page).getByText("Clicks: 0").waitFor();

  // The draft is the learner's: another browser of theirs opens it (from the server), and
  // after they sign out the next visitor of this browser sees the starter.
  await page.waitForTimeout(1200); // the draft is saved once typing stops
  const elsewhere = await browser.newContext();
  const other = await elsewhere.newPage();
  await other.goto(`${base}/login`);
  await other.getByLabel("E-mail").fill("learner@example.com");
  await other.getByLabel("Password").fill("correct horse battery");
  await other.getByRole("button", { name: "Sign in" }).click();
  await other.getByRole("heading", { name: "Challenges" }).waitFor();
  await other.goto(`${base}/challenges/counter`);
  await preview(other).getByText("Clicks: 0").waitFor();
  await elsewhere.close();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("link", { name: "Sign in" }).waitFor();
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes("draft"))), [], "no draft left in this browser");
  await page.goto(`${base}/challenges/counter`);
  await preview(page).getByRole("button", { name: "Increment" }).waitFor();
  assert.equal(await preview(page).getByText("Clicks:").count(), 0, "a visitor sees the starter, not the last learner's code");
  await page.goto(`${base}/login`);
  await page.getByLabel("E-mail").fill("learner@example.com");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Challenges" }).waitFor();

  await page.getByRole("link", { name: "Challenges" }).click();
  await page.getByTestId("status-counter").filter({ hasText: "Solved" }).waitFor();
  await page.getByLabel("Status").selectOption("solved");
  assert.equal(await page.locator("table.challenges tbody tr").count(), 1, "the status filter keeps the solved one");
  await page.getByLabel("Status").selectOption("");
  // The dark theme passes the same checks.
  await page.getByRole("button", { name: "Use the dark theme" }).click();
  await shot(page, "challenges-dark");
  await page.getByRole("button", { name: "Use the light theme" }).click();
  await page.getByRole("link", { name: "Profile" }).click();
  await page.getByTestId("streak").filter({ hasText: "1" }).waitFor();
  assert.equal(await page.getByTestId("solved").innerText(), "1");
  await shot(page, "profile");
});

test("code in the preview cannot read the app's cookie or storage", { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/register`);
  await page.getByLabel("Username").fill("e2e-snoop");
  await page.getByLabel("E-mail").fill("snoop@example.com");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("heading", { name: "Challenges" }).waitFor();
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === "reactlab_session");
  assert.ok(session, "signed in with a session cookie");
  await page.goto(`${base}/challenges/counter`);
  await page.evaluate(() => localStorage.setItem("secret", "app-only"));
  const snoop = "export default function App() {\n  let c, s;\n  try { c = document.cookie; } catch (e) { c = 'blocked ' + e.name; }\n  try { s = localStorage.getItem('secret'); } catch (e) { s = 'blocked ' + e.name; }\n  return <p>cookie=[{String(c)}] storage=[{String(s)}]</p>;\n}\n";
  await setCode(page, snoop);
  const text = await preview(page).getByText("cookie=").innerText();
  assert.ok(!text.includes(session.value), `the session token leaked: ${text}`);
  assert.ok(!text.includes("app-only"), `localStorage leaked: ${text}`);
  assert.match(text, /cookie=\[blocked/);
  assert.match(text, /storage=\[blocked/);
});

test("an admin creates a challenge, sees it validated as they type, and verifies it", { timeout: 120_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${base}/register`);
  await page.getByLabel("Username").fill("e2e-admin");
  await page.getByLabel("E-mail").fill("admin@example.com");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/register"));
  // Admin is the operator's to give, on the server's database.
  const grant = spawnSync(bin, ["admin", "grant", "admin@example.com", "--data-dir", data], { encoding: "utf8" });
  assert.equal(grant.status, 0, grant.stderr);
  await page.reload();
  await page.getByRole("link", { name: "Authoring" }).click();
  await page.getByRole("link", { name: "New challenge" }).click();
  await page.getByLabel("Slug").fill("say-hello");
  const spec = page.getByLabel("Tests (challenge.toml)");
  const original = await spec.inputValue();
  await spec.fill(original.replace('difficulty = "easy"', 'difficulty = "impossible"'));
  await page.getByTestId("validation").filter({ hasText: "spec_toml" }).waitFor();
  await spec.fill(original);
  await page.getByTestId("validation").filter({ hasText: "Valid." }).waitFor();
  await page.getByText("Expect the page to show “Hello”").waitFor();
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Saved.").waitFor();
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByTestId("verify").filter({ hasText: "The reference passes and the starter fails." }).waitFor({ timeout: 90_000 });
  await shot(page, "admin-verify");
  await page.goto(`${base}/`);
  await page.getByRole("link", { name: "My challenge" }).waitFor();
  // The queue dashboard: counts, the serve process's worker by its heartbeat, no alert.
  await page.getByRole("link", { name: "Queue" }).click();
  await page.getByRole("heading", { name: "Workers" }).waitFor();
  assert.equal(await page.locator("[data-count=dead]").textContent(), "0");
  await page.getByRole("cell", { name: /^[01] of 1$/ }).waitFor();
  assert.equal(await page.getByRole("alert").count(), 0, "a live worker: no alert");
  await shot(page, "admin-queue");
});

test("the preview classifies the shared corpus as the judge does", { timeout: 120_000 }, async () => {
  const { readdirSync } = await import("node:fs");
  const corpus = join(root, "web/e2e/corpus");
  const page = await browser.newPage();
  await page.goto(`${base}/challenges/counter`);
  await page.locator(".monaco-editor .view-lines").waitFor();
  await page.locator('.preview[data-state="mounted"]').waitFor();
  for (const file of readdirSync(corpus).filter((f) => f.endsWith(".jsx")).sort()) {
    const expected = file.startsWith("mounts-") ? "mounted" : file.startsWith("compile-error-") ? "compile-error" : "mount-error";
    const before = await page.locator(".preview").getAttribute("data-version");
    await setCode(page, readFileSync(join(corpus, file), "utf8"));
    // This file's own outcome: a newer transpilation, settled.
    await page.locator(`.preview:not([data-version="${before}"]):not([data-state="loading"])`).waitFor();
    const state = await page.locator(".preview").getAttribute("data-state");
    assert.equal(state, expected, `${file}: the preview says ${state}`);
  }
});

test("the preview reloads on demand and says so when it stops responding", { timeout: 90_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/challenges/counter`);
  await page.locator(".monaco-editor .view-lines").waitFor();
  const counter = "import { useState } from 'react';\nexport default function App() {\n  const [n, setN] = useState(0);\n  return <button onClick={() => setN(n + 1)}>Clicks: {n}</button>;\n}\n";
  await setCode(page, counter);
  await preview(page).getByText("Clicks: 0").waitFor();
  await preview(page).getByRole("button", { name: "Clicks: 0" }).click();
  await preview(page).getByText("Clicks: 1").waitFor();
  await page.getByRole("button", { name: "Reload preview" }).click();
  await preview(page).getByText("Clicks: 0").waitFor();
  // A click that never returns: the frame stops answering, the app says so and stays usable.
  await setCode(page, `import { useState } from "react";
export default function App() {
  const [stuck, setStuck] = useState(false);
  if (stuck) { for (;;) {} }
  return <button onClick={() => setStuck(true)}>Freeze</button>;
}`);
  // Not awaited: the frozen frame never acknowledges the click.
  preview(page).getByRole("button", { name: "Freeze" }).click({ timeout: 20_000 }).catch(() => {});
  await page.getByRole("alert").filter({ hasText: "The preview stopped responding" }).waitFor({ timeout: 15_000 });
  await setCode(page, counter);
  await preview(page).getByText("Clicks: 0").waitFor();
  assert.equal(await page.getByRole("alert").filter({ hasText: "stopped responding" }).count(), 0, "fixed code clears it");
});

test("the IDE fits a laptop screen without sideways scrolling and works from the keyboard", { timeout: 60_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(`${base}/challenges/counter`);
  await page.locator(".monaco-editor .view-lines").waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await shot(page, "challenge-laptop");
  // Skip link first, then the main navigation, reachable by Tab alone.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "ReactLab");
  assert.equal(await page.title(), "Counter — ReactLab");
  // The Statement / Tests / History tabs: one stop in the Tab order, arrows move between them.
  await page.getByRole("tab", { name: "Statement" }).focus();
  await page.keyboard.press("ArrowRight");
  await page.getByText("Click the button “Increment”").first().waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Tests");
  const panel = page.getByRole("tabpanel", { name: "Tests" });
  assert.ok(await panel.isVisible(), "the selected tab's panel is named after it");
  await page.keyboard.press("End");
  assert.equal(await page.getByRole("tab", { name: "History" }).getAttribute("aria-selected"), "true");
  // An address the app does not know: 404, a page that says so, and a way back.
  const missing = await page.goto(`${base}/no/such/page`);
  assert.equal(missing.status(), 404);
  await page.getByRole("heading", { name: "Not found" }).waitFor();
  assert.equal(await page.title(), "Not found — ReactLab");
  await page.getByRole("link", { name: "All challenges" }).click();
  await page.getByRole("heading", { name: "Challenges" }).waitFor();
});

test("on a phone no page scrolls sideways, the menu folds, and a learner submits", { timeout: 120_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const fits = async (name) => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name}: the page scrolls sideways by ${overflow}px`);
    await shot(page, `phone-${name}`);
  };
  const nav = page.getByRole("navigation", { name: "Main" });
  const menu = page.getByRole("button", { name: "Menu" });

  await page.goto(`${base}/register`);
  assert.equal(await nav.isVisible(), false, "the navigation is folded behind the menu");
  assert.equal(await menu.getAttribute("aria-expanded"), "false");
  await fits("sign-up");
  await page.getByLabel("Username").fill("e2e-phone");
  await page.getByLabel("E-mail").fill("phone@example.com");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("heading", { name: "Challenges" }).waitFor();
  await fits("challenges");

  await menu.click();
  assert.equal(await menu.getAttribute("aria-expanded"), "true");
  await nav.getByRole("link", { name: "Profile" }).click();
  await page.getByRole("heading", { name: /e2e-phone/ }).waitFor();
  assert.equal(await nav.isVisible(), false, "the menu folds again after a choice");
  await fits("profile");

  await page.goto(`${base}/challenges/counter`);
  await page.getByRole("heading", { name: /Counter/ }).waitFor();
  await fits("challenge");
  const panes = page.getByRole("tablist", { name: "Panes" });
  await panes.getByRole("tab", { name: "Code" }).click();
  const submit = page.getByRole("button", { name: "Submit" });
  await page.locator(".monaco-editor .view-lines").waitFor();
  const box = await submit.boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 390 && box.y >= 0 && box.y + box.height <= 844, `Submit is on screen: ${JSON.stringify(box)}`);
  assert.equal(await page.getByRole("heading", { name: /Counter/ }).isVisible(), false, "one pane at a time");
  await fits("challenge-code");
  await setCode(page, readFileSync(join(root, "challenges/counter/reference.jsx"), "utf8"));
  await submit.click();
  // The results come into view on their own.
  await page.getByTestId("verdict").filter({ hasText: "Accepted" }).waitFor({ timeout: 90_000 });
  assert.equal(await panes.getByRole("tab", { name: "Preview & results" }).getAttribute("aria-selected"), "true");
  await fits("challenge-results");
  await context.close();
});
