import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadProject } from "../../../src/config/project.js";
import { ConfigError, formatProblem } from "../../../src/errors.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A project with this compose file (and one agent); returns its folder. */
function project(compose: string): string {
  const dir = mkdtempSync(join(tmpdir(), "amux-hosts-"));
  dirs.push(dir);
  mkdirSync(join(dir, ".amux"));
  writeFileSync(join(dir, ".amux", "config.yaml"), "agents:\n  chat: { params: { command: cat } }\n");
  writeFileSync(join(dir, "amux.compose.yaml"), compose);
  return dir;
}

/** The loader's messages for a compose file, with the file shown as `amux.compose.yaml`. */
function errorsOf(compose: string): string[] {
  const dir = project(compose);
  try {
    loadProject({ cwd: dir }, {});
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems.map((p) => formatProblem({ ...p, file: basename(p.file) }));
  }
  throw new Error("expected a ConfigError");
}

describe("hosts: in the compose file", () => {
  it("loads hosts and each service's placement", () => {
    const dir = project(
      [
        "name: acme",
        "hosts:",
        "  gpu1: { ssh: gpu1, root: /srv/acme }",
        "  gpu2: { ssh: 'ssh://me@gpu2.example:2222', root: /data/acme }",
        "services:",
        "  trainer: { agent: chat, host: gpu1 }",
        "  sweep: { agent: chat, host: [gpu1, gpu2], replicas: 4 }",
        "  here: { agent: chat }",
        "",
      ].join("\n"),
    );
    const p = loadProject({ cwd: dir }, {});
    expect(p.hosts).toEqual({
      gpu1: { id: "gpu1", ssh: "gpu1", root: "/srv/acme" },
      gpu2: { id: "gpu2", ssh: "ssh://me@gpu2.example:2222", root: "/data/acme" },
    });
    expect(p.services.trainer?.host).toBe("gpu1");
    expect(p.services.sweep?.host).toEqual(["gpu1", "gpu2"]);
    expect(p.services.here?.host).toBeUndefined();
  });

  it("a file without hosts has none", () => {
    expect(loadProject({ cwd: project("services:\n  a: { agent: chat }\n") }, {}).hosts).toEqual({});
  });

  it.each([
    [
      "an unknown host id, at the reference",
      "hosts:\n  b: { ssh: b, root: /r }\n  a: { ssh: a, root: /r }\nservices:\n  x:\n    agent: chat\n    host: y\n",
      ['amux.compose.yaml:7:11 services.x.host: unknown host "y" (declared: a, b)'],
    ],
    [
      "an unknown host in a list, at its item",
      "hosts:\n  a: { ssh: a, root: /r }\nservices:\n  x: { agent: chat, host: [a, nope] }\n",
      ['amux.compose.yaml:4:31 services.x.host.1: unknown host "nope" (declared: a)'],
    ],
    [
      "a host with no hosts declared",
      "services:\n  x: { agent: chat, host: gpu }\n",
      ['amux.compose.yaml:2:27 services.x.host: unknown host "gpu" (declared: none; declare it under hosts:)'],
    ],
    [
      "a host without root",
      "hosts:\n  gpu: { ssh: gpu }\nservices: {}\n",
      ["amux.compose.yaml:2:8 hosts.gpu.root: a host needs root: the path of the project's checkout on that host (a clone of this repository)"],
    ],
    [
      "a host without ssh",
      "hosts:\n  gpu: { root: /srv }\nservices: {}\n",
      ["amux.compose.yaml:2:8 hosts.gpu.ssh: a host needs ssh: its ssh destination (a ~/.ssh/config alias, user@host or ssh://user@host:port)"],
    ],
    [
      "a relative root",
      "hosts:\n  gpu: { ssh: gpu, root: srv/acme }\n",
      ["amux.compose.yaml:2:26 hosts.gpu.root: must be an absolute path on that host, e.g. /srv/acme"],
    ],
    [
      "an ssh destination that ssh would read as an option",
      "hosts:\n  gpu: { ssh: '-oProxyCommand=touch', root: /srv }\n",
      ["amux.compose.yaml:2:15 hosts.gpu.ssh: an ssh destination must not start with - (ssh would read it as an option)"],
    ],
    [
      "an ssh destination with a space",
      "hosts:\n  gpu: { ssh: 'gpu x', root: /srv }\n",
      ["amux.compose.yaml:2:15 hosts.gpu.ssh: an ssh destination has no spaces or control characters"],
    ],
    ["an unknown field in a host", "hosts:\n  gpu: { ssh: gpu, root: /srv, port: 22 }\n", [/^amux\.compose\.yaml:2:\d+ hosts\.gpu(\.port)?: .*port/]],
    [
      "a bad host id",
      "hosts:\n  'gpu one': { ssh: gpu, root: /srv }\n",
      [/^amux\.compose\.yaml:2:3 hosts(\.gpu one)?: .*host ids must match .*did you mean gpu-one\?/],
    ],
    [
      "an empty list of hosts",
      "hosts:\n  a: { ssh: a, root: /r }\nservices:\n  x: { agent: chat, host: [] }\n",
      [/^amux\.compose\.yaml:4:\d+ services\.x\.host: .*/],
    ],
  ] as const)("refuses %s", (_what, compose, want) => {
    const got = errorsOf(compose);
    expect(got).toHaveLength(want.length);
    want.forEach((w, i) => {
      if (typeof w === "string") expect(got[i]).toBe(w);
      else expect(got[i]).toMatch(w);
    });
  });

  it("reports an unknown host together with the file's other problems", () => {
    const got = errorsOf("hosts:\n  a: { ssh: a }\nservices:\n  x: { agent: chat, host: b, replicas: -1 }\n");
    expect(got.some((m) => m.includes("hosts.a.root: a host needs root"))).toBe(true);
    expect(got.some((m) => m.includes('services.x.host: unknown host "b" (declared: a)'))).toBe(true);
    expect(got.some((m) => m.includes("services.x.replicas"))).toBe(true);
  });
});
