import { statSync } from "node:fs";
import { resolve } from "node:path";
import { type Command, CommanderError, Option } from "commander";
import { type ProjectOptions, withAgentEnvironment } from "../config/locate.js";
import { parseDuration } from "../duration.js";
import { describeError, EXIT, UsageError } from "../errors.js";
import { VERSION } from "../version.js";
import { AmuxCommand } from "./command.js";
import { ambiguousFollowFile } from "./follow-flag.js";
import { registerLandCommands } from "./land-program.js";
import type { ExitCode } from "./output.js";

/**
 * commander wiring only: flags → options → a command, loaded lazily per command so that
 * `amux ps` does not pay for listr2, chokidar or the MCP SDK. A command returns its outcome (or
 * throws a typed error); main() alone turns either into the exit code, and the one process.exit
 * is at the end.
 */

function globals(cmd: Command): ProjectOptions {
  const o = cmd.optsWithGlobals() as ProjectOptions & Record<string, unknown>;
  return withAgentEnvironment({ file: o.file, cwd: o.cwd, project: o.project });
}

function int(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new UsageError(`${name} expects a whole number, got ${JSON.stringify(v)}`);
    return Number(v);
  };
}

function seconds(name: string) {
  return (v: string): number => {
    const ms = parseDuration(v, "s");
    if (ms === undefined) throw new UsageError(`${name} expects a duration like 30s or 2m, got ${JSON.stringify(v)}`);
    return ms;
  };
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function buildProgram(settle: (code: ExitCode) => void = () => {}): AmuxCommand {
  const program = new AmuxCommand("amux", settle)
    .description("Run AI coding agents as tmux sessions in workspaces, and keep a declared fleet of them alive.")
    .version(VERSION, "-V, --version")
    .option("-f, --file <path>", "compose file (default: amux.compose.yaml in this or a parent directory)")
    .option("-C, --cwd <dir>", "run as if started in <dir>")
    .option("-p, --project <name>", "project name (default: compose name:, else the root directory's name)")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: (s, write) => write(commanderMessage(s)) });

  program
    .command("init")
    .description("write a commented .amux/config.yaml and amux.compose.yaml here (refuses to overwrite either)")
    .option("--force", "overwrite them")
    .action(async (o, cmd: Command) => (await import("./init.js")).cmdInit(globals(cmd), o));

  program
    .command("run")
    .description("start one agent session now and print its name")
    .argument("<agent>", "agent id from .amux/config.yaml or the compose file")
    .option("-w, --workspace <name>", "run inside this workspace (a git worktree, created when absent)")
    .option("-n, --name <session>", "tmux session name (default <agent>-<n>)")
    .option("-e, --env <KEY=VALUE>", "environment variable for this session (repeatable)", collect)
    .option("--prompt <text>", "text to send once the agent is ready for input")
    .addOption(
      new Option("--prompt-timeout <duration>", "how long to wait for the agent to be ready for its prompt (default 60s)").argParser(
        seconds("--prompt-timeout"),
      ),
    )
    .option("--attach", "attach after starting (default: the agent's autoAttach, on a terminal)")
    .option("--no-attach", "do not attach")
    .option("-d, --detach", "do not attach (docker's habit; same as --no-attach)")
    .option("--json", "print the session as JSON")
    .action(async (agent: string, o, cmd: Command) =>
      (await import("./commands.js")).cmdRun(globals(cmd), agent, {
        ...o,
        // --attach and --no-attach both set `attach`, so commander defaults it to true: only
        // what was typed counts (-d too), else the agent's autoAttach decides.
        attach: o.detach ? false : cmd.getOptionValueSource("attach") === "cli" ? o.attach : undefined,
      }),
    );

  program
    .command("ps")
    .description("list this project's sessions with their status")
    .argument("[service...]", "only these services or sessions")
    .option("-a, --all", "include stopped sessions from amux's records")
    .option("--json", "print a JSON array")
    .addOption(new Option("--format <format>", "table (default) or json (same as --json)").choices(["table", "json"]))
    .option("--wide", "show why each status is what it is")
    .option("-w, --watch", "keep a live view open (same as amux top)")
    .action(async (services: string[], o, cmd: Command) =>
      o.watch
        ? (await import("./watch-commands.js")).cmdTop(globals(cmd), {})
        : (await import("./ps-commands.js")).cmdPs(globals(cmd), services, { ...o, json: o.json || o.format === "json" }),
    );

  program
    .command("top")
    .description("live view: one row per agent with status, time in it, restarts, workspace and last line")
    .addOption(new Option("--interval <duration>", "redraw every (default 1s on a terminal, 5s otherwise)").argParser(seconds("--interval")))
    .addHelpText(
      "after",
      [
        "",
        "Columns:",
        "  NAME       the tmux session",
        "  STATUS     running, waiting, idle, stuck, exited (code), failed (code)",
        "  FOR        time since the status last changed (2m10s), as far as tmux tells",
        "  RESTARTS   restarts by the restart policy or onStuck",
        "  WORKSPACE  the workspace it runs in (- for the project root)",
        "  LAST LINE  the last non-empty line on its screen",
        "",
        "The header shows the project, a count per status and the time (24-hour clock).",
        "On a terminal the screen is redrawn; otherwise (a pipe, a file, a 0-column terminal)",
        "a plain table is printed every interval. Ctrl-C quits; the agents keep running.",
        "`amux ps --watch` is the same view.",
      ].join("\n"),
    )
    .action(async (o, cmd: Command) => (await import("./watch-commands.js")).cmdTop(globals(cmd), o));

  program
    .command("watch")
    .description("converge now and keep converging on every edit; supervise status, restarts and hooks until Ctrl-C")
    .argument("[service...]", "only these services")
    .option("--remove-orphans", "remove sessions of services no longer declared")
    .option("--json", "print events as JSON lines")
    .addOption(new Option("--interval <duration>", "status tick").argParser(seconds("--interval")).default(1000, "1s"))
    .action(async (services: string[], o, cmd: Command) => (await import("./watch-commands.js")).cmdWatch(globals(cmd), services, o));

  program
    .command("events")
    .description("stream status changes and reconcile actions (JSON lines with --json)")
    .option("--json", "one JSON object per line")
    .action(async (o, cmd: Command) => (await import("./watch-commands.js")).cmdEvents(globals(cmd), o));

  program
    .command("attach")
    .description("attach to a session (switch-client when already inside amux's tmux server)")
    .argument("<session>")
    .action(async (session: string, _o, cmd: Command) => (await import("./session-commands.js")).cmdAttach(globals(cmd), session));

  program
    .command("logs")
    .description("output of a session, or of every replica of a service, captured from its first byte")
    .argument("<target>", "session or service")
    .option("-f, --follow", "keep printing new output")
    .option("-n, --lines <N>", "only the last N lines", int("-n"))
    .option("--tail <N>", "same as -n (docker's name)", int("--tail"))
    .option("-t, --timestamps", "with -f: prefix each new line with the time it arrived (earlier lines have no recorded time)")
    .option("--raw", "print the output as captured, escape codes and all")
    .option("--no-prefix", "no `name | ` prefixes")
    .action(async (target: string, o, cmd: Command) =>
      (await import("./session-commands.js")).cmdLogs(globals(cmd), target, { ...o, lines: o.lines ?? o.tail }),
    );

  program
    .command("tail")
    .description("follow a session's output (logs -f -n 20)")
    .argument("<session>")
    .option("-n, --lines <N>", "lines of history to start with", int("-n"), 20)
    .option("-f, --follow", "follows anyway (accepted for tail -f habits)")
    .option("-t, --timestamps", "prefix each new line with the time it arrived")
    .action(async (target: string, o, cmd: Command) =>
      (await import("./session-commands.js")).cmdLogs(globals(cmd), target, { ...o, follow: true, prefix: true }),
    );

  program
    .command("send")
    .description("type text into an agent and submit it (Enter is checked to land)")
    .argument("<session>")
    .argument("<text...>", "text to type; `-` reads it from standard input")
    .action(async (session: string, text: string[], _o, cmd: Command) => (await import("./session-commands.js")).cmdSend(globals(cmd), session, text));

  program
    .command("stop")
    .description("stop sessions (they stay in `ps --all` as stopped; a declared replica stays stopped under `amux watch` until `amux start` or `amux up`)")
    .argument("<session|service...>", "sessions, or services (all their replicas)")
    .action(async (sessions: string[], _o, cmd: Command) => (await import("./session-commands.js")).cmdStop(globals(cmd), sessions));

  program
    .command("start")
    .description("start stopped sessions again: a declared replica (or every replica of a service) from the compose file, an exited `run` session in place")
    .argument("<session|service...>")
    .option("--json", "what was done, as JSON")
    .option("--fresh", "start the agent clean instead of resuming its last conversation (params.resume)")
    .action(async (names: string[], o, cmd: Command) => (await import("./lifecycle-commands.js")).cmdStartRestart("start", globals(cmd), names, o));

  program
    .command("restart")
    .description("restart sessions in place, running or not (same session, labels and log; the restart count starts again at 0)")
    .argument("<session|service...>")
    .option("--json", "what was done, as JSON")
    .option("--fresh", "start the agent clean instead of resuming its last conversation (params.resume)")
    .action(async (names: string[], o, cmd: Command) => (await import("./lifecycle-commands.js")).cmdStartRestart("restart", globals(cmd), names, o));

  program
    .command("prune")
    .description("forget sessions that are gone: their records (ps --all) and logs; live sessions are never touched")
    .option("-a, --all", "also the records that keep declared replicas stopped (a running watch then starts them)")
    .option("--json", "what was removed, as JSON")
    .action(async (o, cmd: Command) => (await import("./lifecycle-commands.js")).cmdPrune(globals(cmd), o));

  const config = program.command("config").description("show, edit or validate the configuration");
  config
    .command("show")
    .description("the resolved configuration (secrets masked)")
    .option("--json", "as JSON")
    .option("--show-secrets", "do not mask secret values")
    .action(async (o, cmd: Command) => (await import("./commands.js")).cmdConfigShow(globals(cmd), o));
  config
    .command("edit")
    .description("open .amux/config.yaml in $VISUAL/$EDITOR (made from a commented template when absent), then validate it")
    .action(async (_o, cmd: Command) => (await import("./config-edit.js")).cmdConfigEdit(globals(cmd)));
  config
    .command("validate")
    .description("validate .amux/config.yaml and the compose file")
    .action(async (_o, cmd: Command) => (await import("./commands.js")).cmdConfigValidate(globals(cmd)));

  program
    .command("up")
    .description("converge live tmux to the compose file")
    .argument("[service...]", "only these services")
    .option("--dry-run", "print the plan and change nothing")
    .option("--remove-orphans", "remove sessions of services no longer declared")
    .option("--fresh", "start replicas clean: never resume an agent's last conversation")
    .option("--wait", "wait until every replica is running or idle")
    .addOption(new Option("--wait-timeout <duration>", "how long --wait waits").argParser(seconds("--wait-timeout")).default(60_000, "60s"))
    .addOption(
      new Option("--prompt-timeout <duration>", "how long to wait for agents to be ready for their prompt")
        .argParser(seconds("--prompt-timeout"))
        .default(60_000, "60s"),
    )
    .option("--json", "with --dry-run: the plan as JSON")
    .option("-d, --detach", "accepted for docker habits: amux is always detached (agents run in tmux)")
    .option("--watch", "then keep converging and supervising (same as amux watch)")
    .action(async (services: string[], o, cmd: Command) =>
      o.watch
        ? (await import("./watch-commands.js")).cmdWatch(globals(cmd), services, o)
        : (await import("./fleet-commands.js")).cmdUp(globals(cmd), services, o),
    );

  program
    .command("plan")
    .description("what `up` would do (same as up --dry-run)")
    .argument("[service...]", "only these services")
    .option("--remove-orphans", "plan the removal of orphans")
    .option("--json", "as JSON")
    .action(async (services: string[], o, cmd: Command) => (await import("./fleet-commands.js")).cmdUp(globals(cmd), services, { ...o, dryRun: true }));

  program
    .command("down")
    .description("remove every session of the project (services and run sessions)")
    .option("--workspaces", "also remove the project's workspaces (refusing any with unsaved work)")
    .option("--force", "with --workspaces: remove them even with unsaved work (never what amux did not make, locked or in use)")
    .action(async (o, cmd: Command) => (await import("./fleet-commands.js")).cmdDown(globals(cmd), o));

  const ws = program.command("workspace").alias("ws").description("git-worktree workspaces that agents run in");
  ws.command("create")
    .description("create a workspace (a worktree on branch amux/<name>) and print its path")
    .argument("<name>")
    .option("--branch <branch>", "branch to check out or create (default amux/<name>)")
    .option("--base <ref>", "start point of a new branch (default: the current branch)")
    .action(async (name: string, o, cmd: Command) => (await import("./workspace-commands.js")).cmdWsCreate(globals(cmd), name, o));
  ws.command("ls")
    .description("list workspaces with branch, unsaved work and the sessions using them")
    .option("--json", "as JSON")
    .action(async (o, cmd: Command) => (await import("./land-commands.js")).cmdWsLsRows(globals(cmd), o));
  ws.command("rm")
    .description("remove workspaces, refusing any with unsaved work or a live session")
    .argument("<name...>")
    .option("--force", "remove even with uncommitted, untracked or ignored files (commits stay on their branch; never what amux did not make)")
    .action(async (names: string[], o, cmd: Command) => (await import("./workspace-commands.js")).cmdWsRm(globals(cmd), names, o));
  ws.command("prune")
    .description("remove workspaces no session uses and that hold no unsaved work")
    .option("--force", "also those with unsaved work (never what amux did not make, locked or in use)")
    .option("--dry-run", "say what would go")
    .action(async (o, cmd: Command) => (await import("./workspace-commands.js")).cmdWsPrune(globals(cmd), o));

  registerLandCommands(program, globals);

  program
    .command("mcp")
    .description("serve the Model Context Protocol on stdio (tools to run, watch and steer agents and fleets)")
    .action(async (_o, cmd: Command) => (await import("../mcp/server.js")).serveStdio(globals(cmd)));

  program
    .command("completion")
    .description("print a shell completion script: commands, flags, and session, service, agent and workspace names")
    .argument("<shell>", "bash, zsh or fish")
    .action(async (shell: string) => {
      process.stdout.write((await import("./completion.js")).completionScript(shell));
    });

  program
    .command("bench-tick", { hidden: true })
    .option("--ticks <n>", "how many", int("--ticks"))
    .action(async (o, cmd: Command) => (await import("./bench-tick.js")).cmdBenchTick(globals(cmd), o));

  program
    .command("schema")
    .description("print the JSON Schema of the compose file or the agent config")
    .argument("[kind]", "compose or config", "compose")
    .action(async (kind: string) => (await import("./commands.js")).cmdSchema(kind));

  addGlobalOptions(program);
  return program;
}

/**
 * -f/-C/-p work before and after the command name (`amux ps --json -f x.yaml`). Program options
 * are positional, so that `logs -f` can mean follow there (with --file for the compose file).
 */
function addGlobalOptions(program: Command): void {
  program.enablePositionalOptions();
  const walk = (cmd: Command) => {
    for (const sub of cmd.commands) {
      const has = (flag: string) => sub.options.some((o) => o.short === flag || o.long === flag);
      sub.option(has("-f") ? "--file <path>" : "-f, --file <path>", "compose file");
      if (!has("-C")) sub.option("-C, --cwd <dir>", "run as if started in <dir>");
      if (!has("-p")) sub.option("-p, --project <name>", "project name");
      walk(sub);
    }
  };
  walk(program);
}

/** commander's own errors in amux's voice: `amux: ...`, with a way forward when it has none. */
export function commanderMessage(s: string): string {
  let text = s.replace(/^error: /, "amux: ");
  if (/^amux: unknown command/.test(text) && !/Did you mean/.test(text)) text = `${text.trimEnd()}\n  (amux --help lists the commands)\n`;
  if (/^amux: unknown option/.test(text) && !/Did you mean/.test(text)) text = `${text.trimEnd()}\n  (add --help after the command to list its options)\n`;
  return text;
}

/** Whether a command-line value names a file (relative to -C DIR when given, else the working directory). */
function isFileArg(args: string[]): (p: string) => boolean {
  const c = args.indexOf("-C") >= 0 ? args[args.indexOf("-C") + 1] : args.indexOf("--cwd") >= 0 ? args[args.indexOf("--cwd") + 1] : undefined;
  return (p) => {
    try {
      return statSync(resolve(c ?? ".", p)).isFile();
    } catch {
      return false;
    }
  };
}

/** Runs the CLI and returns the exit code; the one place errors become text and codes. */
export async function main(argv: string[]): Promise<number> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    // Help was not asked for: it goes to stderr and the exit says so (as git does); --help and
    // `amux help` print it to stdout and exit 0.
    if (argv[2] === "__complete") {
      await (await import("./completion.js")).runComplete(program, argv.slice(3));
      return EXIT.ok;
    }
    if (argv.length <= 2) {
      program.outputHelp({ error: true });
      return EXIT.usage;
    }
    const amb = ambiguousFollowFile(argv.slice(2), isFileArg(argv.slice(2)));
    if (amb !== undefined) throw new UsageError(`-f means --follow here; use --file ${amb} for the compose file`);
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const { text, exitCode } = describeError(e);
    if (text) process.stderr.write(`${text}\n`);
    return exitCode;
  }
}

process.exit(await main(process.argv));
