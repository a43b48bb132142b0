import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { Results, verdictLabel, type Live } from "./Results";

afterEach(cleanup);

const failing: Live = {
  id: "s1",
  status: "done",
  position: null,
  hasScreenshot: false,
  tests: [],
  result: {
    verdict: "wrong_answer",
    duration_ms: 10,
    compile_error: null,
    console: [],
    tests: [
      { name: "starts at 0", status: "passed", steps: [{ sentence: "Expect 0", status: "passed" }], duration_ms: 5 },
      {
        name: "adds one",
        status: "failed",
        message: "Expected 1, but it is 2",
        duration_ms: 5,
        steps: [
          { sentence: "Click the button", status: "passed" },
          { sentence: "Expect the number to be 1", status: "failed" },
          { sentence: "Click again", status: "not_run" },
        ],
      },
    ],
  },
};

describe("Results", () => {
  it("names the verdict, marks the failing step and shows expected against actual", () => {
    render(<Results live={failing} />);
    expect(screen.getByTestId("verdict").textContent).toBe("Wrong answer");
    const current = document.querySelector('[aria-current="step"]');
    expect(current?.textContent).toBe("Expect the number to be 1");
    expect(screen.getByText("Expected 1, but it is 2")).toBeTruthy();
    // A passing test's steps stay folded away.
    expect(screen.queryByText("Expect 0")).toBeNull();
  });

  it("shows the queue position while waiting and tests as they stream in", () => {
    const { rerender } = render(<Results live={{ ...failing, status: "queued", position: 3, result: null }} />);
    expect(screen.getByText(/position 3/)).toBeTruthy();
    rerender(<Results live={{ ...failing, status: "running", result: null, tests: [failing.result!.tests[0]] }} />);
    expect(screen.getByText(/Running the tests/)).toBeTruthy();
    expect(screen.getByText("starts at 0")).toBeTruthy();
    expect(screen.queryByTestId("verdict")).toBeNull();
  });
});

describe("verdictLabel", () => {
  it("says every verdict and state in words, and an unknown one readably", () => {
    expect(["accepted", "wrong_answer", "time_limit_exceeded", "queued", "running"].map(verdictLabel)).toEqual([
      "Accepted", "Wrong answer", "Time limit exceeded", "Queued", "Running",
    ]);
    expect(verdictLabel("memory_limit_exceeded")).toBe("Memory limit exceeded");
  });
});
