import { describe, expect, it } from "vitest";
import { claudeSettings, codexNotify } from "../../../src/agents/hooks.js";
import { builtinAgents } from "../../../src/config/builtins.js";
import type { Project, ResolvedAgent } from "../../../src/config/project.js";
import { buildSpawn } from "../../../src/desired/spawn.js";
import { DEFAULT_HISTORY } from "../../../src/history.js";
import { serverKey } from "../../../src/secrets.js";

const project = {
  root: "/srv/acme",
  name: "acme",
  agents: {},
  services: {},
  hooks: [],
  workspaces: { copy: [], symlink: [] },
  missing: [],
  history: DEFAULT_HISTORY,
} as unknown as Project;
const built = builtinAgents({});
const spawnOf = (agent: ResolvedAgent) =>
  buildSpawn({ project, agent, session: "acme-a-1", workspace: null, cwd: "/srv/acme", prompt: null, key: serverKey("d".repeat(64)) }, { SHELL: "/bin/sh" });
// The agent's command line stands before the wrapper's keep list, the last argument.
const commandOf = (argv: string[] | null) => argv?.[argv.length - 2];

describe("buildSpawn: reporting and resume", () => {
  it("the built-in claude reports through --settings, codex through -c notify; neither changes the hash", () => {
    const claude = spawnOf(built.claude as ResolvedAgent);
    expect(commandOf(claude.create.argv)).toBe(`claude --settings '${claudeSettings()}'`);
    expect(commandOf(claude.resumeArgv)).toBe(`claude --settings '${claudeSettings()}' --continue`);
    expect(claude.resume).toBe("claude --continue");
    const plain = spawnOf({ ...(built.claude as ResolvedAgent), report: undefined });
    expect(plain.hash).toBe(claude.hash);
    const codex = spawnOf(built.codex as ResolvedAgent);
    expect(commandOf(codex.create.argv)).toBe(`codex -c '${codexNotify()}'`);
    expect(commandOf(codex.resumeArgv)).toBe(`codex -c '${codexNotify()}' resume --last`);
  });

  it("an agent of the user's own (even with id claude) is started exactly as written", () => {
    const own: ResolvedAgent = {
      ...(built.claude as ResolvedAgent),
      builtIn: false,
      report: undefined,
      command: "claude --model opus",
      resume: "claude --model opus -c",
    };
    const b = spawnOf(own);
    expect(commandOf(b.create.argv)).toBe("claude --model opus");
    expect(commandOf(b.resumeArgv)).toBe("claude --model opus -c");
  });

  it("a resume command is not part of the hash; none means no resume", () => {
    const own: ResolvedAgent = { ...(built.gemini as ResolvedAgent), resume: undefined };
    const b = spawnOf(own);
    expect(b.resume).toBeNull();
    expect(b.resumeArgv).toBeNull();
    expect(b.hash).toBe(spawnOf(built.gemini as ResolvedAgent).hash);
  });
});
