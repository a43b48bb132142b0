import { useCallback, useEffect, useMemo, useState } from "react";
import { TabList, tabId } from "../components/Tabs";
import { usePageTitle } from "../pageTitle";
import { nextChallenge } from "../catalogOrder";
import { marked } from "marked";
import { api, type Challenge, type ChallengeList, type SignedUrl, type Submission, type SubmissionList, type Submitted, type SubmitRequest } from "../api";
import { Editor } from "../components/Editor";
import { Preview } from "../components/Preview";
import { Results, verdictLabel, type Live } from "../components/Results";
import { loadDraft, saveDraft } from "../drafts";
import { authLink } from "../returnTo";
import { useApi, useLoad } from "../useApi";
import { useFollow } from "../useFollow";

/** The `[id]` that starts each requirement item, shown as the label the Tests tab names. */
export function markRequirementIds(statement: string): string {
  return statement.replace(/^([-*] )\[([a-z0-9]+(?:-[a-z0-9]+)*)\] /gm, (_, bullet: string, id: string) => `${bullet}<span class="req-id">${id}</span> `);
}

type Pane = "info" | "code" | "run";
const PANES: [Pane, string][] = [["info", "Challenge"], ["code", "Code"], ["run", "Preview & results"]];
type InfoTab = "statement" | "tests" | "history";
const INFO_TABS: [InfoTab, string][] = [["statement", "Statement"], ["tests", "Tests"], ["history", "History"]];
const infoPanel = (t: InfoTab) => `info-panel-${t}`;

export function ChallengePage({ slug, dark, userId }: { slug: string; dark: boolean; userId: string | null }) {
  const signedIn = userId !== null;
  const loaded = useApi<Challenge>(`/challenges/${slug}`);
  // The App mounts this page anew when the learner signs in or out, so one load per slug.
  const draft = useLoad(`${userId ?? "guest"}:${slug}`, () => loadDraft(userId, slug));
  // The page opens once both are in, with the draft or else the starter.
  const challenge = draft.loading ? undefined : loaded.data;
  const error = loaded.error?.message;
  // What the learner typed, once they type.
  const [edited, setEdited] = useState<string | null>(null);
  const code = edited ?? draft.data ?? challenge?.starter.code ?? "";
  const [tab, setTab] = useState<InfoTab>("statement");
  // Every panel stays in the page (hidden unless its tab is selected), so each tab's
  // aria-controls names an element that exists.
  const panelOf = (t: InfoTab) => ({ role: "tabpanel", id: infoPanel(t), "aria-labelledby": tabId("info", t), hidden: tab !== t, tabIndex: 0 });
  const [live, setLive] = useState<Live | null>(null);
  // For "next": what to try once this one is solved.
  const catalog = useApi<ChallengeList>("/challenges");
  const next = catalog.data ? nextChallenge(catalog.data.challenges, slug) : null;
  const history = useApi<SubmissionList>(signedIn ? `/submissions?challenge=${encodeURIComponent(slug)}` : null);
  const reloadHistory = history.reload;
  const followOne = useFollow();
  const [submitError, setSubmitError] = useState<string | null>(null);
  // On a phone one pane shows at a time (styles.css); on wider screens all three do.
  const [pane, setPane] = useState<Pane>("info");

  const language = challenge?.starter.name.endsWith(".tsx") ? "tsx" : "jsx";
  const onChange = useCallback((value: string) => {
    setEdited(value);
    saveDraft(userId, slug, value);
  }, [slug, userId]);

  const submit = useCallback(async () => {
    setSubmitError(null);
    setPane("run");
    try {
      const { id, position } = await api<Submitted>("POST", "/submissions", { challenge: slug, code, language } satisfies SubmitRequest);
      setLive({ id, status: "queued", position: position ?? null, tests: [], result: null, hasScreenshot: false });
      // Stops following the submission before, if any; unmounting stops this one.
      const stop = followOne(id, (e) => {
        setLive((l) => {
          if (!l || l.id !== id) return l;
          switch (e.type) {
            case "state": return { ...l, status: e.submission.status, position: e.submission.position ?? null, hasScreenshot: e.submission.has_screenshot, result: e.submission.result ?? null };
            case "queued": return { ...l, status: "queued", position: e.position };
            case "running": return { ...l, status: "running", tests: [] };
            case "test": return { ...l, tests: [...l.tests.filter((t) => t.name !== e.test.name), e.test] };
            case "done": return { ...l, status: "done", result: e.result };
            default: return l;
          }
        });
        if (e.type === "done") {
          stop();
          // The screenshot flag and the history come from the stored submission.
          api<Submission>("GET", `/submissions/${id}`).then((s) => setLive((l) => (l && l.id === id ? { ...l, hasScreenshot: s.has_screenshot } : l)));
          reloadHistory();
        }
      });
    } catch (e) {
      setSubmitError((e as Error).message);
    }
  }, [slug, code, language, reloadHistory, followOne]);

  const open = async (id: string) => {
    const s = await api<Submission>("GET", `/submissions/${id}`);
    setPane("run");
    setLive({ id, status: s.status, position: s.position ?? null, tests: [], result: s.result ?? null, hasScreenshot: s.has_screenshot });
  };

  // Ctrl/Cmd+Enter submits from anywhere on the page (the editor handles its own).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && signedIn && !(e.target as Element | null)?.closest?.(".monaco-editor")) {
        e.preventDefault();
        submit();
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [submit, signedIn]);

  // Both replace the editor's text as an edit of its own, so Ctrl+Z brings the old code back.
  const restore = async (id: string) => {
    if (!confirm("Replace your code with this submission's code? (Ctrl+Z in the editor brings yours back.)")) return;
    const { url } = await api<SignedUrl>("GET", `/submissions/${id}/code`);
    const text = await (await fetch(url)).text();
    onChange(text);
  };

  const statement = useMemo(() => (challenge ? marked.parse(markRequirementIds(challenge.statement), { async: false }) as string : ""), [challenge]);
  usePageTitle(challenge?.title);
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!challenge) return <p className="muted">Loading…</p>;

  return (
    <div className="ide" data-pane={pane}>
      <TabList label="Panes" className="tabs phone-panes" tabs={PANES} selected={pane} onSelect={setPane} idPrefix="pane" panelId={(id) => `pane-${id}`} />
      <section className="pane info" id="pane-info" aria-label="Challenge">
        <h1>{challenge.title} <span className={`badge diff-${challenge.difficulty}`}>{challenge.difficulty}</span></h1>
        <TabList label="About the challenge" tabs={INFO_TABS} selected={tab} onSelect={setTab} idPrefix="info" panelId={infoPanel} />
        <div {...panelOf("statement")} className="markdown" dangerouslySetInnerHTML={{ __html: statement }} />
        <div {...panelOf("tests")}>
          <ol className="test-list">{challenge.tests.map((t) => (
            <li key={t.name}>
              <strong>{t.name}</strong>
              {t.checks.length > 0 && (
                <p className="checks">Checks: {t.checks.map((id) => {
                  const requirement = challenge.requirements.find((r) => r.id === id);
                  return <span key={id} className="req-id" title={requirement?.text}>{id}</span>;
                })}</p>
              )}
              <ol>{t.steps.map((s, i) => <li key={i}>{s}</li>)}</ol>
            </li>
          ))}</ol>
        </div>
        <div {...panelOf("history")}>{signedIn ? (
          !history.data?.submissions.length ? <p className="muted">No submissions yet.</p> : (
            // Newest first, numbered from the first: "#3" is the learner's third submission.
            <ol className="history" reversed>{history.data.submissions.map((s, i, all) => {
              const name = `submission #${all.length - i}`;
              return (
                <li key={s.id}>
                  <span className="history-name">#{all.length - i}</span>
                  <span className={`verdict-${s.verdict ?? s.status}`}>{verdictLabel(s.verdict ?? s.status)}</span>
                  <time dateTime={s.created_at}>{new Date(s.created_at).toLocaleString()}</time>
                  <button onClick={() => open(s.id)} aria-label={`Results of ${name}`}>Results</button>
                  <button onClick={() => restore(s.id)} aria-label={`Restore code of ${name}`}>Restore code</button>
                </li>
              );
            })}</ol>
          )
        ) : <p className="muted">Sign in to keep a history.</p>}</div>
      </section>
      <section className="pane code" id="pane-code" aria-label="Code">
        <div className="toolbar">
          <span className="muted">App.{language}</span>
          <button onClick={() => { if (confirm("Replace your code with the starter? (Ctrl+Z in the editor brings yours back.)")) onChange(challenge.starter.code); }}>Reset to starter</button>
          <button className="primary" onClick={submit} disabled={!signedIn} title="Ctrl/Cmd+Enter">Submit</button>
        </div>
        {!signedIn && <p className="muted"><a href={authLink("/login", `/challenges/${slug}`)}>Sign in</a> to submit.</p>}
        {submitError && <p role="alert" className="error">{submitError}</p>}
        <Editor value={code} language={language} onChange={onChange} onSubmit={submit} dark={dark} />
      </section>
      <section className="pane run" id="pane-run" aria-label="Preview and results">
        <h2>Preview</h2>
        <Preview code={code} language={language} />
        <h2>Results</h2>
        <Results live={live} />
        {live?.result?.verdict === "accepted" && (
          next ? <p className="next-challenge" role="status">Solved! Next: <a href={`/challenges/${next.slug}`}>{next.title}</a> <span className={`badge diff-${next.difficulty}`}>{next.difficulty}</span></p>
            : catalog.data && <p className="next-challenge" role="status">Solved! That was the last challenge you had left: <a href="/">all challenges</a>.</p>
        )}
      </section>
    </div>
  );
}
