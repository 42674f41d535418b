import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect } from "vitest";
import { type E2E, fixture, listFiles, q, type Repo, SLOW, waitFor } from "./harness.js";
import { panePath, test } from "./harness-extra.js";
import { mcpClient } from "./mcp-client.js";

/*
 * Every place a value from a flag, a config file or MCP reaches tmux or git, fed values that try
 * to run a command. Each such command would create a file named CANARY-<tag> (in $HOME, which is
 * the test's own temp HOME for tmux's jobs and the agents' shells alike, or in git's working
 * directory). Afterwards no such file may exist anywhere in the test's sandbox, the user's
 * branch, HEAD and refs are as they were, and every accepted value arrived literally.
 */

/** Values that try to run `touch CANARY-<tag>` (or pass themselves off as options) in every way we know. */
function hostile(tag: string): string[] {
  const run = (n: number) => `cd;touch CANARY-${tag}${n}`;
  return [
    `#(${run(1)})`,
    "#{pane_id}#{session_name}",
    `$(${run(2)})`,
    `\`${run(3)}\``,
    `;${run(4)}`,
    `x;${run(5)};`,
    "-m",
    "--detach",
    "-rf",
    "--output=CANARY-out",
    "two\nlines",
    "~",
    "~/x",
    `'"\\`,
    "%Y %0 %% %if",
    "é日本 🙂",
  ];
}

/** A YAML scalar holding `s` exactly: JSON quoting, and `$` doubled (amux expands ${VAR}). */
const yamlLiteral = (s: string): string => q(s.replace(/\$/g, "$$$$"));

/** Every CANARY-* file in the sandbox: any one means a value was run as a command. */
function canaries(e2e: E2E): string[] {
  return listFiles(e2e.tmp).filter((f) => basename(f).startsWith("CANARY-"));
}

/** What must not change in the user's checkout: its current branch and HEAD, its refs, its worktrees. */
async function gitState(repo: Repo): Promise<{ head: string; refs: string[]; worktrees: string }> {
  const [branch, head, refs, worktrees] = await Promise.all([
    repo.git(["branch", "--show-current"]),
    repo.git(["rev-parse", "HEAD"]),
    repo.git(["for-each-ref", "--format=%(refname) %(objectname)"]),
    repo.git(["worktree", "list", "--porcelain"]),
  ]);
  return { head: `${branch.stdout.trim()} ${head.stdout.trim()}`, refs: refs.stdout.split("\n").filter(Boolean), worktrees: worktrees.stdout };
}

/**
 * Proves the canary would fire: a format job on this test's tmux server does create a file in the
 * test's HOME. Then removes it. (tmux kills a client's format jobs when that client exits, so the
 * client waits a moment, and tries again.)
 */
async function canaryWorks(e2e: E2E): Promise<void> {
  const file = join(e2e.home, "CANARY-control");
  await waitFor(
    async () => {
      await e2e.tmux(["display-message", "-p", "#(cd;touch CANARY-control)", ";", "run-shell", "sleep 0.5"]);
      return existsSync(file);
    },
    15_000,
    "the control canary to appear",
  );
  rmSync(file);
}

/** tmux's view of a pane, read back through a format (the test reading, not amux writing). */
async function paneFormat(e2e: E2E, session: string, format: string): Promise<string> {
  const r = await e2e.tmux(["display-message", "-p", "-t", `=${session}:`, format]);
  if (r.code !== 0) throw new Error(`no session ${session}: ${r.output}`);
  return r.stdout.replace(/\n$/, "");
}

/** A script that writes each HV_* variable it was given to a file named after it in $HV_OUT, then waits at a prompt. */
function envDumper(e2e: E2E): string {
  const script = join(e2e.tmp, "dump-env.mjs");
  writeFileSync(
    script,
    `import { mkdirSync, writeFileSync } from "node:fs";
const out = process.env.HV_OUT;
mkdirSync(out, { recursive: true });
for (const [k, v] of Object.entries(process.env)) if (k.startsWith("HV_") && k !== "HV_OUT") writeFileSync(out + "/" + k, v);
writeFileSync(out + "/.done", "");
`,
  );
  return `'${process.execPath}' '${script}'; exec '${fixture("waits-at-prompt")}'`;
}

/** Polls until the dumper has written its files, then reads them. */
async function dumpedEnv(dir: string): Promise<Record<string, string>> {
  await waitFor(() => existsSync(join(dir, ".done")), 15_000, `the environment dump in ${dir}`);
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)) if (f.startsWith("HV_")) out[f] = readFileSync(join(dir, f), "utf8");
  return out;
}

const envOf = (values: string[]): Record<string, string> => Object.fromEntries(values.map((v, i) => [`HV_${i}`, v]));

describe.concurrent("hostile values reach tmux and git literally, or are refused", { timeout: SLOW }, () => {
  test("a project path, window names, shells, workspaces.root, branch, environment, prompts and send text arrive literally and run nothing", async ({
    e2e,
  }) => {
    const windowNames = hostile("win");
    const envValues = hostile("env");
    const runEnv = hostile("runenv");
    // A shell program whose path is hostile: a link to /bin/sh, so the agent really starts.
    const binDir = join(e2e.tmp, "bin #(cd;touch CANARY-bin) $(cd;touch CANARY-bin2)");
    mkdirSync(binDir);
    const shell = join(binDir, "sh ;cd;touch CANARY-sh `cd;touch CANARY-sh2` ~ %Y '\"\\");
    symlinkSync("/bin/sh", shell);
    const root = "../wt #(cd;touch CANARY-root) $(cd;touch CANARY-root2) ;x ~ %Y '\"\\";
    const branch = "feat/#(cd;>CANARY-br1)$(cd;>CANARY-br2)`cd;>CANARY-br3`;x'\"%Y#{pane_id}";
    const prompt = "first #(cd;touch CANARY-p1) $(cd;touch CANARY-p2) ;x -m ~ '\"\\ %Y #{pane_id} é🙂\nsecond `cd;touch CANARY-p3`";
    const sendText = "sent #(cd;touch CANARY-s1) $(cd;touch CANARY-s2) `cd;touch CANARY-s3` ;x -m ~ '\"\\ %Y #{pane_id} é🙂";
    const composeOut = join(e2e.tmp, "env-compose");
    const runOut = join(e2e.tmp, "env-run");
    const dumper = envDumper(e2e);

    const compose = [
      "name: hx",
      "agents:",
      ...windowNames.map((w, i) => `  win${i}: { params: { command: ${q(fixture("waits-at-prompt"))}, windowName: ${yamlLiteral(w)} } }`),
      `  hostile-shell: { params: { command: ${q(fixture("waits-at-prompt"))}, shell: ${yamlLiteral(shell)} } }`,
      `  dump: { params: { command: ${yamlLiteral(dumper)} } }`,
      "services:",
      ...windowNames.map((_, i) => `  win${i}: { agent: win${i} }`),
      "  shell: { agent: hostile-shell }",
      `  env: { agent: dump, environment: ${JSON.stringify(Object.fromEntries(Object.entries({ ...envOf(envValues), HV_OUT: composeOut }).map(([k, v]) => [k, v.replace(/\$/g, "$$$$")])))} }`,
      `  prompt: { agent: waits-at-prompt, prompt: ${yamlLiteral(prompt)} }`,
      `  ws: { agent: waits-at-prompt, workspace: w1, branch: ${yamlLiteral(branch)}, base: HEAD }`,
      "workspaces:",
      `  root: ${yamlLiteral(root)}`,
      "",
    ].join("\n");
    const repo = await e2e.newRepo("proj #(cd;touch CANARY-dir) $(cd;touch CANARY-dir2) `cd;touch CANARY-dir3` ;x ~ %Y '\"\\ é", {
      "amux.compose.yaml": compose,
    });
    const before = await gitState(repo);

    await repo.amuxOk(["up"], { timeoutMs: 60_000 });
    const run = await repo.amux([
      "run",
      "dump",
      "--name",
      "envrun",
      "--no-attach",
      "-e",
      `HV_OUT=${runOut}`,
      ...runEnv.flatMap((v, i) => ["-e", `HV_${i}=${v}`]),
    ]);
    expect(run.code, run.output).toBe(0);

    // Window names: exactly as written.
    for (const [i, w] of windowNames.entries()) expect(await paneFormat(e2e, `hx-win${i}-1`, "#{window_name}"), `windowName ${JSON.stringify(w)}`).toBe(w);
    // The project directory: the panes run in it, the labels and the log path hold it.
    expect(await panePath(e2e, "hx-win0-1")).toBe(repo.dir);
    expect(await e2e.option("hx-win0-1", "@amux-root")).toBe(repo.dir);
    await repo.waitForLog("hx-win0-1", "fake agent ready");
    expect(existsSync(join(repo.dir, ".amux", "logs", "hx-win0-1.log"))).toBe(true);
    // The hostile shell path ran the agent.
    await repo.waitForLog("hx-shell-1", "fake agent ready");
    // workspaces.root and the branch: the worktree is where the literal path says, on the literal branch.
    const wsDir = join(e2e.tmp, root.slice("../".length), "w1");
    expect(await panePath(e2e, "hx-ws-1")).toBe(wsDir);
    expect((await e2e.run("git", ["-C", wsDir, "branch", "--show-current"])).stdout.trim()).toBe(branch);
    // Environment values, from the compose file and from -e.
    expect(await dumpedEnv(composeOut)).toEqual(envOf(envValues));
    expect(await dumpedEnv(runOut)).toEqual(envOf(runEnv));
    // The prompt, typed as given (two lines, so a paste), and text sent with amux send.
    const [line1, line2] = prompt.split("\n");
    await repo.waitForLog("hx-prompt-1", `got: ${line2}`, 20_000);
    expect(await repo.logs("hx-prompt-1")).toContain(`got: ${line1}`);
    await repo.amuxOk(["send", "hx-win1-1", sendText]);
    await repo.waitForLog("hx-win1-1", `got: ${sendText}`);

    await canaryWorks(e2e);
    await repo.amuxOk(["down"]);
    expect(canaries(e2e)).toEqual([]);
    // The user's branch and HEAD are untouched; the only new ref is the workspace's branch.
    const after = await gitState(repo);
    expect(after.head).toBe(before.head);
    expect(before.head).toMatch(/^main [0-9a-f]{40}$/);
    expect(after.refs.filter((l) => !before.refs.includes(l)).map((l) => l.split(" ")[0])).toEqual([`refs/heads/${branch}`]);
    expect(before.refs.filter((l) => !after.refs.includes(l))).toEqual([]);
  });

  test("names, branches and bases that are not allowed: exit 2 saying what is allowed; nothing made, nothing run", async ({ e2e }) => {
    const repo = await e2e.newRepo("proj", { "amux.compose.yaml": "name: hx\nservices:\n  a: { agent: waits-at-prompt }\n" });
    const before = await gitState(repo);
    // Each kind of value once per flag (the whole table of refs is in test/unit/refs.test.ts and,
    // through the same core, in the MCP test below): each case is a Node start-up.
    const cases: { args: string[]; message: RegExp }[] = [
      ...["#(cd;touch CANARY-n1)", "-m", "a;b", "x\ny", "%Y"].map((v) => ({
        args: ["run", "waits-at-prompt", "--no-attach", "--name", v],
        message: /invalid session name .*must match/,
      })),
      ...["#{pane_id}", "--detach", "a..b", "~"].map((v) => ({
        args: ["run", "waits-at-prompt", "--no-attach", "--workspace", v],
        message: /invalid workspace name .*must (match|not contain)/,
      })),
      ...["$(cd;touch CANARY-w1)", "-rf", "'\"\\"].map((v) => ({ args: ["ws", "create", "--", v], message: /invalid workspace name .*must match/ })),
      ...["#(cd;touch CANARY-p1)", "-m"].map((v) => ({ args: ["ps", "-p", v], message: /invalid project name .*must match|project names must match/ })),
      ...["-m", "--detach", "-rf", "--output=CANARY-out", "#(cd;>CANARY-b1) x", "a..b", "HEAD", "two\nlines", "~1", "x.lock"].map((v) => ({
        args: ["ws", "create", "w1", "--branch", v],
        message: /invalid branch .*\(a branch name git accepts, e\.g\. feature\/login\)/,
      })),
      ...["-m", "--detach", "-rf", "--output=CANARY-out", "$(cd;>CANARY-b2) x", "@{-1}", "main:README.md", "main~x"].map((v) => ({
        args: ["ws", "create", "w1", "--base", v],
        message: /invalid base .*\(a branch, tag or commit, e\.g\. main, origin\/main/,
      })),
      { args: ["ws", "create", "w1", "--base=-m"], message: /invalid base "-m": must not start with "-"/ },
      { args: ["ws", "create", "w1", "--branch=--detach"], message: /invalid branch "--detach": must not start with "-"/ },
      { args: ["ws", "create", "w1", "--base", "no-such-branch"], message: /unknown base "no-such-branch" \(no branch, tag or commit of that name/ },
      { args: ["run", "waits-at-prompt", "--no-attach", "-e", "#(cd;touch CANARY-key)=1"], message: /expected KEY=VALUE/ },
      { args: ["run", "waits-at-prompt", "--no-attach", "-e", "-m"], message: /expected KEY=VALUE/ },
      { args: ["stop", "#(cd;touch CANARY-stop)"], message: /no session (or service )?"?#\(cd;touch CANARY-stop\)/ },
      { args: ["send", "#{pane_id}", "$(cd;touch CANARY-send)"], message: /no session (or service )?"?#\{pane_id\}/ },
      { args: ["logs", "--", "../../../etc/passwd"], message: /no session or service "?\.\.\/\.\.\/\.\.\/etc\/passwd/ },
    ];
    // A few at a time: each is a Node start-up.
    for (let i = 0; i < cases.length; i += 8) {
      await Promise.all(
        cases.slice(i, i + 8).map(async (c) => {
          const r = await repo.amux(c.args);
          expect(r.code, `amux ${JSON.stringify(c.args)}\n${r.output}`).toBe(2);
          expect(r.stderr, `amux ${JSON.stringify(c.args)}`).toMatch(c.message);
          expect(r.stderr).not.toMatch(/\n\s+at |internal error|fatal:|usage: git/);
        }),
      );
    }
    expect(await e2e.liveSessions()).toEqual([]);
    expect(existsSync(join(e2e.tmp, "proj.worktrees"))).toBe(false);
    expect(await gitState(repo)).toEqual(before);
    expect(canaries(e2e)).toEqual([]);
  });

  test("a compose branch, base or workspaces.base that is not allowed: a located error at load time", async ({ e2e }) => {
    const compose = [
      "name: hx",
      "services:",
      "  a:",
      "    agent: waits-at-prompt",
      "    workspace: w1",
      '    branch: "-m"',
      '    base: "--detach"',
      "  b: { agent: waits-at-prompt, workspace: w2, branch: 'a b', base: 'main~1x' }",
      "workspaces:",
      '  base: "-rf"',
      "",
    ].join("\n");
    const repo = await e2e.newRepo("proj", { "amux.compose.yaml": compose });
    const before = await gitState(repo);
    for (const cmd of [["up"], ["plan"], ["config", "validate"]]) {
      const r = await repo.amux(cmd);
      expect(r.code, `${cmd.join(" ")}\n${r.output}`).toBe(2);
      expect(r.stderr.split("\n").filter((l) => l.startsWith("amux.compose.yaml:"))).toEqual([
        'amux.compose.yaml:6:13 services.a.branch: invalid branch "-m": must not start with "-" (a branch name git accepts, e.g. feature/login)',
        'amux.compose.yaml:7:11 services.a.base: invalid base "--detach": must not start with "-" (a branch, tag or commit, e.g. main, origin/main, v1.2, 3f2a9c1, HEAD~2)',
        'amux.compose.yaml:8:55 services.b.branch: invalid branch "a b": must not contain spaces, control characters or any of ~ ^ : ? * [ \\ (a branch name git accepts, e.g. feature/login)',
        'amux.compose.yaml:8:68 services.b.base: invalid base "main~1x": must not contain spaces, control characters or any of ~ ^ : ? * [ \\ (a branch, tag or commit, e.g. main, origin/main, v1.2, 3f2a9c1, HEAD~2)',
        'amux.compose.yaml:10:9 workspaces.base: invalid base "-rf": must not start with "-" (a branch, tag or commit, e.g. main, origin/main, v1.2, 3f2a9c1, HEAD~2)',
      ]);
    }
    expect(await e2e.liveSessions()).toEqual([]);
    expect(await gitState(repo)).toEqual(before);
    // A valid name that names nothing: up says which, makes no worktree, and exits 1 after the rest.
    repo.write("amux.compose.yaml", "name: hx\nservices:\n  a: { agent: waits-at-prompt, workspace: w1, base: no-such-base }\n");
    const r = await repo.amux(["up"]);
    expect(r.code, r.output).toBe(1);
    expect(r.stderr).toMatch(/cannot create workspace w1: unknown base "no-such-base" \(no branch, tag or commit of that name/);
    expect(r.output).not.toMatch(/fatal:|usage: git/);
    expect(await gitState(repo)).toEqual(before);
  });

  test("MCP workspace_create and session_run: bad branch and base refused, environment literal", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("proj", { "amux.compose.yaml": `name: hx\nagents:\n  dump: { params: { command: ${yamlLiteral(envDumper(e2e))} } }\n` });
    const before = await gitState(repo);
    const client = await mcpClient(e2e, procs, repo.dir);
    const call = (name: string, args: Record<string, unknown>) => client.call(name, args);
    try {
      const refBad = [...hostile("mcp").filter((v) => v !== "#{pane_id}#{session_name}"), "a..b", "x.lock", "@{-1}", "main:README.md", "a b"];
      for (const v of refBad) {
        const b = await call("workspace_create", { name: "evil", branch: v });
        expect(b.isError, `branch ${JSON.stringify(v)}: ${b.text}`).toBe(true);
        expect(b.text).toMatch(/^invalid branch .*\(a branch name git accepts/);
        const r = await call("workspace_create", { name: "evil", base: v });
        expect(r.isError, `base ${JSON.stringify(v)}: ${r.text}`).toBe(true);
        expect(r.text).toMatch(/^invalid base .*\(a branch, tag or commit/);
      }
      for (const [args, message] of [
        [{ name: "evil", base: "-m" }, /invalid base "-m": must not start with "-"/],
        [{ name: "evil", base: "--detach" }, /invalid base "--detach"/],
        [{ name: "evil", branch: "-m" }, /invalid branch "-m"/],
        [{ name: "evil", branch: "-rf", base: "main" }, /invalid branch "-rf"/],
        [{ name: "-m" }, /invalid workspace name/],
        [{ name: "evil", base: "#{pane_id}#{session_name}" }, /unknown base "#\{pane_id\}#\{session_name\}"/],
      ] as const) {
        const r = await call("workspace_create", args);
        expect(r.isError, `${JSON.stringify(args)}: ${r.text}`).toBe(true);
        expect(r.text).toMatch(message);
      }
      const out = join(e2e.tmp, "env-mcp");
      const values = hostile("mcp");
      const r = await call("session_run", { agent: "dump", name: "envmcp", environment: { ...envOf(values), HV_OUT: out } });
      expect(r.isError, r.text).toBe(false);
      expect(await dumpedEnv(out)).toEqual(envOf(values));
    } finally {
      await client.close();
    }
    expect(await gitState(repo)).toEqual(before);
    await canaryWorks(e2e);
    expect(canaries(e2e)).toEqual([]);
  });
});
