import { useState } from "react";

export default function Subscribe() {
  const [subscribed, setSubscribed] = useState(false);

  return (
    <div>
      <label>
        <input type="checkbox" checked={subscribed} onChange={(e) => setSubscribed(e.target.checked)} />
        Subscribe
      </label>
      {subscribed && <button type="button">Submit</button>}
    </div>
  );
}
