import { useState } from 'react';

export default function App() {
  const [count, setCount] = useState(0);

  return (
    <div>
      <button>-</button>
      <span>{count}</span>
      <button>+</button>
      {/* TODO: make the buttons change the number */}
    </div>
  );
}
