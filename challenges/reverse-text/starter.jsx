import { useState } from 'react';

export default function App() {
  const [text, setText] = useState('');

  return (
    <div>
      <input value={text} onChange={(e) => setText(e.target.value)} />
      {/* TODO: show the text reversed */}
      <p>{text}</p>
    </div>
  );
}
