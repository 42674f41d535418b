import type { Command } from "commander";
import type { ProjectOptions } from "../config/locate.js";
import { UsageError } from "../errors.js";
import type { NameSource } from "../usecases/names.js";

/**
 * Shell completion. Every shell's script asks the CLI itself (`amux __complete WORDS...`, the
 * words after `amux` with the one being completed last), as cobra-based tools do: commands and
 * flags come from the commander tree, names (sessions, services, agents, workspaces) from tmux
 * and the project snapshot. An empty answer lets the shell fall back to file names.
 */

export type { NameSource };

/** What a command's positional arguments complete to: dynamic names or fixed words. */
interface ArgSpec {
  names?: NameSource[];
  words?: string[];
  /** Every positional (stop a b c), not only the first (send SESSION TEXT). */
  variadic?: boolean;
}

/** Positional arguments by command path (aliases resolved to the command's name). */
export const ARG_SPECS: Record<string, ArgSpec> = {
  run: { names: ["agents"] },
  ps: { names: ["services", "sessions"], variadic: true },
  attach: { names: ["sessions"] },
  logs: { names: ["sessions", "services"] },
  tail: { names: ["sessions"] },
  send: { names: ["sessions"] },
  stop: { names: ["sessions"], variadic: true },
  start: { names: ["sessions"], variadic: true },
  restart: { names: ["sessions", "services"], variadic: true },
  up: { names: ["services"], variadic: true },
  plan: { names: ["services"], variadic: true },
  watch: { names: ["services"], variadic: true },
  "workspace rm": { names: ["workspaces"], variadic: true },
  completion: { words: ["bash", "zsh", "fish"] },
  schema: { words: ["compose", "config"] },
};

/** Option values by long flag: dynamic names; files and folders are left to the shell. */
const OPTION_NAMES: Record<string, NameSource> = { "--workspace": "workspaces" };

/** What to print for a command line being completed. */
export type Completion = { words: string[] } | { names: NameSource[]; prefix: string } | { files: true };

/** The completion for `words` (after `amux`; the last one is being typed). Pure over the command tree. */
export function completeWords(program: Command, words: readonly string[]): Completion {
  const cur = words[words.length - 1] ?? "";
  const done = words.slice(0, -1);
  let cmd = program;
  const path: string[] = [];
  let positionals = 0;
  for (let i = 0; i < done.length; i++) {
    const w = done[i] as string;
    if (w.startsWith("-")) {
      const opt = findOption(cmd, program, w);
      if (opt?.required && !w.includes("=")) i++;
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (sub && positionals === 0) {
      cmd = sub;
      path.push(sub.name());
      continue;
    }
    positionals++;
  }
  const prev = done[done.length - 1];
  if (prev?.startsWith("-") && !prev.includes("=")) {
    const opt = findOption(cmd, program, prev);
    if (opt?.required) {
      const long = opt.long ?? "";
      const source = OPTION_NAMES[long];
      if (source) return { names: [source], prefix: cur };
      if (opt.argChoices) return { words: filter(opt.argChoices, cur) };
      return { files: true };
    }
  }
  if (cur.startsWith("-")) {
    // Subcommands carry -f/-C/-p themselves (see addGlobalOptions); --help is commander's own.
    return { words: filter([...new Set([...optionsOf(cmd), "--help"])], cur) };
  }
  const visible = cmd.commands.filter((c) => !isHidden(c));
  if (visible.length && positionals === 0)
    return {
      words: filter(
        visible.map((c) => c.name()),
        cur,
      ),
    };
  const spec = ARG_SPECS[path.join(" ")];
  if (!spec || (positionals > 0 && !spec.variadic)) return { words: [] };
  if (spec.words) return { words: filter(spec.words, cur) };
  return { names: spec.names ?? [], prefix: cur };
}

function filter(list: readonly string[], prefix: string): string[] {
  return list.filter((w) => w.startsWith(prefix));
}

function isHidden(c: Command): boolean {
  return (c as unknown as { _hidden?: boolean })._hidden === true || c.name().startsWith("__") || c.name() === "help";
}

function optionsOf(cmd: Command): string[] {
  const out: string[] = [];
  for (const o of cmd.options) {
    if (o.hidden) continue;
    if (o.long) out.push(o.long);
    if (o.short) out.push(o.short);
  }
  return out;
}

function findOption(cmd: Command, program: Command, flag: string) {
  const f = flag.split("=")[0];
  return cmd.options.find((o) => o.long === f || o.short === f) ?? program.options.find((o) => o.long === f || o.short === f);
}

/** `amux __complete ...`: prints one candidate per line; never fails loudly (a shell is waiting). */
export async function runComplete(program: Command, args: string[]): Promise<void> {
  const kinds: NameSource[] = ["sessions", "services", "agents", "workspaces"];
  let r: Completion;
  if (args.length === 1 && (kinds as string[]).includes(args[0] as string)) r = { names: [args[0] as NameSource], prefix: "" };
  else r = completeWords(program, args.length ? args : [""]);
  if ("files" in r) return;
  let out: string[] = [];
  if ("words" in r) out = r.words;
  else {
    const g = globalsOf(args);
    const { knownNames } = await import("../usecases/names.js");
    for (const k of r.names) out.push(...(await knownNames(k, g).catch(() => [])).filter((n) => n.startsWith(r.prefix)));
  }
  if (out.length) process.stdout.write(`${[...new Set(out)].join("\n")}\n`);
}

/** -f/-C/-p as typed on the line being completed, so names come from that project. */
export function globalsOf(args: readonly string[]): ProjectOptions {
  const g: ProjectOptions = {};
  for (let i = 0; i < args.length - 1; i++) {
    const a = args[i];
    const v = args[i + 1] as string;
    if (a === "--file") g.file = v;
    else if (a === "-C" || a === "--cwd") g.cwd = v;
    else if (a === "-p" || a === "--project") g.project = v;
  }
  return g;
}

const BASH = `# amux completion for bash: add to ~/.bashrc
#   source <(amux completion bash)
_amux() {
  local IFS=$'\\n'
  COMPREPLY=($(amux __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _amux amux
`;

const ZSH = `#compdef amux
# amux completion for zsh: add to ~/.zshrc (after compinit)
#   source <(amux completion zsh)
_amux() {
  local -a candidates
  candidates=("\${(@f)$(amux __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if (( \${#candidates} )) && [[ -n "\${candidates[1]}" ]]; then
    compadd -a candidates
  else
    _files
  fi
}
if (( $+functions[compdef] )); then compdef _amux amux; fi
`;

const FISH = `# amux completion for fish: save as ~/.config/fish/completions/amux.fish
#   amux completion fish > ~/.config/fish/completions/amux.fish
function __amux_complete
    set -l tokens (commandline -opc)
    set -l out (amux __complete $tokens[2..-1] (commandline -ct) 2>/dev/null)
    if test (count $out) -eq 0
        __fish_complete_path (commandline -ct)
    else
        printf '%s\\n' $out
    end
end
complete -c amux -f -a '(__amux_complete)'
`;

/** The script for a shell. */
export function completionScript(shell: string): string {
  const s = { bash: BASH, zsh: ZSH, fish: FISH }[shell];
  if (!s) throw new UsageError(`no completion for ${JSON.stringify(shell)}: bash, zsh or fish`);
  return s;
}
