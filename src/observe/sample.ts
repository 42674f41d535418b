import { classifyPane } from "../status/classify.js";
import { sampleOf } from "../status/observed.js";
import type { Classification, StatusProfile } from "../status/types.js";
import type { ObservedSession } from "../tmux/types.js";
import { captureScreens, localServer, type TmuxServer } from "./server.js";

/** Classifies many sessions with one batched capture of the live panes (or the screens given). */
export async function classifySessions(
  sessions: ObservedSession[],
  profileOf: (s: ObservedSession) => StatusProfile,
  gaveUpOf: (s: ObservedSession) => boolean = () => false,
  known?: Map<string, string[]>,
  stalled?: ReadonlyMap<string, number>,
  server: TmuxServer = localServer,
): Promise<Map<string, Classification>> {
  const screens =
    known ??
    (await captureScreens(
      sessions.filter((s) => !s.dead).map((s) => s.paneId),
      server,
    ));
  const now = Date.now();
  const out = new Map<string, Classification>();
  for (const s of sessions) out.set(s.name, classifyPane(sampleOf(s, screens.get(s.paneId), now, gaveUpOf(s), stalled?.get(s.name)), profileOf(s)));
  return out;
}
