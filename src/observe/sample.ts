import { classifyPane } from "../status/classify.js";
import type { Classification, PaneSample, StatusProfile } from "../status/types.js";
import { capturePanes } from "../tmux/capture.js";
import type { ObservedSession } from "../tmux/types.js";

/** A pane's sample from what list-panes said and its captured screen. */
export function sampleOf(s: ObservedSession, screen: string[] | undefined, now: number, gaveUp = false, stalledMs?: number): PaneSample {
  return { dead: s.dead, exitCode: s.exitCode, quietMs: Math.max(0, now - s.activityAt), screen, title: s.title, gaveUp, stalledMs };
}

/** Classifies many sessions with one batched capture of the live panes (or the screens given). */
export async function classifySessions(
  sessions: ObservedSession[],
  profileOf: (s: ObservedSession) => StatusProfile,
  gaveUpOf: (s: ObservedSession) => boolean = () => false,
  known?: Map<string, string[]>,
  stalled?: ReadonlyMap<string, number>,
): Promise<Map<string, Classification>> {
  const screens = known ?? (await capturePanes(sessions.filter((s) => !s.dead).map((s) => s.paneId)));
  const now = Date.now();
  const out = new Map<string, Classification>();
  for (const s of sessions) out.set(s.name, classifyPane(sampleOf(s, screens.get(s.paneId), now, gaveUpOf(s), stalled?.get(s.name)), profileOf(s)));
  return out;
}
