import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "./api";

/** What a page knows about one load. */
export type Loaded<T> = {
  /** The last answer for this key; kept while it reloads and when a reload fails. */
  data: T | undefined;
  /** Why the last load failed; null again once one succeeds. */
  error: Error | null;
  /** True from the start of a load until its answer comes. */
  loading: boolean;
  /** Loads again (a stable function, safe in effects and timers). */
  reload: () => void;
};

type State<T> = { key: string | null; data: T | undefined; error: Error | null; loading: boolean };

/**
 * Loads data for `key` with `load` (nothing while the key is null), again whenever the key
 * changes or `reload` is called. Only the newest load's answer is kept: one that comes
 * after the key changed, after a newer load started, or after unmount is dropped (and its
 * signal aborted). `load` may change on every render; the key says when to call it.
 */
export function useLoad<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [state, setState] = useState<State<T>>({ key: null, data: undefined, error: null, loading: false });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(load);
  latest.current = load;

  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    // A new key starts empty; a reload keeps what it had until the answer comes.
    setState((s) => (s.key === key ? { ...s, loading: true } : { key, data: undefined, error: null, loading: true }));
    latest.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ key, data, error: null, loading: false });
      },
      (e: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: e instanceof Error ? e : new Error(String(e)), loading: false }));
      },
    );
    return () => controller.abort();
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  // Until the effect has run for a new key, the state still describes the old one: none of it shows.
  if (state.key !== key) return { data: undefined, error: null, loading: key !== null, reload };
  return { data: state.data, error: state.error, loading: key !== null && state.loading, reload };
}

/** GETs `/api/v1${path}` (nothing while the path is null); see `useLoad`. */
export function useApi<T>(path: string | null): Loaded<T> {
  return useLoad<T>(path, (signal) => api<T>("GET", path!, undefined, signal));
}
