import { useMemo, useState } from "react";
import { usePageTitle } from "../pageTitle";
import type { ChallengeList } from "../api";
import { useApi } from "../useApi";

export function Challenges() {
  usePageTitle("Challenges");
  const list = useApi<ChallengeList>("/challenges");
  const all = list.data?.challenges;
  const error = list.error?.message;
  const [query, setQuery] = useState("");
  const [difficulty, setDifficulty] = useState("");
  const [status, setStatus] = useState("");

  const shown = useMemo(() => (all ?? []).filter((c) => {
    const q = query.trim().toLowerCase();
    const matches = !q || c.title.toLowerCase().includes(q) || c.tags.some((t) => t.includes(q));
    const st = status === "" || (status === "todo" ? c.status === null : c.status === status);
    return matches && (!difficulty || c.difficulty === difficulty) && st;
  }), [all, query, difficulty, status]);

  if (error) return <p role="alert" className="error">Could not load the challenges: {error}</p>;
  if (!all) return <p className="muted">Loading…</p>;
  const solved = all.filter((c) => c.status === "solved").length;
  return (
    <div className="list-page">
      <h1>Challenges</h1>
      <p className="summary"><progress max={all.length} value={solved} aria-label="Challenges solved" /> {solved} of {all.length} solved</p>
      <div className="filters">
        <label>Search <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="title or tag" /></label>
        <label>Difficulty <select value={difficulty} onChange={(e) => setDifficulty(e.target.value)}>
          <option value="">All</option><option value="easy">Easy</option><option value="medium">Medium</option><option value="hard">Hard</option>
        </select></label>
        <label>Status <select value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">All</option><option value="solved">Solved</option><option value="attempted">Attempted</option><option value="todo">Not tried</option>
        </select></label>
      </div>
      {shown.length === 0 ? <p className="muted">No challenge matches.</p> : (
        <table className="challenges">
          <thead><tr><th>Challenge</th><th>Difficulty</th><th>Tags</th><th>Status</th></tr></thead>
          <tbody>{shown.map((c) => (
            <tr key={c.slug}>
              <td><a href={`/challenges/${c.slug}`}>{c.title}</a></td>
              <td><span className={`badge diff-${c.difficulty}`}>{c.difficulty}</span></td>
              <td>{c.tags.join(", ")}</td>
              <td data-testid={`status-${c.slug}`}>{c.status === "solved" ? "✓ Solved" : c.status === "attempted" ? "Attempted" : ""}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </div>
  );
}
