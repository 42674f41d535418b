import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { type E2E, type Repo, type RunResult, SLOW, test } from "./harness.js";

// Garbled or foreign files under .amux/ are never fatal: every command still works, what amux
// set aside is said in a warning, and `down` still removes the fleet.

const COMPOSE = "name: gp\nservices:\n  s:\n    agent: waits-at-prompt\n";

interface Garbling {
  what: string;
  make: (dir: string) => void;
  /** The warnings naming what was set aside (or worked around). */
  warning: RegExp | RegExp[];
  undo?: (dir: string) => void;
}

const fifo = (p: string) => execFileSync("mkfifo", [p]);
const mk = (p: string) => mkdirSync(p, { recursive: true });

/** Makes `.amux` read-only, for root too (root ignores modes: the immutable attribute binds it). */
function readOnly(dir: string): void {
  mk(join(dir, ".amux"));
  if (process.getuid?.() === 0) execFileSync("chattr", ["+i", join(dir, ".amux")]);
  else execFileSync("chmod", ["555", join(dir, ".amux")]);
}
function writable(dir: string): void {
  if (process.getuid?.() === 0) execFileSync("chattr", ["-i", join(dir, ".amux")]);
  else execFileSync("chmod", ["755", join(dir, ".amux")]);
}

const GARBLINGS: Garbling[] = [
  {
    what: ".amux/state is a file",
    make: (d) => writeFileSync(join(d, ".amux/state"), "x"),
    warning: /set aside \.amux\/state \(a file where a folder belongs\)/,
  },
  {
    what: ".amux/state/sessions is a file",
    make: (d) => {
      mk(join(d, ".amux/state"));
      writeFileSync(join(d, ".amux/state/sessions"), "x");
    },
    warning: /set aside \.amux\/state\/sessions \(a file where a folder belongs\)/,
  },
  { what: ".amux/logs is a file", make: (d) => writeFileSync(join(d, ".amux/logs"), "x"), warning: /set aside \.amux\/logs \(a file where a folder belongs\)/ },
  {
    what: ".amux/.gitignore is a folder",
    make: (d) => mk(join(d, ".amux/.gitignore/x")),
    warning: /set aside \.amux\/\.gitignore \(a folder where a file belongs\)/,
  },
  {
    what: "the session's log is a folder",
    make: (d) => mk(join(d, ".amux/logs/gp-s-1.log/x")),
    warning: /set aside \.amux\/logs\/gp-s-1\.log \(a folder where a file belongs\)/,
  },
  {
    what: "state/project.json is a FIFO (a read would block)",
    make: (d) => {
      mk(join(d, ".amux/state"));
      fifo(join(d, ".amux/state/project.json"));
    },
    warning: /set aside \.amux\/state\/project\.json \(a FIFO where a file belongs\)/,
  },
  {
    what: "state/panes.json is a FIFO",
    make: (d) => {
      mk(join(d, ".amux/state"));
      fifo(join(d, ".amux/state/panes.json"));
    },
    warning: /set aside \.amux\/state\/panes\.json \(a FIFO where a file belongs\)/,
  },
  {
    what: "a session record is a FIFO, another bad JSON",
    make: (d) => {
      mk(join(d, ".amux/state/sessions"));
      fifo(join(d, ".amux/state/sessions/old-1.json"));
      writeFileSync(join(d, ".amux/state/sessions/old-2.json"), "{not json");
    },
    warning: [
      /set aside \.amux\/state\/sessions\/old-1\.json \(a FIFO where a file belongs\)/,
      /set aside \.amux\/state\/sessions\/old-2\.json \(not what amux writes there\)/,
    ],
  },
  {
    what: "panes.json holds garbage",
    make: (d) => {
      mk(join(d, ".amux/state"));
      writeFileSync(join(d, ".amux/state/panes.json"), "\u0000\u0001garbage");
    },
    warning: /set aside \.amux\/state\/panes\.json \(not what amux writes there\)/,
  },
  { what: "a fresh .amux is read-only", make: readOnly, undo: writable, warning: /cannot write \.amux\/\S+: (operation not permitted|permission denied)/ },
];

function expectSane(r: RunResult, what: string, code = 0): void {
  expect(r.timedOut, `${what} hung:\n${r.output}`).toBe(false);
  expect(r.output, what).not.toMatch(/internal error|This is a bug|\n\s+at /);
  expect(r.code, `${what}:\n${r.output}`).toBe(code);
}

async function garbledRepo(e2e: E2E, g: Garbling): Promise<Repo> {
  const repo = await e2e.newRepo("garbled", { "amux.compose.yaml": COMPOSE });
  g.make(repo.dir);
  return repo;
}

describe("garbled .amux/ entries are set aside, never fatal", () => {
  test.for(GARBLINGS)("$what: up, ps, ps --all, logs, run, down all work", { timeout: SLOW }, async (g, { e2e }) => {
    const repo = await garbledRepo(e2e, g);
    const outputs: string[] = [];
    try {
      const step = async (args: string[], code = 0) => {
        const r = await repo.amux(args, { timeoutMs: 30_000 });
        outputs.push(r.output);
        expectSane(r, `amux ${args.join(" ")}`, code);
        return r;
      };
      await step(["up"]);
      expect(await e2e.liveSessions()).toEqual(["gp-s-1"]);
      await step(["ps"]);
      const all = await step(["ps", "--all", "--json"]);
      expect((JSON.parse(all.stdout) as { name: string }[]).map((r) => r.name)).toContain("gp-s-1");
      await step(["logs", "gp-s-1"]);
      await step(["run", "waits-at-prompt"]);
      expect(await e2e.liveSessions()).toEqual(["gp-s-1", "waits-at-prompt-1"]);
      const warnings = outputs
        .join("\n")
        .split("\n")
        .filter((l) => l.startsWith("amux: warning:"));
      for (const w of [g.warning].flat()) expect(warnings.join("\n"), `no warning said what was set aside; output:\n${outputs.join("\n")}`).toMatch(w);
      // One line per thing set aside, said once per command.
      for (const o of outputs) {
        const lines = o.split("\n").filter((l) => l.startsWith("amux: warning:"));
        expect(new Set(lines).size).toBe(lines.length);
      }
      const down = await step(["down"]);
      expect(down.output).toMatch(/2 sessions removed/);
      expect(await e2e.liveSessions()).toEqual([]);
      await step(["ps", "--all"]);
      // What was set aside is runtime junk: nothing for git to show.
      if (!g.undo) expect(await repo.gitStatus()).toBe("");
    } finally {
      g.undo?.(repo.dir);
    }
  });

  test("a log that turns into a FIFO or a folder while the session runs: logs says so and does not hang", async ({ e2e }) => {
    const repo = await e2e.newRepo("garbled", { "amux.compose.yaml": COMPOSE });
    expectSane(await repo.amux(["up"]), "up");
    const log = join(repo.dir, ".amux/logs/gp-s-1.log");
    repo.rm(".amux/logs/gp-s-1.log");
    fifo(log);
    const r = await repo.amux(["logs", "gp-s-1"], { timeoutMs: 15_000 });
    expectSane(r, "logs on a FIFO");
    expect(r.stderr).toMatch(/amux: warning: ignoring \.amux\/logs\/gp-s-1\.log: a FIFO where a file belongs/);
    repo.rm(".amux/logs/gp-s-1.log");
    mk(log);
    const r2 = await repo.amux(["logs", "gp-s-1"], { timeoutMs: 15_000 });
    expectSane(r2, "logs on a folder");
    expect(r2.stderr).toMatch(/ignoring \.amux\/logs\/gp-s-1\.log: a folder where a file belongs/);
    expectSane(await repo.amux(["down"]), "down");
    expect(await e2e.liveSessions()).toEqual([]);
  });
});

describe("compose files amux will not read", () => {
  const CASES: { what: string; args: string[]; make: (repo: Repo) => void; message: RegExp }[] = [
    {
      what: "amux.compose.yaml is a folder",
      args: ["up"],
      make: (r) => mk(join(r.dir, "amux.compose.yaml")),
      message: /amux\.compose\.yaml is a folder, not a regular file/,
    },
    {
      what: "amux.compose.yaml is a FIFO",
      args: ["up"],
      make: (r) => fifo(join(r.dir, "amux.compose.yaml")),
      message: /amux\.compose\.yaml is a FIFO, not a regular file/,
    },
    {
      what: "amux.compose.yaml is 4 MB",
      args: ["up"],
      make: (r) => writeFileSync(join(r.dir, "amux.compose.yaml"), `${COMPOSE}# ${"x".repeat(4 * 1024 * 1024)}\n`),
      message: /amux\.compose\.yaml is 4\.0 MiB, more than the 1 MiB amux reads/,
    },
    {
      what: ".amux/config.yaml is a folder",
      args: ["up"],
      make: (r) => {
        r.rm(".amux/config.yaml");
        mk(join(r.dir, ".amux/config.yaml"));
        r.write("amux.compose.yaml", COMPOSE);
      },
      message: /\.amux\/config\.yaml is a folder, not a regular file/,
    },
    { what: "-f /dev/zero", args: ["-f", "/dev/zero", "up"], make: () => {}, message: /\/dev\/zero: not a regular file/ },
    { what: "-f a folder", args: ["-f", "sub", "plan"], make: (r) => mk(join(r.dir, "sub")), message: /sub: is a folder, not a compose file/ },
  ];

  test.for(CASES)("$what: exit 2 with the path, at once", async (c, { e2e }) => {
    const repo = await e2e.newRepo("files");
    c.make(repo);
    const r = await repo.amux(c.args, { timeoutMs: 20_000 });
    expectSane(r, c.what, 2);
    expect(r.output).toMatch(c.message);
    expect(r.ms).toBeLessThan(10_000);
    expect(await e2e.liveSessions()).toEqual([]);
    // ps still lists what runs, with the problem as a warning.
    if (c.args[0] === "up") expectSane(await repo.amux(["ps"], { timeoutMs: 20_000 }), "ps");
  });
});

describe("user patterns cannot hang ps", () => {
  test(
    "busyPatterns (a+)+$ against a 200-column line of a's ending in b",
    async ({ e2e }) => {
      const line = `${"a".repeat(199)}b`;
      const repo = await e2e.newRepo("regex", {
        "amux.compose.yaml": `name: rx
agents:
  evil:
    params: { command: "printf '%s\\\\n' ${line} ${line} ${line}; exec sleep 600" }
    status: { idleAfter: 1s, busyPatterns: ["(a+)+$"], promptPatterns: ["(x+x+)+y"] }
services:
  e: { agent: evil }
`,
      });
      expectSane(await repo.amux(["up"]), "up");
      await e2e.tmux(["resize-window", "-t", "=rx-e-1:", "-x", "220", "-y", "50"]);
      const started = Date.now();
      const row = await repo.waitForStatus("rx-e-1", "idle", 20_000);
      expect(row.status).toBe("idle");
      const ps = await repo.amux(["ps", "--wide"], { timeoutMs: 20_000 });
      expectSane(ps, "ps --wide");
      expect(Date.now() - started).toBeLessThan(20_000);
      expectSane(await repo.amux(["down"]), "down");
    },
    SLOW,
  );

  test("a pattern that would backtrack without bound and cannot run linear is refused, located", async ({ e2e }) => {
    const repo = await e2e.newRepo("regex", {
      "amux.compose.yaml": `agents:
  evil:
    params: { command: "sleep 600" }
    status: { busyPatterns: ["(\\\\w+\\\\s?)+\\\\1$"] }
services:
  e: { agent: evil }
`,
    });
    const r = await repo.amux(["up"]);
    expectSane(r, "up", 2);
    expect(r.output).toMatch(/amux\.compose\.yaml:4:30 agents\.evil\.status\.busyPatterns\.0: may backtrack catastrophically/);
  });
});

describe("a project reached through a symlink is one project", () => {
  test(
    "up through the link racing up through the real path: one set of sessions, one root label",
    async ({ e2e }) => {
      const repo = await e2e.newRepo("real", { "amux.compose.yaml": "name: ln\nservices:\n  s:\n    agent: waits-at-prompt\n    replicas: 3\n" });
      const link = join(e2e.tmp, "link");
      symlinkSync(repo.dir, link);
      const [a, b] = await Promise.all([e2e.amux(["-C", link, "up"]), e2e.amux(["up"], { cwd: repo.dir })]);
      expectSane(a, "up -C link");
      expectSane(b, "up");
      expect(await e2e.liveSessions()).toEqual(["ln-s-1", "ln-s-2", "ln-s-3"]);
      for (const s of ["ln-s-1", "ln-s-2", "ln-s-3"]) expect(await e2e.option(s, "@amux-root")).toBe(repo.dir);
      // From a shell inside the link, the same project: same sessions, nothing to do.
      mk(join(repo.dir, "sub"));
      const inside = await e2e.amux(["ps", "--json"], { cwd: join(link, "sub"), env: { PWD: join(link, "sub") } });
      expectSane(inside, "ps inside the link");
      expect((JSON.parse(inside.stdout) as { name: string }[]).map((r) => r.name).sort()).toEqual(["ln-s-1", "ln-s-2", "ln-s-3"]);
      const plan = await e2e.amux(["-C", link, "plan"]);
      expectSane(plan, "plan -C link");
      expect(plan.output).not.toMatch(/create|remove/);
      expectSane(await e2e.amux(["-C", link, "down"]), "down -C link");
      expect(await e2e.liveSessions()).toEqual([]);
    },
    SLOW,
  );
});

describe("names every JavaScript object has", () => {
  test("run constructor and up toString are unknown names; a session labelled __proto__ does not break ps", async ({ e2e }) => {
    const repo = await e2e.newRepo("names", { "amux.compose.yaml": COMPOSE });
    const run = await repo.amux(["run", "constructor"]);
    expectSane(run, "run constructor", 2);
    expect(run.output).toMatch(/unknown agent "constructor"/);
    for (const k of ["__proto__", "constructor"]) {
      const env = await repo.amux(["run", "waits-at-prompt", "-e", `${k}=x`]);
      expectSane(env, `run -e ${k}=x`, 2);
      expect(env.output).toMatch(/is reserved/);
    }
    const up = await repo.amux(["up", "toString"]);
    expectSane(up, "up toString", 2);
    expect(up.output).toMatch(/unknown service toString/);
    // A session someone labelled by hand with this project's root and reserved names.
    await e2e.tmux(["new-session", "-d", "-s", "odd", "sleep 600"]);
    const labels: [string, string][] = [
      ["@amux-root", repo.dir],
      ["@amux-agent", "constructor"],
      ["@amux-service", "__proto__"],
    ];
    for (const [k, v] of labels) await e2e.tmux(["set-option", "-t", "=odd:", k, v]);
    const ps = await repo.amux(["ps", "--json"]);
    expectSane(ps, "ps");
    expect((JSON.parse(ps.stdout) as { name: string }[]).map((r) => r.name)).toEqual(["odd"]);
  });
});
