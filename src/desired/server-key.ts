import { isBaselineKey } from "../agent-env.js";
import { type DigestKey, newKeySecret, serverKey } from "../secrets.js";
import type { ServerSetup } from "../tmux/ops.js";

/**
 * The digest key for specs: the server's `@amux-key`, or a new one that the next batch creating
 * sessions sets (only if still unset; `pending` keeps one new key per process).
 */
export function digestKeyFor(serverKeySecret: string | null, pending: { secret?: string } = {}): DigestKey {
  if (serverKeySecret) return serverKey(serverKeySecret);
  pending.secret ??= newKeySecret();
  return serverKey(pending.secret);
}

/** What a batch creating sessions does to the server first: set the key, drop non-baseline global variables. */
export function serverSetup(key: DigestKey, server: { globalEnvironment: string[]; keyInvalid?: boolean }, env: NodeJS.ProcessEnv = process.env): ServerSetup {
  const { globalEnvironment } = server;
  const drop = new Set(globalEnvironment.filter((k) => !isBaselineKey(k)));
  // A server this batch starts has the client's environment: the baseline and TMUX_TMPDIR.
  if (env.TMUX_TMPDIR) drop.add("TMUX_TMPDIR");
  return { key: key.secret, unsetEnvironment: [...drop].sort(), replaceKey: !!server.keyInvalid };
}
