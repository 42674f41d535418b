import type { ProjectOptions } from "../config/locate.js";
import { UsageError } from "../errors.js";
import { attachRemote, attachSession } from "../tmux/attach.js";
import { findSession } from "./session.js";

/**
 * `amux attach`: resolves the name (a session, or a service with one live replica), then gives
 * the terminal to it. `terminal` is whether stdin and stdout are one; `resolved` hears which
 * session a service name meant before the terminal is taken over.
 */
export async function attach(opts: ProjectOptions, name: string, terminal: boolean, resolved?: (via: string, session: string) => void): Promise<void> {
  const s = await findSession(opts, name);
  if (s.via) resolved?.(s.via, s.name);
  if (!terminal)
    throw new UsageError(`not a terminal; to follow its output: amux logs -f ${s.name}`, [
      `(amux attach needs a terminal; amux send ${s.name} TEXT types into it)`,
    ]);
  if (s.hostDecl) await attachRemote(s.hostDecl, s.name);
  else await attachSession(s.name);
}

/** Attaches to a session just started by this process (its name is known, nothing to resolve). */
export async function attachStarted(session: string): Promise<void> {
  await attachSession(session);
}
