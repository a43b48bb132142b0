export default function App() {
  // TODO: disable the button while the input is empty or only white space.
  return (
    <div>
      <input type="text" />
      <button>Submit</button>
    </div>
  );
}
