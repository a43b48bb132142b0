import { useEffect, useMemo, useRef, useState } from "react";
import { usePageTitle } from "../pageTitle";
import { setLeaveGuard } from "../leaveGuard";
import { api, ApiError, type ChallengeInput, type ChallengeList, type ChallengeSource, type Validation, type VerifyResponse } from "../api";
import { useApi } from "../useApi";

/** What the editor holds: the parts an admin writes, the slug empty until typed. */
type Source = Omit<ChallengeInput, "slug"> & { slug: string };

/** Only the fields the API accepts back (it refuses unknown ones, like the source's `version`). */
const editable = ({ slug, spec_toml, statement, starter, reference }: ChallengeSource): Source => ({ slug, spec_toml, statement, starter, reference });
/** The request body; an empty slug is left out (validate and verify work without one). */
const input = (source: Source): ChallengeInput => ({ ...source, slug: source.slug || undefined });

const EMPTY: Source = {
  slug: "",
  spec_toml: 'title = "My challenge"\ndifficulty = "easy"\ntags = []\n\n[[test]]\nname = "shows a greeting"\nchecks = ["greets"]\nsteps = [\n  { do = "expect_text", contains = "Hello" },\n]\n',
  statement: "Describe what to build.\n\n## Requirements\n\n- [greets] The page shows `Hello`.\n",
  starter: { name: "starter.jsx", code: "export default function App() {\n  return null;\n}\n" },
  reference: { name: "reference.jsx", code: "export default function App() {\n  return <p>Hello</p>;\n}\n" },
};

export function AdminList() {
  usePageTitle("Authoring");
  const challenges = useApi<ChallengeList>("/challenges");
  const list = challenges.data?.challenges;
  if (challenges.error) return <p role="alert" className="error">Could not load the challenges: {challenges.error.message}</p>;
  if (!list) return <p className="muted">Loading…</p>;
  return (
    <div className="list-page">
      <h1>Authoring</h1>
      <p><a className="button primary" href="/admin/new">New challenge</a></p>
      <table className="challenges">
        <thead><tr><th>Challenge</th><th>Difficulty</th><th></th></tr></thead>
        <tbody>{list.map((c) => (
          <tr key={c.slug}><td>{c.title} <span className="muted">{c.slug}</span></td><td>{c.difficulty}</td><td><a href={`/admin/edit/${c.slug}`}>Edit</a></td></tr>
        ))}</tbody>
      </table>
    </div>
  );
}

/** Create or edit a challenge; the test file is validated by the server as you type. */
export function AdminEditor({ slug }: { slug?: string }) {
  usePageTitle(slug ? `Edit ${slug}` : "New challenge");
  // The sources: as loaded (or the empty template for a new challenge) until edited.
  const loaded = useApi<ChallengeSource>(slug ? `/challenges/${slug}/source` : null);
  const original = useMemo(() => (slug ? (loaded.data ? editable(loaded.data) : null) : EMPTY), [slug, loaded.data]);
  const [edited, setSource] = useState<Source | null>(null);
  const source = edited ?? original;
  const [check, setCheck] = useState<{ ok: boolean; text: string; tests: Validation["tests"] }>({ ok: true, text: "", tests: [] });
  const [saved, setSaved] = useState<string | null>(slug ?? null);
  // The sources as last loaded or saved: anything else on screen is unsaved work.
  const [savedSource, setClean] = useState<Source | null>(null);
  const clean = savedSource ?? original;
  const dirty = !!source && JSON.stringify(source) !== JSON.stringify(clean);
  const dirtyNow = useRef(dirty);
  dirtyNow.current = dirty;
  useEffect(() => {
    setLeaveGuard(() => dirtyNow.current);
    return () => setLeaveGuard(null);
  }, []);
  const [status, setStatus] = useState<string>("");
  const [verify, setVerify] = useState<VerifyResponse | null>(null);

  useEffect(() => {
    if (!source) return;
    const timer = setTimeout(() => {
      api<Validation>("POST", "/challenges/validate", input(source)).then(
        (r) => setCheck({ ok: true, text: "Valid.", tests: r.tests }),
        (e) => setCheck({ ok: false, text: e instanceof ApiError ? `${e.body.field ?? ""}: ${e.body.message}` : String(e), tests: [] }),
      );
    }, 400);
    return () => clearTimeout(timer);
  }, [source]);

  if (!source) return <p className="muted">{loaded.error?.message ?? "Loading…"}</p>;
  const set = (patch: Partial<Source>) => setSource({ ...source, ...patch });
  const save = async () => {
    setStatus("Saving…");
    try {
      if (saved) await api("PUT", `/challenges/${saved}`, input(source));
      else await api("POST", "/challenges", input(source));
      setSaved(source.slug);
      setClean(source);
      setStatus("Saved.");
    } catch (e) {
      setStatus(e instanceof ApiError ? `${e.body.field ?? ""}: ${e.body.message}` : String(e));
    }
  };
  const runVerify = async () => {
    setStatus("Verifying in the judge…");
    setVerify(null);
    try {
      // What is on screen, saved or not.
      setVerify(await api<VerifyResponse>("POST", "/challenges/verify", input(source)));
      setStatus("");
    } catch (e) {
      setStatus((e as Error).message);
    }
  };
  const area = (id: string, label: string, value: string, onChange: (v: string) => void, rows = 10) => (
    <div className="field"><label htmlFor={id}>{label}</label>
      <textarea id={id} rows={rows} spellCheck={false} value={value} onChange={(e) => onChange(e.target.value)} /></div>
  );
  return (
    <div className="admin">
      <h1>{saved ? `Edit ${saved}` : "New challenge"}</h1>
      <div className="field"><label htmlFor="slug">Slug</label>
        <input id="slug" value={source.slug} disabled={!!saved} onChange={(e) => set({ slug: e.target.value })} placeholder="my-challenge" /></div>
      {area("spec", "Tests (challenge.toml)", source.spec_toml, (v) => set({ spec_toml: v }), 14)}
      <p role="status" className={check.ok ? "ok" : "error"} data-testid="validation">{check.text}</p>
      {check.tests.length > 0 && <ol className="test-list">{check.tests.map((t) => <li key={t.name}><strong>{t.name}</strong><ol>{t.steps.map((s, i) => <li key={i}>{s}</li>)}</ol></li>)}</ol>}
      {area("statement", "Statement (Markdown)", source.statement, (v) => set({ statement: v }), 6)}
      {area("starter", `Starter (${source.starter.name})`, source.starter.code, (v) => set({ starter: { ...source.starter, code: v } }))}
      {area("reference", `Reference (${source.reference.name})`, source.reference.code, (v) => set({ reference: { ...source.reference, code: v } }))}
      <div className="toolbar">
        <button className="primary" onClick={save} disabled={!check.ok || !source.slug}>Save</button>
        <button onClick={runVerify}>Verify</button>
        {dirty && <span className="muted" data-testid="unsaved">Unsaved changes</span>}
        <span role="status">{status}</span>
      </div>
      {verify && (
        <div data-testid="verify">
          <p className={verify.ok ? "verdict verdict-accepted" : "verdict"}>{verify.ok ? "The reference passes and the starter fails." : "Not yet: the reference must pass and the starter must fail."}</p>
          <p>Reference: <strong>{verify.reference.verdict}</strong>. Starter: <strong>{verify.starter.verdict}</strong>.</p>
        </div>
      )}
    </div>
  );
}
