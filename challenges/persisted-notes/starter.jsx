import { useState } from "react";

export default function Notes() {
  const [text, setText] = useState("");

  // TODO: label the textarea, save the text to localStorage as the user types,
  // and restore it when the page is reloaded.
  return <textarea value={text} onChange={(e) => setText(e.target.value)} />;
}
