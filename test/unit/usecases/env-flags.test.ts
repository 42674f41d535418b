import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import { parseEnvFlags } from "../../../src/usecases/session.js";

const ENV = { MY_VALUE: "from-env-canary", HOME: "/home/ada" };

describe("parseEnvFlags: runtime variables and the one secret rule", () => {
  it.each([
    // flags, map, values, secret keys
    [["MODEL=opus"], {}, { MODEL: "opus" }, []],
    [["API_TOKEN=supersecret"], {}, { API_TOKEN: "supersecret" }, ["API_TOKEN"]],
    [["MY_VALUE"], {}, { MY_VALUE: "from-env-canary" }, ["MY_VALUE"]],
    [["PLAIN=from-env-canary"], {}, { PLAIN: "from-env-canary" }, ["PLAIN"]],
    [["A=1=2"], {}, { A: "1=2" }, []],
    [[], { MCP_PASSWORD: "pw" }, { MCP_PASSWORD: "pw" }, ["MCP_PASSWORD"]],
    [[], { FROM: "from-env-canary", MODE: "x" }, { FROM: "from-env-canary", MODE: "x" }, ["FROM"]],
    [["PLAIN=from-env-canary"], { PLAIN: "y" }, { PLAIN: "y" }, []],
  ] as [string[], Record<string, string>, Record<string, string>, string[]][])("%j %j", (flags, map, values, secret) => {
    const r = parseEnvFlags(flags, map, ENV);
    expect(r.values).toEqual(values);
    expect(r.secretKeys.sort()).toEqual(secret);
  });

  it.each([["1BAD=x"], ["=x"], ["UNSET_HERE"]])("refuses %s", (flag) => {
    expect(() => parseEnvFlags([flag], {}, ENV)).toThrow(UsageError);
  });
});
