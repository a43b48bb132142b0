import { useState } from 'react';

export default function App() {
  const [hovered, setHovered] = useState(false);

  // TODO: set `hovered` when the pointer enters and leaves the div
  return <div>{hovered ? 'Hovered!' : 'Hover me'}</div>;
}
