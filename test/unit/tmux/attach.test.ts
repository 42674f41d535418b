import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { shQuote } from "../../../src/ssh/quote.js";
import { remoteAttachArgv } from "../../../src/tmux/attach.js";

const runtime = mkdtempSync(join(tmpdir(), "amux-attach-"));
afterAll(() => rmSync(runtime, { recursive: true, force: true }));

describe("attach to a session on a host", () => {
  const env = { HOME: "/nonexistent-home", XDG_RUNTIME_DIR: runtime, AMUX_TMUX_SOCKET: "sock-1" };

  it("is `ssh -t <destination> tmux -L <socket> attach-session -t =<name>:`, with a terminal and batch mode", () => {
    const argv = remoteAttachArgv({ id: "gpu1", ssh: "me@gpu1" }, "acme-a-1", env);
    expect(argv[0]).toBe("ssh");
    expect(argv).toContain("-t");
    expect(argv).not.toContain("-T");
    expect(argv).toContain("BatchMode=yes");
    const dest = argv.indexOf("me@gpu1");
    expect(argv[dest - 1]).toBe("--");
    // One remote command line, every word quoted for the remote shell.
    expect(argv.slice(dest + 1)).toEqual([["tmux", "-u", "-L", "sock-1", "attach-session", "-t", "=acme-a-1:"].map(shQuote).join(" ")]);
  });

  it("a session name reaches tmux as one literal word, whatever it holds", () => {
    const argv = remoteAttachArgv({ id: "h", ssh: "h" }, "x'; touch /tmp/pwned; '", env);
    expect(argv.at(-1)).toBe(["tmux", "-u", "-L", "sock-1", "attach-session", "-t", "=x'; touch /tmp/pwned; ':"].map(shQuote).join(" "));
  });

  it("refuses a destination that ssh would read as an option", () => {
    expect(() => remoteAttachArgv({ id: "h", ssh: "-oProxyCommand=sh" }, "a", env)).toThrow(/invalid ssh destination/);
  });
});
