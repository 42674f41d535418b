import { BASELINE_KEYS, baselineOf, PANE_KEYS } from "../agent-env.js";
import { withReporting } from "../agents/hooks.js";
import type { Project, ResolvedAgent, ServiceDecl } from "../config/project.js";
import type { DigestKey } from "../secrets.js";
import { logFile } from "../state/paths.js";
import { EXIT_WRAPPER } from "../tmux/agent-wrapper.js";
import type { Labels, SessionCreate } from "../tmux/types.js";
import { hashSummary, type SpawnSpec, summarizeSpec } from "./spec.js";

export { EXIT_WRAPPER } from "../tmux/agent-wrapper.js";

/** Everything needed to start (or compare) one session. */
export interface SpawnBuild {
  spec: SpawnSpec;
  hash: string;
  summary: Record<string, string>;
  create: SessionCreate;
  secretKeys: string[];
  prompt: string | null;
  /** The agent's resume command line (params.resume), as declared; null when it has none. */
  resume: string | null;
  /** The program and its arguments that resume instead of starting afresh (same shell and wrapper). */
  resumeArgv: string[] | null;
  /** The key its digests were made with. */
  key: DigestKey;
}

export interface SpawnRequest {
  project: Project;
  agent: ResolvedAgent;
  session: string;
  service?: ServiceDecl | undefined;
  replica?: number | undefined;
  workspace: string | null;
  cwd: string;
  extraEnv?: Record<string, string> | undefined;
  extraSecretKeys?: string[] | undefined;
  prompt: string | null;
  /** The tmux server's digest key (`@amux-key`). */
  key: DigestKey;
  /**
   * The host it runs on (compose `hosts:`); absent or null: this machine. On a host, `cwd` is a
   * path there, the log and AMUX_ROOT are under the host's `root`, and this machine's baseline
   * environment is not sent (the host's tmux server has the host's own).
   */
  host?: { id: string; root: string } | null | undefined;
}

/** The baseline variables a pane on a host keeps from that host's tmux server (its own PATH, HOME…). */
const HOST_BASELINE_KEYS: readonly string[] = [...BASELINE_KEYS, "LC_ALL", "LC_CTYPE", "LC_MESSAGES"];

/** Builds the spawn spec, its hash and the tmux creation request for one session. Pure. */
export function buildSpawn(r: SpawnRequest, env: NodeJS.ProcessEnv = process.env): SpawnBuild {
  const declared: Record<string, string> = { ...r.agent.environment, ...(r.service?.environment ?? {}), ...(r.extraEnv ?? {}) };
  const secretKeys = [...new Set([...r.agent.secretKeys, ...(r.service?.environmentSecretKeys ?? []), ...(r.extraSecretKeys ?? [])])];
  const spec: SpawnSpec = {
    command: r.agent.command,
    shell: r.agent.shell ?? "default",
    cwd: r.cwd,
    env: declared,
    prompt: r.prompt,
    windowName: r.agent.windowName ?? null,
  };
  const shown = { command: r.agent.shown.command, shell: r.agent.shown.shell ?? "default", windowName: r.agent.shown.windowName ?? null };
  const host = r.host ?? null;
  const summary = summarizeSpec(spec, { secretKeys, shown }, r.key);
  // Only a replica on a host says so: this machine's replicas keep the hashes they had.
  if (host) summary.host = host.id;
  const hash = hashSummary(summary);
  const amuxEnv: Record<string, string> = {
    AMUX_PROJECT: r.project.name,
    AMUX_ROOT: host ? host.root : r.project.root,
    AMUX_SESSION: r.session,
    AMUX_AGENT: r.agent.id,
    AMUX_WORKSPACE: r.workspace ?? "",
    AMUX_WORKSPACE_PATH: r.cwd,
  };
  // amux run by the agent itself must reach the same tmux server.
  if (env.AMUX_TMUX_SOCKET) amuxEnv.AMUX_TMUX_SOCKET = env.AMUX_TMUX_SOCKET;
  if (r.service) amuxEnv.AMUX_SERVICE = r.service.name;
  if (r.replica !== undefined) amuxEnv.AMUX_REPLICA = String(r.replica);
  const labels: Labels = {
    root: r.project.root,
    project: r.project.name,
    agent: r.agent.id,
    hash,
    restarts: "0",
    v: "1",
    spec: JSON.stringify(summary),
  };
  if (r.service) labels.service = r.service.name;
  if (r.replica !== undefined) labels.replica = String(r.replica);
  if (r.workspace) labels.workspace = r.workspace;
  const shell = r.agent.shell ?? (host ? "/bin/sh" : env.SHELL || "/bin/sh");
  // The invoking baseline first (tmux sets the pane's TERM itself), then what was declared. On a
  // host, the baseline is the host's: its server's global environment, which the pane keeps.
  const { TERM: _term, ...baseline } = host ? {} : baselineOf(env);
  const agentEnv = { ...baseline, ...declared, ...amuxEnv };
  const keep = [...new Set([...Object.keys(agentEnv), ...PANE_KEYS, ...(host ? HOST_BASELINE_KEYS : [])])].join(" ");
  // A built-in agent reports its state through its own hooks: options added at spawn time, outside the hash.
  const program = r.agent.command.trim().split(/\s+/)[0] ?? "";
  const launch = (line: string) => ["/bin/sh", "-c", EXIT_WRAPPER, "amux-agent", shell, withReporting(line, r.agent.report, program), keep];
  const resume = r.agent.resume ?? null;
  return {
    spec,
    hash,
    summary,
    secretKeys,
    prompt: r.prompt,
    resume,
    resumeArgv: resume === null ? null : launch(resume),
    key: r.key,
    create: {
      name: r.session,
      cwd: r.cwd,
      argv: launch(r.agent.command),
      env: agentEnv,
      windowName: r.agent.windowName,
      labels,
      logFile: logFile(host ? host.root : r.project.root, r.session),
      logCap: { maxBytes: r.project.history.logMaxBytes, keep: r.project.history.logKeep },
    },
  };
}

/** Each declared replica's working directory, by session name (what observe/previous.ts checks for). */
export function dirsOf(builds: ReadonlyMap<string, SpawnBuild>): Map<string, string> {
  return new Map([...builds].map(([name, b]) => [name, b.create.cwd]));
}
