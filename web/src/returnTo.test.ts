import { describe, expect, it } from "vitest";
import { authLink, safeNext } from "./returnTo";

describe("sign-in returns where the learner was", () => {
  it("follows a path of this site", () => {
    expect(safeNext("?next=%2Fchallenges%2Fcounter")).toBe("/challenges/counter");
    const link = new URL(authLink("/login", "/challenges/counter"), "http://reactlab.test");
    expect(link.pathname).toBe("/login");
    expect(safeNext(link.search)).toBe("/challenges/counter");
  });
  it("never leaves the site", () => {
    for (const evil of ["https://evil.test/", "//evil.test/x", "/\\evil.test", "javascript:alert(1)", ""]) {
      expect(safeNext(`?next=${encodeURIComponent(evil)}`)).toBe("/");
    }
    expect(safeNext("")).toBe("/");
  });
  it("adds nothing from home or the forms themselves", () => {
    expect(authLink("/login", "/")).toBe("/login");
    expect(authLink("/register", "/login")).toBe("/register");
    expect(authLink("/register", "/profile")).toBe("/register?next=%2Fprofile");
  });
});
