import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { TabList } from "./Tabs";
import { usePageTitle } from "../pageTitle";

afterEach(cleanup);

type T = "a" | "b" | "c";
function Harness() {
  const [tab, setTab] = useState<T>("a");
  usePageTitle(`Tab ${tab}`);
  const tabs: [T, string][] = [["a", "Alpha"], ["b", "Beta"], ["c", "Gamma"]];
  return (
    <>
      <TabList label="Parts" tabs={tabs} selected={tab} onSelect={setTab} idPrefix="t" panelId={(t) => `panel-${t}`} />
      {tabs.map(([t]) => <div key={t} role="tabpanel" id={`panel-${t}`} aria-labelledby={`t-tab-${t}`} hidden={tab !== t}>{t} content</div>)}
    </>
  );
}

describe("TabList", () => {
  it("moves and selects with the arrow keys, Home and End, keeping one tab in the Tab order", () => {
    render(<Harness />);
    const tab = (name: string) => screen.getByRole("tab", { name });
    expect(screen.getByRole("tablist", { name: "Parts" })).toBeTruthy();
    expect(tab("Alpha").getAttribute("aria-selected")).toBe("true");
    expect([tab("Alpha").tabIndex, tab("Beta").tabIndex]).toEqual([0, -1]);
    tab("Alpha").focus();
    fireEvent.keyDown(tab("Alpha"), { key: "ArrowRight" });
    expect(tab("Beta").getAttribute("aria-selected")).toBe("true");
    expect(document.activeElement).toBe(tab("Beta"));
    expect([tab("Alpha").tabIndex, tab("Beta").tabIndex]).toEqual([-1, 0]);
    expect(screen.getByRole("tabpanel").textContent).toBe("b content");
    fireEvent.keyDown(tab("Beta"), { key: "End" });
    expect(document.activeElement).toBe(tab("Gamma"));
    fireEvent.keyDown(tab("Gamma"), { key: "ArrowRight" });
    expect(document.activeElement).toBe(tab("Alpha"));
    fireEvent.keyDown(tab("Alpha"), { key: "ArrowLeft" });
    expect(document.activeElement).toBe(tab("Gamma"));
    fireEvent.keyDown(tab("Gamma"), { key: "Home" });
    expect(tab("Alpha").getAttribute("aria-selected")).toBe("true");
  });

  it("names the panel each tab controls, and the panel its tab", () => {
    render(<Harness />);
    for (const [name, id] of [["Alpha", "a"], ["Beta", "b"], ["Gamma", "c"]]) {
      const panel = document.getElementById(screen.getByRole("tab", { name }).getAttribute("aria-controls")!);
      expect(panel?.getAttribute("aria-labelledby")).toBe(`t-tab-${id}`);
    }
  });

  it("titles the page after what it shows", () => {
    render(<Harness />);
    expect(document.title).toBe("Tab a — ReactLab");
    fireEvent.click(screen.getByRole("tab", { name: "Beta" }));
    expect(document.title).toBe("Tab b — ReactLab");
  });
});
