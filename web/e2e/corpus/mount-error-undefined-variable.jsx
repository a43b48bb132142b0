export default function App() {
  return <p>{missing.value}</p>;
}
