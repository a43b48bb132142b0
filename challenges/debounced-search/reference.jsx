import { useEffect, useState } from "react";

const NAMES = ["Ada", "Alan", "Grace", "Linus", "Margaret"];

export default function Search() {
  const [query, setQuery] = useState("");
  const [applied, setApplied] = useState("");

  useEffect(() => {
    const timer = setTimeout(() => setApplied(query), 300);
    return () => clearTimeout(timer);
  }, [query]);

  const needle = applied.trim().toLowerCase();
  const visible = NAMES.filter((name) => name.toLowerCase().includes(needle));

  return (
    <div>
      <input type="search" aria-label="Search names" value={query} onChange={(e) => setQuery(e.target.value)} />
      <ul>
        {visible.map((name) => (
          <li key={name}>{name}</li>
        ))}
      </ul>
    </div>
  );
}
