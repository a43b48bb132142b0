import { useEffect, useRef } from "react";
import type { ChallengeList, Me, Profile, SubmissionList, User } from "../api";
import { verdictLabel } from "../components/Results";
import { usePageTitle } from "../pageTitle";
import { useApi } from "../useApi";

/** Every badge, in the order a learner meets them, with how it is earned. */
const BADGES: [string, string, string][] = [
  ["first_solve", "First solve", "Solve any challenge."],
  ["streak_7", "7-day streak", "Solve something seven days in a row."],
  ["all_easy", "Every easy challenge", "Solve every easy challenge."],
  ["all_challenges", "Every challenge", "Solve every challenge."],
];

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const LEVELS = [0, 1, 2, 3, 4];

/**
 * A year of days (UTC, as streaks count them), Sunday-first weeks as columns, shaded by
 * accepted submissions, with month and weekday labels, a legend and the year's total. It
 * opens scrolled to today, so a phone shows the recent weeks first.
 */
export function Heatmap({ activity, today = new Date() }: { activity: Profile["activity"]; today?: Date }) {
  const counts = new Map(activity.map((a) => [a.day, a.accepted]));
  const days: { day: string; n: number; date: Date }[] = [];
  for (let i = 364; i >= 0; i--) {
    const date = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i));
    const key = date.toISOString().slice(0, 10);
    days.push({ day: key, n: counts.get(key) ?? 0, date });
  }
  const total = days.reduce((sum, d) => sum + d.n, 0);
  // Weeks are columns starting on Sunday: pad the first one.
  const pad = days[0].date.getUTCDay();
  // A month's label sits over the first week that holds its 1st (or the first week shown).
  const weeks = Math.ceil((pad + days.length) / 7);
  const months: { week: number; name: string }[] = [];
  days.forEach((d, i) => {
    if (d.date.getUTCDate() === 1 || i === 0) months.push({ week: Math.floor((pad + i) / 7), name: MONTHS[d.date.getUTCMonth()] });
  });
  if (months.length > 1 && months[1].week - months[0].week < 3) months.shift();
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => { if (scroller.current) scroller.current.scrollLeft = scroller.current.scrollWidth; }, []);
  const plural = (n: number) => `${n} accepted submission${n === 1 ? "" : "s"}`;
  return (
    <figure className="activity">
      <div className="heatmap-scroll" ref={scroller} tabIndex={0} role="region" aria-label="Activity, scrolls sideways">
        <div className="heatmap-frame" style={{ gridTemplateColumns: `auto repeat(${weeks}, 11px)` }}>
          {months.map((m) => <span key={`${m.name}${m.week}`} className="month" style={{ gridColumn: m.week + 2 }}>{m.name}</span>)}
          <span className="weekday" style={{ gridRow: 3 }}>Mon</span>
          <span className="weekday" style={{ gridRow: 5 }}>Wed</span>
          <span className="weekday" style={{ gridRow: 7 }}>Fri</span>
          <div className="heatmap" role="img" aria-label={`${plural(total)} in the last year`} style={{ gridColumn: `2 / span ${weeks}`, gridRow: "2 / span 7" }}>
            {Array.from({ length: pad }, (_, i) => <span key={`pad${i}`} />)}
            {days.map((d) => <span key={d.day} title={`${d.day}: ${plural(d.n)}`} className={`cell l${Math.min(d.n, 4)}`} />)}
          </div>
        </div>
      </div>
      <figcaption>
        <span data-testid="activity-total">{plural(total)} in the last year</span>
        <span className="legend" aria-hidden="true">Less {LEVELS.map((l) => <span key={l} className={`cell l${l}`} />)} More</span>
      </figcaption>
    </figure>
  );
}

export function ProfilePage({ user }: { user: User }) {
  usePageTitle("Profile");
  const me = useApi<Me>("/me");
  // The per-difficulty counts fill in when the list comes; the page does not wait for it.
  const challenges = useApi<ChallengeList>("/challenges");
  const recent = useApi<SubmissionList>("/submissions?limit=10");
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
      <ul className="badges">{BADGES.map(([id, name, how]) => {
        const earned = p.badges.find((b) => b.badge === id);
        return earned
          ? <li key={id} className="earned" title={`Earned ${new Date(earned.awarded_at).toLocaleDateString()}`}>{name}</li>
          : <li key={id} className="to-earn" title={how}>{name} <span className="visually-hidden">(not yet earned: {how})</span></li>;
      })}</ul>
      <h2>Recent submissions</h2>
      {recent.error ? <p className="error" role="alert">Could not load your submissions: {recent.error.message}</p>
        : !recent.data ? <p className="muted">Loading…</p>
        : recent.data.submissions.length === 0 ? <p className="muted">No submissions yet: <a href="/">pick a challenge</a>.</p>
        : (
          <ul className="recent">{recent.data.submissions.map((s) => (
            <li key={s.id}>
              <a href={`/challenges/${s.challenge}`}>{list.find((c) => c.slug === s.challenge)?.title ?? s.challenge}</a>
              <span className={`verdict-${s.verdict ?? s.status}`}>{verdictLabel(s.verdict ?? s.status)}</span>
              <time dateTime={s.created_at}>{new Date(s.created_at).toLocaleString()}</time>
            </li>
          ))}</ul>
        )}
    </div>
  );
}
