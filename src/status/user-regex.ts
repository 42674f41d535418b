import { createRequire } from "node:module";

/**
 * User patterns (`busyPatterns: ["(a+)+$"]`) run against every screen line on every `ps`; one
 * catastrophic pattern must not hang it. Node has no linear regex engine by default, but V8 has
 * one behind a flag, and can switch a regex to it by itself once it backtracks too much
 * (`--enable-experimental-regexp-engine-on-excessive-backtracks`). That bounds every pattern the
 * linear engine can run (no back-references, no lookarounds). Patterns it cannot run are refused
 * at load when they have the shapes that backtrack badly (a quantified group holding a quantifier
 * or an alternation, or more than two unbounded quantifiers), and lines are cut to MAX_LINE
 * characters before any pattern sees them, which bounds the polynomial rest.
 */
export const MAX_LINE = 512;

let enabled = false;

/**
 * Turns on V8's linear-engine fallback (idempotent; safe at any time: the flags are read per
 * match). Called before a user's pattern is compiled or checked: a `ps` of agents with only
 * built-in patterns never loads node:v8.
 */
export function enableLinearFallback(): void {
  if (enabled) return;
  enabled = true;
  try {
    const { setFlagsFromString } = createRequire(import.meta.url)("node:v8") as typeof import("node:v8");
    setFlagsFromString("--enable-experimental-regexp-engine");
    setFlagsFromString("--enable-experimental-regexp-engine-on-excessive-backtracks");
  } catch {}
}

/** The line as patterns see it: at most MAX_LINE characters. */
export function boundLine(line: string): string {
  return line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line;
}

/** Whether V8's linear engine can run the pattern (then the backtracking fallback bounds it). */
export function runsLinear(re: RegExp): boolean {
  enableLinearFallback();
  try {
    new RegExp(re.source, `${re.flags.replace(/[gy]/g, "")}l`);
    return true;
  } catch {
    return false;
  }
}

/** Shapes that make a backtracking engine exponential or high-polynomial, found by a scan of the source. */
export function backtrackingShape(source: string): string | undefined {
  const frames: { quant: boolean; alt: boolean }[] = [{ quant: false, alt: false }];
  let unbounded = 0;
  const top = () => frames[frames.length - 1] as { quant: boolean; alt: boolean };
  // The quantifier starting at i, if any: its length and whether it repeats without bound.
  const quantAt = (i: number): { len: number; many: boolean } | undefined => {
    const c = source[i];
    if (c === "*" || c === "+") return { len: source[i + 1] === "?" ? 2 : 1, many: true };
    if (c === "?") return { len: source[i + 1] === "?" ? 2 : 1, many: false };
    if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}\??/.exec(source.slice(i));
      if (!m) return undefined;
      const max = m[2] === undefined ? Number(m[1]) : m[3] === "" ? Number.POSITIVE_INFINITY : Number(m[3]);
      return { len: m[0].length, many: max > 1 };
    }
    return undefined;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "[") {
      for (i++; i < source.length && source[i] !== "]"; i++) if (source[i] === "\\") i++;
      continue;
    }
    if (c === "(") {
      frames.push({ quant: false, alt: false });
      continue;
    }
    if (c === "|") {
      top().alt = true;
      continue;
    }
    if (c === ")") {
      const f = frames.length > 1 ? (frames.pop() as { quant: boolean; alt: boolean }) : { quant: false, alt: false };
      const q = quantAt(i + 1);
      if (q?.many && (f.quant || f.alt)) return "a repeated group holds a quantifier or an alternation";
      if (q?.many) unbounded++;
      if (f.quant || q?.many) top().quant = true;
      if (q) i += q.len;
      continue;
    }
    const q = quantAt(i);
    if (q) {
      if (q.many) {
        top().quant = true;
        unbounded++;
      }
      i += q.len - 1;
    }
  }
  return unbounded > 2 ? "more than two unbounded quantifiers" : undefined;
}

/**
 * Why a user pattern is refused (undefined when it is accepted): it cannot run on the linear
 * engine and has a shape that backtracks badly.
 */
export function patternRisk(re: RegExp): string | undefined {
  if (runsLinear(re)) return undefined;
  const shape = backtrackingShape(re.source);
  return shape ? `may backtrack catastrophically (${shape}, with a back-reference or lookaround); simplify it` : undefined;
}
