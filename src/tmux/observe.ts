import { TmuxError } from "../errors.js";
import { isNoServer, tmuxRaw } from "./client.js";
import { LABEL_KEYS, type Labels, type ObservedSession } from "./types.js";

const FIELDS = [
  "session_name",
  "session_created",
  "pane_id",
  "pane_pid",
  "pane_dead",
  "pane_dead_status",
  "pane_dead_time",
  "window_activity",
  "pane_current_path",
  ...LABEL_KEYS.map((k) => `@amux-${k}`),
] as const;

/** The list-panes format: one tab-separated line per pane. */
export const PANE_FORMAT = FIELDS.map((f) => `#{${f}}`).join("\t");

/** Parses list-panes output (PANE_FORMAT) into sessions, first pane of each session. Pure. */
export function parsePanes(stdout: string): ObservedSession[] {
  const seen = new Map<string, ObservedSession>();
  for (const line of stdout.split("\n")) {
    if (!line) continue;
    const f = line.split("\t");
    if (f.length < FIELDS.length) continue;
    const name = f[0] as string;
    if (seen.has(name)) continue;
    const num = (s: string | undefined) => (s === undefined || s === "" || Number.isNaN(Number(s)) ? null : Number(s));
    const labels: Labels = {};
    LABEL_KEYS.forEach((k, i) => {
      const v = f[9 + i];
      if (v !== undefined && v !== "") labels[k] = v;
    });
    const dead = f[4] === "1";
    seen.set(name, {
      name,
      createdAt: (num(f[1]) ?? 0) * 1000,
      paneId: f[2] as string,
      pid: dead ? null : num(f[3]),
      dead,
      exitCode: dead ? num(f[5]) : null,
      deadAt: dead ? (num(f[6]) ?? 0) * 1000 : null,
      activityAt: (num(f[7]) ?? 0) * 1000,
      cwd: f[8] ?? "",
      labels,
    });
  }
  return [...seen.values()];
}

/** Every session on amux's tmux server, in one tmux call; empty when no server runs. */
export async function listSessions(): Promise<ObservedSession[]> {
  const r = await tmuxRaw(["list-panes", "-a", "-F", PANE_FORMAT]);
  if (r.code !== 0) {
    if (isNoServer(r)) return [];
    throw new TmuxError(`tmux list-panes: ${r.stderr.trim()}`);
  }
  return parsePanes(r.stdout);
}
