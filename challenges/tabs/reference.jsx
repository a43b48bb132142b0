import { useRef, useState } from "react";

const TABS = ["Profile", "Settings", "Billing"];

export default function Tabs() {
  const [selected, setSelected] = useState(0);
  const tabRefs = useRef([]);

  const select = (index) => {
    const next = (index + TABS.length) % TABS.length;
    setSelected(next);
    tabRefs.current[next]?.focus();
  };

  const onKeyDown = (e) => {
    if (e.key === "ArrowRight") {
      e.preventDefault();
      select(selected + 1);
    } else if (e.key === "ArrowLeft") {
      e.preventDefault();
      select(selected - 1);
    }
  };

  return (
    <div>
      <div role="tablist" aria-label="Account" onKeyDown={onKeyDown}>
        {TABS.map((tab, i) => (
          <button
            key={tab}
            ref={(el) => (tabRefs.current[i] = el)}
            type="button"
            role="tab"
            id={`tab-${i}`}
            aria-selected={i === selected}
            aria-controls={`panel-${i}`}
            tabIndex={i === selected ? 0 : -1}
            onClick={() => setSelected(i)}
          >
            {tab}
          </button>
        ))}
      </div>
      {TABS.map((tab, i) => (
        <div key={tab} role="tabpanel" id={`panel-${i}`} aria-labelledby={`tab-${i}`} hidden={i !== selected}>
          This is the {tab} panel.
        </div>
      ))}
    </div>
  );
}
