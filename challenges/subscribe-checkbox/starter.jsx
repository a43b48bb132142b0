export default function Subscribe() {
  // TODO: label the checkbox, keep its state, and render the Submit button
  // only while it is checked.
  return (
    <div>
      <input type="checkbox" />
      <button>Submit</button>
    </div>
  );
}
