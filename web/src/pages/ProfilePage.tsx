import type { ChallengeList, Me, Profile, User } from "../api";
import { usePageTitle } from "../pageTitle";
import { useApi } from "../useApi";

const BADGES: Record<string, string> = { first_solve: "First solve", all_easy: "Every easy challenge", streak_7: "7-day streak", all_challenges: "Every challenge" };

/** A year of days, Sunday-first weeks, shaded by accepted submissions. */
function Heatmap({ activity }: { activity: Profile["activity"] }) {
  const counts = new Map(activity.map((a) => [a.day, a.accepted]));
  const today = new Date();
  const days: { day: string; n: number }[] = [];
  for (let i = 364; i >= 0; i--) {
    const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i));
    const key = d.toISOString().slice(0, 10);
    days.push({ day: key, n: counts.get(key) ?? 0 });
  }
  // Weeks are columns starting on Sunday: pad the first one.
  const pad = new Date(`${days[0].day}T00:00:00Z`).getUTCDay();
  return (
    <div className="heatmap" role="img" aria-label={`Accepted submissions on ${activity.length} days in the last year`}>
      {Array.from({ length: pad }, (_, i) => <span key={`pad${i}`} />)}
      {days.map((d) => <span key={d.day} title={`${d.day}: ${d.n}`} className={`cell l${Math.min(d.n, 4)}`} />)}
    </div>
  );
}

export function ProfilePage({ user }: { user: User }) {
  usePageTitle("Profile");
  const me = useApi<Me>("/me");
  // The per-difficulty counts fill in when the list comes; the page does not wait for it.
  const challenges = useApi<ChallengeList>("/challenges");
  const list = challenges.data?.challenges ?? [];
  const error = me.error ?? challenges.error;
  if (error) return <p role="alert" className="error">Could not load your profile: {error.message}</p>;
  if (!me.data) return <p className="muted">Loading…</p>;
  const p = me.data.progress;
  const by = (d: string) => `${list.filter((c) => c.difficulty === d && c.status === "solved").length} / ${list.filter((c) => c.difficulty === d).length}`;
  return (
    <div className="profile">
      <h1>{user.username}</h1>
      <dl className="stats">
        <div><dt>Solved</dt><dd data-testid="solved">{p.solved}</dd></div>
        <div><dt>Easy</dt><dd>{by("easy")}</dd></div>
        <div><dt>Medium</dt><dd>{by("medium")}</dd></div>
        <div><dt>Hard</dt><dd>{by("hard")}</dd></div>
        <div><dt>Current streak</dt><dd data-testid="streak">{p.streak.current}</dd></div>
        <div><dt>Longest streak</dt><dd>{p.streak.longest}</dd></div>
      </dl>
      <h2>Activity</h2>
      <Heatmap activity={p.activity} />
      <h2>Badges</h2>
      {p.badges.length === 0 ? <p className="muted">Solve a challenge to earn your first badge.</p> : (
        <ul className="badges">{p.badges.map((b) => <li key={b.badge} className="earned">{BADGES[b.badge] ?? b.badge}</li>)}</ul>
      )}
    </div>
  );
}
