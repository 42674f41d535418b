import { stringify } from "yaml";
import { assertVarsSet, loadProject, maskEnv, type Project } from "../config/project.js";
import { jsonSchemaFor } from "../config/schema.js";
import { desiredFleet } from "../desired/desired.js";
import { agentProfile } from "../desired/profiles.js";
import { formatDuration } from "../duration.js";
import { EXIT, formatProblem, UsageError } from "../errors.js";
import { stderrReporter } from "../io.js";
import { throwawayKey } from "../secrets.js";
import { attachSession } from "../tmux/attach.js";
import { runAgent } from "../usecases/session.js";
import type { GlobalFlags } from "./types.js";

const out = (s: string) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);

export async function cmdRun(
  g: GlobalFlags,
  agent: string,
  o: { workspace?: string; name?: string; env?: string[]; prompt?: string; promptTimeout?: number; attach?: boolean; json?: boolean },
): Promise<void> {
  // commander sets attach=true by default because of --no-attach; only an explicit --attach counts.
  const explicitAttach = process.argv.includes("--attach");
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
    process.exitCode = EXIT.runtime;
    return;
  }
  if (r.promptNotSent) {
    process.stderr.write(`amux: the prompt was not delivered to ${r.session}; it still runs (amux send ${r.session} TEXT types into it)\n`);
    process.exitCode = EXIT.runtime;
    return;
  }
  const auto = r.project.agents[agent]?.autoAttach ?? false;
  const wantAttach = o.attach === false ? false : explicitAttach || auto;
  if (!wantAttach) return;
  if (process.stdin.isTTY && process.stdout.isTTY) await attachSession(r.session);
  else if (explicitAttach) process.stderr.write(`amux: not a terminal, so not attached; to follow its output: amux logs -f ${r.session}\n`);
}

function configView(p: Project, showSecrets: boolean) {
  const agents: Record<string, unknown> = {};
  for (const a of Object.values(p.agents)) {
    const status = agentProfile(a);
    const shown = showSecrets ? { name: a.name, command: a.command, shell: a.shell, windowName: a.windowName } : a.shown;
    agents[a.id] = {
      name: shown.name,
      builtIn: a.builtIn,
      definedIn: a.definedIn,
      command: shown.command,
      shell: shown.shell ?? null,
      windowName: shown.windowName ?? null,
      autoAttach: a.autoAttach,
      environment: showSecrets ? a.environment : maskEnv(a.environment, a.secretKeys),
      status: {
        profile: status.base,
        idleAfter: formatDuration(status.idleAfterMs),
        stuckAfter: formatDuration(status.stuckAfterMs),
        busyPatterns: status.busy.map((r) => r.source),
        waitingPatterns: status.waiting.map((r) => r.source),
        promptPatterns: status.prompt.map((r) => r.source),
      },
    };
  }
  const services: Record<string, unknown> = {};
  for (const s of Object.values(p.services)) {
    const { name: _n, environmentSecretKeys, shown, environment, ...real } = s;
    const fields = showSecrets ? real : shown;
    services[s.name] = { ...fields, environment: showSecrets ? environment : maskEnv(environment, environmentSecretKeys) };
  }
  return { project: p.name, root: p.root, composeFile: p.composeFile ?? null, configFile: p.configFile ?? null, agents, services };
}

export async function cmdConfigShow(g: GlobalFlags, o: { json?: boolean; showSecrets?: boolean }): Promise<void> {
  const p = loadProject(g);
  const view = configView(p, !!o.showSecrets);
  out(o.json ? JSON.stringify(view, null, 2) : stringify(view, { lineWidth: 0 }));
}

export async function cmdConfigValidate(g: GlobalFlags): Promise<void> {
  const p = loadProject(g);
  const files = [p.configFile, p.composeFile].filter(Boolean);
  if (!files.length) throw new UsageError("nothing to validate: no .amux/config.yaml or amux.compose.yaml here or in a parent directory");
  // What `up` would start must have every variable it uses; other agents' gaps are warnings.
  const services = Object.values(p.services);
  assertVarsSet(
    p,
    [...new Set(services.map((s) => s.agent))],
    services.map((s) => s.name),
  );
  for (const m of p.missing) process.stderr.write(`warning: ${formatProblem(m.problem)} (only matters when that agent is started)\n`);
  desiredFleet(p, throwawayKey());
  out(`valid: ${files.join(", ")} (${plural(Object.keys(p.agents).length, "agent")}, ${plural(Object.keys(p.services).length, "service")})`);
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

export async function cmdSchema(kind: string): Promise<void> {
  if (kind !== "compose" && kind !== "config") throw new UsageError(`unknown schema ${JSON.stringify(kind)}: compose or config`);
  out(JSON.stringify(jsonSchemaFor(kind), null, 2));
}
