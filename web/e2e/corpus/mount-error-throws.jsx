export default function App() {
  throw new Error("nope");
}
