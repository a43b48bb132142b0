export default function App() {
  // TODO: switch the message when the button is clicked.
  return (
    <div>
      <p>Hello!</p>
      <button>Toggle</button>
    </div>
  );
}
