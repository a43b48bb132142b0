//! Each submission (and each test) runs in a fresh document that inherits nothing: a first
//! submission plants state of every kind it can reach, and the next one looks for it. The
//! judge here has one slot, so both run in the same tab and browser context.

mod common;
use common::*;
use reactlab_core::Verdict;
use reactlab_judge::{BrowserOptions, Judge};
use std::sync::LazyLock;

static ONE_TAB: LazyLock<Judge> = LazyLock::new(|| Judge::new(BrowserOptions { max_in_flight: 1, ..BrowserOptions::default() }));

const PLANT_SPEC: &str = r#"
title = "plant"
difficulty = "easy"
[[test]]
name = "plants"
mocks = [{ path = "/api/data", json = { cached = true } }]
steps = [{ do = "expect_text", on = { tag = "p" }, equals = "planted", timeout_ms = 8000 }]
"#;

const PLANT: &str = r#"import { useEffect, useState } from 'react';
export default function App() {
  const [done, setDone] = useState(false);
  useEffect(() => {
    window.__planted = 'global';
    Object.prototype.__pollution = 'proto';
    localStorage.setItem('planted', '1');
    sessionStorage.setItem('planted', '1');
    document.cookie = 'planted=1; path=/; max-age=3600';
    document.cookie = 'planted_site=1; domain=judge.test; path=/; max-age=3600';
    window.name = 'planted';
    const open = indexedDB.open('planted', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('s');
    setInterval(() => { try { localStorage.setItem('timer', 'still running'); } catch {} }, 5);
    const channel = new BroadcastChannel('planted');
    setInterval(() => channel.postMessage('hello'), 10);
    try { new Worker(URL.createObjectURL(new Blob(['setInterval(() => {}, 5)']))); } catch {}
    fetch('/api/data', { cache: 'force-cache' }).then((r) => r.json()).then(() => open.onsuccess = null).finally(() => setDone(true));
  }, []);
  return <p>{done ? 'planted' : 'planting'}</p>;
}"#;

const LOOK_SPEC: &str = r#"
title = "look"
difficulty = "easy"
[[test]]
name = "finds nothing"
steps = [{ do = "expect_text", on = { tag = "p" }, equals = "clean", timeout_ms = 8000 }]
"#;

const LOOK: &str = r#"import { useEffect, useState } from 'react';
export default function App() {
  const [found, setFound] = useState(null);
  useEffect(() => {
    (async () => {
      const f = [];
      if (window.__planted || ({}).__pollution) f.push('globals');
      if (localStorage.length) f.push('localStorage');
      if (sessionStorage.length) f.push('sessionStorage');
      if (document.cookie) f.push('cookies: ' + document.cookie);
      if (window.name) f.push('window.name');
      if ((await indexedDB.databases()).length) f.push('indexedDB');
      const channel = new BroadcastChannel('planted');
      channel.onmessage = () => f.push('broadcast');
      try { await fetch('/api/data', { cache: 'force-cache' }); f.push('http cache'); } catch {}
      await new Promise((r) => setTimeout(r, 400));
      if (localStorage.getItem('timer')) f.push('timers');
      setFound(f.length ? 'found ' + [...new Set(f)].join(', ') : 'clean');
    })();
  }, []);
  return <p>{found ?? 'looking'}</p>;
}"#;

#[test]
fn nothing_crosses_from_one_submission_to_the_next() {
    for round in 0..2 {
        let planted = grade_with(&ONE_TAB, PLANT_SPEC, PLANT);
        assert_eq!(planted.verdict, Verdict::Accepted, "round {round}, planting:\n{}", explain(&planted));
        let looked = grade_with(&ONE_TAB, LOOK_SPEC, LOOK);
        assert_eq!(looked.verdict, Verdict::Accepted, "round {round}, looking:\n{}", explain(&looked));
    }
}

/// Looks for planted state (reporting it), then plants it: run twice in a row, the second
/// run finds the first's state if anything leaked.
const LOOK_THEN_PLANT: &str = r#"import { useEffect, useState } from 'react';
export default function App() {
  const [report, setReport] = useState('looking');
  useEffect(() => {
    (async () => {
      const f = [];
      if (window.__planted) f.push('globals');
      if (localStorage.length) f.push('localStorage');
      if (sessionStorage.length) f.push('sessionStorage');
      if (document.cookie) f.push('cookies');
      if (window.name) f.push('window.name');
      if ((await indexedDB.databases()).length) f.push('indexedDB');
      window.__planted = 1;
      localStorage.setItem('k', '1');
      sessionStorage.setItem('k', '1');
      document.cookie = 'k=1; path=/; max-age=3600';
      document.cookie = 'site=1; domain=judge.test; path=/; max-age=3600';
      window.name = 'planted';
      await new Promise((r) => { const o = indexedDB.open('planted', 1); o.onupgradeneeded = () => o.result.createObjectStore('s'); o.onsuccess = r; o.onerror = r; });
      setReport(f.length ? 'found ' + f.join(', ') : 'clean, planted');
    })();
  }, []);
  return <p>{report}</p>;
}"#;

#[test]
fn nothing_crosses_from_one_test_to_the_next_within_a_submission() {
    let test = |name: &str| {
        format!("[[test]]\nname = \"{name}\"\nsteps = [{{ do = \"expect_text\", on = {{ tag = \"p\" }}, equals = \"clean, planted\", timeout_ms = 8000 }}]\n")
    };
    let spec = format!("title = \"t\"\ndifficulty = \"easy\"\n{}{}{}", test("first"), test("second"), test("third"));
    let r = grade_with(&ONE_TAB, &spec, LOOK_THEN_PLANT);
    assert_eq!(r.verdict, Verdict::Accepted, "{}", explain(&r));
    // And across submissions, with the same code.
    let r = grade_with(&ONE_TAB, &spec, LOOK_THEN_PLANT);
    assert_eq!(r.verdict, Verdict::Accepted, "{}", explain(&r));
}

#[test]
fn the_looking_code_does_find_what_it_plants() {
    // The look would be worthless if it could not see planted state: plant, reload (which
    // keeps storage by design), and look again.
    let spec = r#"
title = "t"
difficulty = "easy"
[[test]]
name = "reload keeps storage"
steps = [
  { do = "expect_text", on = { tag = "p" }, equals = "clean, planted", timeout_ms = 8000 },
  { do = "reload" },
  { do = "expect_text", on = { tag = "p" }, contains = "found localStorage, sessionStorage, cookies", timeout_ms = 8000 },
]
"#;
    let r = grade_with(&ONE_TAB, spec, LOOK_THEN_PLANT);
    assert_eq!(r.verdict, Verdict::Accepted, "{}", explain(&r));
}
