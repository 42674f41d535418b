import { stringify } from "yaml";
import type { ProjectOptions } from "../config/locate.js";
import { jsonSchemaFor } from "../config/schema.js";
import { EXIT, UsageError } from "../errors.js";
import { stderrReporter } from "../io.js";
import { attachStarted } from "../usecases/attach.js";
import { configOf, validateConfig } from "../usecases/config.js";
import { runAgent } from "../usecases/session.js";
import { type Outcome, out } from "./output.js";

export async function cmdRun(
  g: ProjectOptions,
  agent: string,
  /** attach: true for --attach, false for --no-attach or -d, undefined when neither was given. */
  o: { workspace?: string; name?: string; env?: string[]; prompt?: string; promptTimeout?: number; attach?: boolean | undefined; json?: boolean },
): Promise<Outcome> {
  const explicitAttach = o.attach === true;
  if (o.promptTimeout !== undefined && o.prompt === undefined) throw new UsageError("--prompt-timeout goes with --prompt");
  const r = await runAgent(
    { ...g, agent, workspace: o.workspace, name: o.name, env: o.env, prompt: o.prompt, promptTimeoutMs: o.promptTimeout },
    stderrReporter,
  );
  if (o.json) out(JSON.stringify({ session: r.session, exited: r.exited ?? null, promptSent: o.prompt === undefined ? null : !r.promptNotSent && !r.exited }));
  else out(r.session);
  if (r.exited) {
    process.stderr.write(
      `amux: ${r.session} exited at once with code ${r.exited.code}${r.exited.lastLines.length ? `; its last output:\n${r.exited.lastLines.map((l) => `  ${l}`).join("\n")}` : ""}\n  (amux logs ${r.session} shows all of it)\n`,
    );
    // 127 is the shell's "command not found": the first thing to hit with a built-in agent.
    const a = r.project.agents[agent];
    if (r.exited.code === 127 && a)
      process.stderr.write(
        `  the shell could not find \`${a.command.split(/\s+/)[0]}\`: is it installed and on PATH?${a.builtIn ? ` (${agent} is a built-in agent: it runs \`${a.command}\`)` : ""}\n`,
      );
    return EXIT.runtime;
  }
  if (r.promptNotSent) {
    process.stderr.write(`amux: the prompt was not delivered to ${r.session}; it still runs (amux send ${r.session} TEXT types into it)\n`);
    return EXIT.runtime;
  }
  const auto = r.project.agents[agent]?.autoAttach ?? false;
  const wantAttach = o.attach === false ? false : explicitAttach || auto;
  if (!wantAttach) return;
  if (process.stdin.isTTY && process.stdout.isTTY) await attachStarted(r.session);
  else if (explicitAttach) process.stderr.write(`amux: not a terminal, so not attached; to follow its output: amux logs -f ${r.session}\n`);
}

export async function cmdConfigShow(g: ProjectOptions, o: { json?: boolean; showSecrets?: boolean }): Promise<void> {
  const view = configOf(g, !!o.showSecrets);
  // YAML text ends in its own newline.
  out(o.json ? JSON.stringify(view, null, 2) : stringify(view, { lineWidth: 0 }).replace(/\n$/, ""));
}

export async function cmdConfigValidate(g: ProjectOptions): Promise<void> {
  const v = validateConfig(g, (w) => process.stderr.write(`warning: ${w}\n`));
  out(`valid: ${v.files.join(", ")} (${plural(v.agents, "agent")}, ${plural(v.services, "service")})`);
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

export async function cmdSchema(kind: string): Promise<void> {
  if (kind !== "compose" && kind !== "config") throw new UsageError(`unknown schema ${JSON.stringify(kind)}: compose or config`);
  out(JSON.stringify(jsonSchemaFor(kind), null, 2));
}
