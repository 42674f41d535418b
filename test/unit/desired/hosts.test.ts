import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadProject } from "../../../src/config/project.js";
import { desiredFleet } from "../../../src/desired/desired.js";
import { serverKey } from "../../../src/secrets.js";

/** Placement in the desired state: each replica's host, and what a host changes in its spawn. */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const KEY = serverKey("0".repeat(64));
const H1_KEY = serverKey("1".repeat(64));

function project(compose: string, reuse?: string) {
  const dir = reuse ?? mkdtempSync(join(tmpdir(), "amux-desired-hosts-"));
  if (!reuse) dirs.push(dir);
  mkdirSync(join(dir, ".amux"), { recursive: true });
  writeFileSync(join(dir, ".amux", "config.yaml"), "agents:\n  chat: { params: { command: cat } }\n");
  writeFileSync(join(dir, "amux.compose.yaml"), compose);
  return loadProject({ cwd: dir }, {});
}

const FLEET = [
  "name: acme",
  "hosts:",
  "  h1: { ssh: h1, root: /srv/acme }",
  "  h2: { ssh: me@h2, root: /data/acme }",
  "services:",
  "  sweep: { agent: chat, host: [h1, h2], replicas: 3, environment: { API_TOKEN: t0k3n } }",
  "  here: { agent: chat }",
  "  iso: { agent: chat, host: h2, workspace: iso }",
  "",
].join("\n");

const ENV: NodeJS.ProcessEnv = { PATH: "/here/bin", HOME: "/home/me", USER: "me", SHELL: "/bin/zsh", LANG: "C.UTF-8", AMUX_TMUX_SOCKET: "s1" };

function sessionsOf(p: ReturnType<typeof project>, hostKeys?: (h: string) => ReturnType<typeof serverKey> | undefined) {
  const saved = process.env;
  process.env = { ...ENV };
  try {
    const { desired, builds } = desiredFleet(p, KEY, hostKeys);
    return { desired, builds, all: new Map(desired.services.flatMap((s) => s.sessions).map((d) => [d.session, d])) };
  } finally {
    process.env = saved;
  }
}

describe("desired state on hosts", () => {
  it("places each replica on its host, round-robin over a list; a service without host: stays here", () => {
    const { all } = sessionsOf(project(FLEET));
    expect([...all].map(([n, d]) => `${n}@${d.host ?? "here"}`).sort()).toEqual([
      "acme-here-1@here",
      "acme-iso-1@h2",
      "acme-sweep-1@h1",
      "acme-sweep-2@h2",
      "acme-sweep-3@h1",
    ]);
  });

  it("a replica on a host runs in that host's root, logs there, and is told that root", () => {
    const p = project(FLEET);
    const { all } = sessionsOf(p);
    const d = all.get("acme-sweep-2");
    expect(d?.start.cwd).toBe("/data/acme");
    expect(d?.start.logFile).toBe("/data/acme/.amux/logs/acme-sweep-2.log");
    expect(d?.start.env.AMUX_ROOT).toBe("/data/acme");
    expect(d?.start.env.AMUX_WORKSPACE_PATH).toBe("/data/acme");
    // The socket name is the same on every host.
    expect(d?.start.env.AMUX_TMUX_SOCKET).toBe("s1");
    // Its labels still say whose it is: this project, by this machine's root.
    expect(d?.start.labels.root).toBe(p.root);
  });

  it("does not send this machine's baseline environment to a host (the host's own is kept there)", () => {
    const { all } = sessionsOf(project(FLEET));
    const remote = all.get("acme-sweep-1");
    const local = all.get("acme-here-1");
    expect(local?.start.env.PATH).toBe("/here/bin");
    expect(local?.start.env.HOME).toBe("/home/me");
    for (const k of ["PATH", "HOME", "USER", "SHELL", "LANG"]) expect(remote?.start.env[k]).toBeUndefined();
    // The pane keeps the host's baseline (its server's global environment) by name.
    const keep = remote?.start.argv.at(-1)?.split(" ") ?? [];
    for (const k of ["PATH", "HOME", "USER", "LANG", "AMUX_ROOT"]) expect(keep).toContain(k);
    // The shell is not this machine's $SHELL (a host may not have zsh there).
    // argv: /bin/sh -c WRAPPER amux-agent SHELL LINE KEEP
    expect(remote?.start.argv[4]).toBe("/bin/sh");
    expect(local?.start.argv[4]).toBe("/bin/zsh");
  });

  it("the host is part of the spec: moving a service changes its hash, and a replica here hashes as before hosts existed", () => {
    const p = project(FLEET);
    const a = sessionsOf(p).all;
    const moved = sessionsOf(project(FLEET.replace("host: h2, workspace", "host: h1, workspace"), p.root)).all;
    expect(a.get("acme-iso-1")?.summary.host).toBe("h2");
    expect(moved.get("acme-iso-1")?.summary.host).toBe("h1");
    expect(moved.get("acme-iso-1")?.hash).not.toBe(a.get("acme-iso-1")?.hash);
    const plain = sessionsOf(
      project(
        FLEET.replace(/hosts:\n(.*\n){2}/, "")
          .replace(/host: \[h1, h2\], /, "")
          .replace("host: h2, ", ""),
        p.root,
      ),
    ).all;
    expect(a.get("acme-here-1")?.summary.host).toBeUndefined();
    expect(a.get("acme-here-1")?.hash).toBe(plain.get("acme-here-1")?.hash);
  });

  it("a replica on a host is hashed with that host's server key", () => {
    const p = project(FLEET);
    const own = sessionsOf(p, (h) => (h === "h1" ? H1_KEY : undefined)).all;
    const shared = sessionsOf(p).all;
    expect(own.get("acme-sweep-1")?.hash).not.toBe(shared.get("acme-sweep-1")?.hash);
    expect(own.get("acme-sweep-2")?.hash).toBe(shared.get("acme-sweep-2")?.hash);
    expect(own.get("acme-here-1")?.hash).toBe(shared.get("acme-here-1")?.hash);
  });

  it("a host's workspaces are that host's: listed apart, with their host, and never among this machine's", () => {
    const { desired, all } = sessionsOf(project(FLEET));
    expect(desired.workspaces).toEqual([]);
    expect(desired.hostWorkspaces).toEqual([{ name: "iso", branch: "amux/iso", base: null, setup: null, host: "h2" }]);
    expect(all.get("acme-iso-1")?.start.cwd).toBe("/data/acme.worktrees/iso");
    expect(desired.hostRoots).toEqual({ h1: "/srv/acme", h2: "/data/acme" });
  });
});
