import { createHash } from "node:crypto";
import { stripEscapes } from "./classify.js";

/**
 * Progress of a busy agent, told apart from the motion of a busy marker. A stalled API call keeps
 * a spinner turning and an elapsed-time counter ticking, so the screen is never quiet; progress is
 * a change of the screen once those volatile parts are taken out. The fingerprint of a screen is
 * a short hash of what is left; it is kept per pane with the time it last changed (the pane
 * option `@amux-progress`, below), so that any `amux ps` can tell how long a busy pane has made
 * no progress without a daemon. Pure.
 */

/** Spinner glyphs agents animate: Braille frames, Claude's stars and dots, Gemini's and Codex's markers. */
const SPINNER = "[\\u2800-\\u28ff✻✶✳✢✽✺✹✷✸✵·•*●◐◓◑◒◴◵◶◷◰◱◲◳⣾⣽⣻⢿⡿⣟⣯⣷|/\\\\-]";
/** A spinner glyph standing alone: at the start of a row, or between blanks. */
const LONE_SPINNER = new RegExp(`(^|\\s)${SPINNER}(?=\\s|$)`, "gu");
/** Elapsed times: 45s, 1.5s, 1m 3s, 2m3s, 1h 2m, 12ms, <1s; "for 3s", "(12s •". */
const ELAPSED = /<?\b\d+(?:\.\d+)?\s?(?:ms|[hms])\b(?:\s?\d+(?:\.\d+)?\s?(?:ms|[ms])\b)*/g;
/** Clock times: 11:52, 11:52:07, 11:52 AM. */
const CLOCK = /\b\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm])?\b/g;
/** Token counters (`↓ 1.2k tokens`) are kept: a counter that moves is progress, one that does not is not. */
const TOKENS = /\d+(?:\.\d+)?k?\s*tokens?/gi;
/** Rows that change on their own while an agent works: rotating tips and witty status phrases. */
const VOLATILE_ROW = /^\s*(?:⎿\s*)?Tip:/;

/**
 * The part of one screen row that counts as progress. A row holding a busy marker keeps only its
 * token counters (its verb, spinner, phrase and timer all move without progress); any other row
 * loses spinner glyphs standing alone, elapsed times and clock times.
 */
export function progressRow(row: string, busy: readonly RegExp[] = []): string {
  const text = stripEscapes(row);
  if (VOLATILE_ROW.test(text)) return "";
  if (busy.some((re) => re.test(text))) return (text.match(TOKENS) ?? []).join(" ");
  return text.replace(ELAPSED, "#").replace(CLOCK, "#").replace(LONE_SPINNER, "$1").replace(/\s+/g, " ").trim();
}

/** The rows that count, blank ones dropped (a redraw that only moves blank rows is not progress). */
export function progressText(screen: readonly string[], busy: readonly RegExp[] = []): string {
  return screen
    .map((r) => progressRow(r, busy))
    .filter((r) => r !== "")
    .join("\n");
}

/** A short hash of a screen's progress text: equal across spinner frames and counter ticks. */
export function progressFingerprint(screen: readonly string[], busy: readonly RegExp[] = []): string {
  return hashText(progressText(screen, busy));
}

function hashText(text: string): string {
  return createHash("sha1").update(text).digest("hex").slice(0, 12);
}

/** What `@amux-progress` holds: the fingerprint and when (ms since the epoch) it last changed. */
export interface ProgressMark {
  fingerprint: string;
  since: number;
}

/** `<fingerprint> <seconds>`: seconds are plenty for a threshold of minutes. */
export function formatProgress(m: ProgressMark): string {
  return `${m.fingerprint} ${Math.floor(m.since / 1000)}`;
}

export function parseProgress(v: string | undefined): ProgressMark | undefined {
  const m = v ? /^([0-9a-f]{12}) (\d{1,12})$/.exec(v) : null;
  return m ? { fingerprint: m[1] as string, since: Number(m[2]) * 1000 } : undefined;
}

/**
 * The progress mark after looking at a screen: unchanged when the fingerprint is the same (the
 * caller need not write it back), else a new mark from now. A pane seen busy for the first time
 * starts its clock now: amux cannot know how long it had been stalled before anyone looked.
 */
export function nextProgress(previous: ProgressMark | undefined, fingerprint: string, now: number): { mark: ProgressMark; changed: boolean } {
  if (previous && previous.fingerprint === fingerprint && previous.since <= now) return { mark: previous, changed: false };
  return { mark: { fingerprint, since: now }, changed: true };
}

/** One pane's view for progress tracking (a subset of ObservedSession). */
export interface ProgressPane {
  name: string;
  paneId: string;
  dead: boolean;
  title?: string | undefined;
  /** The `@amux-progress` value read in the same list-panes. */
  progress?: string | undefined;
}

/**
 * Progress of every live pane whose screen was read: how long each has made no progress, and the
 * `@amux-progress` values to write back (only those that changed, so a fleet that is idle or
 * stalled costs no write).
 */
export function trackProgress(
  panes: readonly ProgressPane[],
  screens: ReadonlyMap<string, readonly string[]>,
  busyOf: (p: ProgressPane) => readonly RegExp[],
  now: number,
  remembered?: ReadonlyMap<string, ProgressMark>,
): { stalled: Map<string, number>; marks: Map<string, ProgressMark>; writes: { paneId: string; value: string }[] } {
  const stalled = new Map<string, number>();
  const marks = new Map<string, ProgressMark>();
  const writes: { paneId: string; value: string }[] = [];
  for (const p of panes) {
    const screen = screens.get(p.paneId);
    if (p.dead || screen === undefined) continue;
    const previous = remembered?.get(p.paneId) ?? parseProgress(p.progress);
    const { mark, changed } = nextProgress(previous, progressFingerprint([...screen, p.title ? `title: ${p.title}` : ""], busyOf(p)), now);
    marks.set(p.paneId, mark);
    stalled.set(p.name, Math.max(0, now - mark.since));
    // A blank screen has nothing to make progress on: no mark worth a tmux write.
    const blank = screen.every((r) => stripEscapes(r).trim() === "");
    if (!blank && (changed || parseProgress(p.progress)?.fingerprint !== mark.fingerprint)) writes.push({ paneId: p.paneId, value: formatProgress(mark) });
  }
  return { stalled, marks, writes };
}
