import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { baselineOf } from "../../../src/agent-env.js";
import type { Project, ResolvedAgent, ServiceDecl } from "../../../src/config/project.js";
import { buildSpawn, EXIT_WRAPPER } from "../../../src/desired/spawn.js";
import { DEFAULT_HISTORY } from "../../../src/history.js";
import { serverKey } from "../../../src/secrets.js";

const KEY = serverKey("c".repeat(64));
const INVOKING = {
  PATH: "/usr/bin:/bin",
  HOME: "/home/ada",
  USER: "ada",
  SHELL: "/bin/sh",
  LANG: "C.UTF-8",
  LC_TIME: "C",
  TERM: "xterm-256color",
  MY_SECRET: "invoker-canary",
  SSH_AUTH_SOCK: "/tmp/agent.sock",
};

const agent: ResolvedAgent = {
  id: "a",
  name: "A",
  command: "claude --key cmd-canary",
  shell: undefined,
  windowName: undefined,
  autoAttach: false,
  environment: { MODEL: "opus", API_KEY: "env-canary" },
  secretKeys: ["API_KEY"],
  shown: { name: "A", command: "claude --key ********", shell: undefined, windowName: undefined },
  statusSource: {},
  definedIn: ".amux/config.yaml",
  builtIn: false,
};
const project = { root: "/srv/p", name: "p", history: DEFAULT_HISTORY } as Project;
const service = { name: "s", environment: { DB_PASSWORD: "svc-canary" }, environmentSecretKeys: ["DB_PASSWORD"] } as unknown as ServiceDecl;

describe("buildSpawn", () => {
  const b = buildSpawn({ project, agent, session: "p-s-1", service, replica: 1, workspace: null, cwd: "/srv/p", prompt: null, key: KEY }, INVOKING);

  it("gives the agent the baseline, then its declared variables, then AMUX_*; nothing else of the invoker", () => {
    expect(b.create.env).toMatchObject({
      PATH: "/usr/bin:/bin",
      HOME: "/home/ada",
      LC_TIME: "C",
      MODEL: "opus",
      API_KEY: "env-canary",
      DB_PASSWORD: "svc-canary",
    });
    expect(b.create.env.AMUX_SESSION).toBe("p-s-1");
    expect(b.create.env).not.toHaveProperty("MY_SECRET");
    expect(b.create.env).not.toHaveProperty("SSH_AUTH_SOCK");
    // Inside tmux the terminal is tmux's: TERM comes from tmux, not the invoker.
    expect(b.create.env).not.toHaveProperty("TERM");
  });

  it("tells the exit wrapper which variables to keep, and those only", () => {
    const keep = (b.create.argv[6] ?? "").split(" ");
    expect(keep).toEqual(expect.arrayContaining(["PATH", "HOME", "MODEL", "API_KEY", "DB_PASSWORD", "AMUX_SESSION", "TMUX", "TMUX_PANE", "TERM"]));
    expect(keep).not.toContain("MY_SECRET");
    expect(b.create.argv[5]).toBe("claude --key cmd-canary");
  });

  it("keeps secrets out of the labels", () => {
    const labels = JSON.stringify(b.create.labels);
    for (const canary of ["cmd-canary", "env-canary", "svc-canary"]) expect(labels).not.toContain(canary);
    expect(labels).toContain("claude --key ********");
  });

  it("takes the baseline by name, LC_* included", () => {
    expect(Object.keys(baselineOf(INVOKING)).sort()).toEqual(["HOME", "LANG", "LC_TIME", "PATH", "SHELL", "TERM", "USER"]);
  });
});

describe("EXIT_WRAPPER", () => {
  it("runs the command with only the variables it was told to keep (and the pane's own), whatever it inherited", () => {
    // TMUX names a socket that does not exist: the wrapper's exit report goes nowhere, and no real server is touched.
    const r = spawnSync("/bin/sh", ["-c", EXIT_WRAPPER, "amux-agent", "/bin/sh", "env; exit 7", "PATH KEEP_ME v TMUX TMUX_PANE"], {
      env: { PATH: process.env.PATH, TMUX: "/nonexistent/amux-unit,1,0", TMUX_PANE: "%0", KEEP_ME: "kept", v: "mine", DROP_ME: "server-starter-canary" },
      encoding: "utf8",
    });
    expect(r.status).toBe(7);
    expect(r.stdout).toMatch(/^KEEP_ME=kept$/m);
    expect(r.stdout).toMatch(/^v=mine$/m);
    expect(r.stdout).toMatch(/^PATH=/m);
    expect(r.stdout).not.toContain("server-starter-canary");
    expect(r.stdout).not.toContain("__amux_v");
  });
});
