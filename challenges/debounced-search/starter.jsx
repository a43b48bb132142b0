import { useState } from "react";

const NAMES = ["Ada", "Alan", "Grace", "Linus", "Margaret"];

export default function Search() {
  const [query, setQuery] = useState("");

  // TODO: filter the names (case-insensitive), but only 300 ms after the last keystroke.
  return (
    <div>
      <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
      <ul>
        {NAMES.slice(0, 2).map((name) => (
          <li key={name}>{name}</li>
        ))}
      </ul>
    </div>
  );
}
