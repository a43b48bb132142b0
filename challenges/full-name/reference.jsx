import { useState } from "react";

export default function FullName() {
  const [first, setFirst] = useState("");
  const [last, setLast] = useState("");

  return (
    <div>
      <label>
        First name
        <input type="text" value={first} onChange={(e) => setFirst(e.target.value)} />
      </label>
      <label>
        Last name
        <input type="text" value={last} onChange={(e) => setLast(e.target.value)} />
      </label>
      <p>
        Full name: <span>{`${first} ${last}`.trim()}</span>
      </p>
    </div>
  );
}
