export default function App() {
  // TODO: set the body's background colour, and switch it on every click.
  return <button>Toggle theme</button>;
}
