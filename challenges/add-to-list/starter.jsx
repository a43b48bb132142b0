import { useState } from 'react';

export default function App() {
  const [items, setItems] = useState([]);
  const [text, setText] = useState('');

  function add() {
    // TODO: append `text` to the list (unless it is empty) and clear the input
  }

  return (
    <div>
      <input value={text} onChange={(e) => setText(e.target.value)} />
      <button onClick={add}>Add</button>
      <ul>
        {items.map((item, i) => (
          <li key={i}>{item}</li>
        ))}
      </ul>
    </div>
  );
}
