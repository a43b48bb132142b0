import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { Heatmap } from "./ProfilePage";

afterEach(cleanup);

describe("Heatmap", () => {
  const today = new Date("2026-12-05T12:00:00Z"); // a Saturday
  const activity = [{ day: "2026-12-05", accepted: 2 }, { day: "2026-11-30", accepted: 1 }, { day: "2025-01-01", accepted: 9 }];

  it("totals the last year only, and says so to screen readers", () => {
    render(<Heatmap activity={activity} today={today} />);
    expect(screen.getByTestId("activity-total").textContent).toBe("3 accepted submissions in the last year");
    expect(screen.getByRole("img").getAttribute("aria-label")).toBe("3 accepted submissions in the last year");
  });

  it("labels months over their weeks and three weekdays, shades by count, and has a legend", () => {
    const { container } = render(<Heatmap activity={activity} today={today} />);
    const months = [...container.querySelectorAll(".month")].map((m) => m.textContent);
    // From the week of 2025-12-06 to today: last December's days, then a label a month.
    expect(months).toEqual(["Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]);
    expect([...container.querySelectorAll(".weekday")].map((w) => w.textContent)).toEqual(["Mon", "Wed", "Fri"]);
    const cells = container.querySelectorAll(".heatmap .cell");
    expect(cells.length).toBe(365);
    // Today is the last cell, in its Saturday row; 2 accepted → level 2.
    expect(cells[364].getAttribute("title")).toBe("2026-12-05: 2 accepted submissions");
    expect(cells[364].className).toContain("l2");
    expect(container.querySelectorAll(".legend .cell").length).toBe(5);
  });
});
