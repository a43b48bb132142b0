import { useState } from "react";

const TABS = ["Profile", "Settings", "Billing"];

export default function Tabs() {
  const [selected, setSelected] = useState(0);

  // TODO: add the ARIA roles and aria-selected, show only the selected panel,
  // and handle the Left/Right arrow keys.
  return (
    <div>
      <div>
        {TABS.map((tab, i) => (
          <button key={tab} onClick={() => setSelected(i)}>
            {tab}
          </button>
        ))}
      </div>
      {TABS.map((tab) => (
        <div key={tab}>{tab} panel</div>
      ))}
    </div>
  );
}
