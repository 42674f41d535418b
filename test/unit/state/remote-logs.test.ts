import { describe, expect, it } from "vitest";
import { parseFrames } from "../../../src/state/remote-logs.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("parseFrames", () => {
  it("splits headers and their bytes (base64 wrapped over lines, empty ones, multibyte text)", () => {
    const long = "é".repeat(100);
    const wrapped = b64(long).replace(/(.{76})/g, "$1\n");
    const out = parseFrames(`F 0\n${wrapped}\n.\nF 1\n.\nR 2\n${b64("rest")}\n.\nF 2 1234 99\n${b64("a\nb")}\n.\n`);
    expect(out.map((f) => [f.header, f.data.toString("utf8")])).toEqual([
      [["F", "0"], long],
      [["F", "1"], ""],
      [["R", "2"], "rest"],
      [["F", "2", "1234", "99"], "a\nb"],
    ]);
  });

  it("drops a frame cut off before its end", () => {
    expect(parseFrames(`F 0\n${b64("x")}\n`)).toEqual([]);
  });
});
