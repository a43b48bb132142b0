export default function App() {
  return <p>Hello</p>;
}
