import { useEffect, useState } from "react";

const KEY = "reactlab-notes";

export default function Notes() {
  // Read the saved text once, before the first render.
  const [text, setText] = useState(() => localStorage.getItem(KEY) ?? "");

  useEffect(() => {
    localStorage.setItem(KEY, text);
  }, [text]);

  return (
    <label>
      Notes
      <textarea rows={6} cols={40} value={text} onChange={(e) => setText(e.target.value)} />
    </label>
  );
}
