import { z } from "zod";
import { parseDuration } from "../duration.js";
import { parseSize } from "../history.js";
import { checkBase, checkBranch, HOST_RULES, NAME_PATTERNS, type NameKind, RESERVED_NAMES, suggestName } from "../names.js";
import { patternRisk } from "../status/user-regex.js";
import { schemaId } from "./templates.js";

/** "service names must match ...; did you mean auth-service?": the pattern, and a valid form when there is one. */
function nameError(kind: NameKind, what: string) {
  return (iss: { input?: unknown }) => {
    const hint = typeof iss.input === "string" ? suggestName(kind, iss.input) : undefined;
    return `${what} must match ${NAME_PATTERNS[kind].source}${hint ? `; did you mean ${hint}?` : ""}`;
  };
}

const duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, { message: "expected a duration like 500ms, 3s, 10m, 1h or 7d" })
  .describe("A duration: 500ms, 3s, 10m, 1h, 7d.");

/** A string that `check` finds nothing wrong with; its message is the issue. */
const checked = (check: (s: string) => string | undefined) =>
  z.string().superRefine((s, ctx) => {
    const problem = check(s);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const branchName = checked(checkBranch);
const baseRef = checked(checkBase);

const regexSource = z
  .string()
  .refine(
    (s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    },
    { message: "not a valid JavaScript regular expression" },
  )
  .superRefine((s, ctx) => {
    // Patterns run on every screen line of every ps: refuse what could hang it (see user-regex.ts).
    let risk: string | undefined;
    try {
      risk = patternRisk(new RegExp(s));
    } catch {}
    if (risk) ctx.addIssue({ code: "custom", message: risk });
  });

const patterns = (what: string) =>
  z.array(regexSource).describe(`${what} JavaScript regular expressions, matched line by line against the visible screen with escape codes stripped.`);

export const statusSchema = z
  .strictObject({
    profile: z
      .enum(["claude", "codex", "gemini", "aider", "generic"])
      .optional()
      .describe("Built-in profile to start from; default: chosen by the agent id or its command's program name."),
    idleAfter: duration.optional().describe("Quiet this long means idle (default 3s)."),
    stuckAfter: duration.optional().describe("Quiet this long while not at a prompt or question means stuck (default 10m)."),
    busyPatterns: patterns("Busy markers (the agent is working):").optional(),
    waitingPatterns: patterns("Questions the agent needs answered:").optional(),
    promptPatterns: patterns("The agent's input prompt:").optional(),
  })
  .describe("Status detection overrides for this agent; patterns given here replace the profile's.");

const notReserved = (what: string) => [(s: string) => !RESERVED_NAMES.has(s), { message: `${what} must not be __proto__, constructor or prototype` }] as const;
const envKey = z
  .string()
  .regex(NAME_PATTERNS.envKey, { message: "invalid environment variable name" })
  .refine(...notReserved("environment variable names"));
export const environmentSchema = z.record(envKey, z.union([z.string(), z.number(), z.boolean(), z.null()])).describe(
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the text names the syntax
  "Environment variables for the agent; ${VAR}, ${VAR:-default} and $$ are expanded from the invoking environment; a key with no value passes that variable through from the invoking environment. Values from the environment, and values of keys like *KEY*, *TOKEN*, *SECRET*, *PASSWORD*, *CREDENTIAL*, are secrets: never shown or stored.",
);

export const agentSchema = z
  .strictObject({
    name: z.string().optional().describe("Display name."),
    type: z.literal("tmux").default("tmux").describe("How the agent runs; only tmux."),
    environment: environmentSchema.optional(),
    params: z
      .strictObject({
        command: z.string().min(1, { message: "must not be empty" }).describe("The shell command line that starts the agent."),
        shell: z.string().min(1).optional().describe("Shell that runs the command (default: $SHELL, else /bin/sh)."),
        windowName: z.string().min(1).optional().describe("tmux window name."),
        autoAttach: z.boolean().optional().describe("Attach after `amux run` when on a terminal (default false)."),
        resume: z
          .string()
          .min(1, { message: "must not be empty" })
          .optional()
          .describe(
            "The shell command line that continues the agent's last conversation in its workspace (e.g. `claude --continue`); used when amux restarts a replica or re-creates one whose session was lost. Not part of the spawn hash.",
          ),
      })
      .describe("tmux parameters."),
    status: statusSchema.optional(),
  })
  .describe("An agent definition.");

const agentId = z
  .string()
  .regex(NAME_PATTERNS.agent, { error: nameError("agent", "agent ids") })
  .refine(...notReserved("agent ids"));
export const agentsSchema = z.record(agentId, agentSchema).describe("Agents by id.");

export const configSchema = z
  .strictObject({
    agents: agentsSchema.default({}),
  })
  .describe("amux agent configuration (.amux/config.yaml).");

const serviceName = z
  .string()
  .regex(NAME_PATTERNS.service, { error: nameError("service", "service names") })
  .refine(...notReserved("service names"));

const hostId = z
  .string()
  .regex(NAME_PATTERNS.host, { error: nameError("host", "host ids") })
  .refine(...notReserved("host ids"));

/** A required string whose absence says what it is for. */
const required = (missing: string) => z.string({ error: (iss) => (iss.input === undefined ? missing : "expected a string") });

export const hostSchema = z
  .strictObject({
    ssh: required("a host needs ssh: its ssh destination (a ~/.ssh/config alias, user@host or ssh://user@host:port)")
      .min(1, { message: "must not be empty" })
      .refine(HOST_RULES.ssh[0].ok, { message: HOST_RULES.ssh[0].message })
      .refine(HOST_RULES.ssh[1].ok, { message: HOST_RULES.ssh[1].message })
      .describe(
        "The ssh destination: a ~/.ssh/config alias, user@host, or ssh://user@host:port. amux runs the system's ssh with the user's own ~/.ssh/config, keys and agent, in batch mode (no prompts), over one persistent connection per host.",
      ),
    root: required("a host needs root: the path of the project's checkout on that host (a clone of this repository)")
      .refine(HOST_RULES.root[0].ok, { message: HOST_RULES.root[0].message })
      .describe("The project's checkout on that host (a clone of this repository): its workspaces are worktrees of it."),
  })
  .describe("A machine the fleet runs on, reached through ssh; it needs tmux, git and a POSIX shell, never amux.");

export const serviceSchema = z
  .strictObject({
    agent: z.string().describe("An agent id from .amux/config.yaml or this file's agents."),
    host: z
      .union([hostId, z.array(hostId).min(1, { message: "a list of hosts needs at least one" })])
      .optional()
      .describe("Where the replicas run: a host id of hosts:, or a list that spreads them (replica n on hosts[(n-1) % length]); default: this machine."),
    workspace: z
      .string()
      .regex(NAME_PATTERNS.workspace, { error: nameError("workspace", "workspace names") })
      .refine((s) => !s.includes(".."), { message: 'workspace names must not contain ".."' })
      .optional()
      .describe("Workspace (git worktree) the replicas run in; omitted = the project root directory."),
    branch: branchName
      .optional()
      .describe(
        "Branch of a new workspace (default amux/<workspace>); with isolation: replica, <branch>-<n>. A branch name git accepts, never starting with -.",
      ),
    base: baseRef
      .optional()
      .describe(
        "Start point of a new workspace's branch (default: workspaces.base, else the current branch): a branch, tag or commit, e.g. origin/main, v1.2, HEAD~2.",
      ),
    replicas: z.number().int().min(0).max(1000).default(1).describe("How many sessions of this service (0 allowed)."),
    prompt: z.string().optional().describe("Text sent once the agent is ready for input."),
    environment: environmentSchema.optional().describe("Merged over the agent's environment."),
    restart: z.enum(["no", "on-failure", "always"]).default("no").describe("Restart policy for exited agents."),
    maxRestarts: z.number().int().min(0).default(5).describe("After this many restarts the replica is failed until its config changes."),
    onStuck: z.enum(["none", "notify", "restart"]).default("none").describe("What watch mode does with a stuck replica."),
    stuckAfter: duration.optional().describe("Overrides the agent's stuckAfter for this service."),
    isolation: z.enum(["shared", "replica"]).default("shared").describe("shared: replicas share the workspace; replica: each gets <workspace>-<n>."),
  })
  .describe("A service: an agent run as N replicas in a workspace.");

const relPath = z
  .string()
  .min(1)
  .refine((s) => !s.startsWith("/") && !s.split("/").includes(".."), { message: "must be a relative path inside the checkout" });

export const workspacesSchema = z
  .strictObject({
    root: z.string().min(1).optional().describe("Folder that holds the workspaces (default: <checkout>.worktrees beside the checkout)."),
    base: baseRef.optional().describe("Branch, tag or commit new workspaces start from (default: the current branch), e.g. main, origin/main, v1.2."),
    copy: z.array(relPath).default([]).describe("Files copied from the main checkout into each new worktree (e.g. .env)."),
    symlink: z.array(relPath).default([]).describe("Paths symlinked from the main checkout into each new worktree (e.g. node_modules)."),
    setup: z.string().min(1).optional().describe("Shell command run once in each new worktree; its failure is reported."),
  })
  .describe("How workspaces (git worktrees) are made.");

export const HOOK_EVENTS = ["running", "waiting", "idle", "stuck", "exited", "failed", "stopped", "notify", "workspace.merged", "workspace.pushed"] as const;

export const hookSchema = z
  .strictObject({
    on: z
      .array(z.enum(HOOK_EVENTS))
      .min(1)
      .describe(
        "Statuses that trigger the hook when a session enters them; notify = onStuck: notify; workspace.merged / workspace.pushed = `amux merge` / `amux push` landed a workspace (AMUX_WORKSPACE, AMUX_BRANCH, AMUX_REMOTE).",
      ),
    services: z.array(serviceName).optional().describe("Only sessions of these services (default: all, run sessions too)."),
    run: z
      .string()
      .min(1)
      .describe("Shell command; AMUX_EVENT, AMUX_SESSION, AMUX_SERVICE, AMUX_STATUS, AMUX_PREVIOUS_STATUS, AMUX_REASON… describe the event."),
    timeout: duration.default("10s").describe("Killed after this long."),
  })
  .describe("A command run on status changes.");

const size = z
  .union([z.string(), z.number().int().min(0)])
  .refine((v) => parseSize(v) !== undefined, { message: "expected a size like 10MB, 512KB, 1GB or a number of bytes" })
  .describe("A size: 512KB, 10MB, 1GB (binary units), or bytes.");

export const logsSchema = z
  .strictObject({
    maxSize: size.optional().describe("Each session's log is rotated when it reaches this size (default 10MB)."),
    keep: z.number().int().min(0).max(20).optional().describe("Rotated files kept per session, <session>.log.1 … .<keep> (default 2; 0 truncates instead)."),
  })
  .describe("Session logs: a size cap with rotation, enforced by the writer tmux feeds.");

export const retentionSchema = z
  .strictObject({
    maxAge: duration.optional().describe("Records and logs of sessions gone longer than this are dropped (default 7d)."),
    maxStopped: z.number().int().min(0).optional().describe("At most this many gone sessions are remembered, oldest dropped first (default 50)."),
  })
  .describe("What amux remembers of sessions that are gone (`ps --all`, `logs`); `amux prune` drops it all on demand.");

export const composeSchema = z
  .strictObject({
    name: z
      .string()
      .regex(NAME_PATTERNS.project, { error: nameError("project", "project names") })
      .optional()
      .describe("Project name (default: the root directory's name)."),
    agents: agentsSchema.optional().describe("Agents defined here override .amux/config.yaml agents by id."),
    hosts: z.record(hostId, hostSchema).optional().describe("Machines the fleet runs on, by id; a service picks them with host:."),
    services: z.record(serviceName, serviceSchema).default({}).describe("Services by name."),
    workspaces: workspacesSchema.optional(),
    hooks: z.array(hookSchema).optional().describe("Commands run on status changes (by `amux watch`)."),
    logs: logsSchema.optional(),
    retention: retentionSchema.optional(),
  })
  .describe("amux fleet (amux.compose.yaml).");

export type AgentInput = z.output<typeof agentSchema>;
export type ServiceInput = z.output<typeof serviceSchema>;
export type ComposeInput = z.output<typeof composeSchema>;
export type HookInput = z.output<typeof hookSchema>;
export type HostInput = z.output<typeof hostSchema>;
export type WorkspacesInput = z.output<typeof workspacesSchema>;

/** JSON Schema for editors, generated from the zod schemas. */
export function jsonSchemaFor(kind: "compose" | "config"): unknown {
  const schema = kind === "compose" ? composeSchema : configSchema;
  const out = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return {
    $schema: out.$schema,
    $id: schemaId(kind),
    title: kind === "compose" ? "amux.compose.yaml" : ".amux/config.yaml",
    ...out,
  };
}
