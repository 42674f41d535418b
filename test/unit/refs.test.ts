import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { assertBase, assertBranch, checkBase, checkBranch } from "../../src/names.js";

/** What git itself says: `git check-ref-format --branch` (run outside any repository). */
function gitAcceptsBranch(name: string): boolean {
  try {
    execFileSync("git", ["check-ref-format", "--branch", name], { stdio: "ignore", cwd: "/" });
    return true;
  } catch {
    return false;
  }
}

function gitAcceptsRef(name: string): boolean {
  try {
    execFileSync("git", ["check-ref-format", "--allow-onelevel", name], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const GOOD_REFS = [
  "main",
  "feature/login",
  "amux/evil",
  "release-1.2",
  "v1.2.3",
  "origin/main",
  "a#b",
  "x$y",
  "semi;colon",
  "naïve-日本",
  "3f2a9c1",
  "a.b/c_d",
  "with'quote",
  'dq"x',
  "a@b",
  "x.locked",
  "%x",
];
const BAD_REFS = [
  "",
  "-m",
  "--detach",
  "-rf",
  "--output=/tmp/x",
  "-",
  "a b",
  "a\nb",
  "tab\t",
  "a~1x",
  "a^b",
  "a:b",
  "a?",
  "a*",
  "a[b",
  "a\\b",
  "a..b",
  "a@{1}",
  "@",
  "/a",
  "a/",
  "a//b",
  "a.",
  ".a",
  "a/.b",
  "a.lock",
  "a.lock/b",
  "del\x7f",
];

describe("checkBranch agrees with git check-ref-format --branch, and never lets a leading - through", () => {
  it.each(GOOD_REFS)("accepts %j", (name) => {
    expect(checkBranch(name)).toBeUndefined();
    expect(gitAcceptsBranch(name)).toBe(true);
  });

  it.each([...BAD_REFS, "HEAD"])("refuses %j, saying what is allowed", (name) => {
    expect(checkBranch(name)).toMatch(/^invalid branch .*: .* \(a branch name git accepts, e\.g\. feature\/login\)$/);
    // Stricter than git on purpose: a leading "-" (an option), "@" (git's shorthand for HEAD).
    if (!name.startsWith("-") && name !== "@") expect(gitAcceptsBranch(name)).toBe(false);
  });
});

describe("checkBase: a ref name, optionally with ~n/^n steps", () => {
  it.each([...GOOD_REFS, "HEAD", "HEAD~2", "main^", "main^2~3", "0123456789abcdef0123456789abcdef01234567"])("accepts %j", (name) => {
    expect(checkBase(name)).toBeUndefined();
    expect(gitAcceptsRef(name.replace(/([~^]\d*)+$/, ""))).toBe(true);
  });

  it.each([...BAD_REFS, "~1", "^", "-m~1", "a~b", "main@{upstream}", "HEAD:file"])("refuses %j, saying what is allowed", (name) => {
    expect(checkBase(name)).toMatch(/^invalid base .*: .* \(a branch, tag or commit, e\.g\. main, origin\/main, v1\.2, 3f2a9c1, HEAD~2\)$/);
  });
});

describe("assertBranch and assertBase", () => {
  it("throw a UsageError (exit 2)", () => {
    expect(() => assertBranch("-m")).toThrow(UsageError);
    expect(() => assertBase("--detach")).toThrow(UsageError);
    expect(assertBranch("feature/x")).toBe("feature/x");
    expect(assertBase("origin/main")).toBe("origin/main");
  });
});
