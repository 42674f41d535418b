import { readFileSync } from "node:fs";
import type { ProjectOptions } from "../config/locate.js";
import { UsageError } from "../errors.js";
import { sendText, stopTarget } from "../usecases/session.js";
import { type Color, out, paint, useColor } from "./output.js";

export async function cmdAttach(g: ProjectOptions, session: string): Promise<void> {
  const { attach } = await import("../usecases/attach.js");
  await attach(g, session, !!process.stdin.isTTY && !!process.stdout.isTTY, (via, name) => process.stderr.write(`amux: ${via} → ${name}\n`));
}

export async function cmdLogs(
  g: ProjectOptions,
  target: string,
  o: { follow?: boolean; lines?: number; raw?: boolean; prefix?: boolean; timestamps?: boolean },
): Promise<void> {
  if (o.timestamps && !o.follow) throw new UsageError(TIMESTAMPS_NEED_FOLLOW);
  const { followOutput, logsOf } = await import("../usecases/inspect.js");
  const { target: t, lines } = await logsOf(g, target, { lines: o.lines, raw: o.raw });
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
  // The log is the terminal's byte stream and records no times: history is marked as such.
  const stamp = (now: boolean) => (o.timestamps ? `${now ? new Date().toISOString() : "(earlier)".padEnd(24)} ` : "");
  for (const l of lines) out(stamp(false) + prefix(l.session) + l.text);
  if (!o.follow) return;
  const ac = new AbortController();
  process.once("SIGINT", () => ac.abort());
  process.once("SIGTERM", () => ac.abort());
  await followOutput(t, {
    line: (s, text) => out(stamp(true) + prefix(s) + text),
    end: (s, code) => {
      const how = code === "gone" ? "stopped" : code === null ? "exited" : `exited with code ${code}`;
      process.stderr.write(`${prefix(s)}── ${s} ${how} ──\n`);
    },
    seen: (names) => {
      for (const n of names) known.add(n);
    },
    signal: ac.signal,
    raw: o.raw,
  });
}

const TIMESTAMPS_NEED_FOLLOW =
  "--timestamps goes with -f: a session's log is its terminal's raw output, which records no times, so amux stamps lines as they arrive while following";

export async function cmdSend(g: ProjectOptions, session: string, words: string[]): Promise<void> {
  const text = words.length === 1 && words[0] === "-" ? readFileSync(0, "utf8").replace(/\n$/, "") : words.join(" ");
  if (!text) throw new UsageError("nothing to send");
  const r = await sendText(g, session, text);
  if (r.via) process.stderr.write(`amux: ${r.via} → ${r.session}\n`);
}

export async function cmdStop(g: ProjectOptions, names: string[]): Promise<void> {
  for (const n of names) {
    const r = await stopTarget(g, n);
    if (r.service && !r.stopped.length) process.stderr.write(`amux: service ${r.service} has no live session; nothing to stop\n`);
    else if (r.service && r.stopped.length > 1) process.stderr.write(`amux: ${r.service} → all ${r.stopped.length} of its sessions\n`);
    else if (r.service) process.stderr.write(`amux: ${r.service} → ${r.stopped[0]}\n`);
    for (const s of r.stopped) out(`stopped ${s}`);
  }
}
