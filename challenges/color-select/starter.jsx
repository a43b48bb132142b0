import { useState } from 'react';

export default function App() {
  const [color, setColor] = useState('Red');

  return (
    <div>
      {/* TODO: keep `color` in sync with the select */}
      <select>
        <option>Red</option>
        <option>Green</option>
        <option>Blue</option>
      </select>
      <span>Selected: {color}</span>
    </div>
  );
}
