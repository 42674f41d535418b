import { closeSync, constants, lstatSync, openSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { amuxDir, ensureRuntimeDirs } from "./paths.js";
import { kindOf, setAside } from "./safe-fs.js";

/** One line of `amux events --json`. Never carries environment values. */
export interface AmuxEvent {
  time: string;
  type: "status" | "action" | "notify" | "hook" | "config" | "workspace";
  project: string;
  session?: string | undefined;
  service?: string | null | undefined;
  replica?: number | null | undefined;
  from?: string | undefined;
  to?: string | undefined;
  action?: string | undefined;
  reason?: string | undefined;
  exitCode?: number | null | undefined;
  error?: string | undefined;
  /** type workspace: the workspace, its branch, and where it went (into a branch, or a remote). */
  workspace?: string | undefined;
  branch?: string | undefined;
  into?: string | undefined;
  remote?: string | undefined;
}

const MAX_BYTES = 8 * 1024 * 1024;

export function eventsFile(root: string): string {
  return join(amuxDir(root), "state", "events.jsonl");
}

/** Appends events to the project's event log (rotated past 8 MiB), read by `amux events`. */
export function appendEvents(root: string, events: AmuxEvent[]): void {
  if (!events.length) return;
  const f = eventsFile(root);
  try {
    ensureRuntimeDirs(root);
    try {
      const st = lstatSync(f);
      // Appending to a FIFO would block until someone reads it: anything but a file is set aside.
      if (!st.isFile() && !setAside(f, `${kindOf(st)} where a file belongs`)) return;
      if (st.isFile() && st.size > MAX_BYTES) renameSync(f, `${f}.1`);
    } catch {}
    // Non-blocking: a FIFO swapped in after the check fails the open instead of hanging it.
    const fd = openSync(f, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o600);
    try {
      writeSync(fd, events.map((e) => `${JSON.stringify(e)}\n`).join(""));
    } finally {
      closeSync(fd);
    }
  } catch {
    // The event log is for watchers of the fleet; failing to write it must not stop supervision.
  }
}

/** A time of day on the 24-hour clock, local time: what `watch`, `events` and `top` print. */
export function clock(d: Date): string {
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

/** A human line for an event. */
export function formatEvent(e: AmuxEvent): string {
  const at = new Date(e.time);
  const t = Number.isNaN(at.getTime()) ? e.time.slice(11, 19) : clock(at);
  switch (e.type) {
    case "status":
      return `${t} ${e.session}: ${e.from ?? "new"} -> ${e.to}${e.reason ? ` (${e.reason})` : ""}`;
    case "action":
      return `${t} ${e.action} ${e.session}${e.reason ? ` (${e.reason})` : ""}${e.error ? `: FAILED: ${e.error}` : ""}`;
    case "notify":
      return `${t} NOTIFY ${e.session}: ${e.reason ?? ""}`;
    case "hook":
      return `${t} hook ${e.reason ?? ""}${e.session ? ` for ${e.session}` : ""}${e.error ? `: ${e.error}` : ""}`;
    case "workspace":
      return `${t} ${e.action} ${e.workspace} (${e.branch}${e.into ? ` into ${e.into}` : ""}${e.remote ? ` to ${e.remote}` : ""})${e.reason ? `: ${e.reason}` : ""}`;
    default:
      return `${t} ${e.type}: ${e.reason ?? e.error ?? ""}`;
  }
}
