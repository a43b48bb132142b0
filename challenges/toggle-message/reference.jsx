import { useState } from "react";

export default function App() {
  const [on, setOn] = useState(false);
  return (
    <div>
      <p>{on ? "Goodbye!" : "Hello!"}</p>
      <button onClick={() => setOn((v) => !v)}>Toggle</button>
    </div>
  );
}
