import { useEffect, useState } from "react";

export default function App() {
  const [dark, setDark] = useState(false);

  useEffect(() => {
    document.body.style.backgroundColor = dark ? "#222222" : "#ffffff";
  }, [dark]);

  return <button onClick={() => setDark((d) => !d)}>Toggle theme</button>;
}
