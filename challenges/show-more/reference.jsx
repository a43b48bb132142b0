import { useState } from "react";

const SHORT = "React is a library.";
const MORE = " It builds user interfaces out of small, reusable components.";

export default function App() {
  const [expanded, setExpanded] = useState(false);
  return (
    <div>
      <p>
        {SHORT}
        {expanded && MORE}
      </p>
      <button onClick={() => setExpanded((e) => !e)}>{expanded ? "Show less" : "Show more"}</button>
    </div>
  );
}
