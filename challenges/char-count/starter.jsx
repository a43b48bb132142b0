export default function App() {
  // TODO: keep the input's text in state and show its length below.
  return (
    <div>
      <input type="text" />
    </div>
  );
}
