export default function ConfirmDialog() {
  // TODO: show a dialog with "Are you sure?" and a Close button when Open is clicked,
  // and close it with Close or Escape.
  return (
    <div>
      <button>Open</button>
    </div>
  );
}
