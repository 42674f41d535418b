import { describe, expect, it } from "vitest";
import { AmuxCommand } from "../../../src/cli/command.js";
import { EXIT } from "../../../src/errors.js";

/** A program whose commands return outcomes, and the exit codes that reached main's settle. */
function program() {
  const settled: number[] = [];
  const p = new AmuxCommand("amux", (c) => settled.push(c)).exitOverride();
  p.command("ok").action(async () => {});
  p.command("partial").action(async () => EXIT.runtime);
  p.command("plain-undefined").action(async () => undefined);
  const ws = p.command("ws");
  ws.command("rm")
    .argument("<name...>")
    .action(async (names: string[]) => (names.includes("kept") ? EXIT.runtime : undefined));
  p.command("whoami").action(async function (this: AmuxCommand) {
    settled.push(this.name() === "whoami" ? 100 : -1);
  });
  return { p, settled };
}

describe("AmuxCommand: a command's outcome reaches main, the one place exit codes are made", () => {
  it.each([
    [["ok"], []],
    [["partial"], [EXIT.runtime]],
    [["plain-undefined"], []],
    [["ws", "rm", "a"], []],
    [["ws", "rm", "a", "kept"], [EXIT.runtime]],
    [["whoami"], [100]],
  ] as [string[], number[]][])("amux %j settles %j", async (args, want) => {
    const { p, settled } = program();
    await p.parseAsync(["node", "amux", ...args]);
    expect(settled).toEqual(want);
  });

  it("a thrown error still propagates (main describes it)", async () => {
    const p = new AmuxCommand("amux").exitOverride();
    p.command("boom").action(async () => {
      throw new Error("boom");
    });
    await expect(p.parseAsync(["node", "amux", "boom"])).rejects.toThrow("boom");
  });
});
