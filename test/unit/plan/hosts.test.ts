import { describe, expect, it } from "vitest";
import { hashSpec, noSecrets, type SpawnSpec, summarizeSpec } from "../../../src/desired/spec.js";
import { planManual } from "../../../src/plan/manual.js";
import { formatAction, planConvergence, planJson } from "../../../src/plan/plan.js";
import type { DesiredService, DesiredState, ObservedState, Plan, PlanOptions } from "../../../src/plan/types.js";
import { serverKey } from "../../../src/secrets.js";
import type { Labels, ObservedSession } from "../../../src/tmux/types.js";

/**
 * The planner over several servers (pure): a session is known by its server and name; a replica
 * goes to its host; a host that could not be reached gets nothing planned, and nothing is made
 * in its place.
 */

const KEY = serverKey("0".repeat(64));
const ROOT = "/srv/acme";
const NOW = 1_700_000_000_000;
const SPEC: SpawnSpec = { command: "claude", shell: "default", cwd: ROOT, env: {}, prompt: null, windowName: null };

/** The spec's summary as a replica on `host` has it (the host is part of it). */
function summaryOn(host: string | null): Record<string, string> {
  const s = summarizeSpec(SPEC, noSecrets(SPEC), KEY);
  if (host) s.host = host;
  return s;
}
const hashOn = (host: string | null) => (host ? `h:${host}` : hashSpec(SPEC, noSecrets(SPEC), KEY));

/** A service whose replica n runs on hosts[n-1] (null: this machine). */
function service(name: string, hosts: (string | null)[]): DesiredService {
  return {
    name,
    replicas: hosts.length,
    restart: "no",
    maxRestarts: 5,
    sessions: hosts.map((host, i) => ({
      session: `acme-${name}-${i + 1}`,
      service: name,
      replica: i + 1,
      agent: "claude",
      hash: hashOn(host),
      summary: summaryOn(host),
      host,
      start: { name: `acme-${name}-${i + 1}`, cwd: ROOT, argv: ["claude"], env: {}, labels: {}, logFile: `${ROOT}/.amux/logs/acme-${name}-${i + 1}.log` },
    })),
  };
}

function desired(...services: DesiredService[]): DesiredState {
  return { project: "acme", root: ROOT, services };
}

/** A live session on `host` (null: this machine), labelled as a replica declared there. */
function on(host: string | null, svc: string, n: number, over: { labels?: Labels; name?: string } = {}): ObservedSession {
  const name = over.name ?? `acme-${svc}-${n}`;
  return {
    name,
    createdAt: NOW - 60_000,
    paneId: `%${n}`,
    pid: 42,
    dead: false,
    exitCode: null,
    deadAt: null,
    activityAt: NOW - 1_000,
    cwd: ROOT,
    labels: over.labels ?? {
      root: ROOT,
      project: "acme",
      service: svc,
      replica: String(n),
      agent: "claude",
      hash: hashOn(host),
      spec: JSON.stringify(summaryOn(host)),
    },
    ...(host ? { host } : {}),
  };
}

const OPTS: PlanOptions = { removeOrphans: false, only: [], now: NOW };
const unreachable = (host: string) => ({ host, destination: `${host}.example`, gist: "connection refused" });

/** The plan as lines: `+ create acme-a-1 on h1 (missing)`, then `! kind session: message`. */
function lines(p: Plan): string[] {
  return [...p.actions.map(formatAction), ...p.notes.map((n) => `! ${n.kind} ${n.session}: ${n.message}`)];
}

describe("planning across hosts", () => {
  it.each<[string, DesiredState, ObservedState, string[]]>([
    [
      "creates each missing replica on its own host",
      desired(service("a", ["h1", "h2", null])),
      { sessions: [] },
      ["+ create acme-a-1 on h1 (scale 0 -> 3)", "+ create acme-a-2 on h2 (scale 0 -> 3)", "+ create acme-a-3 (scale 0 -> 3)"],
    ],
    [
      "a fleet converged across hosts plans nothing",
      desired(service("a", ["h1", "h2", null])),
      { sessions: [on("h1", "a", 1), on("h2", "a", 2), on(null, "a", 3)] },
      [],
    ],
    [
      "a name in use conflicts only on its own host: another project's session of that name elsewhere is no conflict",
      desired(service("a", ["h1"])),
      { sessions: [on(null, "a", 1, { labels: { root: "/other", service: "a" } }), on("h2", "a", 1, { labels: {} })] },
      ["+ create acme-a-1 on h1 (scale 0 -> 1)"],
    ],
    [
      "a name in use on the replica's own host is a conflict there",
      desired(service("a", ["h1"])),
      { sessions: [on("h1", "a", 1, { labels: { root: "/other", service: "a" } })] },
      ["! conflict acme-a-1: amux session of /other holds the name; left alone, acme-a-1 not created"],
    ],
    [
      "a replica seen on another server than declared: removed there, created on its host (host changed)",
      desired(service("a", ["h2"])),
      { sessions: [on("h1", "a", 1)] },
      ["- remove acme-a-1 on h1 (host changed (h1 -> h2))", "+ create acme-a-1 on h2 (host changed (h1 -> h2))"],
    ],
    [
      "a service moved from this machine to a host",
      desired(service("a", ["h1"])),
      { sessions: [on(null, "a", 1)] },
      ["- remove acme-a-1 (host changed (this machine -> h1))", "+ create acme-a-1 on h1 (host changed (this machine -> h1))"],
    ],
    [
      "a host that cannot be reached: nothing planned for its replicas (never made elsewhere), a note naming it and why",
      desired(service("a", ["h1", "h2"])),
      { sessions: [on("h1", "a", 1)], unreachable: [unreachable("h2")] },
      ["! unreachable acme-a-2: host h2 (h2.example) cannot be reached: connection refused; nothing done for it"],
    ],
    [
      "a replica whose new host cannot be reached stays where it runs",
      desired(service("a", ["h2"])),
      { sessions: [on("h1", "a", 1)], unreachable: [unreachable("h2")] },
      ["! unreachable acme-a-1: host h2 (h2.example) cannot be reached: connection refused; nothing done for it"],
    ],
    [
      "scaling down removes the extra replica on the host it runs on",
      desired(service("a", ["h1"])),
      { sessions: [on("h1", "a", 1), on("h2", "a", 2)] },
      ["- remove acme-a-2 on h2 (scale 2 -> 1)"],
    ],
  ])("%s", (_, d, o, want) => {
    expect(lines(planConvergence(d, o, OPTS))).toEqual(want);
  });

  it("orphans are removed on their own host", () => {
    const p = planConvergence(desired(), { sessions: [on("h1", "gone", 1)] }, { ...OPTS, removeOrphans: true });
    expect(p.actions.map((a) => [a.action, a.session, a.host])).toEqual([["remove", "acme-gone-1", "h1"]]);
  });

  it("every action carries its host; plan --json says it for a host's and not for this machine's", () => {
    const p = planConvergence(desired(service("a", ["h1", null])), { sessions: [] }, OPTS);
    expect(p.actions.map((a) => a.host ?? null)).toEqual(["h1", null]);
    expect(planJson(p).actions.map((a) => ("host" in a ? a.host : "-"))).toEqual(["h1", "-"]);
  });

  it("start and restart plan on the replica's host, and say when it cannot be reached", () => {
    const d = desired(service("a", ["h1", "h2"]));
    const o: ObservedState = { sessions: [on("h1", "a", 1, { name: "acme-a-1" })], unreachable: [unreachable("h2")] };
    const p = planManual("restart", d, o, { declared: ["acme-a-1", "acme-a-2"], other: [] }, { now: NOW });
    expect(lines(p)).toEqual([
      "↻ restart acme-a-1 on h1 (restarted by amux restart)",
      "! unreachable acme-a-2: host h2 (h2.example) cannot be reached: connection refused; not restarted",
    ]);
  });
});
