import { useState } from "react";

export default function App() {
  const [label, setLabel] = useState("Press me");
  return <button onClick={() => setLabel("click")}>{label}</button>;
}
