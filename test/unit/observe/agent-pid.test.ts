import { describe, expect, test } from "vitest";
import { agentPid } from "../../../src/observe/agent-pid.js";

// A process tree as /proc would show it: pid → [argv, children].
function tree(t: Record<number, [string[], number[]]>) {
  return { children: (p: number) => t[p]?.[1] ?? [], argv: (p: number) => t[p]?.[0] ?? [] };
}

describe("agentPid", () => {
  test.each([
    ["the shell exec'd the agent", { 10: [["/bin/sh", "-c", "W"], [11]], 11: [["claude"], [12]] }, 11],
    [
      "the shell stayed (a compound command): its one child",
      { 10: [["/bin/sh", "-c", "W"], [11]], 11: [["bash", "-c", "cd x && claude"], [12]], 12: [["claude"], []] },
      12,
    ],
    [
      "the shell has several children: the shell",
      {
        10: [["/bin/sh", "-c", "W"], [11]],
        11: [
          ["bash", "-c", "a | b"],
          [12, 13],
        ],
      },
      11,
    ],
    [
      "an agent that is a script keeps its own children",
      { 10: [["/bin/sh", "-c", "W"], [11]], 11: [["/bin/sh", "/x/prints-forever"], [12]], 12: [["sleep", "0.2"], []] },
      11,
    ],
    ["no children yet, or no /proc: the pane's own pid", { 10: [["/bin/sh", "-c", "W"], []] }, 10],
  ] as const)("%s", (_what, t, want) => {
    expect(agentPid(10, tree(t as unknown as Record<number, [string[], number[]]>))).toBe(want);
  });
});
