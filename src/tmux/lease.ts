import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { AmuxError, TmuxError } from "../errors.js";
import { isNoServer } from "./client.js";
import type { TmuxRunner } from "./runner.js";

/**
 * A lease held on a tmux server: two controllers (on different machines) must not both converge
 * the same server's sessions at once. The lease is two server options, `@amux-lease-owner` (an id
 * amux made from safe characters) and `@amux-lease-until` (epoch seconds), taken, renewed and
 * released by ONE tmux client whose `if-shell -F` checks and sets them: tmux runs a client's
 * commands one after the other with no other client's in between, so the check and the set are
 * atomic. Works through any TmuxRunner (this machine's tmux, or a host's through ssh).
 *
 * Expiry is read against the acquiring controller's clock: hosts are expected to keep time (NTP);
 * the default TTL is far above any sane skew.
 */

const OWNER_OPT = "@amux-lease-owner";
const UNTIL_OPT = "@amux-lease-until";
/** The server's exit-empty before the first lease (restored on release). */
const SAVED_OPT = "@amux-lease-exit-empty";
/** Printed after the check-and-set: who holds it now, and until when. */
const STATE = `#{${OWNER_OPT}} #{${UNTIL_OPT}}`;

export const DEFAULT_LEASE_TTL_SEC = 60;

/** An owner id goes into a tmux format: only characters no format, command parser or shell reads. */
const OWNER = /^[A-Za-z0-9._-]{1,80}$/;

export interface Lease {
  /** The host id of the server (null: this machine's). */
  host: string | null;
  owner: string;
  /** Epoch seconds. */
  until: number;
}

/** The lease is held by another live owner: exit 1, naming who and until when. */
export class LeaseHeldError extends AmuxError {
  readonly host: string | null;
  readonly owner: string;
  readonly until: number;
  constructor(host: string | null, owner: string, until: number, what = "is held") {
    const where = host === null ? "this machine's tmux server" : `host ${host}'s tmux server`;
    super(`${where} ${what} by another amux (${owner}) until ${new Date(until * 1000).toISOString()}`, [
      "another controller is converging these sessions; wait for it, or stop it",
    ]);
    this.host = host;
    this.owner = owner;
    this.until = until;
  }
}

/** Our lease is no longer ours (it expired and someone else took it, or it was released). */
export class LeaseLostError extends AmuxError {}

/**
 * A new owner id: `<hostname>-<pid>-<random>`, reduced to safe characters (the hostname is the
 * machine's, but only as a label: the random part makes it unique).
 */
export function newLeaseOwner(label: string = hostname()): string {
  const safe = label.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 40) || "amux";
  return `${safe}-${process.pid}-${randomBytes(6).toString("hex")}`;
}

function checkOwner(owner: string): void {
  if (!OWNER.test(owner)) throw new AmuxError(`invalid lease owner ${JSON.stringify(owner)} (amux makes them with newLeaseOwner)`);
}

/** Parses the state line (`<owner> <until>`); null when free. Pure. */
export function parseLeaseState(text: string, host: string | null): Lease | null {
  const line =
    text
      .split("\n")
      .filter((l) => l !== "")
      .pop() ?? "";
  const [owner = "", until = ""] = line.split(" ");
  if (!owner) return null;
  const n = Number(until);
  return { host, owner, until: Number.isInteger(n) ? n : 0 };
}

/**
 * The tmux argv that takes the lease for `owner` until `until` when it is free, expired at `now`,
 * or already ours, then prints who holds it. Only amux's own numbers and checked owner id are in
 * the formats. Pure.
 */
export function acquireArgs(owner: string, now: number, until: number): string[] {
  checkOwner(owner);
  const free = `#{||:#{||:#{==:#{${OWNER_OPT}},},#{==:#{${OWNER_OPT}},${owner}}},#{e|<:#{${UNTIL_OPT}},${now}}}`;
  return [
    "start-server",
    ";",
    "if-shell",
    "-F",
    free,
    // A server with no session exits when its last client leaves, and a lease with it: while a
    // lease is held the server stays (exit-empty off); release puts back what was there before.
    `set-option -gF ${SAVED_OPT} "#{?${SAVED_OPT},#{${SAVED_OPT}},#{exit-empty}}" ; set-option -g exit-empty off ; ` +
      `set-option -g ${OWNER_OPT} ${owner} ; set-option -g ${UNTIL_OPT} ${until}`,
    ";",
    "display-message",
    "-p",
    STATE,
  ];
}

/** The argv that extends the lease only while `owner` holds it, then prints who holds it. Pure. */
export function renewArgs(owner: string, until: number): string[] {
  checkOwner(owner);
  return ["start-server", ";", "if-shell", "-F", `#{==:#{${OWNER_OPT}},${owner}}`, `set-option -g ${UNTIL_OPT} ${until}`, ";", "display-message", "-p", STATE];
}

/** The argv that frees the lease only while `owner` holds it, then prints who holds it. Pure. */
export function releaseArgs(owner: string): string[] {
  checkOwner(owner);
  return [
    "if-shell",
    "-F",
    `#{==:#{${OWNER_OPT}},${owner}}`,
    `set-option -gu ${OWNER_OPT} ; set-option -gu ${UNTIL_OPT} ; set-option -gF exit-empty "#{?#{==:#{${SAVED_OPT}},0},off,on}" ; set-option -gu ${SAVED_OPT}`,
    ";",
    "display-message",
    "-p",
    STATE,
  ];
}

async function run(runner: TmuxRunner, args: string[]): Promise<string> {
  const r = await runner.raw(args);
  if (r.code !== 0) {
    const where = runner.host === null ? "" : ` on host ${runner.host}`;
    throw new TmuxError(`tmux lease${where}: ${r.stderr.trim() || `exit ${r.code}`}`);
  }
  return r.stdout;
}

export interface LeaseOptions {
  /** How long the lease holds without a renewal (default 60 s). */
  ttlSec?: number;
  /** Epoch seconds now (tests). */
  now?: () => number;
}

const nowSec = () => Math.floor(Date.now() / 1000);

/**
 * Takes the lease on the runner's server for `owner` (free, expired, or already ours), in one
 * tmux client, starting the server when none runs and keeping it while the lease is held (tmux's
 * exit-empty off; release restores it). Throws LeaseHeldError when another owner holds it and
 * it has not expired.
 */
export async function acquireLease(runner: TmuxRunner, owner: string, o: LeaseOptions = {}): Promise<Lease> {
  const now = (o.now ?? nowSec)();
  const until = now + Math.max(1, Math.floor(o.ttlSec ?? DEFAULT_LEASE_TTL_SEC));
  const held = parseLeaseState(await run(runner, acquireArgs(owner, now, until)), runner.host);
  if (!held || held.owner !== owner || held.until !== until) {
    throw new LeaseHeldError(runner.host, held?.owner ?? "unknown", held?.until ?? 0);
  }
  return held;
}

/**
 * Extends our lease (expired or not, as long as no one took it meanwhile). Throws LeaseLostError
 * when it is free or another owner's.
 */
export async function renewLease(runner: TmuxRunner, owner: string, o: LeaseOptions = {}): Promise<Lease> {
  const until = (o.now ?? nowSec)() + Math.max(1, Math.floor(o.ttlSec ?? DEFAULT_LEASE_TTL_SEC));
  const held = parseLeaseState(await run(runner, renewArgs(owner, until)), runner.host);
  if (!held || held.owner !== owner || held.until !== until) {
    const where = runner.host === null ? "this machine's tmux server" : `host ${runner.host}'s tmux server`;
    throw new LeaseLostError(
      held ? `lost the lease on ${where}: ${held.owner} holds it now` : `lost the lease on ${where}: it was released or the server restarted`,
    );
  }
  return held;
}

/** Frees our lease: true when the lease is free afterwards; false when another owner holds it (or there is no server). Never takes another's. */
export async function releaseLease(runner: TmuxRunner, owner: string): Promise<boolean> {
  const r = await runner.raw(releaseArgs(owner));
  if (isNoServer(r)) return false;
  if (r.code !== 0) throw new TmuxError(`tmux lease${runner.host === null ? "" : ` on host ${runner.host}`}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return parseLeaseState(r.stdout, runner.host) === null;
}

/** Who holds the lease (null: free, or no server). */
export async function readLease(runner: TmuxRunner): Promise<Lease | null> {
  const r = await runner.raw(["display-message", "-p", STATE]);
  if (isNoServer(r)) return null;
  if (r.code !== 0) throw new TmuxError(`tmux lease${runner.host === null ? "" : ` on host ${runner.host}`}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return parseLeaseState(r.stdout, runner.host);
}
