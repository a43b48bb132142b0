import { useEffect, useState } from "react";
import { api, type Me, type User } from "./api";
import { useApi } from "./useApi";
import { usePageTitle } from "./pageTitle";
import { AdminEditor, AdminList } from "./pages/Admin";
import { QueuePage } from "./pages/QueuePage";
import { Auth } from "./pages/Auth";
import { Challenges } from "./pages/Challenges";
import { ChallengePage } from "./pages/ChallengePage";
import { ProfilePage } from "./pages/ProfilePage";
import { flushDrafts, forgetLocalDrafts } from "./drafts";
import { mayLeave } from "./leaveGuard";
import { authLink, safeNext } from "./returnTo";

/** Client-side routes: plain links, intercepted so the page does not reload. */
function usePath(): [string, (to: string) => void] {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    const onClick = (e: MouseEvent) => {
      const a = (e.target as HTMLElement).closest("a");
      if (!a || a.origin !== location.origin || a.target || e.metaKey || e.ctrlKey || e.shiftKey) return;
      e.preventDefault();
      if (!mayLeave()) return;
      history.pushState(null, "", a.pathname + a.search + a.hash);
      setPath(a.pathname);
    };
    addEventListener("popstate", onPop);
    document.addEventListener("click", onClick);
    return () => { removeEventListener("popstate", onPop); document.removeEventListener("click", onClick); };
  }, []);
  const go = (to: string) => { if (!mayLeave()) return; history.pushState(null, "", to); setPath(to); };
  return [path, go];
}

function useTheme(): [boolean, () => void] {
  const system = matchMedia("(prefers-color-scheme: dark)").matches;
  const [dark, setDark] = useState(() => (localStorage.getItem("reactlab:theme") ?? (system ? "dark" : "light")) === "dark");
  useEffect(() => { document.documentElement.dataset.theme = dark ? "dark" : "light"; }, [dark]);
  return [dark, () => setDark((d) => { localStorage.setItem("reactlab:theme", d ? "light" : "dark"); return !d; })];
}

function NotFound() {
  usePageTitle("Not found");
  return <div><h1>Not found</h1><p>There is no page at this address. <a href="/">All challenges</a></p></div>;
}

export function App() {
  const [path, go] = usePath();
  const [dark, toggleTheme] = useTheme();
  // Who is signed in: undefined until /me answers (a failure means nobody), then what
  // signing in or out said last.
  const me = useApi<Me>("/me");
  const [changed, setUser] = useState<{ user: User | null } | null>(null);
  const user = changed ? changed.user : me.loading ? undefined : (me.data?.user ?? null);
  // On a phone the navigation and the account links fold behind a Menu button.
  const [menu, setMenu] = useState(false);
  useEffect(() => setMenu(false), [path]);

  // Back to the page the learner signed in from (a `?next=` path of this site).
  const signedIn = (u: User) => { setUser({ user: u }); go(safeNext(location.search)); };
  const logout = async () => {
    await flushDrafts();
    await api("POST", "/auth/logout").catch(() => {});
    if (user) forgetLocalDrafts(user.id);
    setUser({ user: null });
    go("/");
  };

  let page;
  const challenge = path.match(/^\/challenges\/([a-z0-9-]+)$/);
  if (user === undefined) page = <p className="muted">Loading…</p>;
  else if (path === "/login") page = <Auth mode="login" onDone={signedIn} />;
  else if (path === "/register") page = <Auth mode="register" onDone={signedIn} />;
  else if (path === "/profile") page = user ? <ProfilePage user={user} /> : <Auth mode="login" onDone={signedIn} />;
  else if (path.startsWith("/admin") && !user?.is_admin) page = <p className="error" role="alert">This page is for admins.</p>;
  else if (path === "/admin") page = <AdminList />;
  else if (path === "/admin/queue") page = <QueuePage />;
  else if (path === "/admin/new") page = <AdminEditor />;
  else if (path.startsWith("/admin/edit/")) page = <AdminEditor key={path} slug={path.slice("/admin/edit/".length)} />;
  else if (challenge) page = <ChallengePage key={`${challenge[1]}:${user?.id ?? "guest"}`} slug={challenge[1]} dark={dark} userId={user?.id ?? null} />;
  else if (path === "/") page = <Challenges />;
  else page = <NotFound />;

  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className={menu ? "top menu-open" : "top"}>
        <a href="/" className="brand">ReactLab</a>
        <button className="menu-toggle" aria-expanded={menu} aria-controls="site-menu" onClick={() => setMenu((m) => !m)}>Menu</button>
        <div id="site-menu" className="site-menu">
        <nav aria-label="Main">
          <a href="/">Challenges</a>
          {user && <a href="/profile">Profile</a>}
          {user?.is_admin && <a href="/admin">Authoring</a>}
          {user?.is_admin && <a href="/admin/queue">Queue</a>}
        </nav>
        <div className="account">
          <button onClick={toggleTheme} aria-label={dark ? "Use the light theme" : "Use the dark theme"}>{dark ? "☀" : "☾"}</button>
          {user ? <><span className="muted">{user.username}</span> <button onClick={logout}>Sign out</button></> : <><a href={authLink("/login", path)}>Sign in</a> <a href={authLink("/register", path)} className="button primary">Sign up</a></>}
        </div>
        </div>
      </header>
      <main id="main">{page}</main>
    </>
  );
}
