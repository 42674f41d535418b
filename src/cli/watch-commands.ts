import { statSync } from "node:fs";
import type { ProjectOptions } from "../config/locate.js";
import { loadView } from "../desired/snapshot.js";
import { formatDuration } from "../duration.js";
import { EXIT, LockError } from "../errors.js";
import { sleep, stderrReporter } from "../io.js";
import { type AmuxEvent, clock, eventsFile, formatEvent } from "../state/events.js";
import { isLocked } from "../state/lock.js";
import { readFrom } from "../state/logs.js";
import { FleetTracker } from "../watch/fleet-tracker.js";
import { lockWatcher, Supervisor } from "../watch/supervisor.js";
import { type Color, type Outcome, out, paint, STATUS_COLOR, table, useColor } from "./output.js";

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGHUP", () => resolve("SIGHUP"));
  });
}

export async function cmdWatch(g: ProjectOptions, services: string[], o: { removeOrphans?: boolean; interval?: number; json?: boolean }): Promise<Outcome> {
  let stopRequested: () => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    stopRequested = () => resolve("down");
  });
  const sup = new Supervisor(
    { ...g, services, removeOrphans: o.removeOrphans, intervalMs: o.interval, onEvent: (e) => out(o.json ? JSON.stringify(e) : formatEvent(e)) },
    stderrReporter,
  );
  let lock: Awaited<ReturnType<typeof lockWatcher>>;
  try {
    lock = await lockWatcher(sup.root, () => {
      process.stderr.write("amux down asked this watcher to stop\n");
      stopRequested();
    });
  } catch (e) {
    if (e instanceof LockError) throw new LockError("another amux watch is already supervising this project", [e.message]);
    throw e;
  }
  process.stderr.write(`watching ${sup.root} (Ctrl-C stops watching; the fleet keeps running)\n`);
  const running = sup.run();
  const sig = await Promise.race([untilSignal(), stopped, running.then(() => "done")]);
  sup.stop();
  await running.catch(() => {});
  await lock.release();
  if (sig === "down") process.stderr.write("stopped watching\n");
  else if (sig !== "done") process.stderr.write("stopped watching; the fleet keeps running (`amux down` removes it)\n");
  // Stopping is how a watch ends: a success, whatever it met on the way (said as events).
  return EXIT.ok;
}

/** `amux events`: follows the project's event log; with no watcher running, watches statuses itself. */
export async function cmdEvents(g: ProjectOptions, o: { json?: boolean }): Promise<void> {
  const view = await loadView(g, stderrReporter.warn);
  const print = (e: AmuxEvent) => out(o.json ? JSON.stringify(e) : formatEvent(e));
  const file = eventsFile(view.root);
  let offset = 0;
  try {
    offset = statSync(file).size;
  } catch {}
  let stop = false;
  void untilSignal().then(() => {
    stop = true;
  });
  const tracker = new FleetTracker();
  let own = false;
  let partial = "";
  while (!stop) {
    const watcher = await isLocked(view.root, "watch");
    if (!watcher) {
      if (!own) process.stderr.write("no `amux watch` runs for this project: showing status changes seen from here\n");
      own = true;
      const t = await tracker.tick(view);
      for (const tr of t.transitions) {
        const s = tr.session;
        print({
          time: new Date().toISOString(),
          type: "status",
          project: view.name,
          session: tr.name,
          service: s?.labels.service ?? null,
          replica: s?.labels.replica ? Number(s.labels.replica) : null,
          from: tr.from,
          to: tr.to,
          reason: tr.reason,
          exitCode: s?.exitCode ?? null,
        });
      }
    } else own = false;
    // The watcher's events, and what merge and push append (they run without a watcher too).
    const chunk = readFrom(file, offset);
    offset = chunk.size;
    const text = partial + chunk.text;
    const cut = text.lastIndexOf("\n");
    partial = cut < 0 ? text : text.slice(cut + 1);
    for (const line of (cut < 0 ? "" : text.slice(0, cut)).split("\n")) {
      if (!line) continue;
      try {
        print(JSON.parse(line) as AmuxEvent);
      } catch {}
    }
    await sleep(own ? 1000 : 250);
  }
  tracker.close();
}

/** How long, for a person: whole seconds and up (`0s`, `42s`, `2m10s`, `1h5m`, `2d3h`), never ms. */
export function humanFor(ms: number): string {
  return formatDuration(Math.max(0, Math.floor(ms / 1000)) * 1000).replace(/^0ms$/, "0s");
}

/** Whether stdout can take a redrawn screen: a terminal with a width (a 0-column pty cannot). */
export function canRedraw(): boolean {
  return !!process.stdout.isTTY && (process.stdout.columns ?? 0) > 0;
}

/** `amux top` / `ps --watch`: one row per agent, redrawn; periodic plain tables when not on a terminal. */
export async function cmdTop(g: ProjectOptions, o: { interval?: number }): Promise<void> {
  const view = await loadView(g, stderrReporter.warn);
  const tty = canRedraw();
  const interval = o.interval ?? (tty ? 1000 : 5000);
  const tracker = new FleetTracker();
  const color = useColor();
  let stop = false;
  void untilSignal().then(() => {
    stop = true;
  });
  while (!stop) {
    const t = await tracker.tick(view);
    const now = Date.now();
    const width = tty ? (process.stdout.columns ?? 160) : 160;
    const rows = t.mine
      .slice()
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((s) => {
        const st = tracker.stateOf(s.name);
        const status = st?.status ?? "running";
        const shown = status === "exited" || status === "failed" ? `${status} (${s.exitCode})` : status;
        return [s.name, shown, humanFor(now - (st?.since ?? now)), s.labels.restarts ?? "0", s.labels.workspace ?? "-", st?.lastLine ?? ""];
      });
    const header = ["NAME", "STATUS", "FOR", "RESTARTS", "WORKSPACE", "LAST LINE"];
    // The last line takes what the other columns leave of the terminal's width.
    const used = [0, 1, 2, 3, 4].reduce((n, c) => n + Math.max(header[c]?.length ?? 0, ...rows.map((r) => r[c]?.length ?? 0)) + 2, 0);
    for (const r of rows) r[5] = (r[5] ?? "").slice(0, Math.max(10, width - used - 1));
    const body = rows.length
      ? table([header, ...rows], (r, c, cell) => {
          if (r === 0) return paint("bold", cell, color);
          const status = (rows[r - 1]?.[1] ?? "").split(" ")[0] ?? "";
          return c === 1 ? paint((STATUS_COLOR[status] ?? "gray") as Color, cell, color) : cell;
        })
      : "no sessions";
    const counts = new Map<string, number>();
    for (const st of tracker.states()) counts.set(st.status, (counts.get(st.status) ?? 0) + 1);
    const summary = [...counts].map(([k, n]) => `${n} ${k}`).join(", ") || "no sessions";
    const head = `${view.name} — ${summary} — ${clock(new Date())}`;
    if (tty) process.stdout.write(`\x1b[H\x1b[2J${head}\n\n${body}\n`);
    else out(`${head}\n${body}\n`);
    const until = Date.now() + interval;
    while (!stop && Date.now() < until) await sleep(100);
  }
  tracker.close();
}
