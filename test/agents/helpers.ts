import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type PsRow, REPO_ROOT, type Repo, waitFor } from "../e2e/harness.js";

// What the opt-in real-CLI checks (npm run test:agents) share: finding the CLI, starting a
// stand-in API on loopback, and waiting for a status while saying what was seen.

/** A real agent CLI: $<env>, else `program` on PATH, else the npx cache. */
export function findCli(program: string, envVar: string, npxHint: string): string {
  const given = process.env[envVar];
  if (given) return given;
  try {
    return execFileSync("sh", ["-c", `command -v ${program}`])
      .toString()
      .trim();
  } catch {}
  const npx = join(process.env.HOME ?? "/root", ".npm", "_npx");
  for (const d of existsSync(npx) ? readdirSync(npx) : []) {
    const bin = join(npx, d, "node_modules", ".bin", program);
    if (existsSync(bin)) return bin;
  }
  throw new Error(`${program} not found: set ${envVar}, put ${program} on PATH, or run \`${npxHint}\` once`);
}

/** Starts a stand-in API from fixtures/api (it prints its port first); it logs each request's turns to `log`. */
export async function startStandIn(script: string, log: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, "fixtures/api", script)], {
    env: { ...process.env, STANDIN_LOG: log },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once("exit", (c) => reject(new Error(`stand-in API exited ${c}`)));
  });
  return { port, child };
}

/** Waits for a session's ps row to satisfy `pred`; on time-out says the statuses seen and shows the screen. */
export async function until(repo: Repo, name: string, pred: (r: PsRow) => boolean, what: string, ms = 60_000): Promise<PsRow> {
  const seen: string[] = [];
  const screen = async () => (await repo.e2e.tmux(["capture-pane", "-p", "-t", `=${name}:`])).stdout.replace(/\n\s*\n/g, "\n");
  return waitFor(
    async () => {
      const r = await repo.psRow(name);
      const s = r ? `${r.status}/${r.statusSource}` : "absent";
      if (seen[seen.length - 1] !== s) seen.push(s);
      return r && pred(r) ? r : undefined;
    },
    ms,
    () => `${name}: ${what} (seen ${seen.join(" -> ")})`,
    300,
  ).catch(async (e: Error) => {
    throw new Error(`${e.message}\nscreen:\n${await screen()}`);
  });
}
