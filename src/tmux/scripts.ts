import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { readRegular, writeState } from "../state/safe-fs.js";
import { EXIT_WRAPPER } from "./agent-wrapper.js";
import { LOG_WRITER } from "./log-writer.js";

/** The pane wrapper and the log writer as files: each session's tmux line names them instead of carrying them. */
export interface Scripts {
  agent: string;
  log: string;
}

const written = new Map<string, Scripts | undefined>();

/**
 * Writes the pane wrapper and the log writer once into the logs folder (0600, atomically), so
 * that a batch of N sessions does not hand tmux N copies of them to parse (about 1 KB a session,
 * a third of `up`'s tmux time). undefined when they cannot be written (a read-only or garbled
 * .amux): then every line carries them inline, as before.
 */
export function ensureScripts(logFile: string): Scripts | undefined {
  const dir = dirname(logFile);
  const known = written.get(dir);
  // Written earlier by this process (a long `watch`): still there? Someone may have removed them.
  if (known && existsSync(known.agent) && existsSync(known.log)) return known;
  const root = dirname(dirname(dir));
  let out: Scripts | undefined = { agent: join(dir, ".amux-agent.sh"), log: join(dir, ".amux-log.sh") };
  for (const [path, text] of [
    [out.agent, EXIT_WRAPPER],
    [out.log, LOG_WRITER],
  ] as const) {
    const cur = readRegular(path, 64 * 1024);
    if (cur.ok && cur.text === text) continue;
    if (!writeState(root, path, text)) {
      out = undefined;
      break;
    }
  }
  written.set(dir, out);
  return out;
}

/** The pane's argv: the wrapper named by its file when there is one (`sh FILE args`, $1… unchanged). */
export function paneArgv(argv: readonly string[], scripts: Scripts | undefined): string[] {
  if (scripts && argv[0] === "/bin/sh" && argv[1] === "-c" && argv[2] === EXIT_WRAPPER && argv[3] === "amux-agent") {
    return ["/bin/sh", scripts.agent, ...argv.slice(4)];
  }
  return [...argv];
}
