import type { Command } from "commander";
import type { ProjectOptions } from "../config/locate.js";
import type { AmuxCommand } from "./command.js";

/** Wires `diff`, `merge` and `push` (reviewing and landing agents' work); the code loads on use. */
export function registerLandCommands(program: AmuxCommand, globals: (cmd: Command) => ProjectOptions): void {
  program
    .command("diff")
    .description("what a workspace's agent did since its base: commits ahead/behind, committed, uncommitted and untracked changes")
    .argument("<target>", "workspace, or a session or service running in one")
    .option("--stat", "a diffstat per section")
    .option("--name-only", "only the names of changed files")
    .option("--json", "files (path, status, additions, deletions, kind), commits, ahead, behind, base as JSON")
    .action(async (target: string, o, cmd: Command) => (await import("./land-commands.js")).cmdDiff(globals(cmd), target, o));

  program
    .command("merge")
    .description("land a workspace's branch in the main checkout's branch: whole or not at all, tested first in a scratch worktree")
    .argument("<target>", "workspace, or a session or service running in one")
    .option("--into <branch>", "the branch to land in: the main checkout's current branch (default), or one checked out nowhere")
    .option("--squash", "one commit with all its changes")
    .option("--rebase", "rebase its commits onto the branch, then fast-forward (the workspace's branch becomes the rebased commits)")
    .option("--ff-only", "only fast-forward; refuse otherwise")
    .option("--dry-run", "show the commits, files and strategy, test for conflicts, change nothing")
    .option("--remove", "then remove the workspace, when nothing would be lost")
    .option("--commit", "commit the workspace's uncommitted and untracked work first (with -m)")
    .option("-m, --message <text>", "message of the --commit commit")
    .option("--json", "the result as JSON")
    .action(async (target: string, o, cmd: Command) => (await import("./land-commands.js")).cmdMerge(globals(cmd), target, o));

  program
    .command("push")
    .description("push a workspace's branch and set its upstream (never forced, except --force-with-lease)")
    .argument("<target>", "workspace, or a session or service running in one")
    .option("--remote <name>", "remote (default: the branch's upstream remote, else origin, else the only one)")
    .option("--force-with-lease", "replace the remote branch if it is where this repository last saw it")
    .option("--json", "the result as JSON")
    .action(async (target: string, o, cmd: Command) => (await import("./land-commands.js")).cmdPush(globals(cmd), target, o));
}
