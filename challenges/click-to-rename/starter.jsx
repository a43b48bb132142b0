import { useState } from "react";

export default function App() {
  const [label, setLabel] = useState("Press me");
  // TODO: change the label to "click" when the button is clicked.
  return <button>{label}</button>;
}
