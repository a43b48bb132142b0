import { useEffect, useState } from "react";

export default function Users() {
  const [state, setState] = useState({ status: "loading", users: [] });

  useEffect(() => {
    let cancelled = false;
    async function load() {
      try {
        const res = await fetch("/api/users");
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const users = await res.json();
        if (!cancelled) setState({ status: "done", users });
      } catch {
        if (!cancelled) setState({ status: "error", users: [] });
      }
    }
    load();
    return () => {
      cancelled = true;
    };
  }, []);

  if (state.status === "loading") return <p>Loading...</p>;
  if (state.status === "error") return <p>Failed to load</p>;
  return (
    <ul>
      {state.users.map((user) => (
        <li key={user.id}>{user.name}</li>
      ))}
    </ul>
  );
}
