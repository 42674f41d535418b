/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is text under test, not a template */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect } from "vitest";
import { escapeTimeFormat, groupLine } from "../../src/tmux/quote.js";
import { listFiles, test, waitFor } from "./harness.js";

/*
 * The quoting and escaping of src/tmux against the real tmux: hostile values go through
 * commandLine into `source-file -`, in every argument position amux uses, and are read back. This
 * is where the table in src/tmux/args.ts (which arguments tmux expands) is checked on the tmux
 * that is installed: were one of them expanded after all, a canary file would appear or the value
 * would come back changed.
 */

const VALUES = [
  "#(cd;touch CANARY-1)",
  "#{pane_id}#{session_name}",
  "##{x}#",
  "$(cd;touch CANARY-2)",
  "$HOME ${HOME}",
  "`cd;touch CANARY-3`",
  ";cd;touch CANARY-4",
  "x;",
  ";",
  "-m",
  "--detach",
  "two\nlines",
  "tab\there",
  "~",
  "~/x",
  "'\"\\",
  "a\\",
  "%Y %0 %% %12",
  "%if",
  "%hidden",
  "{ }",
  "K=V",
  "=x",
  "é日本 🙂",
];

describe("tmux reads every value literally in every argument amux writes", () => {
  test("new-session -s/-n/-c/-e, set-option, set-buffer, respawn-pane -c, pipe-pane, display-message", async ({ e2e }) => {
    const dirs = VALUES.map((v, i) => {
      // A directory whose name holds the value (a `/` cannot be in a name).
      const d = join(e2e.tmp, `d${i} ${v.replace(/\//g, "_")}`);
      mkdirSync(d);
      return d;
    });
    const script = 'printf %s "$K" > "$0/env"; sleep 0.5; echo "logged-$0"; pwd > "$0/pwd"; exec sleep 60';
    const lines = VALUES.map((v, i) =>
      groupLine([
        ["new-session", "-d", "-s", `s${i}`, "-n", v, "-c", dirs[i] as string, "-e", `K=${v}`, "--", "/bin/sh", "-c", script, dirs[i] as string],
        ["set-option", "-t", `=s${i}:`, "@v", v],
        ["set-buffer", "-b", `b${i}`, "--", v],
        ["pipe-pane", "-o", "-t", `=s${i}:`, `cat >> '${(dirs[i] as string).replace(/'/g, "'\\''")}/log'`],
        ["display-message", "-p", `@@v${i} ${escapeTimeFormat(v)}`],
      ]),
    );
    const r = await e2e.run("tmux", ["-L", e2e.socket, "-f", "/dev/null", "start-server", ";", "source-file", "-"], { input: `${lines.join("\n")}\n` });
    expect(r.stderr).toBe("");
    for (const [i, v] of VALUES.entries()) {
      const t = `=s${i}:`;
      const fmt = async (f: string) => (await e2e.tmux(["display-message", "-p", "-t", t, f])).stdout.replace(/\n$/, "");
      expect(await fmt("#{window_name}"), `-n ${JSON.stringify(v)}`).toBe(v);
      expect(await fmt("#{session_name}")).toBe(`s${i}`);
      expect((await e2e.tmux(["show-options", "-v", "-t", t, "@v"])).stdout, `set-option ${JSON.stringify(v)}`).toBe(`${v}\n`);
      expect((await e2e.tmux(["show-buffer", "-b", `b${i}`])).stdout, `set-buffer ${JSON.stringify(v)}`).toBe(v);
      expect(r.stdout, `display-message ${JSON.stringify(v)}`).toContain(`@@v${i} ${v}\n`);
      const dir = dirs[i] as string;
      await waitFor(() => existsSync(join(dir, "pwd")), 5000, `the pane of s${i} to start`);
      expect(readFileSync(join(dir, "pwd"), "utf8"), `-c ${JSON.stringify(dir)}`).toBe(`${dir}\n`);
      expect(readFileSync(join(dir, "env"), "utf8"), `-e ${JSON.stringify(v)}`).toBe(v);
      // pipe-pane: the output reached the log whose path holds the value (the terminal turns \n into \r\n).
      const logged = () => existsSync(join(dir, "log")) && readFileSync(join(dir, "log"), "utf8").replace(/\r\n/g, "\n").includes(`logged-${dir}`);
      await waitFor(logged, 5000, `the log in ${dir}`);
    }
    // new-session -s (amux's names cannot hold these characters; the escaping holds anyway).
    const named = "n#{pane_id}#(cd;touch CANARY-s) %Y";
    const r1 = await e2e.run("tmux", ["-L", e2e.socket, "source-file", "-"], {
      input: `${groupLine([["new-session", "-d", "-s", named, "--", "sleep", "60"]])}\n`,
    });
    expect(r1.stderr).toBe("");
    expect((await e2e.liveSessions()).filter((n) => n.startsWith("n"))).toEqual([named]);
    // respawn-pane -c.
    const respawn = VALUES.map((_, i) =>
      groupLine([["respawn-pane", "-k", "-t", `=s${i}:`, "-c", dirs[i] as string, "--", "/bin/sh", "-c", 'pwd > "$0/pwd2"; exec sleep 60', dirs[i] as string]]),
    );
    const r2 = await e2e.run("tmux", ["-L", e2e.socket, "source-file", "-"], { input: `${respawn.join("\n")}\n` });
    expect(r2.stderr).toBe("");
    for (const dir of dirs) {
      await waitFor(() => existsSync(join(dir, "pwd2")), 5000, `the respawned pane in ${dir}`);
      expect(readFileSync(join(dir, "pwd2"), "utf8")).toBe(`${dir}\n`);
    }
    // The canary works on this server: a format job does create the file.
    // (tmux kills a client's format jobs when it exits: this client waits a moment, and tries again.)
    await waitFor(
      async () => {
        await e2e.tmux(["display-message", "-p", "#(cd;touch CANARY-control)", ";", "run-shell", "sleep 0.5"]);
        return existsSync(join(e2e.home, "CANARY-control"));
      },
      15_000,
      "the control canary",
    );
    expect(
      listFiles(e2e.tmp)
        .filter((f) => basename(f).startsWith("CANARY-"))
        .map((f) => basename(f)),
    ).toEqual(["CANARY-control"]);
  });
});
