import { useState } from 'react';

export default function App() {
  const [hovered, setHovered] = useState(false);

  return (
    <div onMouseEnter={() => setHovered(true)} onMouseLeave={() => setHovered(false)}>
      {hovered ? 'Hovered!' : 'Hover me'}
    </div>
  );
}
