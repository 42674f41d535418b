/**
 * The commented files `amux init` writes (and `amux config edit` starts from): each key explained
 * where it stands, an example that uses a built-in agent, and every line valid as written.
 */

/** Where the published JSON Schemas live (the `$id` of each generated schema). */
export function schemaId(kind: "compose" | "config"): string {
  return `https://amux.dev/schemas/amux.${kind}.schema.json`;
}

const BUILTIN_LINE = "claude, codex, gemini, aider, opencode, qwen";

/** `.amux/config.yaml`: agents, checked in. `schemaRef` is the $schema target for editors. */
export function configTemplate(schemaRef: string): string {
  return `# yaml-language-server: $schema=${schemaRef}
# amux agents for this project (check this file in). \`amux config show\` prints the resolved
# configuration, \`amux config edit\` opens this file and validates it, \`amux config validate\`
# checks it without opening it.
#
# Built in, nothing to write: ${BUILTIN_LINE}
# (each runs the program of that name, with status rules for it). Define an agent here with
# the same id to change one; the compose file's agents: override this file by id.
agents:
  # An id (letters, digits, - and _): \`amux run claude-opus\` starts it, services name it in agent:.
  claude-opus:
    name: Claude Opus              # display name (default: the id)
    type: tmux                     # how it runs: tmux, the only kind
    environment:                   # variables for the agent; \${VAR}, \${VAR:-default} and $$ (a
      ANTHROPIC_MODEL: opus        # literal $) expand from your environment when the file is read,
      # ANTHROPIC_API_KEY: \${ANTHROPIC_API_KEY}   # and values from \${VAR} are never shown
    params:
      command: claude --model opus # the shell command line that starts the agent
      # shell: /bin/zsh            # the shell that runs it (default: $SHELL, else /bin/sh)
      # windowName: claude         # tmux window name
      # autoAttach: true           # attach after \`amux run\` when on a terminal (default false)
    # status:                      # how amux tells running / waiting / idle / stuck apart
    #   profile: claude            # rules to start from: claude | codex | gemini | aider | generic
    #   idleAfter: 3s              # quiet this long = idle
    #   stuckAfter: 10m            # quiet this long, not at a prompt or question = stuck
    #   busyPatterns: ["esc to interrupt"]            # JavaScript regular expressions, matched
    #   waitingPatterns: ["Do you want to proceed\\\\?"] # line by line against the screen; given
    #   promptPatterns: ["^> ?$"]                     # lists replace the profile's
`;
}

/** `amux.compose.yaml`: the fleet, checked in. */
export function composeTemplate(schemaRef: string, projectName: string): string {
  return `# yaml-language-server: $schema=${schemaRef}
# The fleet: \`amux up\` starts what is declared here and converges live tmux to it (a second
# \`up\` changes nothing), \`amux plan\` says what \`up\` would do, \`amux ps\` shows each agent's
# status, \`amux down\` removes them all, \`amux watch\` re-converges on every edit.
#
# name: ${projectName}${" ".repeat(Math.max(1, 22 - projectName.length))}# project name (default: this directory's name); sessions are <name>-<service>-<n>

# agents:                        # optional: agents for this fleet, as in .amux/config.yaml
#   reviewer:                    # (overriding it and the built-ins by id)
#     params: { command: codex }

services:
  assistant:                     # a service name (lower-case letters, digits, - and _)
    agent: claude                # an agent id: built in (${BUILTIN_LINE}),
                                 # from .amux/config.yaml, or from agents: above
    replicas: 1                  # how many sessions of it (0 allowed); scale by editing and \`amux up\`
    # workspace: feature-x       # run in a git worktree on branch amux/feature-x (made on demand);
                                 # omitted = the project root directory
    # isolation: replica         # with replicas > 1: each replica gets its own worktree <workspace>-<n>
    # prompt: "Read README.md and summarise the open TODOs"   # sent once the agent is ready for input
    # environment: { MODEL: opus }                            # merged over the agent's environment
    # restart: on-failure        # no | on-failure | always: what \`up\`/\`watch\` do when it exits
    # maxRestarts: 5             # then the replica is failed until its config changes
    # onStuck: notify            # none | notify | restart: what \`watch\` does when it is stuck

# workspaces:                    # optional: how worktrees are made
#   base: main                   # branch new worktrees start from (default: the current branch)
#   copy: [.env]                 # files copied from this checkout into each new worktree
#   symlink: [node_modules]      # paths symlinked likewise
#   setup: npm ci                # run once in each new worktree

# hooks:                         # optional: commands \`amux watch\` runs on status changes
#   - on: [waiting, stuck]
#     run: 'notify-send amux "$AMUX_SESSION is $AMUX_STATUS"'
`;
}
