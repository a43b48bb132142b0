import { useEffect, useRef, useState } from "react";

export default function ConfirmDialog() {
  const [open, setOpen] = useState(false);
  const dialogRef = useRef(null);

  // Keep the native dialog in step with React's state.
  useEffect(() => {
    const dialog = dialogRef.current;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      {/* onClose also fires when the browser closes the dialog on Escape. */}
      <dialog ref={dialogRef} aria-labelledby="confirm-title" onClose={() => setOpen(false)}>
        <h2 id="confirm-title">Are you sure?</h2>
        <button type="button" onClick={() => setOpen(false)}>
          Close
        </button>
      </dialog>
    </>
  );
}
