import type { ChallengeSummary } from "./api";

const DIFFICULTY = ["easy", "medium", "hard"];

/**
 * The order a learner meets the challenges in: by difficulty, then the catalog's curated
 * order (the order the API lists them in).
 */
export function inLearningOrder<T extends Pick<ChallengeSummary, "difficulty">>(list: readonly T[]): T[] {
  const rank = (d: string) => (DIFFICULTY.indexOf(d) + DIFFICULTY.length + 1) % (DIFFICULTY.length + 1);
  return list.map((c, i) => [c, i] as const).sort(([a, i], [b, j]) => rank(a.difficulty) - rank(b.difficulty) || i - j).map(([c]) => c);
}

/** What to try after `slug`: the next unsolved challenge in learning order, wrapping round. */
export function nextChallenge<T extends Pick<ChallengeSummary, "difficulty" | "slug" | "status">>(list: readonly T[], slug: string): T | null {
  const ordered = inLearningOrder(list);
  const at = ordered.findIndex((c) => c.slug === slug);
  const after = [...ordered.slice(at + 1), ...ordered.slice(0, Math.max(at, 0))];
  return after.find((c) => c.status !== "solved" && c.slug !== slug) ?? null;
}

/** The list page's filters, kept in the address so a filtered list can be shared and reloaded. */
export type Filters = { q: string; difficulty: string; status: string; tag: string };

export function readFilters(search: string): Filters {
  const p = new URLSearchParams(search);
  return { q: p.get("q") ?? "", difficulty: p.get("difficulty") ?? "", status: p.get("status") ?? "", tag: p.get("tag") ?? "" };
}

export function writeFilters(f: Filters): string {
  const p = new URLSearchParams(Object.entries(f).filter(([, v]) => v !== ""));
  const s = p.toString();
  return s ? `?${s}` : "";
}
