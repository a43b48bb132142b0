export default function App() {
  return <p>unclosed;
}
