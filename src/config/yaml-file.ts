import { relative } from "node:path";
import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, type Node, type Pair, parseDocument, visit } from "yaml";
import type { z } from "zod";
import type { ConfigProblem } from "../errors.js";
import { readRegular } from "../state/safe-fs.js";
import { interpolate } from "./interpolate.js";
import { MAX_CONFIG_BYTES } from "./locate.js";

/** An unset `${VAR}` and where it stands. */
export interface MissingVarAt {
  name: string;
  path: string[];
  problem: ConfigProblem;
}

/** A parsed YAML file that remembers where every value stands. */
export interface YamlFile {
  file: string;
  /** Path as shown to the user (relative to the working directory when shorter). */
  shown: string;
  doc: Document;
  lines: LineCounter;
  value: unknown;
  problems: ConfigProblem[];
  /** Paths (joined by "\0") whose value came from `${VAR}` expansion: secrets. */
  expandedPaths: Set<string>;
  /** The same paths, each with its text as it may be shown: the expanded pieces masked. */
  maskedValues: Map<string, string>;
  missing: MissingVarAt[];
}

export function showPath(file: string): string {
  const rel = relative(process.cwd(), file);
  // Inside the working directory: relative, as people type it; elsewhere: absolute.
  return rel && !rel.startsWith("..") && !rel.startsWith("/") ? rel : file;
}

/** Reads and parses a YAML file: parse errors, alias bombs and interpolation, all located. */
export function readYamlFile(file: string, env: Record<string, string | undefined>): YamlFile {
  // Regular files of sane size only: a folder, a FIFO or /dev/zero is reported, never read.
  const r = readRegular(file, MAX_CONFIG_BYTES);
  if (r.ok) return parseYamlText(file, r.text, env);
  const y = parseYamlText(file, "", env);
  y.problems.push({ file: y.shown, line: 0, col: 0, path: "", message: r.absent ? "cannot be read (it is gone)" : r.why });
  return y;
}

export function parseYamlText(file: string, text: string, env: Record<string, string | undefined>): YamlFile {
  const shown = showPath(file);
  const lines = new LineCounter();
  // Duplicate keys are found below in one pass: the yaml library's own check is quadratic.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, strict: true });
  const problems: ConfigProblem[] = [];
  const at = (offset: number | undefined) => {
    // An error at the very end (an unclosed quote) is shown on the last line with text.
    const p = lines.linePos(Math.min(offset ?? 0, text.trimEnd().length));
    return { line: p.line, col: p.col };
  };
  for (const e of doc.errors) {
    const first = (e.message.split("\n")[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, "");
    problems.push({ file: shown, ...at(e.pos[0]), path: "", message: first });
  }
  if (problems.length === 0) for (const kp of keyProblems(doc, shown, at)) problems.push(kp);
  const expandedPaths = new Set<string>();
  const maskedValues = new Map<string, string>();
  const missing: MissingVarAt[] = [];
  let value: unknown;
  if (problems.length === 0) {
    visit(doc, {
      Scalar(key, node, path) {
        // Values only: a key is a name, not a place for ${VAR}.
        if (key === "key" || typeof node.value !== "string" || !node.value.includes("$")) return;
        const keyPath = pathOf(path, node);
        const r = interpolate(node.value, env);
        node.value = r.value;
        if (r.expanded) {
          expandedPaths.add(keyPath.join("\0"));
          maskedValues.set(keyPath.join("\0"), r.masked);
        }
        for (const name of r.missing) {
          missing.push({
            name,
            path: keyPath,
            problem: {
              file: shown,
              ...at(node.range?.[0]),
              path: keyPath.join("."),
              message: `variable ${name} is not set (use \${${name}:-default} for a default)`,
            },
          });
        }
      },
    });
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      problems.push({ file: shown, line: 1, col: 1, path: "", message: (e as Error).message });
    }
  }
  return { file, shown, doc, lines, value, problems, expandedPaths, maskedValues, missing };
}

/**
 * Keys that would not survive as data: a duplicate (the later one silently wins) and
 * `__proto__` (dropped by every object it is copied into). One pass, a Set per map.
 */
function keyProblems(doc: Document, shown: string, at: (offset: number | undefined) => { line: number; col: number }): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  visit(doc, {
    Map(_, node, path) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const k = String(pair.key.value);
        const where = { file: shown, ...at(pair.key.range?.[0]) };
        if (seen.has(k)) out.push({ ...where, path: "", message: "Map keys must be unique" });
        else if (k === "__proto__") out.push({ ...where, path: [...pathOf(path, node), k].join("."), message: '"__proto__" is reserved and cannot be a key' });
        seen.add(k);
      }
    },
  });
  return out;
}

const seqIndexes = new WeakMap<object, Map<unknown, number>>();

/** A sequence item's index, from an index built once per sequence (indexOf per item is quadratic). */
function indexIn(seq: { items: unknown[] }, child: unknown): number {
  let m = seqIndexes.get(seq);
  if (!m) {
    m = new Map(seq.items.map((c, i) => [c, i]));
    seqIndexes.set(seq, m);
  }
  return m.get(child) ?? -1;
}

const mapIndexes = new WeakMap<object, Map<string, Pair>>();

/** A map's pair by key, from an index built once per map (a find per lookup is quadratic). */
function pairIn(map: { items: Pair[] }, key: string): Pair | undefined {
  let m = mapIndexes.get(map);
  if (!m) {
    m = new Map();
    for (const p of map.items) if (isScalar(p.key) && !m.has(String(p.key.value))) m.set(String(p.key.value), p);
    mapIndexes.set(map, m);
  }
  return m.get(key);
}

/** The key path of a node from the ancestor chain `visit` gives. */
function pathOf(ancestors: readonly unknown[], node: unknown): string[] {
  const out: string[] = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isPair(parent)) {
      if (child === parent.value) out.push(String(isScalar(parent.key) ? parent.key.value : parent.key));
    } else if (isSeq(parent)) {
      out.push(String(indexIn(parent, child)));
    }
  }
  return out;
}

/** Where a path stands in the file: the node itself, or its key, or the nearest existing ancestor. */
export function locate(y: YamlFile, path: readonly (string | number)[], key = false): { line: number; col: number } {
  let node: unknown = y.doc.contents;
  let best: Node | undefined = node as Node;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = pairIn(node, String(seg));
      if (!pair) break;
      if (key && i === path.length - 1 && isScalar(pair.key)) {
        best = pair.key;
        break;
      }
      node = pair.value;
      if (node) best = node as Node;
    } else if (isSeq(node)) {
      node = node.items[Number(seg)];
      if (node) best = node as Node;
    } else break;
  }
  const p = y.lines.linePos(best?.range?.[0] ?? 0);
  return { line: p.line, col: p.col };
}

/** zod issues → located problems; unknown keys become one problem each, at the key. */
export function problemsFromZod(y: YamlFile, error: z.ZodError, root?: z.ZodType): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) {
        const path = [...base, k];
        out.push({
          file: y.shown,
          ...locate(y, path, true),
          path: path.join("."),
          message: `unknown key ${JSON.stringify(k)}${suggest(k, root ? knownKeysAt(root, base) : [])}`,
        });
      }
      continue;
    }
    if (issue.code === "invalid_key") {
      out.push({ file: y.shown, ...locate(y, base, true), path: base.join("."), message: issue.issues?.[0]?.message ?? issue.message });
      continue;
    }
    out.push({ file: y.shown, ...locate(y, base), path: base.join(".") || "(root)", message: tidy(issue.message) });
  }
  return out;
}

function tidy(message: string): string {
  return message.replace(/^Invalid input: /, "").replace(/^expected (.+), received undefined$/, "required ($1)");
}

/** "did you mean" for a misspelt key, from the keys the schema knows at that place. */
function suggest(key: string, known: string[]): string {
  if (!known.length) return "";
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best ? ` (did you mean "${best}"?)` : ` (known: ${known.join(", ")})`;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] as number;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] as number;
      dp[j] = Math.min((dp[j] as number) + 1, (dp[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length] as number;
}

interface ZodDefLike {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  valueType?: unknown;
  element?: unknown;
}

/** The keys an object schema allows at a path (walking objects, records, arrays, optional and default wrappers). */
function knownKeysAt(schema: unknown, path: readonly (string | number)[]): string[] {
  let cur = schema;
  const def = (s: unknown) => (s as { _zod?: { def?: ZodDefLike } })?._zod?.def;
  const unwrap = () => {
    for (let d = def(cur); d && (d.type === "optional" || d.type === "default" || d.type === "pipe" || d.type === "nullable"); d = def(cur)) {
      cur = d.innerType ?? (d as { in?: unknown }).in;
    }
  };
  for (const seg of path) {
    unwrap();
    const d = def(cur);
    if (d?.type === "object") cur = d.shape?.[String(seg)];
    else if (d?.type === "record") cur = d.valueType;
    else if (d?.type === "array") cur = d.element;
    else return [];
  }
  unwrap();
  const d = def(cur);
  return d?.type === "object" ? Object.keys(d.shape ?? {}) : [];
}
