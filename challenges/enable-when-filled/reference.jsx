import { useState } from "react";

export default function App() {
  const [text, setText] = useState("");
  return (
    <div>
      <input type="text" value={text} onChange={(e) => setText(e.target.value)} />
      <button disabled={text.trim() === ""}>Submit</button>
    </div>
  );
}
