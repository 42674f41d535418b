import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
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

describe("agentPid on this machine's /proc", () => {
  test.skipIf(!existsSync("/proc/self/task"))("finds the agent under a wrapper shell and its `-c` shell", async () => {
    // wrapper sh -> sh -c "sleep 30; :" (a compound command: the shell stays) -> sleep
    const w = spawn("/bin/sh", ["-c", '/bin/sh -c "sleep 30; :"; :'], { stdio: "ignore", detached: true });
    try {
      const pid = w.pid as number;
      let found = pid;
      for (let i = 0; i < 100 && found === pid; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const got = agentPid(pid);
        if (readFileSync(`/proc/${got}/cmdline`, "utf8").startsWith("sleep\0")) found = got;
      }
      expect(readFileSync(`/proc/${found}/cmdline`, "utf8").split("\0")[0]).toBe("sleep");
      expect(found).not.toBe(pid);
    } finally {
      // Its own process group: the shells and the sleep go together.
      process.kill(-(w.pid as number), "SIGKILL");
    }
  });
});
