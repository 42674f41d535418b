import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { isIsoDate, listFiles, type PsRow, SLOW, STATUSES, sleep, test } from "./harness.js";

// Sessions started with `amux run`, observed with ps / logs / send / stop, black-box.

const FIXTURE_AGENT_IDS = ["asks-permission", "busy-marker", "exits-3", "hangs-silently", "prints-env", "prints-forever", "waits-at-prompt"];

describe.concurrent("status of each fake agent", { timeout: SLOW }, () => {
  test("prints-forever stays running past idleAfter", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    const r = await repo.amuxOk(["run", "prints-forever", "--no-attach"]);
    expect(r.stdout.trim()).toBe("prints-forever-1");
    // Its idleAfter is 2s: once that has passed, only its steady output can keep it running.
    await sleep(3000);
    for (let i = 0; i < 2; i++) {
      expect((await repo.psRow("prints-forever-1"))?.status).toBe("running");
      await sleep(500);
    }
  });

  test("waits-at-prompt is idle at its prompt", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    await repo.amuxOk(["run", "waits-at-prompt", "--no-attach"]);
    const row = await repo.waitForStatus("waits-at-prompt-1", "idle", 10_000);
    expect(row.exitCode).toBeNull();
    expect(row.pid).toBeGreaterThan(0);
  });

  test("asks-permission is waiting for its answer", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    await repo.amuxOk(["run", "asks-permission", "--no-attach"]);
    await repo.waitForStatus("asks-permission-1", "waiting", 10_000);
  });

  test("asks-permission stops waiting once its question is answered", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    await repo.amuxOk(["run", "asks-permission", "--no-attach"]);
    await repo.waitForStatus("asks-permission-1", "waiting", 10_000);
    await repo.amuxOk(["send", "asks-permission-1", "y"]);
    await repo.waitForLog("asks-permission-1", "answer: y");
    // The question was answered and the agent went on: it needs nothing from anyone, and once
    // quiet for idleAfter (3s by default) it is idle.
    await repo.waitForStatus("asks-permission-1", "idle", 10_000, 500);
  });
});

describe.concurrent("status of agents that stop talking", { timeout: SLOW }, () => {
  test("hangs-silently turns stuck once quiet for stuckAfter (3s), not before", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    const started = Date.now();
    await repo.amuxOk(["run", "hangs-silently", "--no-attach"]);
    await repo.waitForStatus("hangs-silently-1", "stuck", 15_000);
    // tmux's activity clock has 1-second resolution: stuck can come at most ~1s early, never at once.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });

  test("busy-marker is running while its marker shows, stuck once it is frozen for stuckAfter (5s)", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    const started = Date.now();
    await repo.amuxOk(["run", "busy-marker", "--no-attach"]);
    // Past idleAfter (1s) but before stuckAfter less tmux's 1s resolution: the marker, not output,
    // keeps it running. Only answers that came back in that window count (a loaded machine can
    // make ps slow enough to miss it; the time is measured from before `run`, so it errs early).
    await sleep(Math.max(0, started + 1300 - Date.now()));
    const early: string[] = [];
    while (Date.now() - started < 3500) {
      const status = (await repo.psRow("busy-marker-1"))?.status ?? "absent";
      if (Date.now() - started < 4000) early.push(status);
      await sleep(300);
    }
    for (const status of early) expect(status).toBe("running");
    await repo.waitForStatus("busy-marker-1", "stuck", 15_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
  });

  test("exits-3 is listed as exited with exitCode 3, and run exits 1 saying so", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    const r = await repo.amux(["run", "exits-3", "--no-attach"]);
    expect(r.code, r.output).toBe(1);
    expect(r.stdout.trim()).toBe("exits-3-1");
    expect(r.stderr).toMatch(/exit/i);
    expect(r.stderr).toMatch(/\b3\b/);
    expect(r.stderr).not.toContain("    at ");
    const row = await repo.waitForStatus("exits-3-1", "exited", 5000);
    expect(row.exitCode).toBe(3);
    // It stays listed (without --all) until it is stopped: still there a moment later (an absence of change, so a fixed wait).
    await sleep(500);
    expect((await repo.psRow("exits-3-1"))?.status).toBe("exited");
    await repo.amuxOk(["stop", "exits-3-1"]);
    expect(await repo.psRow("exits-3-1")).toBeUndefined();
    expect((await repo.psRow("exits-3-1", ["--all"]))?.status).toBe("stopped");
  });

  test("run of an agent that dies at once shows the agent's last output", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    const r = await repo.amux(["run", "exits-3", "--no-attach"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("fatal: cannot reach the model");
  });
});

describe.concurrent("ps --json", { timeout: SLOW }, () => {
  test("every row has the contract's fields with their types", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    await repo.amuxOk(["run", "waits-at-prompt", "--no-attach"]);
    await repo.amuxOk(["run", "prints-forever", "--name", "pf", "--no-attach"]);
    await repo.amux(["run", "exits-3", "--no-attach"]);
    await repo.waitForStatus("exits-3-1", "exited", 5000);
    const raw = (await repo.amuxOk(["ps", "--json"])).stdout;
    // One JSON document, not JSON lines.
    const rows = JSON.parse(raw) as PsRow[];
    expect(Array.isArray(rows)).toBe(true);
    expect(rows.map((r) => r.name).sort()).toEqual(["exits-3-1", "pf", "waits-at-prompt-1"]);
    for (const row of rows) {
      for (const f of ["name", "project", "service", "replica", "agent", "workspace", "status", "exitCode", "pid", "restarts", "createdAt"]) {
        expect(row, `${row.name} lacks ${f}`).toHaveProperty(f);
      }
      expect(row.project).toBe("sm");
      expect(row.service).toBeNull();
      expect(row.replica).toBeNull();
      expect(row.workspace).toBeNull();
      expect(STATUSES).toContain(row.status);
      expect(typeof row.restarts).toBe("number");
      expect(isIsoDate(row.createdAt), `createdAt ${row.createdAt}`).toBe(true);
      expect(Math.abs(Date.parse(row.createdAt) - Date.now())).toBeLessThan(60_000);
    }
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get("pf")?.agent).toBe("prints-forever");
    expect(byName.get("pf")?.pid).toBeGreaterThan(0);
    expect(byName.get("pf")?.exitCode).toBeNull();
    expect(byName.get("exits-3-1")?.exitCode).toBe(3);
    expect(byName.get("waits-at-prompt-1")?.agent).toBe("waits-at-prompt");
  });

  test("finds the project from a subdirectory, and with -C from anywhere", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    await repo.amuxOk(["run", "waits-at-prompt", "--no-attach"]);
    repo.write("src/deep/file.txt", "x\n");
    const fromSub = await e2e.amux(["ps", "--json"], { cwd: join(repo.dir, "src", "deep") });
    expect(fromSub.code, fromSub.output).toBe(0);
    expect((JSON.parse(fromSub.stdout) as PsRow[]).map((r) => r.name)).toEqual(["waits-at-prompt-1"]);
    const withC = await e2e.amux(["-C", repo.dir, "ps", "--json"], { cwd: e2e.home });
    expect(withC.code, withC.output).toBe(0);
    expect((JSON.parse(withC.stdout) as PsRow[]).map((r) => r.name)).toEqual(["waits-at-prompt-1"]);
  });

  test("lists only this project's sessions", async ({ e2e }) => {
    const one = await e2e.newRepo("one");
    const two = await e2e.newRepo("two");
    await one.amuxOk(["run", "waits-at-prompt", "--name", "w-one", "--no-attach"]);
    await two.amuxOk(["run", "waits-at-prompt", "--name", "w-two", "--no-attach"]);
    expect((await one.ps()).map((r) => r.name)).toEqual(["w-one"]);
    expect((await two.ps()).map((r) => r.name)).toEqual(["w-two"]);
  });
});

describe.concurrent("logs", { timeout: SLOW }, () => {
  test("logs hold the agent's very first line", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    await repo.amuxOk(["run", "waits-at-prompt", "--no-attach"]);
    const text = await repo.waitForLog("waits-at-prompt-1", "fake agent ready");
    expect(text.split("\n")[0]).toBe("fake agent ready");
    // Even an agent that exits at once has its output captured from the first byte.
    await repo.amux(["run", "exits-3", "--no-attach"]);
    const dead = await repo.waitForLog("exits-3-1", "fatal: cannot reach the model");
    expect(dead.split("\n")[0]).toBe("fatal: cannot reach the model");
  });

  test("logs -n N prints only the last N lines", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    await repo.amuxOk(["run", "prints-forever", "--no-attach"]);
    await repo.waitForLog("prints-forever-1", "working step 6");
    const lines = (await repo.logs("prints-forever-1", ["-n", "3"])).split("\n").filter(Boolean);
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(/^working step \d+$/);
  });
});

describe.concurrent("send", { timeout: SLOW }, () => {
  test("send types the text literally into the agent and submits it", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    await repo.amuxOk(["run", "waits-at-prompt", "--no-attach"]);
    await repo.waitForStatus("waits-at-prompt-1", "idle", 10_000);
    await repo.amuxOk(["send", "waits-at-prompt-1", "hello e2e"]);
    await repo.waitForLog("waits-at-prompt-1", "got: hello e2e");
    // No shell, no tmux key names: what is typed is what arrives.
    const tricky = `cost $HOME; echo "pwned" \`id\` 'q' Enter C-c`;
    await repo.amuxOk(["send", "waits-at-prompt-1", tricky]);
    await repo.waitForLog("waits-at-prompt-1", `got: ${tricky}`);
    const screen = await e2e.tmux(["capture-pane", "-p", "-t", "=waits-at-prompt-1:"]);
    expect(screen.stdout).toContain(`got: ${tricky}`);
  });

  test("multi-line send delivers every line", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    await repo.amuxOk(["run", "waits-at-prompt", "--no-attach"]);
    await repo.waitForStatus("waits-at-prompt-1", "idle", 10_000);
    await repo.amuxOk(["send", "waits-at-prompt-1", "line one\nline two"]);
    await repo.waitForLog("waits-at-prompt-1", "got: line one");
    await repo.waitForLog("waits-at-prompt-1", "got: line two");
    // From standard input with `-`.
    await repo.amuxOk(["send", "waits-at-prompt-1", "-"], { input: "stdin one\nstdin two\n" });
    await repo.waitForLog("waits-at-prompt-1", "got: stdin one");
    await repo.waitForLog("waits-at-prompt-1", "got: stdin two");
  });

  test("send to an unknown session exits 2 naming the sessions that exist", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    await repo.amuxOk(["run", "waits-at-prompt", "--no-attach"]);
    const r = await repo.amux(["send", "no-such-session", "hi"]);
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toContain("waits-at-prompt-1");
    expect(r.output).not.toContain("    at ");
  });
});

describe.concurrent("stop", { timeout: SLOW }, () => {
  test("stop removes the session; ps --all keeps it as stopped", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    await repo.amuxOk(["run", "prints-forever", "--no-attach"]);
    await repo.amuxOk(["run", "waits-at-prompt", "--no-attach"]);
    expect((await repo.psRow("prints-forever-1"))?.status).toBeDefined();
    await repo.amuxOk(["stop", "prints-forever-1"]);
    expect(await e2e.liveSessions()).toEqual(["waits-at-prompt-1"]);
    expect((await repo.ps()).map((r) => r.name)).toEqual(["waits-at-prompt-1"]);
    const all = await repo.ps(["--all"]);
    const stopped = all.find((r) => r.name === "prints-forever-1");
    expect(stopped?.status).toBe("stopped");
    expect(stopped?.agent).toBe("prints-forever");
    expect(all.find((r) => r.name === "waits-at-prompt-1")?.status).not.toBe("stopped");
    // Stopping what is not there is an error that says what is.
    const again = await repo.amux(["stop", "prints-forever-1"]);
    expect(again.code).not.toBe(0);
    expect(again.output).not.toContain("    at ");
  });

  test("git status stays clean while sessions run, stop and exit", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    await repo.amuxOk(["run", "waits-at-prompt", "--no-attach"]);
    await repo.amux(["run", "exits-3", "--no-attach"]);
    await repo.amuxOk(["send", "waits-at-prompt-1", "hi"]);
    await repo.amuxOk(["stop", "waits-at-prompt-1"]);
    await repo.amuxOk(["ps", "--all"]);
    expect(existsSync(join(repo.dir, ".amux", "logs"))).toBe(true);
    expect(await repo.gitStatus()).toBe("");
  });
});

describe.concurrent("environment and secrets", { timeout: SLOW }, () => {
  test("agent environment, variable expansion, -e and AMUX_* variables reach the agent", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    await repo.amuxOk(["run", "prints-env", "--no-attach"]);
    await repo.waitForLog("prints-env-1", `MODEL=opus TOKEN_LEN=${e2e.secret.length} SESSION=prints-env-1 PROJECT=sm`);
    await repo.amuxOk(["run", "prints-env", "--name", "env-x", "-e", "MODEL=x", "--no-attach"]);
    await repo.waitForLog("env-x", `MODEL=x TOKEN_LEN=${e2e.secret.length} SESSION=env-x PROJECT=sm`);
  });

  test("environment set with -e is the session's own, not the next one's", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    await repo.amuxOk(["run", "prints-env", "--name", "e1", "-e", "MODEL=first", "--no-attach"]);
    await repo.amuxOk(["run", "prints-env", "--name", "e2", "--no-attach"]);
    await repo.waitForLog("e1", "MODEL=first ");
    await repo.waitForLog("e2", "MODEL=opus ");
  });

  test("secret values appear in no ps, config show or file under .amux; --show-secrets shows them", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    const flagSecret = `flag-${e2e.secret}`;
    await repo.amuxOk(["run", "prints-env", "--no-attach"]);
    await repo.amuxOk(["run", "prints-env", "--name", "env-2", "-e", `SECRET_TOKEN=${flagSecret}`, "--no-attach"]);
    await repo.waitForLog("prints-env-1", `TOKEN_LEN=${e2e.secret.length} `);
    await repo.waitForLog("env-2", `TOKEN_LEN=${flagSecret.length} `);
    await repo.amuxOk(["stop", "env-2"]);
    const outputs: Record<string, string> = {
      "ps --json": (await repo.amuxOk(["ps", "--json"])).output,
      "ps --all --json": (await repo.amuxOk(["ps", "--all", "--json"])).output,
      ps: (await repo.amuxOk(["ps", "--all"])).output,
      "config show": (await repo.amuxOk(["config", "show"])).output,
      "config show --json": (await repo.amuxOk(["config", "show", "--json"])).output,
      "config validate": (await repo.amuxOk(["config", "validate"])).output,
      "logs prints-env-1": (await repo.amuxOk(["logs", "prints-env-1"])).output,
    };
    for (const file of listFiles(join(repo.dir, ".amux"))) outputs[file] = readFileSync(file, "latin1");
    expect(Object.keys(outputs).some((k) => k.endsWith(".log"))).toBe(true);
    for (const [where, text] of Object.entries(outputs)) {
      expect(text.includes(e2e.secret), `secret from \${SOME_VAR} appears in ${where}`).toBe(false);
      expect(text.includes(flagSecret), `secret from -e SECRET_TOKEN= appears in ${where}`).toBe(false);
    }
    // Masked, not dropped: the key is still shown.
    expect(outputs["config show"]).toContain("SECRET_TOKEN");
    const shown = await repo.amuxOk(["config", "show", "--show-secrets"]);
    expect(shown.stdout).toContain(e2e.secret);
    const shownJson = JSON.parse((await repo.amuxOk(["config", "show", "--json", "--show-secrets"])).stdout) as unknown;
    expect(JSON.stringify(shownJson)).toContain(e2e.secret);
    expect(await repo.gitStatus()).toBe("");
  });
});

describe.concurrent("names and refusals", { timeout: SLOW }, () => {
  test("run --name with a bad name exits 2 and starts nothing", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    const pwned = join(e2e.tmp, "pwned");
    for (const name of ["bad name", `x;touch ${pwned}`, "a.b", "x".repeat(64), "_lead"]) {
      const r = await repo.amux(["run", "waits-at-prompt", `--name=${name}`, "--no-attach"]);
      expect(r.code, `--name ${JSON.stringify(name)}: ${r.output}`).toBe(2);
      expect(r.output).not.toContain("    at ");
    }
    expect(await e2e.liveSessions()).toEqual([]);
    expect(existsSync(pwned)).toBe(false);
    expect(existsSync(join(repo.dir, "pwned"))).toBe(false);
    // The longest valid name is fine.
    const longest = `a${"b".repeat(62)}`;
    expect((await repo.amuxOk(["run", "waits-at-prompt", "--name", longest, "--no-attach"])).stdout.trim()).toBe(longest);
  });

  test("an unknown agent exits 2 listing the known agents", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    const r = await repo.amux(["run", "no-such-agent", "--no-attach"]);
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toContain("no-such-agent");
    for (const id of FIXTURE_AGENT_IDS) expect(r.stderr).toContain(id);
    expect(r.output).not.toContain("    at ");
    expect(await e2e.liveSessions()).toEqual([]);
  });

  test("a session name in use exits 2 and leaves that session alone", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    await repo.amuxOk(["run", "waits-at-prompt", "--name", "taken", "--no-attach"]);
    const pid = await e2e.panePid("taken");
    expect(pid).toBeGreaterThan(0);
    const r = await repo.amux(["run", "prints-forever", "--name", "taken", "--no-attach"]);
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toContain("taken");
    expect(await e2e.panePid("taken")).toBe(pid);
    expect((await repo.psRow("taken"))?.agent).toBe("waits-at-prompt");
    // A session of another program on amux's server holds its name just as well.
    await e2e.tmux(["new-session", "-d", "-s", "foreign", "sleep 1000"]);
    const f = await repo.amux(["run", "prints-forever", "--name", "foreign", "--no-attach"]);
    expect(f.code, f.output).toBe(2);
  });

  test("default names count up per agent", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    const names: string[] = [];
    for (let i = 0; i < 3; i++) names.push((await repo.amuxOk(["run", "waits-at-prompt", "--no-attach"])).stdout.trim());
    expect(names).toEqual(["waits-at-prompt-1", "waits-at-prompt-2", "waits-at-prompt-3"]);
    expect(await e2e.liveSessions()).toEqual(names);
  });

  test("run on a pipe: only an --attach typed on the line says it could not attach", async ({ e2e }) => {
    const repo = await e2e.newRepo("sm");
    // Where --attach stands among the arguments does not matter; a prompt text that reads
    // "--attach" is a prompt, not the flag.
    const asked = await repo.amuxOk(["run", "--attach", "waits-at-prompt", "--name", "att-1"]);
    expect(asked.stdout.trim()).toBe("att-1");
    expect(asked.stderr).toContain("not a terminal, so not attached; to follow its output: amux logs -f att-1");
    for (const [name, extra] of [
      ["att-2", []],
      ["att-3", ["--no-attach"]],
      ["att-4", ["-d"]],
      ["att-5", ["--prompt", "--attach"]],
    ] as [string, string[]][]) {
      const r = await repo.amuxOk(["run", "waits-at-prompt", "--name", name, ...extra]);
      expect([name, r.stdout.trim(), r.stderr.includes("not attached")]).toEqual([name, name, false]);
    }
  });
});
