import { realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { LockError } from "../../../src/errors.js";
import { acquireLock, describeHolder, isLocked, requestStop } from "../../../src/state/lock.js";

// Whoever answers at a lock's address is not trusted: what it says of itself is shown only when
// it is a plain pid and a short printable text.
describe("describeHolder", () => {
  it.each([
    ['{"pid":123,"what":"amux up"}', "amux up, pid 123"],
    ['{"pid":123}', "amux, pid 123"],
    ['{"what":"amux watch"}', "amux watch, pid ?"],
    ["", "amux"],
    ["{nope", "amux"],
    ["null", "amux, pid ?"],
    ["42", "amux, pid ?"],
    ['"amux up"', "amux, pid ?"],
    ["[1,2]", "amux, pid ?"],
    ['{"pid":"123; rm -rf ~","what":"amux up"}', "amux up, pid ?"],
    ['{"pid":-1,"what":"amux up"}', "amux up, pid ?"],
    ['{"pid":1.5,"what":"amux up"}', "amux up, pid ?"],
    ['{"pid":1e400,"what":"amux up"}', "amux up, pid ?"],
    ['{"pid":7,"what":"\\u001b]0;owned\\u0007"}', "amux, pid 7"],
    ['{"pid":7,"what":"line\\nanother line"}', "amux, pid 7"],
    ['{"pid":7,"what":"\\u009b2J"}', "amux, pid 7"],
    ['{"pid":7,"what":""}', "amux, pid 7"],
    [`{"pid":7,"what":"${"x".repeat(201)}"}`, "amux, pid 7"],
    ['{"pid":7,"what":{"toString":"x"}}', "amux, pid 7"],
    ['{"__proto__":{"what":"polluted"},"pid":7}', "amux, pid 7"],
  ])("%j → %j", (raw, shown) => {
    expect(describeHolder(raw)).toBe(shown);
  });
});

describe.runIf(process.platform === "linux")("the project lock", () => {
  const root = `${realpathSync(tmpdir())}/amux-lock-test-${process.pid}-${Date.now()}`;

  it("one holder at a time; the other is told who holds it; released, it is free", async () => {
    expect(await isLocked(root, "project")).toBe(false);
    const held = await acquireLock(root, "project", { what: "amux up", waitMs: 0 });
    expect(await isLocked(root, "project")).toBe(true);
    const refused = await acquireLock(root, "project", { what: "amux down", waitMs: 0 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LockError);
    expect((refused as Error).message).toBe(`another amux is working on this project (amux up, pid ${process.pid})`);
    // Another kind is another lock.
    const other = await acquireLock(root, "watch", { what: "amux watch", waitMs: 0 });
    await other.release();
    await held.release();
    expect(await isLocked(root, "project")).toBe(false);
    const again = await acquireLock(root, "project", { what: "amux up", waitMs: 0 });
    await again.release();
  });

  it("a waiter is told once who holds it, and gets the lock when it is released", async () => {
    const held = await acquireLock(root, "project", { what: "amux up", waitMs: 0 });
    const told: string[] = [];
    const waiting = acquireLock(root, "project", { what: "amux down", waitMs: 10_000, onWait: (h) => told.push(h) });
    const deadline = Date.now() + 5_000;
    while (!told.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await held.release();
    const got = await waiting;
    expect(told).toEqual([`amux up, pid ${process.pid}`]);
    await got.release();
  });

  it("only a stoppable holder can be asked to stop", async () => {
    expect(await requestStop(root, "watch")).toBeUndefined();
    const plain = await acquireLock(root, "watch", { what: "amux up", waitMs: 0 });
    expect(await requestStop(root, "watch")).toBeUndefined();
    await plain.release();
    let stopped = 0;
    const stoppable = await acquireLock(root, "watch", { what: "amux watch", waitMs: 0, onStop: () => stopped++ });
    expect(await requestStop(root, "watch")).toBe(`amux watch, pid ${process.pid}`);
    expect(stopped).toBe(1);
    await stoppable.release();
  });
});
