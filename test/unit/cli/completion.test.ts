import { Command, Option } from "commander";
import { describe, expect, it } from "vitest";
import { type Completion, completeWords, completionScript, globalsOf } from "../../../src/cli/completion.js";

/** A small tree shaped like amux's: program options, commands with aliases, a hidden one. */
function program(): Command {
  const p = new Command("amux").option("-f, --file <path>").option("-C, --cwd <dir>").option("-p, --project <name>");
  p.command("run").argument("<agent>").option("-w, --workspace <name>").option("-n, --name <session>").option("--json");
  p.command("ps")
    .argument("[service...]")
    .option("-a, --all")
    .addOption(new Option("--format <f>").choices(["table", "json"]));
  p.command("logs").argument("<target>").option("-f, --follow").option("--file <path>").option("-n, --lines <N>");
  p.command("send").argument("<session>").argument("<text...>");
  p.command("stop").argument("<session...>");
  const ws = p.command("workspace").alias("ws");
  ws.command("rm").argument("<name...>");
  ws.command("ls");
  p.command("completion").argument("<shell>");
  p.command("bench-tick", { hidden: true });
  return p;
}

const c = (line: string): Completion => completeWords(program(), line.split(" "));

describe("completeWords", () => {
  it.each<[string, Completion]>([
    ["", { words: ["run", "ps", "logs", "send", "stop", "workspace", "completion"] }],
    ["l", { words: ["logs"] }],
    ["-f fleet.yaml s", { words: ["send", "stop"] }],
    ["ws ", { words: ["rm", "ls"] }],
    ["workspace r", { words: ["rm"] }],
    ["ws rm fe", { names: ["workspaces"], prefix: "fe" }],
    ["ws rm a ", { names: ["workspaces"], prefix: "" }],
    ["run ", { names: ["agents"], prefix: "" }],
    ["run claude ", { words: [] }],
    ["run --workspace ", { names: ["workspaces"], prefix: "" }],
    ["run -n ", { files: true }],
    ["logs ac", { names: ["sessions", "services"], prefix: "ac" }],
    ["logs -f ", { names: ["sessions", "services"], prefix: "" }],
    ["logs --file ", { files: true }],
    ["logs -n 5 x", { names: ["sessions", "services"], prefix: "x" }],
    ["send acme-1 ", { words: [] }],
    ["stop a b ", { names: ["sessions"], prefix: "" }],
    ["ps --format ", { words: ["table", "json"] }],
    ["ps --format j", { words: ["json"] }],
    ["completion ", { words: ["bash", "zsh", "fish"] }],
    ["-C ", { files: true }],
  ])("%j", (line, want) => {
    expect(c(line)).toEqual(want);
  });

  it("lists a command's flags, hidden ones left out", () => {
    expect(c("ps --")).toEqual({ words: ["--all", "--format", "--help"] });
    expect(c("logs -")).toEqual({ words: ["--follow", "-f", "--file", "--lines", "-n", "--help"] });
  });
});

describe("globalsOf", () => {
  it("takes -C, -p and --file from the line so names come from that project", () => {
    expect(globalsOf(["-C", "/x", "logs", "--file", "a.yaml", "-p", "acme", ""])).toEqual({ cwd: "/x", file: "a.yaml", project: "acme" });
  });
});

describe("completionScript", () => {
  it.each(["bash", "zsh", "fish"])("%s asks amux __complete", (shell) => {
    expect(completionScript(shell)).toContain("amux __complete");
  });
  it("refuses another shell", () => {
    expect(() => completionScript("tcsh")).toThrow(/bash, zsh or fish/);
  });
});
