import { describe, expect, test } from "vitest";
import { describeFailedStart } from "../../../src/observe/first-second.js";

describe("describeFailedStart", () => {
  test.each([
    [
      { session: "acme-g-1", exitCode: 127, lastLines: ["sh: 1: nosuch: not found"] },
      "acme-g-1 exited at once with code 127; its last output:\n  sh: 1: nosuch: not found\n  (amux logs acme-g-1 shows all of it)",
    ],
    [{ session: "x-1", exitCode: null, lastLines: [] }, "x-1 exited at once with code ?\n  (amux logs x-1 shows all of it)"],
  ])("%j", (f, want) => {
    expect(describeFailedStart(f)).toBe(want);
  });
});
