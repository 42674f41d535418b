import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_HISTORY, type HistoryPolicy } from "../../../src/history.js";
import { logsDir, recordsDir } from "../../../src/state/paths.js";
import { chooseForgotten, historyAfter, retentionOf } from "../../../src/usecases/prune.js";

const NOW = 1_800_000_000_000;
const MIN = 60_000;
const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A small deterministic generator, so that a failing case can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s % n;
  };
}

const record = (name: string, stoppedAt: number, stoppedBy: string) =>
  `${JSON.stringify({ name, project: "p", service: "s", replica: 1, agent: "a", workspace: null, createdAt: new Date(stoppedAt - MIN).toISOString(), stoppedAt: new Date(stoppedAt).toISOString(), exitCode: null, restarts: 0, stoppedBy })}\n`;

/** A project's history: gone sessions with records and/or logs, leaving sessions with logs (some an old record). */
function history(seed: number) {
  const r = rng(seed);
  const root = mkdtempSync(join(tmpdir(), "amux-prune-"));
  roots.push(root);
  mkdirSync(recordsDir(root), { recursive: true });
  mkdirSync(logsDir(root), { recursive: true });
  const write = (path: string, text: string, mtime: number) => {
    writeFileSync(path, text);
    utimesSync(path, mtime / 1000, mtime / 1000);
  };
  const declared = new Set<string>();
  const nGone = r(40);
  for (let i = 0; i < nGone; i++) {
    const name = `p-s-${i}`;
    const at = NOW - r(10) * 24 * 60 * MIN - r(60) * MIN;
    if (r(2)) declared.add(name);
    const kind = r(4);
    if (kind !== 3) write(join(recordsDir(root), `${name}.json`), record(name, at, ["stop", "down", "remove"][r(3)] as string), at);
    if (kind !== 0) write(join(logsDir(root), `${name}.log`), "out\n", at - r(5) * MIN);
    if (kind === 2) write(join(logsDir(root), `${name}.log.1`), "old\n", at - 10 * MIN);
  }
  const leaving: string[] = [];
  const staying = new Set<string>();
  const nLeaving = r(70);
  for (let i = 0; i < nLeaving; i++) {
    // Some reuse a gone session's name (its old record is replaced), most are new.
    const name = r(5) === 0 && nGone ? `p-s-${r(nGone)}` : `p-l-${i}`;
    if (leaving.includes(name)) continue;
    leaving.push(name);
    if (r(2)) write(join(logsDir(root), `${name}.log`), "live\n", NOW - r(30) * MIN);
  }
  for (let i = 0; i < r(5); i++) {
    const name = `p-k-${i}`;
    staying.add(name);
    write(join(logsDir(root), `${name}.log`), "still running\n", NOW - 100 * 24 * 60 * MIN);
  }
  const policy: HistoryPolicy = { ...DEFAULT_HISTORY, maxStopped: [0, 5, 20, 50][r(4)] as number, maxAgeMs: [60 * MIN, 7 * 24 * 60 * MIN][r(2)] as number };
  return { root, declared, leaving, staying, policy };
}

describe("historyAfter: what down keeps, chosen before it writes", () => {
  it.each(Array.from({ length: 40 }, (_, i) => i + 1))("chooses as a prune after writing every record would (case %i)", (seed) => {
    const { root, declared, leaving, staying, policy } = history(seed);
    const at = NOW - 1000;
    const live = new Set([...staying, ...leaving]);
    const plan = historyAfter(root, live, leaving, at, declared, policy, NOW);

    // The old way: every leaving session's record written, then the prune's own choice.
    for (const name of leaving) writeFileSync(join(recordsDir(root), `${name}.json`), record(name, at, "down"));
    const old = chooseForgotten(root, staying, declared, retentionOf(policy), NOW);

    expect([...plan.forget.keys()].sort()).toEqual([...old.names].sort());
    expect([...plan.keep].sort()).toEqual(leaving.filter((n) => !old.names.includes(n)).sort());
    for (const n of old.names) expect([...(plan.forget.get(n) ?? [])].sort()).toEqual((old.files.get(n) ?? []).map((f) => f.path).sort());
    // Never a file of a session that stays.
    for (const n of staying) expect(plan.forget.has(n)).toBe(false);
    expect(readdirSync(logsDir(root)).length).toBeGreaterThanOrEqual(staying.size);
  });
});
