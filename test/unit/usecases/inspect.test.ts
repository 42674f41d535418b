import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError } from "../../../src/errors.js";
import { ensureRuntimeDirs, logFile } from "../../../src/state/paths.js";
import { type SessionRecord, writeRecords } from "../../../src/state/records.js";
import { logsOf } from "../../../src/usecases/inspect.js";

/**
 * logsOf over a project with no live session: tmux is asked on a private socket where no server
 * runs (so it answers "none"), and the records and logs on disk are what there is to read.
 */
const root = realpathSync(mkdtempSync(join(tmpdir(), "amux-inspect-")));
const socket = process.env.AMUX_TMUX_SOCKET;

function record(name: string, service: string | null): SessionRecord {
  return {
    name,
    project: "demo",
    service,
    replica: service ? Number(name.split("-").pop()) : null,
    agent: "claude",
    workspace: null,
    createdAt: "2026-01-01T00:00:00.000Z",
    stoppedAt: "2026-01-01T00:01:00.000Z",
    exitCode: 0,
    restarts: 0,
  } as SessionRecord;
}

beforeAll(() => {
  process.env.AMUX_TMUX_SOCKET = `amux-unit-inspect-${process.pid}`;
  writeFileSync(join(root, "amux.compose.yaml"), "name: demo\nservices:\n  web:\n    agent: claude\n  idle:\n    agent: claude\n");
  ensureRuntimeDirs(root);
  writeRecords(root, [record("web-2", "web"), record("web-1", "web"), record("solo", null)]);
  writeFileSync(logFile(root, "web-1"), "one a\none b\n");
  writeFileSync(logFile(root, "web-2"), "two a\ntwo b\ntwo c\n");
  writeFileSync(logFile(root, "solo"), "\x1b[1mbold\x1b[0m line\n");
});

afterAll(() => {
  if (socket === undefined) delete process.env.AMUX_TMUX_SOCKET;
  else process.env.AMUX_TMUX_SOCKET = socket;
  rmSync(root, { recursive: true, force: true });
});

describe("logsOf: what `amux logs` and MCP session_logs print", () => {
  it("a service: every replica's last lines, in name order, each line with its session", async () => {
    const r = await logsOf({ cwd: root }, "web", { lines: 2 });
    expect(r.target).toEqual({ root, sessions: ["web-1", "web-2"], service: "web" });
    expect(r.lines).toEqual([
      { session: "web-1", text: "one a" },
      { session: "web-1", text: "one b" },
      { session: "web-2", text: "two b" },
      { session: "web-2", text: "two c" },
    ]);
  });

  it("one recorded session: all of its log, escape codes removed unless raw", async () => {
    const r = await logsOf({ cwd: root }, "solo");
    expect(r.target.service).toBeNull();
    expect(r.lines).toEqual([{ session: "solo", text: "bold line" }]);
    expect((await logsOf({ cwd: root }, "solo", { raw: true })).lines).toEqual([{ session: "solo", text: "\x1b[1mbold\x1b[0m line" }]);
  });

  it("a declared service with no session yet: nothing to read, not an error", async () => {
    expect(await logsOf({ cwd: root }, "idle")).toEqual({ target: { root, sessions: [], service: "idle" }, lines: [] });
  });

  it("an unknown name: NotFoundError naming what exists", async () => {
    const e = await logsOf({ cwd: root }, "nope").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as NotFoundError).message).toBe("no session or service nope");
  });
});
