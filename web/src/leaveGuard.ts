/**
 * A page with unsaved work registers a guard; leaving it (a link in the app, closing or
 * reloading the tab) then asks first.
 */
let guard: (() => boolean) | null = null;

const onBeforeUnload = (e: BeforeUnloadEvent) => {
  if (guard?.()) e.preventDefault();
};

/** `hasUnsavedWork` says whether leaving now would lose something; null removes the guard. */
export function setLeaveGuard(hasUnsavedWork: (() => boolean) | null) {
  guard = hasUnsavedWork;
  if (hasUnsavedWork) addEventListener("beforeunload", onBeforeUnload);
  else removeEventListener("beforeunload", onBeforeUnload);
}

/** Whether the app may navigate away: no unsaved work, or the user says so. */
export function mayLeave(): boolean {
  if (!guard?.()) return true;
  if (!confirm("You have unsaved changes. Leave this page and lose them?")) return false;
  setLeaveGuard(null);
  return true;
}
