import { readFileSync } from "node:fs";
import { locateProject } from "../config/locate.js";
import { stderrReporter } from "../core/io.js";
import { followLogs, readLog } from "../core/logs.js";
import { findSession, logTargets, sendText, stopSession } from "../core/session.js";
import { listStatus, type SessionRow } from "../core/status-view.js";
import { UsageError } from "../errors.js";
import { attachSession } from "../tmux/attach.js";
import { ago, type Color, paint, STATUS_COLOR, table, useColor } from "./style.js";
import type { GlobalFlags } from "./types.js";

const out = (s: string) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);

export async function cmdPs(g: GlobalFlags, services: string[], o: { all?: boolean; json?: boolean; wide?: boolean }): Promise<void> {
  const { rows } = await listStatus({ ...g, all: o.all, services }, stderrReporter);
  if (o.json) {
    out(JSON.stringify(rows, null, 2));
    return;
  }
  printRows(rows, !!o.wide);
}

/** Rows grouped by service, run sessions last; drift marked. */
export function printRows(rows: SessionRow[], wide: boolean): void {
  if (!rows.length) {
    out("no sessions (amux up starts the fleet, amux run starts one agent)");
    return;
  }
  const color = useColor();
  const header = ["NAME", "SERVICE", "AGENT", "STATUS", "WORKSPACE", "PID", "RESTARTS", "CREATED"];
  if (wide) header.push("WHY");
  const body = rows.map((r) => {
    const status = r.status === "exited" || r.status === "failed" ? `${r.status} (${r.exitCode ?? "?"})` : r.status;
    const cells = [
      r.name + (r.drift ? " *" : ""),
      r.service ?? "(run)",
      r.agent,
      status,
      r.workspace ?? "-",
      r.pid === null ? "-" : String(r.pid),
      String(r.restarts),
      ago(r.createdAt),
    ];
    if (wide) cells.push(r.statusReason);
    return cells;
  });
  out(
    table([header, ...body], (ri, ci, cell) => {
      if (ri === 0) return paint("bold", cell, color);
      const row = rows[ri - 1] as SessionRow;
      if (ci === 3) return paint(STATUS_COLOR[row.status] as Color, cell, color);
      return cell;
    }),
  );
  if (rows.some((r) => r.drift)) out("* differs from the compose file: `amux up` recreates it (`amux plan` says why)");
}

export async function cmdAttach(g: GlobalFlags, session: string): Promise<void> {
  const loc = locateProject(g);
  await findSession(loc, session);
  if (!process.stdin.isTTY) throw new UsageError("attach needs a terminal");
  await attachSession(session);
}

export async function cmdLogs(g: GlobalFlags, target: string, o: { follow?: boolean; lines?: number; raw?: boolean; prefix?: boolean }): Promise<void> {
  const t = await logTargets(g, target);
  const many = t.sessions.length > 1 || t.service !== null;
  const prefixOn = o.prefix !== false && many;
  const palette: Color[] = ["cyan", "yellow", "green", "magenta", "blue", "red"];
  const color = useColor();
  const width = () => Math.max(...[...known].map((s) => s.length));
  const known = new Set(t.sessions);
  const prefix = (s: string) => {
    if (!prefixOn) return "";
    const i = [...known].sort().indexOf(s);
    return paint(palette[i % palette.length] as Color, `${s.padEnd(width())} | `, color);
  };
  for (const s of t.sessions) for (const line of readLog(t.root, s, o.lines, o.raw)) out(prefix(s) + line);
  if (!o.follow) return;
  const ac = new AbortController();
  process.once("SIGINT", () => ac.abort());
  process.once("SIGTERM", () => ac.abort());
  const { listSessions } = await import("../tmux/observe.js");
  const rescan = async () => {
    if (!t.service) return [];
    const names = (await listSessions()).filter((s) => s.labels.root === t.root && s.labels.service === t.service).map((s) => s.name);
    for (const n of names) known.add(n);
    return names;
  };
  const liveness = async () =>
    new Map((await listSessions()).filter((s) => s.labels.root === t.root).map((s) => [s.name, { dead: s.dead, exitCode: s.exitCode }]));
  const onEnd = (s: string, code: number | null | "gone") => {
    const how = code === "gone" ? "stopped" : code === null ? "exited" : `exited with code ${code}`;
    process.stderr.write(`${prefix(s)}── ${s} ${how} ──\n`);
  };
  await followLogs(t.root, rescan, t.sessions, (l) => out(prefix(l.session) + l.text), ac.signal, o.raw, liveness, onEnd);
}

export async function cmdSend(g: GlobalFlags, session: string, words: string[]): Promise<void> {
  const text = words.length === 1 && words[0] === "-" ? readFileSync(0, "utf8").replace(/\n$/, "") : words.join(" ");
  if (!text) throw new UsageError("nothing to send");
  await sendText(g, session, text);
}

/** `amux stop`: sessions by name, or a service's live replicas (as compose's `stop <service>`). */
export async function cmdStop(g: GlobalFlags, names: string[]): Promise<void> {
  const { listSessions } = await import("../tmux/observe.js");
  const { projectSessions } = await import("../core/project-view.js");
  const mine = projectSessions(locateProject(g), await listSessions());
  for (const n of names) {
    const replicas = mine.some((s) => s.name === n) ? [n] : mine.filter((s) => s.labels.service === n).map((s) => s.name);
    for (const s of replicas.length ? replicas : [n]) {
      await stopSession(g, s);
      out(`stopped ${s}`);
    }
  }
}
