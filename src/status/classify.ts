import type { Classification, PaneSample, StatusProfile } from "./types.js";
import { boundLine } from "./user-regex.js";

export { WAITING_ROWS } from "./profiles.js";
/** How many non-blank rows from the bottom an input prompt may stand in. */
export const PROMPT_ROWS = 8;

// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what this strips
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][\s\S]*?\x1b\\|\x1b[ -/]*[0-~]|[\x00-\x08\x0b-\x1f\x7f]/g;

export function stripEscapes(text: string): string {
  return text.replace(ESCAPES, "");
}

/** The first pattern matching a line; lines are bounded first (user patterns must not hang a ps). */
function matchesAny(res: RegExp[], lines: string[]): RegExp | undefined {
  for (const line of lines) {
    const l = boundLine(line);
    for (const re of res) if (re.test(l)) return re;
  }
  return undefined;
}

const MENU_SELECTED = /^\s*(❯|›|>|→|▶|\*)\s*\d+[.)]\s+\S/;
const MENU_ITEM = /^\s*(❯|›|>|→|▶|\*)?\s*\d+[.)]\s+\S/;

/** A numbered menu with a selection marker, with nothing but its items below it. */
function menuAtBottom(rows: string[]): boolean {
  for (let i = rows.length - 1; i >= Math.max(0, rows.length - 10); i--) {
    const row = rows[i] as string;
    if (!MENU_ITEM.test(row)) return false;
    if (MENU_SELECTED.test(row)) return true;
  }
  return false;
}

/**
 * The status of one live pane, from what tmux shows. Order matters: a question beats
 * everything; a busy marker or recent output beats a visible prompt (some agents keep their
 * prompt on screen while they work); only then does a prompt mean idle.
 */
export function classifyPane(s: PaneSample, p: StatusProfile): Classification {
  if (s.dead) {
    if (s.gaveUp) return { status: "failed", reason: `exited with ${s.exitCode ?? "?"}; restarts exhausted` };
    return { status: "exited", reason: `exited with ${s.exitCode ?? "?"}` };
  }
  // Without its screen, a question cannot be told from a prompt: claim neither.
  if (s.screen === undefined) return { status: "running", reason: "screen not read" };
  const rows = s.screen.map((l) => stripEscapes(l).trimEnd()).filter((l) => l.trim() !== "");
  const waitingRows = rows.slice(-p.waitingRows);
  const promptRows = rows.slice(-PROMPT_ROWS);
  const quiet = `quiet ${Math.round(s.quietMs / 1000)}s`;
  const q = matchesAny(p.waiting, waitingRows);
  if (q) return { status: "waiting", reason: `question on screen (/${q.source}/)` };
  const title = s.title ?? "";
  if (title && p.waitingTitle.some((re) => re.test(title))) return { status: "waiting", reason: "pane title asks for action" };
  const last = rows[rows.length - 1];
  if (p.questionAtCursor && last !== undefined && /\?\s*$/.test(last)) return { status: "waiting", reason: "question at the cursor" };
  if (p.questionAtCursor && menuAtBottom(rows)) return { status: "waiting", reason: "numbered menu at the bottom" };
  const stalled = s.stalledMs !== undefined && s.stalledMs >= p.stuckAfterMs ? `busy without progress for ${Math.round(s.stalledMs / 1000)}s` : undefined;
  const busy = matchesAny(p.busy, rows);
  if (busy) {
    if (s.quietMs >= p.stuckAfterMs) return { status: "stuck", reason: `busy marker frozen, ${quiet}` };
    if (stalled) return { status: "stuck", reason: `${stalled} (only its spinner or counters move)` };
    return { status: "running", reason: `busy marker (/${busy.source}/)` };
  }
  if (title && p.busyTitle.some((re) => re.test(title))) {
    if (s.quietMs >= p.stuckAfterMs) return { status: "stuck", reason: `busy title frozen, ${quiet}` };
    if (stalled) return { status: "stuck", reason: `${stalled} (only its title spinner moves)` };
    return { status: "running", reason: "busy pane title" };
  }
  if (s.quietMs < p.idleAfterMs) {
    if (stalled) return { status: "stuck", reason: `printing ${stalled} (only spinners or counters change)` };
    return { status: "running", reason: "printing", byOutput: true };
  }
  const prompt = matchesAny(p.prompt, promptRows);
  if (prompt) return { status: "idle", reason: "at its prompt" };
  if (s.quietMs >= p.stuckAfterMs) return { status: "stuck", reason: `${quiet}, no prompt` };
  return { status: "idle", reason: quiet };
}

/** Ready for a prompt: idle at its prompt, or its prompt shows after a moment's quiet. */
export function isReadyForInput(s: PaneSample, p: StatusProfile): boolean {
  // Only a screen actually read can say the pane waits at its prompt and not at a question.
  if (s.dead || s.screen === undefined) return false;
  const c = classifyPane(s, p);
  if (c.status === "idle") return true;
  if (c.status !== "running" || s.quietMs < Math.min(1000, p.idleAfterMs)) return false;
  const rows = s.screen.map((l) => stripEscapes(l).trimEnd()).filter((l) => l.trim() !== "");
  return matchesAny(p.prompt, rows.slice(-PROMPT_ROWS)) !== undefined && matchesAny(p.busy, rows) === undefined;
}
