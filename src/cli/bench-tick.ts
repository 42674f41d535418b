import type { ProjectOptions } from "../config/locate.js";
import { loadView } from "../desired/snapshot.js";
import { stderrReporter } from "../io.js";
import { FleetTracker } from "../watch/fleet-tracker.js";

/** Hidden: times watch-mode status ticks against the live project, for `npm run bench`. */
export async function cmdBenchTick(g: ProjectOptions, o: { ticks?: number }): Promise<void> {
  const view = await loadView(g, stderrReporter.warn);
  // Every server of the fleet (one round trip per server per tick); without hosts, the local tick alone.
  const tracker = new FleetTracker();
  await tracker.tick(view); // first sight captures every pane once
  const times: number[] = [];
  const before = tracker.roundTrips;
  let sessions = 0;
  const n = o.ticks ?? 20;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await tracker.tick(view);
    times.push(performance.now() - t);
    sessions = r.mine.length;
    await new Promise((res) => setTimeout(res, 100));
  }
  tracker.close();
  times.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({ sessions, ticks: n, roundTripsPerTick: (tracker.roundTrips - before) / n, medianMs: times[Math.floor(n / 2)], p90Ms: times[Math.floor(n * 0.9)] })}\n`,
  );
}
