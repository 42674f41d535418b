import { describe, expect, it } from "vitest";
import type { HookInput } from "../../../src/config/schema.js";
import type { Action } from "../../../src/plan/types.js";
import type { Classification } from "../../../src/status/types.js";
import type { Labels, ObservedSession } from "../../../src/tmux/types.js";
import {
  actionEvent,
  advanceStatuses,
  failedStartEvents,
  hookEventOf,
  onTransitions,
  type SessionState,
  statusEvent,
  statusSince,
  stuckSessions,
  type Transition,
  wakeDelay,
} from "../../../src/watch/decisions.js";
import { lastLineOf } from "../../../src/watch/tracker.js";

const T = "2026-01-01T00:00:00.000Z";

function session(name: string, labels: Labels, more: Partial<ObservedSession> = {}): ObservedSession {
  return { name, createdAt: 0, paneId: "%1", pid: 1, dead: false, exitCode: null, deadAt: null, activityAt: 0, cwd: "/", labels, ...more };
}

const web1 = session("web-1", { root: "/p", service: "web", replica: "1" });
const tr = (s: ObservedSession | undefined, to: Transition["to"], from?: Transition["from"], reason = "why"): Transition => ({
  session: s,
  name: s?.name ?? "gone-1",
  from,
  to,
  reason,
});

describe("statusEvent", () => {
  it("is the row `amux events` shows", () => {
    expect(
      statusEvent("acme", tr(session("w-2", { service: "w", replica: "2" }, { dead: true, exitCode: 3 }), "exited", "running", "exited with 3"), T),
    ).toEqual({
      time: T,
      type: "status",
      project: "acme",
      session: "w-2",
      service: "w",
      replica: 2,
      from: "running",
      to: "exited",
      reason: "exited with 3",
      exitCode: 3,
    });
  });

  it("a session gone from tmux has no service, replica or exit code", () => {
    expect(statusEvent("acme", tr(undefined, "stopped", "idle", "gone from tmux"), T)).toMatchObject({
      session: "gone-1",
      service: null,
      replica: null,
      exitCode: null,
    });
  });

  it.each(["x", "-1", "1e3", "", " 1"])("a replica label %j that is not a number is null, never NaN", (replica) => {
    expect(statusEvent("acme", tr(session("s", { replica }), "idle"), T).replica).toBeNull();
  });
});

describe("hookEventOf", () => {
  it("tells the hook what changed", () => {
    expect(hookEventOf({ name: "acme", root: "/p" }, tr(web1, "idle", "running", "quiet 3s"))).toEqual({
      event: "idle",
      project: "acme",
      root: "/p",
      session: "web-1",
      service: "web",
      replica: 1,
      status: "idle",
      previousStatus: "running",
      reason: "quiet 3s",
      exitCode: null,
    });
  });
});

describe("onTransitions", () => {
  const hook = (on: HookInput["on"], services?: string[]): HookInput => ({
    on,
    run: `echo ${on.join(",")}`,
    timeout: "10s",
    ...(services ? { services } : {}),
  });
  const project = (onStuck?: "none" | "notify" | "restart", hooks = [hook(["stuck"]), hook(["notify"]), hook(["idle"], ["api"])]) => ({
    name: "acme",
    root: "/p",
    services: { web: { onStuck } },
    hooks,
  });

  it("one status event per transition, in order", () => {
    const r = onTransitions(project(), [tr(web1, "running"), tr(web1, "idle", "running")], new Set(), T);
    expect(r.events.map((e) => `${e.type}:${e.to}`)).toEqual(["status:running", "status:idle"]);
  });

  it("notifies a stuck replica of an onStuck: notify service once per stuck spell", () => {
    const p = project("notify");
    const first = onTransitions(p, [tr(web1, "stuck", "running", "quiet 10m")], new Set(), T);
    expect(first.events.map((e) => e.type)).toEqual(["status", "notify"]);
    expect(first.events[1]).toEqual({ time: T, type: "notify", project: "acme", session: "web-1", service: "web", replica: 1, reason: "stuck: quiet 10m" });
    expect([...first.notified]).toEqual(["web-1"]);
    // Still stuck (the reason changed): no second notice.
    const again = onTransitions(p, [tr(web1, "stuck", "stuck")], first.notified, T);
    expect(again.events.map((e) => e.type)).toEqual(["status"]);
    // Busy again, then stuck again: a new spell, a new notice.
    const busy = onTransitions(p, [tr(web1, "running", "stuck")], again.notified, T);
    expect(busy.notified.size).toBe(0);
    expect(onTransitions(p, [tr(web1, "stuck", "running")], busy.notified, T).events.map((e) => e.type)).toEqual(["status", "notify"]);
  });

  it("does not change the set it was given", () => {
    const given = new Set<string>();
    onTransitions(project("notify"), [tr(web1, "stuck")], given, T);
    expect(given.size).toBe(0);
  });

  it.each([undefined, "none", "restart"] as const)("onStuck %s notifies no one", (onStuck) => {
    const r = onTransitions(project(onStuck), [tr(web1, "stuck")], new Set(), T);
    expect(r.events.map((e) => e.type)).toEqual(["status"]);
    expect(r.notified.size).toBe(0);
  });

  it("runs the hooks that name the new status and the notify hooks, each told its event", () => {
    const r = onTransitions(project("notify"), [tr(web1, "stuck", "running")], new Set(), T);
    expect(r.hooks.map((h) => [h.hook.run, h.event.event, h.event.status])).toEqual([
      ["echo notify", "notify", "stuck"],
      ["echo stuck", "stuck", "stuck"],
    ]);
  });

  it("a hook limited to services runs only for those", () => {
    const api1 = session("api-1", { service: "api", replica: "1" });
    expect(onTransitions(project(), [tr(web1, "idle")], new Set(), T).hooks).toEqual([]);
    expect(onTransitions(project(), [tr(api1, "idle")], new Set(), T).hooks.map((h) => h.event.session)).toEqual(["api-1"]);
    expect(onTransitions(project(), [tr(undefined, "idle")], new Set(), T).hooks).toEqual([]);
  });

  it("a service label named like an Object member finds no service", () => {
    const odd = session("o-1", { service: "__proto__", replica: "1" });
    const r = onTransitions(project("notify"), [tr(odd, "stuck")], new Set(), T);
    expect(r.events.map((e) => e.type)).toEqual(["status"]);
  });
});

describe("stuckSessions", () => {
  const c = (status: Classification["status"]): Classification => ({ status, reason: "" });
  it("only the stuck, for the longer of quiet time and time without progress", () => {
    const a = session("a", {}, { activityAt: 100_000 });
    const b = session("b", {}, { activityAt: 100_000 });
    const idle = session("c", {}, { activityAt: 0 });
    const statuses = new Map([
      ["a", c("stuck")],
      ["b", c("stuck")],
      ["c", c("idle")],
    ]);
    const out = stuckSessions([a, b, idle], statuses, new Map([["b", 900_000]]), 700_000);
    expect([...out]).toEqual([
      ["a", "10m"],
      ["b", "15m"],
    ]);
  });
});

describe("wakeDelay", () => {
  it.each([
    { at: undefined, now: 0, interval: 1000, want: undefined },
    { at: 1500, now: 1000, interval: 1000, want: 505 },
    { at: 900, now: 1000, interval: 1000, want: 5 },
    { at: 1995, now: 1000, interval: 1000, want: undefined },
    { at: 1994, now: 1000, interval: 1000, want: 999 },
    { at: 5000, now: 1000, interval: 1000, want: undefined },
  ])("at $at, now $now, every $interval → $want", ({ at, now, interval, want }) => {
    expect(wakeDelay(at, now, interval)).toBe(want);
  });
});

describe("failedStartEvents and actionEvent", () => {
  const a = (session: string, replica: number): Action => ({
    action: "create",
    session,
    service: "web",
    replica,
    reason: "missing",
    start: { name: session, cwd: "/srv/acme", argv: ["agent"], env: {}, labels: {}, logFile: "/srv/acme/.amux/logs/x.log" },
    log: { file: "/srv/acme/.amux/logs/x.log", rotate: true, keep: 3 },
    workspace: null,
    prompt: null,
  });

  it("one start event per dead replica it started, with its last words", () => {
    expect(
      failedStartEvents(
        "acme",
        [a("web-1", 1), a("web-2", 2)],
        [
          { session: "web-2", exitCode: 127, lastLines: ["sh: nosuch: not found", "bye"] },
          { session: "other", exitCode: 1, lastLines: [] },
        ],
        T,
      ),
    ).toEqual([
      {
        time: T,
        type: "action",
        project: "acme",
        session: "web-2",
        service: "web",
        replica: 2,
        action: "start",
        exitCode: 127,
        error: "exited at once with code 127: sh: nosuch: not found / bye",
      },
    ]);
    expect(failedStartEvents("acme", [a("web-1", 1)], [{ session: "web-1", exitCode: null, lastLines: [] }], T)[0]?.error).toBe("exited at once with code ?");
  });

  it("an action event carries the action and its reason (and the error, when it failed)", () => {
    expect(actionEvent("acme", a("web-1", 1), T)).toEqual({
      time: T,
      type: "action",
      project: "acme",
      session: "web-1",
      service: "web",
      replica: 1,
      action: "create",
      reason: "missing",
      error: undefined,
    });
    expect(actionEvent("acme", a("web-1", 1), T, "boom").error).toBe("boom");
  });
});

describe("lastLineOf", () => {
  it.each([
    [undefined, ""],
    [[], ""],
    [["one", "two", "", "  "], "two"],
    [["\u001b[31mred\u001b[0m  "], "red"],
    [["last words", "", "Pane is dead (status 3, Mon Jan  1 00:00:00 2026)"], "last words"],
  ])("%j → %j", (screen, want) => {
    expect(lastLineOf(screen)).toBe(want);
  });
});

describe("statusSince", () => {
  const s = { dead: false, deadAt: null, activityAt: 5_000, createdAt: 1_000 };
  it.each([
    { what: "busy: since it started", s, status: "running", want: 1_000 },
    { what: "quiet: since it last printed", s, status: "idle", want: 5_000 },
    { what: "stuck: since it last printed", s, status: "stuck", want: 5_000 },
    { what: "dead: since it died", s: { ...s, dead: true, deadAt: 7_000 }, status: "exited", want: 7_000 },
    { what: "dead, time unknown: now", s: { ...s, dead: true }, status: "exited", want: 9_000 },
    { what: "never later than now", s: { ...s, activityAt: 20_000 }, status: "idle", want: 9_000 },
    { what: "no time known: now", s: { ...s, activityAt: 0 }, status: "idle", want: 9_000 },
  ] as const)("$what", ({ s, status, want }) => {
    expect(statusSince(s, status, 9_000)).toBe(want);
  });
});

describe("advanceStatuses", () => {
  const a = session("a-1", { service: "a", replica: "1" }, { createdAt: 1_000, activityAt: 2_000 });
  const b = session("b-1", { service: "b", replica: "1" }, { createdAt: 1_000, activityAt: 2_000 });
  const seen = (...rows: [string, Transition["to"], string][]) =>
    new Map(rows.map(([n, status, reason]) => [n, { status, reason, lastLine: `${n} says ${reason}` }]));
  const noReason = (n: string): string => {
    throw new Error(`asked why ${n} went`);
  };

  it("first sight: a transition from nothing, dated by tmux", () => {
    const state = new Map<string, SessionState>();
    const t = advanceStatuses(state, [a, b], seen(["a-1", "running", "busy"], ["b-1", "idle", "quiet"]), 10_000, noReason);
    expect(t.map((x) => [x.name, x.from, x.to])).toEqual([
      ["a-1", undefined, "running"],
      ["b-1", undefined, "idle"],
    ]);
    expect(state.get("a-1")).toEqual({ status: "running", reason: "busy", since: 1_000, lastLine: "a-1 says busy" });
    expect(state.get("b-1")?.since).toBe(2_000);
  });

  it("same status: no transition, the reason and last line follow", () => {
    const state = new Map<string, SessionState>([["a-1", { status: "running", reason: "old", since: 1_000, lastLine: "old" }]]);
    expect(advanceStatuses(state, [a], seen(["a-1", "running", "new"]), 10_000, noReason)).toEqual([]);
    expect(state.get("a-1")).toEqual({ status: "running", reason: "new", since: 1_000, lastLine: "a-1 says new" });
  });

  it("a change: one transition, entered now", () => {
    const state = new Map<string, SessionState>([["a-1", { status: "running", reason: "busy", since: 1_000, lastLine: "" }]]);
    const t = advanceStatuses(state, [a], seen(["a-1", "idle", "quiet 3s"]), 10_000, noReason);
    expect(t).toEqual([{ session: a, name: "a-1", from: "running", to: "idle", reason: "quiet 3s" }]);
    expect(state.get("a-1")?.since).toBe(10_000);
  });

  it("a session gone from tmux leaves as stopped, with the reason asked for it alone, and is forgotten", () => {
    const state = new Map<string, SessionState>([
      ["a-1", { status: "idle", reason: "", since: 0, lastLine: "" }],
      ["b-1", { status: "running", reason: "", since: 0, lastLine: "" }],
    ]);
    const asked: string[] = [];
    const t = advanceStatuses(state, [a], seen(["a-1", "idle", "quiet"]), 10_000, (n) => {
      asked.push(n);
      return "stopped by amux stop";
    });
    expect(t).toEqual([{ session: undefined, name: "b-1", from: "running", to: "stopped", reason: "stopped by amux stop" }]);
    expect(asked).toEqual(["b-1"]);
    expect([...state.keys()]).toEqual(["a-1"]);
  });

  it("a live session not classified yet keeps its memory; nothing is said of it", () => {
    const state = new Map<string, SessionState>([["a-1", { status: "idle", reason: "q", since: 5, lastLine: "x" }]]);
    expect(advanceStatuses(state, [a], new Map(), 10_000, noReason)).toEqual([]);
    expect(state.get("a-1")).toEqual({ status: "idle", reason: "q", since: 5, lastLine: "x" });
  });
});
