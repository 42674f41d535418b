import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_WRAPPER } from "../../../src/tmux/agent-wrapper.js";
import { LOG_WRITER, logWriterCommand } from "../../../src/tmux/log-writer.js";
import { ensureScripts, paneArgv } from "../../../src/tmux/scripts.js";

describe("shared pane scripts", () => {
  it("are written once beside the logs, private, and named instead of carried", () => {
    const root = mkdtempSync(join(tmpdir(), "amux-scripts-"));
    const logs = join(root, ".amux", "logs");
    mkdirSync(logs, { recursive: true });
    const s = ensureScripts(join(logs, "a-1.log"));
    expect(s).toEqual({ agent: join(logs, ".amux-agent.sh"), log: join(logs, ".amux-log.sh") });
    expect(readFileSync(join(logs, ".amux-agent.sh"), "utf8")).toBe(EXIT_WRAPPER);
    expect(readFileSync(join(logs, ".amux-log.sh"), "utf8")).toBe(LOG_WRITER);
    expect(statSync(join(logs, ".amux-log.sh")).mode & 0o777).toBe(0o600);
    const argv = ["/bin/sh", "-c", EXIT_WRAPPER, "amux-agent", "/bin/bash", "claude", "PATH HOME"];
    expect(paneArgv(argv, s)).toEqual(["/bin/sh", join(logs, ".amux-agent.sh"), "/bin/bash", "claude", "PATH HOME"]);
    expect(paneArgv(argv, undefined)).toEqual(argv);
    expect(paneArgv(["/bin/sh", "-c", "other"], s)).toEqual(["/bin/sh", "-c", "other"]);
    expect(logWriterCommand("/x/a b.log", { maxBytes: 2048, keep: 1 }, "/x/.amux-log.sh")).toBe("set -- '/x/a b.log' 2048 1; . '/x/.amux-log.sh'");
  });

  it("are written again when removed while amux runs (a long watch)", () => {
    const root = mkdtempSync(join(tmpdir(), "amux-scripts-gone-"));
    const logs = join(root, ".amux", "logs");
    mkdirSync(logs, { recursive: true });
    const s = ensureScripts(join(logs, "a-1.log"));
    rmSync(join(logs, ".amux-agent.sh"));
    expect(ensureScripts(join(logs, "a-2.log"))).toEqual(s);
    expect(readFileSync(join(logs, ".amux-agent.sh"), "utf8")).toBe(EXIT_WRAPPER);
  });

  it("where they cannot be written, lines carry them inline", () => {
    // /proc takes no files, even from root.
    expect(ensureScripts("/proc/amux-none/.amux/logs/a-1.log")).toBeUndefined();
  });
});
