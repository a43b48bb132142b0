import { useState } from 'react';

const COLORS = ['Red', 'Green', 'Blue'];

export default function App() {
  const [color, setColor] = useState('Red');

  return (
    <div>
      <select value={color} onChange={(e) => setColor(e.target.value)}>
        {COLORS.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
      <span>Selected: {color}</span>
    </div>
  );
}
