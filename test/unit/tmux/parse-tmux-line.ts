/**
 * Splits one line of tmux's command language into commands and their arguments, the way tmux's
 * parser does for what amux writes: bare words, double-quoted words with backslash escapes
 * (\n \r \t, \ooo octal, otherwise the character itself), and `;` between commands, also when
 * glued to the end of a bare word. It refuses what tmux would expand: `$` in quotes, a leading `~`.
 */
export function parseTmuxLine(line: string): string[][] {
  const commands: string[][] = [[]];
  const push = (w: string) => (commands[commands.length - 1] as string[]).push(w);
  let i = 0;
  while (i < line.length) {
    const ch = line[i] as string;
    if (ch === " ") {
      i++;
      continue;
    }
    if (ch === "~" || (ch === '"' && line[i + 1] === "~")) throw new Error(`a word starting with ~ would be expanded to a home directory: ${line}`);
    if (ch === '"') {
      let w = "";
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\") {
          const n = line[i + 1] as string;
          const octal = /^[0-7]{3}/.exec(line.slice(i + 1));
          if (octal) {
            w += String.fromCharCode(Number.parseInt(octal[0], 8));
            i += 4;
            continue;
          }
          w += ({ n: "\n", r: "\r", t: "\t" } as Record<string, string>)[n] ?? n;
          i += 2;
          continue;
        }
        if (line[i] === "$") throw new Error(`unescaped $ in quotes would be expanded: ${line}`);
        w += line[i];
        i++;
      }
      if (line[i] !== '"') throw new Error(`unterminated quote: ${line}`);
      i++;
      push(w);
      continue;
    }
    let w = "";
    while (i < line.length && line[i] !== " ") w += line[i++];
    if (w === ";") commands.push([]);
    else if (w.endsWith(";")) {
      push(w.slice(0, -1));
      commands.push([]);
    } else push(w);
  }
  return commands;
}
