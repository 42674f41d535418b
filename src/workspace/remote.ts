/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here is remote shell text, not a template */
import type { WorkspaceSettings } from "../config/project.js";
import { AmuxError, UsageError } from "../errors.js";
import type { Reporter } from "../io.js";
import { assertBase, assertBranch, assertName } from "../names.js";
import { type SshHost, type SshSettings, sshRun } from "../ssh/transport.js";
import { BRANCH_PREFIX, type CreateOptions, WorkspaceError } from "./ensure.js";
import { GIT_ENV } from "./git.js";
import { blank, keepReasons, type WorkspaceInfo } from "./manage.js";

/**
 * Workspaces on a host: git worktrees of the host's `root`, made, inspected and removed with the
 * rules of ensure.ts and manage.ts, each operation one fixed `sh -c` script run through the ssh
 * transport with every value an argument (quoted for the remote shell by the transport, checked
 * by names.ts before it goes). Names, branches and bases never reach git as options
 * (`--end-of-options`, `--`).
 *
 * Differences from a local workspace: `workspaces.copy` and `workspaces.symlink` are not applied
 * on a host (a warning says so); `setup` runs there, in the workspace, once (its marker in the
 * host's `<root>/.amux/state/workspaces/<name>.setup`), its output reported after it ends.
 * amux's mark of ownership is a file in the worktree's git admin folder
 * (`amux-remote-workspace`, holding the name) instead of a record under .amux.
 */

export interface RemoteWorkspaceHost {
  host: SshHost;
  /** The project's checkout on the host (absolute). */
  root: string;
  workspaces: Pick<WorkspaceSettings, "base" | "root" | "setup" | "setupShown" | "copy" | "symlink">;
  ssh?: SshSettings;
}

/** amux's mark in a worktree's admin folder: the workspace's name. */
export const REMOTE_MARKER = "amux-remote-workspace";

function checkPath(h: RemoteWorkspaceHost): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  const bad = (p: string) => /[\x00-\x1f\x7f]/.test(p);
  if (!h.root.startsWith("/") || bad(h.root)) {
    throw new UsageError(`host ${h.host.id}: root must be an absolute path without control characters: ${JSON.stringify(h.root)}`);
  }
  if (h.workspaces.root !== undefined && bad(h.workspaces.root))
    throw new UsageError(`workspaces.root holds control characters: ${JSON.stringify(h.workspaces.root)}`);
}

/** git's environment rules (git.ts) for every git in the script: amux's constants only. */
const GIT_ENV_LINES = [
  `unset ${Object.keys(GIT_ENV)
    .filter((k) => GIT_ENV[k] === undefined)
    .join(" ")}`,
  "GIT_TERMINAL_PROMPT=0; export GIT_TERMINAL_PROMPT",
];

/**
 * What every script starts with: its first three arguments are root, name and the
 * `workspaces.root` setting (empty: none). Finds the checkout's top and common git folder, works
 * out the workspace's folder as paths.ts workspaceDir does (`<top>/../<top's name>.worktrees/<name>`)
 * and prints it (`D:`), and defines `admin DIR` (git's admin folder of the linked worktree at DIR,
 * proven both ways as record.ts worktreeAdminDir does) and `registered DIR` (the admin folder
 * git's side names for DIR, when its folder is gone).
 */
const PRELUDE = [
  ...GIT_ENV_LINES,
  "root=$1 name=$2 wsroot=$3; shift 3",
  "say() { printf '%s\\n' \"$*\"; }",
  'fail() { say "E:$*"; exit 3; }',
  '[ -d "$root" ] || fail "no-root"',
  'top=$(cd -- "$root" 2>/dev/null && git rev-parse --show-toplevel 2>/dev/null) || top=',
  "common=",
  'if [ -n "$top" ]; then common=$(cd -- "$top" && c=$(git rev-parse --git-common-dir) && cd -- "$c" && pwd -P) || fail "no-common"; fi',
  'if [ -n "$wsroot" ]; then case $wsroot in /*) dir=$wsroot/$name ;; *) dir=$root/$wsroot/$name ;; esac',
  'else t=${top:-$root}; dir=$(dirname -- "$t")/$(basename -- "$t").worktrees/$name; fi',
  'say "D:$dir"',
  'canon() { (cd -- "$1" 2>/dev/null && pwd -P); }',
  "admin() {",
  '  [ -f "$1/.git" ] && [ ! -L "$1/.git" ] || return 1',
  '  g=$(cat -- "$1/.git") || return 1',
  '  case $g in "gitdir: "*) a=${g#gitdir: } ;; *) return 1 ;; esac',
  "  case $a in /*) ;; *) a=$1/$a ;; esac",
  '  a=$(canon "$a") || return 1',
  '  [ "$(dirname -- "$a")" = "$common/worktrees" ] || return 1',
  '  b=$(cat -- "$a/gitdir" 2>/dev/null) || return 1',
  "  case $b in /*) ;; *) b=$a/$b ;; esac",
  '  [ "$(basename -- "$b")" = .git ] || return 1',
  '  bd=$(canon "$(dirname -- "$b")") || return 1',
  '  [ "$bd" = "$(canon "$1")" ] || return 1',
  '  printf "%s\\n" "$a"',
  "}",
  "registered() {",
  '  for g in "$common"/worktrees/*/gitdir; do',
  '    [ -f "$g" ] || continue',
  '    if [ "$(cat -- "$g")" = "$1/.git" ]; then dirname -- "$g"; return 0; fi',
  "  done",
  "  return 1",
  "}",
];

const ENSURE = [
  ...PRELUDE,
  "branch=$1 base=$2 setup=$3 shown=$4 marker=$5",
  'if [ -L "$dir" ]; then fail "refuse:a symbolic link"; fi',
  'if [ -z "$top" ]; then',
  '  if [ -e "$dir" ]; then',
  '    [ -d "$dir" ] || fail "refuse:a file"',
  '    [ ! -e "$dir/.git" ] || fail "refuse:a git repository"',
  '  else mkdir -p -- "$dir" || fail "mkdir"; say "I:created directory $dir"; fi',
  'elif [ -e "$dir" ]; then',
  '  [ -d "$dir" ] || fail "refuse:a file"',
  '  if ! admin "$dir" >/dev/null; then',
  '    if [ -e "$dir/.git" ]; then fail "refuse:a git repository or another repository\'s worktree"; fi',
  '    fail "refuse:a plain folder"',
  "  fi",
  "else",
  '  [ -n "$branch" ] || branch=amux/$name',
  '  if git -C "$top" rev-parse --verify --quiet --end-of-options "refs/heads/$branch" >/dev/null 2>&1; then exists=1; else exists=0; fi',
  '  if [ $exists = 0 ] && [ -z "$base" ]; then',
  '    cur=$(git -C "$top" symbolic-ref --quiet --short HEAD 2>/dev/null) && [ "$(git -C "$top" check-ref-format --branch "$cur" 2>/dev/null)" = "$cur" ] && base=$cur || base=HEAD',
  "  fi",
  '  if [ $exists = 0 ] && ! git -C "$top" rev-parse --verify --quiet --end-of-options "$base^{commit}" >/dev/null 2>&1; then fail "base:$base"; fi',
  '  mkdir -p -- "$(dirname -- "$dir")" || fail "mkdir"',
  '  if [ $exists = 1 ]; then err=$(git -C "$top" worktree add --quiet -- "$dir" "$branch" 2>&1 >/dev/null); rc=$?',
  '  else err=$(git -C "$top" worktree add --quiet -b "$branch" -- "$dir" "$base" 2>&1 >/dev/null); rc=$?; fi',
  "  if [ $rc != 0 ]; then",
  // Another amux may have made it at the same moment; that is fine.
  '    [ -e "$dir" ] || fail "add:$err"',
  "  else",
  '    if a=$(admin "$dir"); then printf "%s\\n" "$name" >"$a/$marker"; fi',
  '    if [ $exists = 1 ]; then say "I:worktree $dir on branch $branch"; else say "I:worktree $dir on branch $branch (from $base)"; fi',
  "  fi",
  "fi",
  'if [ -n "$setup" ]; then',
  "  m=$root/.amux/state/workspaces/$name.setup",
  '  if [ ! -f "$m" ] || [ "$(cat -- "$m")" != "$shown" ]; then',
  '    say "S:run"',
  '    (cd -- "$dir" && exec sh -c "$setup") </dev/null 1>&2',
  "    rc=$?",
  '    [ $rc = 0 ] || fail "setup:$rc"',
  '    (umask 077; mkdir -p -- "$root/.amux/state/workspaces" && printf "%s" "$shown" >"$m.tmp.$$" && mv -f -- "$m.tmp.$$" "$m") 2>/dev/null || :',
  "  fi",
  "fi",
  'say "OK"',
].join("\n");

const INSPECT = [
  ...PRELUDE,
  "marker=$1",
  'if [ -L "$dir" ]; then say "K:foreign:a symbolic link, not a folder amux made"; exit 0; fi',
  'if [ -e "$dir" ] && [ ! -d "$dir" ]; then say "K:foreign:a file, not a folder amux made"; exit 0; fi',
  'if [ -e "$dir" ]; then',
  '  cd_=$(canon "$dir"); cr=$(canon "$root")',
  '  case $cr/ in "$cd_"/*) say "K:foreign:the project itself, or its .amux folder"; exit 0 ;; esac',
  '  [ "$cd_" != "$cr/.amux" ] || { say "K:foreign:the project itself, or its .amux folder"; exit 0; }',
  "fi",
  'if [ -z "$top" ]; then',
  '  [ -e "$dir" ] || { say "K:absent"; exit 0; }',
  '  [ ! -e "$dir/.git" ] || { say "K:foreign:a git repository, not a folder amux made"; exit 0; }',
  '  say "K:directory"',
  '  say "N:$(find "$dir" ! -type d | wc -l)"',
  '  find "$dir" -name .git | while IFS= read -r r; do say "R:${r#"$dir"/}"; done',
  "  exit 0",
  "fi",
  'if [ -e "$dir" ]; then',
  '  if [ "$(canon "$dir")" = "$top" ]; then say "K:foreign:the main checkout"; exit 0; fi',
  '  if ! a=$(admin "$dir"); then',
  '    if registered "$dir" >/dev/null; then say "K:foreign:registered as a worktree, but the folder there is not that worktree (its .git points elsewhere)"',
  '    elif [ -d "$dir/.git" ]; then say "K:foreign:a separate git repository (a clone?), not a worktree of this repository"',
  '    elif [ -e "$dir/.git" ]; then say "K:foreign:a worktree of another repository, not of this one"',
  '    else say "K:foreign:a plain folder, not a git worktree amux created"; fi',
  "    exit 0",
  "  fi",
  '  say "K:worktree"',
  "else",
  '  a=$(registered "$dir") || { say "K:absent"; exit 0; }',
  '  say "K:missing"',
  "fi",
  'h=$(cat -- "$a/HEAD" 2>/dev/null) || h=',
  "br=",
  'case $h in "ref: refs/heads/"*) br=${h#ref: refs/heads/} ;; esac',
  'op=; for x in rebase-merge rebase-apply; do if [ -e "$a/$x" ]; then op=rebase; [ ! -e "$a/$x/applying" ] || op=am',
  '  if [ -z "$br" ] && [ -f "$a/$x/head-name" ]; then hn=$(cat -- "$a/$x/head-name"); case $hn in refs/heads/*) br=${hn#refs/heads/} ;; esac; fi; break; fi; done',
  'if [ -z "$op" ]; then if [ -e "$a/MERGE_HEAD" ]; then op=merge; elif [ -e "$a/CHERRY_PICK_HEAD" ]; then op=cherry-pick; elif [ -e "$a/REVERT_HEAD" ]; then op=revert; elif [ -e "$a/BISECT_LOG" ] || [ -e "$a/BISECT_START" ]; then op=bisect; fi; fi',
  '[ -z "$op" ] || say "O:$op"',
  '[ -z "$br" ] || say "B:$br"',
  "case $h in",
  '  "ref: refs/heads/"*) sha=$(git -C "$top" rev-parse --verify --quiet --end-of-options "refs/heads/${h#ref: refs/heads/}^{commit}" 2>/dev/null) || sha= ;;',
  '  "ref: "*) sha= ;;',
  // A detached HEAD: the admin folder's HEAD file holds the commit itself.
  "  *) sha=$h ;;",
  "esac",
  // Only an object name goes on to rev-list: never text that could read as an option.
  'case $sha in *[!0-9a-f]* | "") sha= ;; esac',
  '[ -z "$sha" ] || say "H:$sha"',
  'if [ -f "$a/locked" ]; then say "L:$(tr "\\n" " " <"$a/locked")"; fi',
  'if [ -f "$a/$marker" ] && [ "$(cat -- "$a/$marker")" = "$name" ]; then say "M:1"; fi',
  '[ ! -d "$a/modules" ] || say "R:its submodules"',
  'if [ -n "$sha" ]; then',
  '  if [ -n "$br" ]; then u=$(git -C "$top" rev-list --count "$sha" "refs/heads/$br" --not "--exclude=$br" --branches --remotes --tags 2>&1) || u="error:$u"',
  '    case $h in "ref: "*) ;; *) d=$(git -C "$top" rev-list --count "$sha" --not --branches --remotes --tags 2>&1) || d="error:$d"; say "X:$d" ;; esac',
  '  else u=$(git -C "$top" rev-list --count "$sha" --not --branches --remotes --tags 2>&1) || u="error:$u"; say "X:$u"; fi',
  '  say "U:$u"',
  "fi",
  'if [ -e "$dir" ]; then',
  '  if st=$(git -C "$dir" --no-optional-locks status --porcelain --untracked-files=all --ignored=traditional 2>&1); then say "S:"; printf "%s\\n" "$st"',
  '  else say "Q:git status failed: $(printf "%s" "$st" | head -n 1)"; fi',
  "fi",
].join("\n");

const REMOVE = [
  ...PRELUDE,
  "force=$1 br=$2",
  '[ -n "$top" ] || fail "not-git"',
  // Checked again just before: what was inspected may have been swapped for a link or another folder since.
  'if [ -L "$dir" ]; then fail "changed"; fi',
  'if [ -e "$dir" ]; then admin "$dir" >/dev/null || fail "changed"; fi',
  'if [ "$force" = 1 ] && [ -e "$dir" ]; then err=$(git -C "$top" worktree remove --force -- "$dir" 2>&1 >/dev/null); rc=$?',
  'else err=$(git -C "$top" worktree remove -- "$dir" 2>&1 >/dev/null); rc=$?; fi',
  'if [ $rc != 0 ]; then fail "remove:$(printf "%s" "$err" | head -n 1)"; fi',
  'rm -f -- "$root/.amux/state/workspaces/$name.setup" 2>/dev/null',
  'say "REMOVED"',
  "case $br in amux/*)",
  '  if sha=$(git -C "$top" rev-parse --verify --quiet --end-of-options "refs/heads/$br" 2>/dev/null); then',
  '    if ! n=$(git -C "$top" rev-list --count "$sha" --not "--exclude=$br" --branches --remotes --tags 2>/dev/null); then say "W:kept branch $br: could not check its commits"',
  '    elif [ "$n" != 0 ]; then say "W:kept branch $br: $n commit(s) on no other branch, tag or remote; git branch -D $br drops it"',
  '    elif ! err=$(git -C "$top" branch -D -- "$br" 2>&1); then say "W:kept branch $br: $(printf "%s" "$err" | head -n 1)"; fi',
  "  fi ;;",
  "esac",
  'say "OK"',
].join("\n");

/** The entries of the workspaces folder, and worktrees registered in it whose folder is gone. */
const LIST = [
  ...PRELUDE,
  'base=$(dirname -- "$dir")',
  'for e in "$base"/* "$base"/.[!.]* "$base"/..?*; do if [ -e "$e" ] || [ -L "$e" ]; then say "N:${e##*/}"; fi; done',
  'if [ -n "$common" ]; then for g in "$common"/worktrees/*/gitdir; do',
  '  [ -f "$g" ] || continue; p=$(cat -- "$g"); p=${p%/.git}',
  '  if [ "$(dirname -- "$p")" = "$base" ]; then say "N:${p##*/}"; fi',
  "done; fi",
  'say "OK"',
].join("\n");

export interface RemoteAnswer {
  dir: string;
  /** Tagged lines (`X:value`) after the folder, in order; S: takes the rest. */
  tags: [string, string][];
  status: string | null;
}

export function parseAnswer(stdout: string): RemoteAnswer {
  const lines = stdout.split("\n");
  const out: RemoteAnswer = { dir: "", tags: [], status: null };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l === "S:") {
      out.status = lines.slice(i + 1).join("\n");
      break;
    }
    const c = l.indexOf(":");
    if (c < 0) {
      if (l) out.tags.push([l, ""]);
      continue;
    }
    const tag = l.slice(0, c);
    if (tag === "D" && !out.dir) out.dir = l.slice(2);
    else out.tags.push([tag, l.slice(c + 1)]);
  }
  return out;
}

async function runScript(
  h: RemoteWorkspaceHost,
  script: string,
  name: string,
  args: string[],
): Promise<{ answer: RemoteAnswer; stderr: string; code: number }> {
  const r = await sshRun(h.host, ["sh", "-c", script, "amux-workspace", h.root, name, h.workspaces.root ?? "", ...args], h.ssh ?? {});
  return { answer: parseAnswer(r.stdout), stderr: r.stderr, code: r.code };
}

function failure(h: RemoteWorkspaceHost, name: string, a: RemoteAnswer, stderr: string, code: number): AmuxError {
  const e = a.tags.find(([t]) => t === "E")?.[1];
  const where = `workspace ${name} on host ${h.host.id}`;
  if (e === "no-root")
    return new AmuxError(`${where}: the host's root ${h.root} is not a folder there (hosts.${h.host.id}.root must be a clone of this repository)`);
  if (e?.startsWith("refuse:")) {
    return new WorkspaceError(`${where}: ${a.dir} is ${e.slice(7)}, not a workspace amux made`, ["move it away, or choose another workspace name"]);
  }
  if (e?.startsWith("base:"))
    return new UsageError(`cannot create ${where}: unknown base ${JSON.stringify(e.slice(5))} (no branch, tag or commit of that name in ${h.root})`);
  if (e?.startsWith("add:")) return new WorkspaceError(`cannot create ${where}: ${e.slice(4)}`);
  if (e?.startsWith("setup:")) return new WorkspaceError(`${where}: setup command failed with exit ${e.slice(6)} (it runs again next time)`);
  return new WorkspaceError(`${where}: ${e ?? (stderr.trim() || `exit ${code}`)}`);
}

/**
 * ensureWorkspace on a host: makes sure workspace `name` exists as a worktree of the host's
 * checkout (branch amux/<name> or `o.branch`, made from `o.base`, `workspaces.base` or the
 * current branch; an existing branch is checked out as it is), outside the checkout at
 * `<checkout>.worktrees/<name>`, and returns its folder there. An existing folder is used only
 * when it is a worktree of that repository (proven both ways); a symbolic link, a file, a clone
 * or a plain folder is refused (WorkspaceError). Runs `workspaces.setup` there once. Names,
 * branch and bases are checked first (UsageError, exit 2), before anything reaches the host.
 * ONE ssh round trip. HostUnreachableError when the host cannot be reached.
 */
export async function ensureRemoteWorkspace(h: RemoteWorkspaceHost, name: string, reporter: Reporter, o: CreateOptions = {}): Promise<string> {
  assertName("workspace", name);
  if (o.branch !== undefined) assertBranch(o.branch);
  if (o.base !== undefined) assertBase(o.base);
  if (h.workspaces.base !== undefined) assertBase(h.workspaces.base);
  checkPath(h);
  const setup = h.workspaces.setup ?? "";
  const shown = h.workspaces.setupShown ?? setup;
  const { answer, stderr, code } = await runScript(h, ENSURE, name, [o.branch ?? "", o.base ?? h.workspaces.base ?? "", setup, shown, REMOTE_MARKER]);
  for (const [t, v] of answer.tags) {
    if (t === "I") reporter.info(`workspace ${name} on host ${h.host.id}: ${v}`);
    if (t === "S") reporter.info(`workspace ${name} on host ${h.host.id}: ran setup: ${shown}`);
  }
  if (answer.tags.some(([t]) => t === "S")) for (const line of stderr.split("\n").filter(Boolean)) reporter.info(`  ${name} | ${line}`);
  if (code !== 0 || !has(answer, "OK")) throw failure(h, name, answer, stderr, code);
  const skipped = [...(h.workspaces.copy.length ? ["copy"] : []), ...(h.workspaces.symlink.length ? ["symlink"] : [])];
  if (skipped.length && answer.tags.some(([t]) => t === "I")) {
    reporter.warn(
      `workspace ${name} on host ${h.host.id}: workspaces.${skipped.join(" and workspaces.")} apply to this machine's workspaces only; not applied there`,
    );
  }
  return answer.dir;
}

function blankInfo(name: string, path: string, sessions: string[]): WorkspaceInfo {
  return blank(name, path, "foreign", sessions);
}

/** A path as `git status --porcelain` prints it (C-quoted when unusual), unquoted enough to read. Pure. */
function porcelainPath(p: string): string {
  return p.startsWith('"') && p.endsWith('"') ? p.slice(1, -1) : p;
}

/** Builds a WorkspaceInfo from the inspect script's answer. Pure. */
export function remoteInfo(name: string, a: RemoteAnswer, sessions: string[]): WorkspaceInfo | null {
  const info = blankInfo(name, a.dir, sessions);
  const get = (t: string) => a.tags.find(([x]) => x === t)?.[1];
  const kind = get("K") ?? "";
  if (kind === "absent") return null;
  if (kind.startsWith("foreign:")) {
    info.foreign = kind.slice(8);
    return info;
  }
  if (kind === "directory") {
    info.kind = "directory";
    info.files = Number(get("N") ?? "0") || 0;
    info.repositories = a.tags.filter(([t]) => t === "R").map(([, v]) => v);
    return info;
  }
  if (kind !== "worktree" && kind !== "missing") {
    info.foreign = "amux could not tell what it is";
    return info;
  }
  info.branch = get("B") ?? null;
  if (get("M") !== "1" && !info.branch?.startsWith(BRANCH_PREFIX)) {
    info.foreign = info.branch ? `a worktree on branch ${info.branch} that amux did not create` : "a worktree on a detached HEAD that amux did not create";
    return info;
  }
  info.worktree = true;
  info.kind = kind;
  info.operation = get("O") ?? null;
  const locked = get("L");
  info.locked = locked === undefined ? null : locked.trim();
  info.repositories = a.tags.filter(([t]) => t === "R").map(([, v]) => v);
  const q = get("Q");
  if (q) info.unchecked = q;
  if (a.status !== null) {
    for (const line of a.status.split("\n")) {
      if (line.length < 4) continue;
      const xy = line.slice(0, 2);
      const path = porcelainPath(line.slice(3));
      if ((xy === "??" || xy === "!!") && path.endsWith("/")) info.repositories.push(path);
      else if (xy === "??") info.untracked++;
      else if (xy === "!!") {
        info.ignored++;
        if (info.ignoredFiles.length < 3) info.ignoredFiles.push(path);
      } else info.uncommitted++;
    }
  } else if (kind === "worktree" && !info.unchecked) info.unchecked = "git status gave no answer";
  if (!get("H")) {
    info.unchecked ??= "git names no commit for its HEAD";
    return info;
  }
  for (const [t, field] of [
    ["U", "unpushed"],
    ["X", "detached"],
  ] as const) {
    const v = get(t);
    if (v === undefined) continue;
    const n = Number(v);
    if (v.startsWith("error:") || !Number.isInteger(n)) info.unchecked ??= `git rev-list failed: ${v.slice(6).split("\n")[0] ?? ""}`;
    else info[field] = n;
  }
  return info;
}

/**
 * The state of workspace `name` on the host, as manage.ts's inspect reports a local one (kind,
 * foreign reason, branch, lock, operation in progress, uncommitted/untracked/ignored files,
 * repositories inside, commits on no other branch); null when nothing is there. `sessions`:
 * the sessions using it (they keep it). ONE ssh round trip.
 */
export async function inspectRemoteWorkspace(h: RemoteWorkspaceHost, name: string, sessions: string[] = []): Promise<WorkspaceInfo | null> {
  assertName("workspace", name);
  checkPath(h);
  const { answer, stderr, code } = await runScript(h, INSPECT, name, [REMOTE_MARKER]);
  if (code !== 0 || !answer.dir) throw failure(h, name, answer, stderr, code);
  return remoteInfo(name, answer, sessions);
}

export interface RemoteRemoveResult {
  name: string;
  path: string;
  removed: boolean;
  /** Why it was kept (empty when removed or absent). */
  reasons: string[];
  /** Nothing was there. */
  absent: boolean;
}

/**
 * Removes workspace `name` on the host with manage.ts's rules (keepReasons): never a folder that
 * is not provably amux's worktree, never unsaved work (uncommitted, untracked or ignored files,
 * an operation in progress, commits on no other branch) unless `force`, which still never
 * overrides foreign, in use, locked, unchecked, repositories inside, or detached commits. Two
 * round trips: inspect, then `git worktree remove` (git itself refusing a dirty tree without
 * --force) and the amux/ branch dropped when every commit on it is held elsewhere.
 */
export async function removeRemoteWorkspace(
  h: RemoteWorkspaceHost,
  name: string,
  opts: { force?: boolean; sessions?: string[] },
  reporter: Reporter,
): Promise<RemoteRemoveResult> {
  const force = opts.force ?? false;
  const info = await inspectRemoteWorkspace(h, name, opts.sessions ?? []);
  if (!info) return { name, path: "", removed: false, reasons: [], absent: true };
  const where = `workspace ${name} on host ${h.host.id} (${info.path})`;
  const reasons = keepReasons(info, force);
  if (info.kind === "directory") reasons.push("a plain folder on a host: amux removes only worktrees there");
  if (reasons.length) {
    const forceable = !force && info.kind !== "foreign" && keepReasons(info, true).length === 0;
    reporter.warn(`kept ${where}: ${reasons.join("; ")}${forceable ? " — --force removes it" : ""}`);
    return { name, path: info.path, removed: false, reasons, absent: false };
  }
  const { answer, stderr, code } = await runScript(h, REMOVE, name, [force && info.kind === "worktree" ? "1" : "0", info.branch ?? ""]);
  for (const [t, v] of answer.tags) if (t === "W") reporter.warn(v);
  if (!answer.dir) throw failure(h, name, answer, stderr, code);
  if (!has(answer, "REMOVED")) {
    const e = answer.tags.find(([t]) => t === "E")?.[1] ?? (stderr.trim() || `exit ${code}`);
    const why =
      e === "changed" ? "it changed since it was checked (no longer provably amux's worktree)" : e.replace(/^remove:/, "git worktree remove failed: ");
    reporter.warn(`kept ${where}: ${why}`);
    return { name, path: info.path, removed: false, reasons: [why], absent: false };
  }
  reporter.info(info.kind === "missing" ? `pruned ${where} from git's worktree list (its folder was already gone)` : `removed ${where}`);
  return { name, path: info.path, removed: true, reasons: [], absent: false };
}

/** The script printed this line (a bare word: OK, REMOVED). */
function has(a: RemoteAnswer, line: string): boolean {
  return a.tags.some(([t, v]) => t === line && v === "");
}

/**
 * The names under the host's workspaces folder (as manage.ts's listWorkspaces finds them here):
 * its entries, and worktrees registered there whose folder is gone. ONE round trip. A name amux
 * cannot give (checkName) is not amux's: inspectRemoteWorkspace refuses it, and it is never removed.
 */
export async function listRemoteWorkspaceNames(h: RemoteWorkspaceHost): Promise<string[]> {
  checkPath(h);
  const { answer, stderr, code } = await runScript(h, LIST, "x", []);
  if (code !== 0 || !has(answer, "OK")) throw failure(h, "list", answer, stderr, code);
  return [...new Set(answer.tags.filter(([t]) => t === "N").map(([, v]) => v))].sort();
}
