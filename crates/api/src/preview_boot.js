// Runs inside the sandboxed preview frame (opaque origin). Receives the transpiled module
// from the app, mounts its default export (or `App`) as the judge does, and reports the
// console and errors back to the app.
import { createElement } from "react";
import { flushSync } from "react-dom";
import { createRoot } from "react-dom/client";

const send = (message) => parent.postMessage({ source: "reactlab-preview", ...message }, "*");
const show = (value) => {
  if (typeof value === "string") return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try { return JSON.stringify(value); } catch { return String(value); }
};
for (const level of ["log", "info", "warn", "error", "debug"]) {
  const original = console[level].bind(console);
  console[level] = (...args) => {
    send({ type: "console", level, text: args.map(show).join(" ").slice(0, 2000) });
    original(...args);
  };
}
addEventListener("error", (e) => send({ type: "runtime-error", message: e.error ? show(e.error) : e.message }));
addEventListener("unhandledrejection", (e) => send({ type: "runtime-error", message: `Unhandled rejection: ${show(e.reason)}` }));

addEventListener("message", async (event) => {
  if (event.source !== parent) return;
  // The app's heartbeat: a frame stuck in an endless loop stops answering.
  if (event.data?.type === "ping") return send({ type: "pong", n: event.data.n });
  if (event.data?.type !== "run") return;
  const url = URL.createObjectURL(new Blob([event.data.js], { type: "text/javascript" }));
  try {
    const module = await import(url);
    const Component = module.default ?? module.App;
    if (typeof Component !== "function" && !(Component && typeof Component === "object" && "$$typeof" in Component)) {
      send({ type: "runtime-error", message: "The file exports no component: export one as default (or name it App)." });
      return;
    }
    let failed = false;
    const root = createRoot(document.getElementById("root"), {
      onUncaughtError: (error) => {
        failed = true;
        send({ type: "runtime-error", message: show(error) });
      },
    });
    // Rendered synchronously, so "mounted" is only said of a first render that worked.
    flushSync(() => root.render(createElement(Component)));
    if (!failed) send({ type: "mounted" });
  } catch (error) {
    send({ type: "runtime-error", message: show(error) });
  } finally {
    URL.revokeObjectURL(url);
  }
});
send({ type: "ready" });
