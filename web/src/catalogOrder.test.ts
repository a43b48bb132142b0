import { describe, expect, it } from "vitest";
import { inLearningOrder, nextChallenge, readFilters, writeFilters } from "./catalogOrder";

const c = (slug: string, difficulty: string, status: "solved" | "attempted" | null = null) => ({ slug, difficulty, status });

describe("learning order", () => {
  const list = [c("h1", "hard"), c("e1", "easy"), c("m1", "medium"), c("e2", "easy", "solved"), c("h2", "hard"), c("x", "legendary")];

  it("sorts by difficulty and keeps the catalog's order within one", () => {
    expect(inLearningOrder(list).map((x) => x.slug)).toEqual(["e1", "e2", "m1", "h1", "h2", "x"]);
  });

  it("offers the next unsolved challenge after this one, wrapping round, or none", () => {
    expect(nextChallenge(list, "e1")?.slug).toBe("m1");
    expect(nextChallenge(list, "h2")?.slug).toBe("x");
    expect(nextChallenge(list, "x")?.slug).toBe("e1");
    expect(nextChallenge([c("a", "easy"), c("b", "easy", "solved")], "a")).toBeNull();
  });
});

describe("filters in the address", () => {
  it("round-trip, leaving out what is not set", () => {
    const f = { q: "to do", difficulty: "easy", status: "", tag: "forms" };
    expect(writeFilters(f)).toBe("?q=to+do&difficulty=easy&tag=forms");
    expect(readFilters(writeFilters(f))).toEqual(f);
    expect(writeFilters(readFilters(""))).toBe("");
  });
});
