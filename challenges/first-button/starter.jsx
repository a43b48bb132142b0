export default function App() {
  // TODO: give the button a visible label.
  return <button></button>;
}
