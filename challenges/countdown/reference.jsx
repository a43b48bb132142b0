import { useEffect, useState } from 'react';

export default function App() {
  const [count, setCount] = useState(5);
  const [running, setRunning] = useState(false);

  useEffect(() => {
    if (!running) return;
    const id = setInterval(() => {
      setCount((c) => Math.max(c - 1, 0));
    }, 1000);
    return () => clearInterval(id);
  }, [running]);

  useEffect(() => {
    if (count === 0) setRunning(false);
  }, [count]);

  return (
    <div>
      <p>{count}</p>
      <button onClick={() => setRunning(true)} disabled={running}>
        Start
      </button>
      {count === 0 && <p>Done!</p>}
    </div>
  );
}
