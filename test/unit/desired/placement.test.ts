import { describe, expect, it } from "vitest";
import { replicaHost, replicaHostId } from "../../../src/desired/placement.js";

describe("replicaHostId", () => {
  it.each<[string | string[] | undefined, number, string | null]>([
    [undefined, 1, null],
    ["gpu1", 1, "gpu1"],
    ["gpu1", 7, "gpu1"],
    [["gpu1", "gpu2"], 1, "gpu1"],
    [["gpu1", "gpu2"], 2, "gpu2"],
    [["gpu1", "gpu2"], 3, "gpu1"],
    [["gpu1", "gpu2"], 4, "gpu2"],
    [["a", "b", "c"], 5, "b"],
    [["a", "a", "b"], 3, "b"],
  ])("host %j, replica %i → %s", (host, n, want) => {
    expect(replicaHostId(host, n)).toBe(want);
  });
});

describe("replicaHost", () => {
  const hosts = { gpu1: { id: "gpu1", ssh: "gpu1", root: "/srv/acme" }, gpu2: { id: "gpu2", ssh: "me@gpu2", root: "/data/acme" } };
  const p = {
    hosts,
    services: {
      sweep: { host: ["gpu1", "gpu2"] },
      here: {},
    } as never,
  };
  it("spreads a list over the declared hosts and keeps an unplaced service here", () => {
    expect([1, 2, 3, 4].map((n) => replicaHost(p, "sweep", n)?.id)).toEqual(["gpu1", "gpu2", "gpu1", "gpu2"]);
    expect(replicaHost(p, "here", 1)).toBeNull();
    expect(replicaHost(p, "constructor", 1)).toBeNull();
  });
});
