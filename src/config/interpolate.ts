/**
 * Expands `${VAR}`, `${VAR:-default}` and `$$` (a literal `$`) from env.
 * Returns the text, whether anything was expanded, and the unset variables.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): { value: string; expanded: boolean; missing: string[] } {
  const missing: string[] = [];
  let expanded = false;
  const value = text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, name?: string, def?: string) => {
    if (whole === "$$") return "$";
    expanded = true;
    const v = env[name as string];
    if (v !== undefined && v !== "") return v;
    if (def !== undefined) return def;
    if (v === "") return "";
    missing.push(name as string);
    return "";
  });
  return { value, expanded, missing };
}
