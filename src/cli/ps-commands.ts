import type { ProjectOptions } from "../config/locate.js";
import { stderrReporter } from "../io.js";
import { listStatus, type SessionRow } from "../usecases/status.js";
import { ago, type Color, out, paint, STATUS_COLOR, table, useColor } from "./output.js";

// \`amux ps\`: its own module, so that the hot path loads the status use case and nothing of run, send or stop.

export async function cmdPs(g: ProjectOptions, services: string[], o: { all?: boolean; json?: boolean; wide?: boolean }): Promise<void> {
  const { rows, project } = await listStatus({ ...g, all: o.all, services }, stderrReporter);
  if (o.json) {
    out(JSON.stringify(rows, null, 2));
    return;
  }
  printRows(rows, !!o.wide, Object.keys(project.hosts ?? {}).length > 0 || rows.some((r) => r.host));
}

/** The DRIFT column: `*` differs from the compose file, `?` cannot be known (see the reason), `-` neither. */
function driftMark(r: SessionRow): string {
  if (r.drift) return "*";
  return r.drift === null && r.driftReason && r.status !== "stopped" ? "?" : "-";
}

/** Rows grouped by service, run sessions last; drift in its own column, explained below. */
export function printRows(rows: SessionRow[], wide: boolean, hosts = false): void {
  if (!rows.length) {
    out("no sessions (amux up starts the fleet, amux run starts one agent)");
    return;
  }
  const color = useColor();
  const header = ["NAME", "SERVICE", "AGENT", "STATUS", "WORKSPACE", "PID", "RESTARTS", "CREATED", "DRIFT"];
  // Where each runs, when the fleet spans hosts (after STATUS: the colour below goes by index).
  if (hosts) header.splice(4, 0, "HOST");
  if (wide) header.push("WHY");
  const body = rows.map((r) => {
    const status = r.status === "exited" || r.status === "failed" ? `${r.status} (${r.exitCode ?? "?"})` : r.status;
    const cells = [
      r.name,
      r.service ?? "(run)",
      r.agent,
      status,
      r.workspace ?? "-",
      r.pid === null ? "-" : String(r.pid),
      String(r.restarts),
      ago(r.createdAt),
      driftMark(r),
    ];
    if (hosts) cells.splice(4, 0, r.host ?? "-");
    if (wide) cells.push([r.statusReason, driftMark(r) !== "-" ? `drift: ${r.driftReason}` : ""].filter(Boolean).join("; "));
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
  const unknown = new Map<string, string>();
  for (const r of rows) if (driftMark(r) === "?" && r.service) unknown.set(r.service, r.driftReason as string);
  for (const [service, why] of unknown) out(`? ${service}: ${why}`);
}
