export default function App() {
  // TODO: keep the count in state and increase it on every click.
  return (
    <div>
      <p>0</p>
      <button>Increment</button>
    </div>
  );
}
