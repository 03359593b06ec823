/*
 * ShortStrings hands back the string of the bytes it is given, also when the buffer they
 * came from is reused for other bytes afterwards (read buffers and rings are).
 */
import { describe, expect, it } from "vitest";
import { latin1String, ShortStrings } from "../../src/util/short-strings.js";

describe("ShortStrings", () => {
  it("gives each name's own string from a buffer that is overwritten between calls", () => {
    const names = new ShortStrings();
    const buf = Buffer.alloc(64);
    const words = ["GET", "get", "SET", "MGET", "mset", "INCR", "setex", "SETEX", "x".repeat(24), "y".repeat(30)];
    for (let round = 0; round < 50; round++) {
      for (const w of words) {
        buf.fill(0);
        const at = round % 7;
        buf.write(w, at, "latin1");
        expect(names.get(buf, at, at + w.length)).toBe(w);
      }
    }
  });

  it("tells apart names that share length, first, middle and last byte", () => {
    const names = new ShortStrings();
    const buf = Buffer.alloc(8);
    for (let i = 0; i < 20; i++) {
      for (const w of ["abcxd", "abcyd", "abczd"]) {
        buf.write(w, 0, "latin1");
        expect(names.get(buf, 0, 5)).toBe(w);
      }
    }
  });
});

describe("latin1String", () => {
  it("equals latin1Slice for every length and every byte value", () => {
    const bytes = Buffer.alloc(300);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 97 + 13) & 0xff;
    for (let start = 0; start < 5; start++) {
      for (let n = 0; n <= 40; n++)
        expect(latin1String(bytes, start, n)).toBe(bytes.toString("latin1", start, start + n));
    }
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    for (let p = 0; p + 16 <= 256; p++) expect(latin1String(all, p, 16)).toBe(all.toString("latin1", p, p + 16));
  });
});
