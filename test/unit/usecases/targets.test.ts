import { describe, expect, test } from "vitest";
import { NotFoundError, UsageError } from "../../../src/errors.js";
import type { ObservedSession } from "../../../src/tmux/types.js";
import { resolveTarget, unknownFilters, whatExists } from "../../../src/usecases/targets.js";

const live = (name: string, service?: string, replica?: number): ObservedSession => ({
  name,
  createdAt: 0,
  paneId: "%1",
  pid: 1,
  dead: false,
  exitCode: null,
  deadAt: null,
  activityAt: 0,
  cwd: "/",
  labels: service ? { service, replica: String(replica ?? 1) } : {},
});

const mine = [live("acme-auth-1", "auth", 1), live("acme-web-2", "web", 2), live("acme-web-1", "web", 1), live("claude-1")];
const declared = { services: ["auth", "web", "docs"], recorded: ["old-1"] };
const names = (t: { sessions: ObservedSession[] }) => t.sessions.map((s) => s.name);

describe("resolveTarget", () => {
  test.each([
    ["acme-auth-1", "one", ["acme-auth-1"], null],
    ["claude-1", "one", ["claude-1"], null],
    ["auth", "one", ["acme-auth-1"], "auth"],
    ["web", "all", ["acme-web-1", "acme-web-2"], "web"],
    ["docs", "one", [], "docs"],
    ["docs", "all", [], "docs"],
    ["old-1", "one", [], null],
  ] as const)("%s (%s) → %j via %s", (name, want, sessions, service) => {
    const t = resolveTarget(name, mine, declared, want);
    expect(names(t)).toEqual(sessions);
    expect(t.service).toBe(service);
  });

  test("a session's own name wins over a service of the same name", () => {
    const t = resolveTarget("auth", [...mine, live("auth")], declared, "one");
    expect(t).toMatchObject({ service: null });
    expect(names(t)).toEqual(["auth"]);
  });

  test("one of several replicas: a usage error naming them", () => {
    let err: unknown;
    try {
      resolveTarget("web", mine, declared, "one");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe("service web has 2 sessions; name one of them");
    expect((err as UsageError).hints).toEqual(["sessions: acme-web-1, acme-web-2"]);
  });

  test("an unknown name: not found (exit 2), listing sessions and services", () => {
    let err: unknown;
    try {
      resolveTarget("nosuch", mine, declared, "all");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).exitCode).toBe(2);
    expect((err as NotFoundError).hints).toEqual(["sessions: acme-auth-1, acme-web-1, acme-web-2, claude-1, old-1", "services: auth, docs, web"]);
  });
});

describe("whatExists and unknownFilters", () => {
  test("nothing at all says so", () => {
    expect(whatExists([], [])).toEqual(["this project has no sessions and declares no services"]);
  });
  test("filters naming a session or a service are known", () => {
    expect(unknownFilters(["auth", "claude-1", "nosuch", "x"], { sessions: ["claude-1"], services: ["auth"] })).toEqual(["nosuch", "x"]);
  });
});
