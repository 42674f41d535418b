import type { Reporter } from "../io.js";
import { rotateLog } from "../state/logs.js";
import { createPrivateFile } from "../state/paths.js";
import { runBatch } from "../tmux/ops.js";
import { ensureScripts } from "../tmux/scripts.js";
import type { WorkspaceHost } from "../workspace/ensure.js";
import { ensureWorkspace } from "../workspace/ensure.js";
import type { Effects } from "./effects.js";

/** The effects on this machine: its tmux server, git and files; what amux did before the seam, behind it. */
export function localEffects(host: WorkspaceHost, reporter: Reporter): Effects {
  return {
    tmux: { runBatch: (lines, setup) => runBatch(lines, setup) },
    git: {
      ensureWorkspace: async (r) => ({
        dir: await ensureWorkspace(host, r.name, reporter, { branch: r.branch ?? undefined, base: r.base ?? undefined }),
      }),
    },
    files: {
      prepareLog: (step) => {
        if (step.rotate) rotateLog(step.file, step.keep);
        else createPrivateFile(step.file);
      },
      scripts: (logFile) => ensureScripts(logFile),
    },
  };
}
