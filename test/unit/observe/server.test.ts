import { describe, expect, it } from "vitest";
import { observeServer, observeSessions, type TmuxServer } from "../../../src/observe/server.js";
import { LOCAL_HOST } from "../../../src/observe/types.js";
import { PANE_FORMAT, parsePanes } from "../../../src/tmux/observe.js";
import { LABEL_KEYS, type Labels } from "../../../src/tmux/types.js";

// What a server answers, as list-panes text through the real parser: the looks add only the
// server's name and the project's share.
function line(name: string, labels: Labels): string {
  return [name, "1700000000", `%${name.length}`, "42", "0", "", "", "", "1700000100", "/srv", ...LABEL_KEYS.map((k) => labels[k] ?? ""), ""].join("\t");
}
const LIST = [
  line("web-1", { root: "/p", service: "web", replica: "1" }),
  line("old-1", { root: "/p", service: "old", replica: "1" }),
  line("claude-1", { root: "/p", agent: "claude" }),
  line("theirs-1", { root: "/q", service: "web", replica: "1" }),
  line("bash", {}),
].join("\n");

function server(host: string): TmuxServer & { calls: number } {
  const s = {
    host,
    calls: 0,
    list: async () => {
      s.calls++;
      return parsePanes(LIST);
    },
    listWithSetup: async () => {
      s.calls++;
      return { sessions: parsePanes(LIST), key: "k", keyInvalid: false, globalEnvironment: ["PATH"] };
    },
    listWithScreens: async () => {
      s.calls++;
      return { sessions: parsePanes(LIST), screens: new Map(), key: null };
    },
    capture: async () => {
      s.calls++;
      return new Map();
    },
    cursor: async () => {
      s.calls++;
      return undefined;
    },
  };
  return s;
}

describe("the looks", () => {
  it("the list line matches the format", () => {
    expect(line("x", {}).split("\t")).toHaveLength(PANE_FORMAT.split("\t").length);
  });

  it("one round trip each, the project's share worked out when a project is named", async () => {
    const s = server(LOCAL_HOST);
    const st = await observeSessions({ server: s, scope: { root: "/p", declared: ["web"] } });
    expect(s.calls).toBe(1);
    expect(st.sessions).toHaveLength(5);
    expect(st.project.mine.map((x) => x.name)).toEqual(["web-1", "old-1", "claude-1"]);
    expect(st.project.services.get("web")?.map((x) => x.name)).toEqual(["web-1"]);
    expect(st.project.orphans.map((x) => x.name)).toEqual(["old-1"]);
    expect(st.project.runs.map((x) => x.name)).toEqual(["claude-1"]);
    expect(st.project.foreign.map((x) => x.name)).toEqual(["theirs-1", "bash"]);
  });

  it("without a project, no share", async () => {
    expect((await observeSessions({ server: server(LOCAL_HOST) })).project).toBeUndefined();
  });

  it("local sessions carry no host; another server's carry its name", async () => {
    expect((await observeSessions({ server: server(LOCAL_HOST) })).sessions.every((x) => x.host === undefined)).toBe(true);
    const remote = await observeServer({ server: server("build-box"), scope: { root: "/p" } });
    expect(remote.host).toBe("build-box");
    expect(remote.sessions.map((x) => x.host)).toEqual(Array(5).fill("build-box"));
    expect(remote.project.mine.every((x) => x.host === "build-box")).toBe(true);
    expect(remote.key).toBe("k");
    expect(remote.server).toEqual({ keyInvalid: false, globalEnvironment: ["PATH"] });
  });
});
