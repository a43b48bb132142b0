export default function App() {
  // TODO: reveal the rest of the text and relabel the button when it is clicked.
  return (
    <div>
      <p>React is a library.</p>
      <button>Show more</button>
    </div>
  );
}
