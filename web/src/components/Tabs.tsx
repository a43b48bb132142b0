import { useRef, type KeyboardEvent } from "react";

/**
 * A tab list as the ARIA practices describe it: one tab in the Tab order (the selected
 * one), arrow keys, Home and End move between tabs and select them, and each tab names
 * the panel it controls (`panelId`).
 */
export function TabList<T extends string>({ label, tabs, selected, onSelect, idPrefix, panelId, className = "tabs" }: {
  label: string;
  tabs: readonly (readonly [T, string])[];
  selected: T;
  onSelect: (tab: T) => void;
  idPrefix: string;
  panelId: (tab: T) => string;
  className?: string;
}) {
  const list = useRef<HTMLDivElement>(null);
  const onKeyDown = (e: KeyboardEvent) => {
    const at = tabs.findIndex(([id]) => id === selected);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const next = tabs[(to + tabs.length) % tabs.length][0];
    onSelect(next);
    list.current?.querySelector<HTMLElement>(`#${tabId(idPrefix, next)}`)?.focus();
  };
  return (
    <div role="tablist" aria-label={label} className={className} ref={list} onKeyDown={onKeyDown}>
      {tabs.map(([id, text]) => (
        <button key={id} id={tabId(idPrefix, id)} role="tab" aria-selected={id === selected} aria-controls={panelId(id)}
          tabIndex={id === selected ? 0 : -1} onClick={() => onSelect(id)}>{text}</button>
      ))}
    </div>
  );
}

export const tabId = (prefix: string, tab: string) => `${prefix}-tab-${tab}`;
