export default function App() {
  return <button type="button">Click me</button>;
}
