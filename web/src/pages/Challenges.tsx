import { useEffect, useMemo, useState } from "react";
import { usePageTitle } from "../pageTitle";
import type { ChallengeList } from "../api";
import { useApi } from "../useApi";
import { inLearningOrder, readFilters, writeFilters, type Filters } from "../catalogOrder";

export function Challenges() {
  usePageTitle("Challenges");
  const list = useApi<ChallengeList>("/challenges");
  const all = useMemo(() => (list.data ? inLearningOrder(list.data.challenges) : undefined), [list.data]);
  const error = list.error?.message;
  const [filters, setFilters] = useState<Filters>(() => readFilters(location.search));
  const set = (change: Partial<Filters>) => setFilters((f) => ({ ...f, ...change }));
  // The address follows the filters (replaced, not pushed: typing is not a page visit).
  useEffect(() => { history.replaceState(history.state, "", `${location.pathname}${writeFilters(filters)}`); }, [filters]);
  const { q: query, difficulty, status, tag } = filters;

  const shown = useMemo(() => (all ?? []).filter((c) => {
    const q = query.trim().toLowerCase();
    const matches = !q || c.title.toLowerCase().includes(q) || c.tags.some((t) => t.includes(q));
    const st = status === "" || (status === "todo" ? c.status === null : c.status === status);
    return matches && (!difficulty || c.difficulty === difficulty) && (!tag || c.tags.includes(tag)) && st;
  }), [all, query, difficulty, status, tag]);

  if (error) return <p role="alert" className="error">Could not load the challenges: {error}</p>;
  if (!all) return <p className="muted">Loading…</p>;
  const solved = all.filter((c) => c.status === "solved").length;
  return (
    <div className="list-page">
      <h1>Challenges</h1>
      <p className="summary"><progress max={all.length} value={solved} aria-label="Challenges solved" /> {solved} of {all.length} solved</p>
      <div className="filters">
        <label>Search <input type="search" value={query} onChange={(e) => set({ q: e.target.value })} placeholder="title or tag" /></label>
        <label>Difficulty <select value={difficulty} onChange={(e) => set({ difficulty: e.target.value })}>
          <option value="">All</option><option value="easy">Easy</option><option value="medium">Medium</option><option value="hard">Hard</option>
        </select></label>
        <label>Status <select value={status} onChange={(e) => set({ status: e.target.value })}>
          <option value="">All</option><option value="solved">Solved</option><option value="attempted">Attempted</option><option value="todo">Not tried</option>
        </select></label>
        {tag && <button className="tag-filter" onClick={() => set({ tag: "" })} aria-label={`Tag: ${tag}; remove this filter`}>Tag: {tag} ✕</button>}
      </div>
      {shown.length === 0 ? <p className="muted">No challenge matches.</p> : (
        <table className="challenges">
          <thead><tr><th>Challenge</th><th>Difficulty</th><th>Tags</th><th>Status</th></tr></thead>
          <tbody>{shown.map((c) => (
            <tr key={c.slug}>
              <td><a href={`/challenges/${c.slug}`}>{c.title}</a></td>
              <td><span className={`badge diff-${c.difficulty}`}>{c.difficulty}</span></td>
              <td><span className="tags">{c.tags.map((t) => (
                <button key={t} className="tag" aria-pressed={t === tag} onClick={() => set({ tag: t === tag ? "" : t })}>{t}</button>
              ))}</span></td>
              <td data-testid={`status-${c.slug}`}>{c.status === "solved" ? "✓ Solved" : c.status === "attempted" ? "Attempted" : ""}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </div>
  );
}
