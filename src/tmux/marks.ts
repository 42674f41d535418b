import { isPaneId } from "./capture.js";
import { groupLine } from "./quote.js";
import { localTmux, type TmuxRunner, tmuxScriptOn } from "./runner.js";

/** A pane option amux keeps on a pane between observations (`@amux-progress`). */
export interface PaneMark {
  paneId: string;
  value: string;
}

/**
 * One line that sets a pane option on a pane by id. The value is taken literally (set-option
 * without -F expands no format); a pane that has gone fails its own line only.
 */
export function paneMarkLine(key: "progress" | "reported", m: PaneMark): string | undefined {
  if (!isPaneId(m.paneId)) return undefined;
  return groupLine([["set-option", "-p", "-t", m.paneId, `@amux-${key}`, m.value]]);
}

export function paneMarkLines(key: "progress" | "reported", marks: readonly PaneMark[]): string[] {
  return marks.map((m) => paneMarkLine(key, m)).filter((l): l is string => l !== undefined);
}

/** Writes pane options in one tmux process; best effort (a mark is a memory, not a truth). */
export async function writePaneMarks(key: "progress" | "reported", marks: readonly PaneMark[], runner: TmuxRunner = localTmux): Promise<void> {
  const lines = paneMarkLines(key, marks);
  if (lines.length) await tmuxScriptOn(runner, lines, false).catch(() => undefined);
}
