import { spawn } from "node:child_process";
import type { HookInput } from "../config/schema.js";
import { parseDuration } from "../duration.js";

/** What a hook is told about the event, as AMUX_* variables. */
export interface HookEvent {
  event: string;
  project: string;
  root: string;
  session: string;
  service: string | null;
  replica: number | null;
  status: string;
  previousStatus: string | null;
  reason: string;
  exitCode: number | null;
  /** workspace.* events: the workspace, its branch, and the remote pushed to. */
  workspace?: string | undefined;
  branch?: string | undefined;
  remote?: string | undefined;
}

export function hookEnv(e: HookEvent): Record<string, string> {
  return {
    AMUX_EVENT: e.event,
    AMUX_PROJECT: e.project,
    AMUX_ROOT: e.root,
    AMUX_SESSION: e.session,
    AMUX_SERVICE: e.service ?? "",
    AMUX_REPLICA: e.replica === null ? "" : String(e.replica),
    AMUX_STATUS: e.status,
    AMUX_PREVIOUS_STATUS: e.previousStatus ?? "",
    AMUX_REASON: e.reason,
    AMUX_EXIT_CODE: e.exitCode === null ? "" : String(e.exitCode),
    ...(e.workspace !== undefined ? { AMUX_WORKSPACE: e.workspace, AMUX_BRANCH: e.branch ?? "", AMUX_REMOTE: e.remote ?? "" } : {}),
  };
}

/** Hooks that fire for an event: `on` names it, and `services` (if any) holds the session's service. */
export function matchingHooks<H extends HookInput>(hooks: H[], event: string, service: string | null): H[] {
  return hooks.filter((h) => (h.on as string[]).includes(event) && (!h.services || (service !== null && h.services.includes(service))));
}

export interface HookOutcome {
  ok: boolean;
  code: number | null;
  timedOut: boolean;
  output: string;
}

/** Runs one hook command (the user's own shell line) with a timeout; never throws. */
export function runHook(h: HookInput, e: HookEvent, cwd: string): Promise<HookOutcome> {
  const timeoutMs = parseDuration(h.timeout) ?? 10_000;
  return new Promise((resolve) => {
    let output = "";
    let timedOut = false;
    const child = spawn("/bin/sh", ["-c", h.run], { cwd, env: { ...process.env, ...hookEnv(e) }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const keep = (d: Buffer) => {
      if (output.length < 4000) output += d.toString();
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => {
      timedOut = true;
      // The hook's own process group: the shell and whatever it started.
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ ok: false, code: null, timedOut, output: err.message });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0 && !timedOut, code, timedOut, output: output.trim() });
    });
  });
}
