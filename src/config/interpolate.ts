import { MASK } from "../secrets.js";

/**
 * Expands `${VAR}`, `${VAR:-default}` and `$$` (a literal `$`) from env.
 * Returns the text, the same text with every expanded piece masked (what may be shown), whether
 * anything was expanded, and the unset variables.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): { value: string; masked: string; expanded: boolean; missing: string[] } {
  const missing: string[] = [];
  let expanded = false;
  let masked = "";
  let value = "";
  let last = 0;
  for (const m of text.matchAll(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g)) {
    const before = text.slice(last, m.index);
    value += before;
    masked += before;
    last = m.index + m[0].length;
    if (m[0] === "$$") {
      value += "$";
      masked += "$";
      continue;
    }
    expanded = true;
    const name = m[1] as string;
    const def = m[2];
    const v = env[name];
    let piece: string;
    if (v !== undefined && v !== "") piece = v;
    else if (def !== undefined) piece = def;
    else {
      if (v === undefined) missing.push(name);
      piece = "";
    }
    value += piece;
    masked += piece === "" ? "" : MASK;
  }
  value += text.slice(last);
  masked += text.slice(last);
  return { value, masked, expanded, missing };
}
