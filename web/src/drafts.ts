import { api, ApiError, type Draft, type DraftRequest } from "./api";

/**
 * Drafts: the code a learner is writing, per challenge. A signed-in learner's draft lives
 * on the server (it follows them to another device) with a copy in this browser under
 * their own id, removed when they sign out; a visitor's stays in this browser only.
 */
type Local = { code: string; at: number };
const PREFIX = "reactlab:draft:";
const key = (owner: string, slug: string) => `${PREFIX}${owner}:${slug}`;

function readLocal(owner: string, slug: string): Local | null {
  try {
    const value = JSON.parse(localStorage.getItem(key(owner, slug)) ?? "null");
    return value && typeof value.code === "string" ? value : null;
  } catch {
    return null;
  }
}

/** The draft to open: the newer of this browser's copy and the server's. */
export async function loadDraft(userId: string | null, slug: string): Promise<string | null> {
  const local = readLocal(userId ?? "guest", slug);
  if (!userId) return local?.code ?? null;
  try {
    const server = await api<Draft>("GET", `/challenges/${slug}/draft`);
    if (local && local.at > server.updated_at) {
      saveRemote(slug, local.code);
      return local.code;
    }
    return server.code;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      if (local) saveRemote(slug, local.code);
      return local?.code ?? null;
    }
    return local?.code ?? null;
  }
}

const pending = new Map<string, { timer: ReturnType<typeof setTimeout>; code: string }>();

function put(slug: string, code: string) {
  // A failed save leaves the local copy newer: it is sent again the next time the draft opens.
  return api("PUT", `/challenges/${slug}/draft`, { code } satisfies DraftRequest).catch(() => {});
}

function saveRemote(slug: string, code: string) {
  clearTimeout(pending.get(slug)?.timer);
  pending.set(slug, { code, timer: setTimeout(() => { pending.delete(slug); put(slug, code); }, 800) });
}

/** Sends the saves still waiting for typing to stop (before signing out). */
export async function flushDrafts() {
  const waiting = [...pending.entries()];
  pending.clear();
  await Promise.all(waiting.map(([slug, { timer, code }]) => { clearTimeout(timer); return put(slug, code); }));
}

/** Keeps the draft: at once in this browser, shortly after typing stops on the server. */
export function saveDraft(userId: string | null, slug: string, code: string) {
  localStorage.setItem(key(userId ?? "guest", slug), JSON.stringify({ code, at: Date.now() } satisfies Local));
  if (userId) saveRemote(slug, code);
}

/** On sign-out: nothing of the learner's code stays in this browser for the next visitor. */
export function forgetLocalDrafts(userId: string) {
  for (const k of Object.keys(localStorage)) {
    // This learner's copies, and the per-browser drafts of versions before accounts had them.
    if (k.startsWith(`${PREFIX}${userId}:`) || (k.startsWith(PREFIX) && !k.slice(PREFIX.length).includes(":"))) localStorage.removeItem(k);
  }
}
