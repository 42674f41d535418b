import { describe, expect, it } from "vitest";
import { controlDir, sshOptions } from "../../../src/ssh/transport.js";

describe("sshOptions", () => {
  const env = { HOME: "/nonexistent-home-amux", XDG_RUNTIME_DIR: "/run/user/1000" };

  it("batch mode, a connect timeout, one control connection per host, then -- and the destination last", () => {
    const args = sshOptions({ id: "gpu", ssh: "me@gpu.example" }, { env, connectTimeoutSec: 7, persistSec: 60 });
    expect(args).toEqual([
      "-T",
      "-o",
      "BatchMode=yes",
      "-o",
      "LogLevel=ERROR",
      "-o",
      "ConnectTimeout=7",
      "-o",
      "ControlMaster=auto",
      "-o",
      "ControlPath=/run/user/1000/amux/%C",
      "-o",
      "ControlPersist=60",
      "-o",
      "ServerAliveInterval=15",
      "-o",
      "ServerAliveCountMax=3",
      "--",
      "me@gpu.example",
    ]);
    expect(sshOptions({ id: "gpu", ssh: "gpu" }, { env }, true)[0]).toBe("-t");
  });

  it.each(["-oProxyCommand=touch pwned", "gpu example", "gpu\nx", "", "a\0b"])("refuses the destination %j", (ssh) => {
    expect(() => sshOptions({ id: "x", ssh }, { env })).toThrow(/invalid ssh destination/);
  });
});

describe("controlDir", () => {
  it("is under XDG_RUNTIME_DIR when that is short enough for a socket path", () => {
    expect(controlDir({ XDG_RUNTIME_DIR: "/run/user/1000" })).toBe("/run/user/1000/amux");
  });

  it("falls back to a short folder when the runtime folder would make socket paths too long", () => {
    const dir = controlDir({ XDG_RUNTIME_DIR: `/${"x".repeat(80)}` });
    expect(dir.length).toBeLessThanOrEqual(45);
    // With %C (40) and ssh's temporary suffix (17), the path still fits a Unix socket address.
    expect(`${dir}/${"c".repeat(40)}.${"t".repeat(16)}`.length).toBeLessThan(104);
  });
});
