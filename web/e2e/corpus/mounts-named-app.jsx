import { useState } from "react";

// No default export: the component named App is mounted.
export function App() {
  const [n] = useState(1);
  return <p>n = {n}</p>;
}
