import { useState } from 'react';

export default function App() {
  const [password, setPassword] = useState('');
  const [visible, setVisible] = useState(false);

  return (
    <div>
      <input
        type={visible ? 'text' : 'password'}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <button onClick={() => setVisible((v) => !v)}>Toggle</button>
    </div>
  );
}
