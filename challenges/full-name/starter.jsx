import { useState } from "react";

export default function FullName() {
  const [first, setFirst] = useState("");

  // TODO: label both inputs, keep the last name in state too,
  // and show the full name ("First Last") in the span.
  return (
    <div>
      <input value={first} onChange={(e) => setFirst(e.target.value)} />
      <input />
      <span></span>
    </div>
  );
}
