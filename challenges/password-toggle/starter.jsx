import { useState } from 'react';

export default function App() {
  const [visible, setVisible] = useState(false);

  return (
    <div>
      <input type="password" />
      {/* TODO: clicking should switch the input's type between "password" and "text" */}
      <button>Toggle</button>
    </div>
  );
}
