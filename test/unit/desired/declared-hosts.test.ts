import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { mayDeclareHosts } from "../../../src/desired/snapshot.js";

// `ps`, `send`, `logs`… look at every declared host; a compose file is only skipped (no YAML
// parsed) when it certainly declares none. Every spelling YAML allows must be caught.

describe("mayDeclareHosts", () => {
  it.each([
    ["a block mapping", "name: x\nhosts:\n  h1: { ssh: h1, root: /r }\nservices: {}\n"],
    ["indented by a document start", "---\nhosts: { h1: { ssh: h1, root: /r } }\n"],
    ["a flow mapping on one line", "{name: x, hosts: {h1: {ssh: h1, root: /r}}, services: {}}"],
    ["JSON", JSON.stringify({ name: "x", hosts: { h1: { ssh: "h1", root: "/r" } }, services: {} })],
    ["a single-quoted key", "'hosts': { h1: { ssh: h1, root: /r } }\n"],
    ["a double-quoted key", '"hosts" : { h1: { ssh: h1, root: /r } }\n'],
    ["a \\x escape", '"\\x68osts": { h1: { ssh: h1, root: /r } }\n'],
    ["a \\u escape", '"\\u0068ost\\u0073": { h1: { ssh: h1, root: /r } }\n'],
    ["an explicit key", "? hosts\n: { h1: { ssh: h1, root: /r } }\n"],
    ["a key after a comment", "# fleet\nhosts: # machines\n  h1: { ssh: h1, root: /r }\n"],
  ])("true for %s (and YAML reads a hosts key there)", (_what, text) => {
    expect(Object.keys(parse(text) as object)).toContain("hosts");
    expect(mayDeclareHosts(text)).toBe(true);
  });

  it("false only for a file that cannot spell the key", () => {
    expect(mayDeclareHosts("name: x\nservices:\n  a: { agent: claude, replicas: 2 }\n")).toBe(false);
  });
});
