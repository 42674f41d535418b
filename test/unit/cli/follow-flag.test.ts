import { describe, expect, it } from "vitest";
import { ambiguousFollowFile, commandOf } from "../../../src/cli/follow-flag.js";

const files = new Set(["fleet.conf", "notes.txt"]);
const isFile = (p: string) => files.has(p);
const check = (line: string) => ambiguousFollowFile(line.split(" ").filter(Boolean), isFile);

describe("commandOf", () => {
  it.each([
    ["logs x", "logs", 0],
    ["-f a.yaml logs x", "logs", 2],
    ["-C dir -p proj tail x", "tail", 4],
    ["--file a.yaml ps", "ps", 2],
    ["-- logs", undefined, -1],
    ["--json", undefined, -1],
  ])("%j -> %s", (line, name, index) => {
    const c = commandOf(line.split(" ").filter(Boolean));
    expect(c?.name).toBe(name);
    if (c) expect(c.index).toBe(index);
  });
});

describe("ambiguousFollowFile", () => {
  it.each([
    ["logs -f other.yaml x", "other.yaml"],
    ["tail -f other.yml x", "other.yml"],
    ["logs x -f fleet/amux.compose.YAML", "fleet/amux.compose.YAML"],
    ["logs -f fleet.conf x", "fleet.conf"],
    ["-C d logs -n 5 -f notes.txt", "notes.txt"],
    ["logs --follow other.yaml x", "other.yaml"],
  ])("refuses %j", (line, value) => {
    expect(check(line)).toBe(value);
  });

  it.each([
    "logs -f x",
    "logs x -f",
    "tail -f acme-auth-1",
    "logs --file other.yaml x -f",
    "logs -f --file other.yaml x",
    "-f other.yaml logs x",
    "ps -f other.yaml",
    "up -f other.yaml",
    "logs -n 5 x",
    "logs -- -f a.yaml",
    "logs --tail 5 -f x",
  ])("accepts %j", (line) => {
    expect(check(line)).toBeUndefined();
  });
});
