export default function App() {
  // TODO: keep the input's text in state and show it in the paragraph.
  return (
    <div>
      <input type="text" />
      <p></p>
    </div>
  );
}
