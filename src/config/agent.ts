import type { ReportKind } from "../agents/hooks.js";
import type { StatusOverrides } from "../status/profiles.js";

/** An agent with everything resolved. */
export interface ResolvedAgent {
  id: string;
  name: string;
  command: string;
  shell: string | undefined;
  windowName: string | undefined;
  autoAttach: boolean;
  environment: Record<string, string>;
  /** Keys of `environment` whose values must never be shown or stored. */
  secretKeys: string[];
  /** name, command, shell and windowName as they may be shown: pieces that came from `${VAR}` masked. */
  shown: { name: string; command: string; shell: string | undefined; windowName: string | undefined };
  /** The `status:` block as written (desired/profiles.ts compiles it into the agent's status profile). */
  statusSource: StatusOverrides;
  /** Where it was defined: a file as shown, or "(built-in)". */
  definedIn: string;
  /** One of amux's built-in agents, not redefined by the project's files. */
  builtIn: boolean;
  /** The command line that continues the last conversation (params.resume). */
  resume?: string | undefined;
  /** How a built-in agent reports its own state (status/reported.ts); none for user-defined agents. */
  report?: ReportKind | undefined;
}
