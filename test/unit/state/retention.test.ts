import { describe, expect, it } from "vitest";
import { type GoneSession, logOwner, selectExpired } from "../../../src/state/retention.js";

const NOW = 1_700_000_000_000;
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const gone = (name: string, agoMs: number, pinned = false): GoneSession => ({ name, goneAt: NOW - agoMs, pinned });

describe("selectExpired", () => {
  it.each([
    { what: "nothing gone: nothing to drop", gone: [], rule: { maxAgeMs: 7 * DAY, maxStopped: 50 }, drop: [] },
    {
      what: "older than maxAge goes, younger stays",
      gone: [gone("a", 8 * DAY), gone("b", 6 * DAY), gone("c", MIN)],
      rule: { maxAgeMs: 7 * DAY, maxStopped: 50 },
      drop: ["a"],
    },
    {
      what: "beyond maxStopped the oldest go first",
      gone: [gone("new", MIN), gone("old", 3 * MIN), gone("mid", 2 * MIN), gone("oldest", 4 * MIN)],
      rule: { maxAgeMs: 7 * DAY, maxStopped: 2 },
      drop: ["old", "oldest"],
    },
    {
      what: "both rules at once: age first, then the count of what is left",
      gone: [gone("a", 9 * DAY), gone("b", 3 * MIN), gone("c", 2 * MIN), gone("d", MIN)],
      rule: { maxAgeMs: 7 * DAY, maxStopped: 2 },
      drop: ["a", "b"],
    },
    {
      what: "a hold (amux stop of a declared replica) is never dropped and does not count",
      gone: [gone("held", 30 * DAY, true), gone("b", 2 * MIN), gone("c", MIN)],
      rule: { maxAgeMs: 7 * DAY, maxStopped: 1 },
      drop: ["b"],
    },
    {
      what: "maxStopped 0 and a negative age (amux prune) drop everything not held",
      gone: [gone("held", MIN, true), gone("b", 0), gone("c", MIN)],
      rule: { maxAgeMs: -1, maxStopped: 0 },
      drop: ["b", "c"],
    },
    {
      what: "a time in the future (a skewed clock, a hand-edited record) is young, never expired by age",
      gone: [gone("future", -DAY), gone("old", 8 * DAY)],
      rule: { maxAgeMs: 7 * DAY, maxStopped: 50 },
      drop: ["old"],
    },
    {
      what: "a negative maxStopped keeps nothing, as 0 does",
      gone: [gone("a", MIN), gone("held", MIN, true)],
      rule: { maxAgeMs: 7 * DAY, maxStopped: -5 },
      drop: ["a"],
    },
    {
      what: "a name gone twice (a record and a log) is dropped once",
      gone: [gone("a", 8 * DAY), gone("a", 8 * DAY)],
      rule: { maxAgeMs: 7 * DAY, maxStopped: 50 },
      drop: ["a"],
    },
    {
      what: "equal times are ordered by name so the choice is stable",
      gone: [gone("b", MIN), gone("a", MIN), gone("c", MIN)],
      rule: { maxAgeMs: 7 * DAY, maxStopped: 2 },
      drop: ["c"],
    },
  ])("$what", ({ gone: g, rule, drop }) => {
    expect(selectExpired(g, NOW, rule)).toEqual(drop);
  });
});

describe("logOwner", () => {
  it.each([
    ["acme-auth-1.log", "acme-auth-1"],
    ["acme-auth-1.log.1", "acme-auth-1"],
    ["acme-auth-1.log.12", "acme-auth-1"],
    ["w.1.log", "w.1"],
    ["notes.txt", undefined],
    ["x.log.tmp", undefined],
    [".log", undefined],
    ["a.log.-1", undefined],
    ["a.log.1x", undefined],
    ["a.LOG", undefined],
    ["a.log.garbled-20260101T000000Z", undefined],
    ["a.log\n", undefined],
  ])("%j belongs to %j", (file, owner) => {
    expect(logOwner(file)).toBe(owner);
  });
});
