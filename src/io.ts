/** Where core functions report progress; the CLI and the MCP server each supply their own. */
export interface Reporter {
  info(line: string): void;
  warn(line: string): void;
}

export const stderrReporter: Reporter = {
  info: (l) => process.stderr.write(`${l}\n`),
  warn: (l) => process.stderr.write(`${l}\n`),
};

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
