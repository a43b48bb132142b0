import { useEffect, useState } from "react";
import { usePageTitle } from "../pageTitle";
import { api, type QueueOverview } from "../api";
import { useApi } from "../useApi";

const mib = (bytes?: number | null) => (bytes == null ? "—" : `${Math.round(bytes / 1048576)} MiB`);
const when = (iso: string) => new Date(iso).toLocaleString();

/** The queue for admins, refreshed every five seconds: counts, dead jobs to retry or
 * discard, and the workers by their heartbeats. */
export function QueuePage() {
  usePageTitle("Queue");
  // A failed refresh keeps the last counts on screen, with the error above them.
  const { data: queue, error: failed, reload } = useApi<QueueOverview>("/admin/queue");
  const error = failed?.message;
  const [status, setStatus] = useState("");
  useEffect(() => {
    const timer = setInterval(reload, 5000);
    return () => clearInterval(timer);
  }, [reload]);
  const act = async (id: string, action: "retry" | "discard") => {
    setStatus(action === "retry" ? "Retrying…" : "Discarding…");
    try {
      await api("POST", `/admin/queue/dead/${id}/${action}`, {});
      setStatus(action === "retry" ? `Submission ${id} is queued again.` : `Dead job ${id} discarded.`);
    } catch (e) {
      setStatus(`Could not ${action}: ${(e as Error).message}`);
    }
    reload();
  };

  if (!queue) return error ? <p role="alert" className="error">Could not load the queue: {error}</p> : <p className="muted">Loading…</p>;
  return (
    <div className="list-page queue">
      <h1>Queue</h1>
      {queue.alert && <p role="alert" className="error alert">{queue.alert}</p>}
      {error && <p role="alert" className="error">Refresh failed: {error}</p>}
      <dl className="queue-counts" aria-label="Jobs">
        {([["Waiting", queue.waiting], ["Retrying", queue.retrying], ["Running", queue.running], ["Dead", queue.dead]] as const).map(([label, n]) => (
          <div key={label}><dt>{label}</dt><dd data-count={label.toLowerCase()}>{n}</dd></div>
        ))}
      </dl>
      <p aria-live="polite" className="muted">{status}</p>

      <h2>Dead jobs</h2>
      {queue.dead_jobs.length === 0 ? <p className="muted">None: every job that ran out of attempts has been dealt with.</p> : (
        <table className="challenges">
          <thead><tr><th>Submission</th><th>Challenge</th><th>Attempts</th><th>Why</th><th>Died</th><th><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>{queue.dead_jobs.map((j) => (
            <tr key={j.id}>
              <td><code>{j.id}</code></td>
              <td>{j.challenge ?? "—"}</td>
              <td>{j.attempts}</td>
              <td>{j.reason}</td>
              <td>{when(j.died_at)}</td>
              <td>
                <button onClick={() => act(j.id, "retry")} aria-label={`Retry ${j.id}`}>Retry</button>{" "}
                <button onClick={() => act(j.id, "discard")} aria-label={`Discard ${j.id}`}>Discard</button>
              </td>
            </tr>
          ))}</tbody>
        </table>
      )}

      <h2>Workers</h2>
      {queue.workers.length === 0 ? <p className="muted">No worker has said it is alive in the last hour.</p> : (
        <table className="challenges">
          <thead><tr><th>Worker</th><th>Last heartbeat</th><th>Grading</th><th>Browser memory</th><th>Started</th></tr></thead>
          <tbody>{queue.workers.map((w) => (
            <tr key={w.id} className={w.silent ? "silent" : undefined}>
              <td>{w.host} <span className="muted">pid {w.pid}</span></td>
              <td>{w.seconds_since_seen} s ago{w.silent && <strong> — silent</strong>}</td>
              <td>{w.in_flight} of {w.capacity}</td>
              <td>{mib(w.browser_memory_bytes)}</td>
              <td>{when(w.started_at)}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </div>
  );
}
