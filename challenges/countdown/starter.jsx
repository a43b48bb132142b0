import { useState } from 'react';

export default function App() {
  const [count, setCount] = useState(5);

  function start() {
    // TODO: count down by one every second, stop at 0 and show "Done!"
  }

  return (
    <div>
      <p>{count}</p>
      <button onClick={start}>Start</button>
    </div>
  );
}
