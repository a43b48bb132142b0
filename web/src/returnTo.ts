/**
 * Where sign-in returns to: the page the learner was on, carried as `?next=` on the links
 * to the sign-in and sign-up pages. Only a path of this site is followed (not `//host`,
 * not `/\host`, not a scheme), so a crafted link cannot send a learner elsewhere.
 */
export function safeNext(search: string): string {
  const next = new URLSearchParams(search).get("next");
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}

/** A link to sign in or sign up that comes back to `from` (nothing to add from home or the forms). */
export function authLink(page: "/login" | "/register", from: string): string {
  const stay = from === "/" || from === "/login" || from === "/register";
  return stay ? page : `${page}?next=${encodeURIComponent(from)}`;
}
