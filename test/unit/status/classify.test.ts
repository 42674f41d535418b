import { describe, expect, it } from "vitest";
import { classifyPane, isReadyForInput, PROMPT_ROWS, stripEscapes } from "../../../src/status/classify.js";
import { buildProfile } from "../../../src/status/profiles.js";
import type { PaneSample, Status } from "../../../src/status/types.js";

const S = 1_000;
const M = 60 * S;

const PROFILES = {
  generic: buildProfile("worker", "python3 worker.py"),
  claude: buildProfile("claude", "claude code"),
  codex: buildProfile("codex", "codex"),
  gemini: buildProfile("gemini", "gemini"),
  aider: buildProfile("aider", "aider --model sonnet"),
};
type ProfileName = keyof typeof PROFILES;

function live(quietMs: number, screen: string[]): PaneSample {
  return { dead: false, exitCode: null, quietMs, screen };
}

interface Case {
  what: string;
  profile: ProfileName;
  quietMs: number;
  screen: string[];
  status: Status;
}

const CASES: Case[] = [
  // running
  { what: "fresh output, no prompt", profile: "generic", quietMs: 200, screen: ["compiling src/a.c", "compiling src/b.c"], status: "running" },
  { what: "fresh output even with a prompt visible", profile: "generic", quietMs: 1 * S, screen: ["hello", "$ "], status: "running" },
  {
    what: "claude busy footer, quiet a while",
    profile: "claude",
    quietMs: 45 * S,
    screen: ["● Reading src/auth.ts", "✻ Thinking… (12s · ↓ 340 tokens)", "", "  esc to interrupt"],
    status: "running",
  },
  { what: "claude spinner line", profile: "claude", quietMs: 30 * S, screen: ["✶ Pondering… (4s · esc to interrupt)"], status: "running" },
  {
    what: "codex working marker",
    profile: "codex",
    quietMs: 20 * S,
    screen: ["• Working (18s • esc to interrupt)", "› Ask Codex to do anything"],
    status: "running",
  },
  {
    what: "gemini spinner",
    profile: "gemini",
    quietMs: 20 * S,
    screen: [" ⠴ Thinking... (esc to cancel, 9s)", " >   Type your message or @path/to/file"],
    status: "running",
  },
  { what: "aider waiting for the model", profile: "aider", quietMs: 20 * S, screen: ["Waiting for claude-3-5-sonnet..."], status: "running" },
  // idle
  { what: "shell prompt after idleAfter", profile: "generic", quietMs: 5 * S, screen: ["done.", "$ "], status: "idle" },
  { what: "python-style prompt", profile: "generic", quietMs: 5 * S, screen: ["Welcome", ">"], status: "idle" },
  { what: "quiet without prompt, before stuckAfter", profile: "generic", quietMs: 2 * M, screen: ["downloading dependencies"], status: "idle" },
  { what: "prompt visible long after stuckAfter", profile: "generic", quietMs: 60 * M, screen: ["$"], status: "idle" },
  {
    what: "claude at its prompt",
    profile: "claude",
    quietMs: 20 * M,
    screen: ["● Done.", "╭──────────────╮", '│ > Try "fix lint errors" │', "╰──────────────╯", "  ? for shortcuts"],
    status: "idle",
  },
  { what: "codex at its prompt", profile: "codex", quietMs: 20 * M, screen: ["• Done.", "› Ask Codex to do anything", "  ? for shortcuts"], status: "idle" },
  { what: "gemini at its prompt", profile: "gemini", quietMs: 20 * M, screen: ["✦ Done.", " >   Type your message or @path/to/file"], status: "idle" },
  {
    what: "aider at its prompt with a draft",
    profile: "aider",
    quietMs: 20 * M,
    screen: ["Tokens: 2.1k sent, 180 received.", "", "architect> add tests"],
    status: "idle",
  },
  // waiting
  { what: "a y/N question", profile: "generic", quietMs: 10 * S, screen: ["Overwrite config.json? [y/N]"], status: "waiting" },
  { what: "a (yes/no) question", profile: "generic", quietMs: 10 * S, screen: ["Are you sure you want to continue connecting (yes/no)"], status: "waiting" },
  { what: "a numbered menu", profile: "generic", quietMs: 10 * S, screen: ["Pick one", "❯ 1. Yes", "  2. No"], status: "waiting" },
  { what: "press enter to continue", profile: "generic", quietMs: 10 * S, screen: ["Press ENTER to continue"], status: "waiting" },
  { what: "a question at the cursor (generic)", profile: "generic", quietMs: 10 * S, screen: ["Name of the project?"], status: "waiting" },
  { what: "a question even while output is fresh", profile: "generic", quietMs: 0, screen: ["Delete 3 files? (y/n)"], status: "waiting" },
  { what: "a question even after stuckAfter", profile: "generic", quietMs: 60 * M, screen: ["Continue? [Y/n]"], status: "waiting" },
  {
    what: "claude permission question beats its busy footer",
    profile: "claude",
    quietMs: 5 * S,
    screen: [
      " Bash command",
      "   rm -rf build",
      " Do you want to proceed?",
      " ❯ 1. Yes",
      "   2. No, and tell Claude what to do differently (esc)",
      "  esc to interrupt",
    ],
    status: "waiting",
  },
  {
    what: "claude trust question",
    profile: "claude",
    quietMs: 30 * S,
    screen: [" Do you trust the files in this folder?", " ❯ 1. Yes, proceed", "   2. No, exit"],
    status: "waiting",
  },
  { what: "codex command approval", profile: "codex", quietMs: 30 * S, screen: ["  $ npm test", "› 1. Yes, proceed (y)", "  2. No (esc)"], status: "waiting" },
  { what: "codex sign-in", profile: "codex", quietMs: 30 * S, screen: ["> 1. Sign in with ChatGPT", "  2. Provide your own API key"], status: "waiting" },
  { what: "gemini tool approval", profile: "gemini", quietMs: 30 * S, screen: ["│ Allow execution of [Shell]?", "│ ● 1. Allow once"], status: "waiting" },
  { what: "aider add-file question", profile: "aider", quietMs: 30 * S, screen: ["Add src/app.py to the chat? (Y)es/(N)o [Yes]:"], status: "waiting" },
  // stuck
  { what: "quiet for stuckAfter without a prompt", profile: "generic", quietMs: 10 * M, screen: ["connecting to db..."], status: "stuck" },
  { what: "quiet long after stuckAfter, blank screen", profile: "generic", quietMs: 30 * M, screen: [], status: "stuck" },
  {
    what: "claude busy footer frozen",
    profile: "claude",
    quietMs: 11 * M,
    screen: ["✻ Thinking… (12s · ↓ 340 tokens)", "  esc to interrupt"],
    status: "stuck",
  },
  { what: "codex working marker frozen", profile: "codex", quietMs: 15 * M, screen: ["• Working (18s • esc to interrupt)"], status: "stuck" },
];

describe("classifyPane", () => {
  it.each(CASES)("$status: $what ($profile)", ({ profile, quietMs, screen, status }) => {
    expect(classifyPane(live(quietMs, screen), PROFILES[profile]).status).toBe(status);
  });

  it("reports an exited pane with its code, whatever the screen shows", () => {
    expect(classifyPane({ dead: true, exitCode: 3, quietMs: 0, screen: ["Continue? [y/N]"] }, PROFILES.generic)).toEqual({
      status: "exited",
      reason: "exited with 3",
    });
  });

  it("reports failed when the restart policy gave up", () => {
    expect(classifyPane({ dead: true, exitCode: 1, quietMs: 0, gaveUp: true }, PROFILES.claude)).toEqual({
      status: "failed",
      reason: "exited with 1; restarts exhausted",
    });
  });

  it("treats the thresholds as inclusive", () => {
    const p = PROFILES.generic;
    expect(classifyPane(live(p.idleAfterMs - 1, ["$"]), p).status).toBe("running");
    expect(classifyPane(live(p.idleAfterMs, ["$"]), p).status).toBe("idle");
    expect(classifyPane(live(p.stuckAfterMs - 1, ["working"]), p).status).toBe("idle");
    expect(classifyPane(live(p.stuckAfterMs, ["working"]), p).status).toBe("stuck");
  });

  it("looks for the prompt only near the bottom of the screen", () => {
    const p = PROFILES.generic;
    const below = Array.from({ length: PROMPT_ROWS }, (_, i) => `log line ${i}`);
    expect(classifyPane(live(11 * M, ["$", ...below]), p).status).toBe("stuck");
    expect(classifyPane(live(11 * M, ["$", ...below.slice(1)]), p).status).toBe("idle");
  });

  it("ignores blank rows under the prompt", () => {
    expect(classifyPane(live(11 * M, ["$", "", "   ", "", "", "", "", ""]), PROFILES.generic).status).toBe("idle");
  });

  it("does not take a question at the cursor as waiting for agents with their own prompt", () => {
    const screen = ["● Hello! What would you like to do next?", "  ? for shortcuts"];
    expect(classifyPane(live(30 * S, screen), PROFILES.claude).status).toBe("idle");
    expect(classifyPane(live(30 * S, ["What would you like to do next?"]), PROFILES.claude).status).toBe("idle");
  });

  it("strips escape codes before matching", () => {
    const screen = ["\x1b[1mOverwrite?\x1b[0m \x1b[2m[y/N]\x1b[0m"];
    expect(classifyPane(live(10 * S, screen), PROFILES.generic).status).toBe("waiting");
  });

  it("says why in its reason", () => {
    expect(classifyPane(live(5 * S, ["$ "]), PROFILES.generic)).toEqual({ status: "idle", reason: "at its prompt" });
    expect(classifyPane(live(12 * M, ["working"]), PROFILES.generic)).toEqual({ status: "stuck", reason: "quiet 720s, no prompt" });
    expect(classifyPane(live(20 * S, ["Name?"]), PROFILES.generic)).toEqual({ status: "waiting", reason: "question at the cursor" });
  });

  it("follows an agent's own thresholds and patterns", () => {
    const p = buildProfile("bot", "./bot.sh", { idleAfter: "500ms", stuckAfter: "1m", promptPatterns: ["^ready:"], waitingPatterns: ["^approve\\?"] });
    expect(classifyPane(live(600, ["working"]), p).status).toBe("idle");
    expect(classifyPane(live(61 * S, ["working"]), p).status).toBe("stuck");
    expect(classifyPane(live(61 * S, ["ready: _"]), p).status).toBe("idle");
    expect(classifyPane(live(61 * S, ["approve?"]), p).status).toBe("waiting");
    // The profile's own questions are replaced, not added to.
    expect(classifyPane(live(30 * S, ["Overwrite? [y/N]"]), p).status).toBe("idle");
  });
});

describe("isReadyForInput", () => {
  const claude = PROFILES.claude;
  const atPrompt = ["● Hello!", "╭───╮", "│ > │", "╰───╯", "  ? for shortcuts"];

  it.each([
    { what: "idle at its prompt", sample: live(10 * S, atPrompt), ready: true },
    { what: "prompt shown after a moment's quiet (before idleAfter)", sample: live(1_500, atPrompt), ready: true },
    { what: "prompt shown while still printing", sample: live(300, atPrompt), ready: false },
    { what: "prompt shown with a busy footer", sample: live(1_500, [...atPrompt.slice(0, 4), "  esc to interrupt"]), ready: false },
    { what: "a question on screen", sample: live(10 * S, [" Do you want to proceed?", " ❯ 1. Yes"]), ready: false },
    { what: "an exited pane", sample: { dead: true, exitCode: 0, quietMs: 10 * S, screen: atPrompt }, ready: false },
    { what: "no prompt yet, quiet", sample: live(1_500, ["Loading…"]), ready: false },
    { what: "screen not read, long quiet", sample: { dead: false, exitCode: null, quietMs: 10 * M }, ready: false },
  ])("$what → $ready", ({ sample, ready }) => {
    expect(isReadyForInput(sample, claude)).toBe(ready);
  });

  it.each(Object.keys(PROFILES) as ProfileName[])("is never true without a screen read (%s)", (name) => {
    for (const quietMs of [0, 1_500, 10 * S, 10 * M]) expect(isReadyForInput({ dead: false, exitCode: null, quietMs }, PROFILES[name])).toBe(false);
  });
});

describe("a live pane whose screen was not read", () => {
  it.each(Object.keys(PROFILES) as ProfileName[])("claims neither a question nor a prompt (%s)", (name) => {
    for (const quietMs of [0, 5 * S, 20 * M]) {
      expect(classifyPane({ dead: false, exitCode: null, quietMs }, PROFILES[name])).toEqual({ status: "running", reason: "screen not read" });
    }
  });

  it("is told apart from a blank screen, which may be idle", () => {
    expect(classifyPane(live(5 * S, []), PROFILES.generic).status).toBe("idle");
  });
});

describe("stripEscapes", () => {
  it.each([
    ["SGR colours", "\x1b[1;32mok\x1b[0m done", "ok done"],
    ["24-bit colours", "\x1b[38;2;255;193;7mAccessing\x1b[39m", "Accessing"],
    ["cursor movement and erase", "\x1b[2K\x1b[1Gprogress\x1b[?25l", "progress"],
    ["an OSC title ended by BEL", "\x1b]0;my title\x07text", "text"],
    ["an OSC hyperlink ended by ST", "\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\", "link"],
    ["bell, backspace and carriage return", "a\x07b\x08c\rd", "abcd"],
    ["plain text with unicode", "❯ 1. Yes — ok ✻", "❯ 1. Yes — ok ✻"],
  ])("removes %s", (_what, input, out) => {
    expect(stripEscapes(input)).toBe(out);
  });

  it("keeps tabs and newlines", () => {
    expect(stripEscapes("a\tb\nc")).toBe("a\tb\nc");
  });
});

describe("stripEscapes removes whole escape sequences, not just the ESC byte", () => {
  it.each([
    ["sgr0 with charset designation", "\x1b(B\x1b[mhello", "hello"],
    ["save and restore cursor", "\x1b7x\x1b8", "x"],
    ["keypad modes", "\x1b=k\x1b>", "k"],
    ["a DCS string", "\x1bPq#0;1\x1b\\x", "x"],
  ])("%s", (_name, input, want) => {
    expect(stripEscapes(input)).toBe(want);
  });
});

describe("an empty aider prompt is idle (rows are trimmed)", () => {
  it.each([">", "architect>", "ask multi>"])("%j", (prompt) => {
    const s: PaneSample = { dead: false, exitCode: null, quietMs: 11 * M, screen: ["Added src/app.py to the chat.", "", `${prompt} `] };
    expect(classifyPane(s, PROFILES.aider).status).toBe("idle");
  });
});

describe("an answered question of a line-based program is no longer waiting", () => {
  it.each([
    ["a y/N answered", ["I want to run: rm -rf build/", "Do you want to proceed? [y/N] y", "answer: y"]],
    ["a numbered menu answered", ["Pick one", "❯ 1. Yes", "  2. No", "picked 1"]],
    ["a question answered", ["Name of the project? acme", "creating acme"]],
  ])("%s", (_what, screen) => {
    const s: PaneSample = { dead: false, exitCode: null, quietMs: 10 * S, screen };
    expect(classifyPane(s, PROFILES.generic).status).toBe("idle");
  });
});
