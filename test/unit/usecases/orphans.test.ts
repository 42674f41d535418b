import { describe, expect, it } from "vitest";
import type { SessionRecord } from "../../../src/state/records.js";
import { goneHostOrphans } from "../../../src/usecases/orphans.js";

const rec = (name: string, patch: Partial<SessionRecord> = {}): SessionRecord => ({
  name,
  project: "acme",
  service: "s",
  replica: 1,
  agent: "claude",
  workspace: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  stoppedAt: null,
  exitCode: null,
  restarts: 0,
  ...patch,
});

describe("goneHostOrphans", () => {
  it("groups the live sessions of undeclared hosts by where their records say the host was reached", () => {
    const a = { ssh: "gpu2", root: "/srv/acme" };
    const b = { ssh: "me@gpu2.example", root: "/srv/acme" };
    const records = [
      rec("acme-s-1", { host: "gpu2", hostAt: a }),
      rec("acme-s-2", { host: "gpu2", hostAt: a }),
      rec("acme-s-3", { host: "gpu2", hostAt: b }),
      rec("acme-s-4", { host: "gpu1", hostAt: { ssh: "gpu1", root: "/srv/acme" } }), // declared
      rec("acme-s-5", { host: "gpu2", hostAt: a, stoppedAt: "2026-01-02T00:00:00.000Z" }), // ended
      rec("acme-s-6"), // this machine
      rec("acme-s-7", { host: "gpu3" }), // an older record: where is not known
    ];
    const r = goneHostOrphans(records, { gpu1: {} });
    expect(r.groups.map((g) => [g.host, g.records.map((x) => x.name)])).toEqual([
      [{ id: "gpu2", ...a }, ["acme-s-1", "acme-s-2"]],
      [{ id: "gpu2", ...b }, ["acme-s-3"]],
    ]);
    expect(r.unknown.map((x) => x.name)).toEqual(["acme-s-7"]);
  });

  it("a host id that is a name of Object's prototype is still undeclared", () => {
    const r = goneHostOrphans([rec("acme-s-1", { host: "constructor", hostAt: { ssh: "x", root: "/r" } })], {});
    expect(r.groups).toHaveLength(1);
  });

  it("nothing when every host is declared, or no record is on a host", () => {
    expect(goneHostOrphans([rec("acme-s-1", { host: "gpu1", hostAt: { ssh: "gpu1", root: "/r" } }), rec("acme-s-2")], { gpu1: {} })).toEqual({
      groups: [],
      unknown: [],
    });
  });
});
