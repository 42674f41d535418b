import { createHash } from "node:crypto";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { LockError } from "../errors.js";

/**
 * A project lock the OS releases when its holder dies: a listening Unix socket in Linux's
 * abstract namespace (no file to go stale, nothing for a garbled .amux/ to break).
 */
export interface Lock {
  release(): Promise<void>;
}

function address(root: string, kind: string): string {
  const h = createHash("sha256").update(root).digest("hex").slice(0, 24);
  return `\0amux-${kind}-${h}`;
}

/** A listening lock and the connections open to it (release ends them: a caller that never hangs up must not hold it). */
interface Held {
  srv: Server;
  open: Set<Socket>;
}

function tryListen(addr: string, info: string, onStop?: () => void): Promise<Held | undefined> {
  const open = new Set<Socket>();
  return new Promise((resolve, reject) => {
    const srv = createServer((sock) => {
      open.add(sock);
      sock.on("close", () => open.delete(sock));
      // A prober (isLocked, whoHolds) may hang up at once: that must never hurt the holder.
      sock.on("error", () => {});
      if (!onStop) {
        // Whatever the caller sends is read and dropped, so its hang-up is seen and the socket closes.
        sock.resume();
        sock.end(info);
        return;
      }
      // A holder that can be asked to stop (a watcher, asked by `amux down`) listens briefly.
      sock.write(info);
      sock.setTimeout(1000, () => sock.destroy());
      sock.on("data", (d) => {
        if (d.toString().trim() === "stop") {
          sock.end("\nstopping\n");
          onStop();
        }
      });
      sock.on("end", () => sock.end());
    });
    srv.once("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE") resolve(undefined);
      else reject(e);
    });
    srv.listen(addr, () => {
      srv.unref();
      resolve({ srv, open });
    });
  });
}

/** Asks the holder who it is. */
function whoHolds(addr: string): Promise<string> {
  return new Promise((resolve) => {
    const s = createConnection(addr);
    let data = "";
    s.setTimeout(500, () => s.destroy());
    s.on("data", (d) => {
      data += d.toString();
    });
    s.on("close", () => resolve(data));
    s.on("error", () => resolve(""));
  });
}

export interface LockOptions {
  /** What this holder is doing, told to whoever waits. */
  what: string;
  /** How long to wait for the holder; 0 refuses at once. */
  waitMs: number;
  onWait?: (holder: string) => void;
  /** Makes the holder stoppable through the lock (requestStop). */
  onStop?: () => void;
}

export async function acquireLock(root: string, kind: string, o: LockOptions): Promise<Lock> {
  if (process.platform !== "linux") return { release: async () => {} };
  const addr = address(root, kind);
  const info = JSON.stringify({ pid: process.pid, what: o.what });
  const deadline = Date.now() + o.waitMs;
  let told = false;
  for (;;) {
    const held = await tryListen(addr, info, o.onStop);
    if (held)
      return {
        release: () =>
          new Promise<void>((r) => {
            held.srv.close(() => r());
            for (const sock of held.open) sock.destroy();
          }),
      };
    const holder = describeHolder(await whoHolds(addr));
    if (Date.now() >= deadline) {
      throw new LockError(`another amux is working on this project (${holder})${o.waitMs ? `; gave up after ${Math.round(o.waitMs / 1000)}s` : ""}`);
    }
    if (!told) {
      o.onWait?.(holder);
      told = true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Who holds a lock, in words, from what the holder said of itself. Anyone can listen at the
 * address, so the answer is not trusted: a pid that is a whole number, a short printable "what".
 */
export function describeHolder(raw: string): string {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return "amux";
  }
  const o = (v && typeof v === "object" ? v : {}) as { pid?: unknown; what?: unknown };
  const what = typeof o.what === "string" && o.what.length <= 200 && /^\P{Cc}+$/u.test(o.what) ? o.what : "amux";
  const pid = Number.isSafeInteger(o.pid) && (o.pid as number) > 0 ? o.pid : "?";
  return `${what}, pid ${pid}`;
}

/** True when someone holds the lock (e.g. a watcher runs), without taking it. */
export async function isLocked(root: string, kind: string): Promise<boolean> {
  if (process.platform !== "linux") return false;
  return new Promise((resolve) => {
    const s = createConnection(address(root, kind));
    s.on("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

/**
 * Asks the holder of a stoppable lock to stop. Returns what it said of itself (its pid and what
 * it does) when it agreed, undefined when nobody holds the lock.
 */
export async function requestStop(root: string, kind: string): Promise<string | undefined> {
  if (process.platform !== "linux") return undefined;
  return new Promise((resolve) => {
    const s = createConnection(address(root, kind));
    let data = "";
    s.setTimeout(1500, () => s.destroy());
    s.on("connect", () => s.write("stop\n"));
    s.on("data", (d) => {
      data += d.toString();
    });
    s.on("close", () => resolve(data.includes("stopping") ? describeHolder(data.split("\n")[0] ?? "") : undefined));
    s.on("error", () => resolve(undefined));
  });
}
