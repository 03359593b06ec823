import { describe, expect, it } from "vitest";
import { stringMatch } from "../../src/keyspace/glob.js";

/** [pattern, subject, expected] — case-sensitive unless noted. Verified against redis-server 7.0.15 KEYS. */
const CASES: Array<[string, string, boolean]> = [
  // literals
  ["abc", "abc", true],
  ["abc", "abd", false],
  ["abc", "ab", false],
  ["ab", "abc", false],
  ["", "", true],
  ["", "a", false],
  ["a", "", false],
  // star
  ["*", "anything", true],
  ["*", "", false], // the loop never runs on an empty subject: KEYS * is special-cased by callers
  ["**", "", false],
  ["a*", "a", true],
  ["a*", "abc", true],
  ["*c", "abc", true],
  ["*c", "abd", false],
  ["a*c", "ac", true],
  ["a*c", "abbbc", true],
  ["a*c", "abbbd", false],
  ["a**c", "abc", true],
  ["*a*", "bab", true],
  ["*a*", "bbb", false],
  ["user:*", "user:1000", true],
  ["*/*", "a/b", true], // no path semantics
  ["*", ".hidden", true], // no dotfile semantics
  ["a*b*c", "aXbYc", true],
  ["a*b*c", "aXcYb", false],
  ["a*", "a*", true],
  ["ab*", "a", false],
  // question mark
  ["?", "a", true],
  ["?", "", false],
  ["?", "ab", false],
  ["a?c", "abc", true],
  ["a?c", "ac", false],
  ["???", "abc", true],
  ["h?llo", "hello", true],
  ["h?llo", "heello", false],
  ["*?", "a", true],
  ["?*", "a", true],
  // classes
  ["[abc]", "a", true],
  ["[abc]", "d", false],
  ["h[ae]llo", "hello", true],
  ["h[ae]llo", "hallo", true],
  ["h[ae]llo", "hillo", false],
  ["h[^e]llo", "hallo", true],
  ["h[^e]llo", "hello", false],
  ["h[a-b]llo", "hbllo", true],
  ["h[a-b]llo", "hcllo", false],
  ["[a-z]", "m", true],
  ["[z-a]", "m", true], // reversed range
  ["[z-a]", "A", false],
  ["[^a-z]", "A", true],
  ["[^a-z]", "q", false],
  ["[a-]", "-", false], // "a-]" is a range (']'..'a' after the swap), the class is unterminated
  ["[a-]", "^", true],
  ["[a-]", "a", true],
  ["[-a]", "-", true],
  ["[]]", "]", false], // "[]" is an empty class, then a literal ']'
  ["[]]", "]]", false],
  ["[]", "a", false],
  ["x[]", "x", false],
  ["[ab", "a", true], // unterminated class: runs to the end of the pattern
  ["[ab", "b", true],
  ["[ab", "c", false],
  ["x[", "x", false],
  ["x[", "x[", false],
  ["[^", "a", true], // "[^" at the end matches any one byte
  ["[^", "", false],
  ["[\\]]", "]", true], // escaped ']' inside a class
  ["[\\-]", "-", true],
  ["[\\^a]", "^", true],
  ["[a\\]", "a", true], // the escaped ']' is a member, the class runs to the end
  ["[a\\]", "]", true],
  ["[a\\]", "\\", false],
  ["[\\", "\\", true],
  ["[*]", "*", true],
  ["[*]", "a", false],
  ["[?]", "?", true],
  ["[?]", "a", false],
  ["[[]", "[", true],
  ["a[bc]*", "acdef", true],
  ["[a-c][0-9]", "b7", true],
  ["[a-c][0-9]", "b", false],
  // escapes
  ["\\*", "*", true],
  ["\\*", "a", false],
  ["\\?", "?", true],
  ["\\?", "a", false],
  ["\\[a]", "[a]", true],
  ["\\\\", "\\", true],
  ["a\\", "a\\", true], // a lone trailing backslash is literal
  ["\\a", "a", true],
  ["h\\*llo", "h*llo", true],
  ["h\\*llo", "hello", false],
  // bytes
  ["\xff", "\xff", true],
  ["[\x80-\xff]", "\x90", true],
  ["?", "\x00", true],
  ["a\x00b", "a\x00b", true],
  ["a\x00b", "a\x00c", false],
  // ranges compare as signed char: 0x80..0xff sort below 0x00
  ["[a-\xff]", "b", false], // the range is -1..'a' after the swap
  ["[a-\xff]", "\x00", true],
  ["[\x01-\x80]", "a", false], // -128..1
  ["[\x01-\x80]", "\x80", true],
  ["[\x01-\x80]", "\xff", true],
  ["[\x01-\x80]", "\x02", false],
  // the stars after the last consumed byte
  ["abc*", "abc", true],
  ["abc**", "abc", true],
  ["abc*?", "abc", false],
  ["a*?*", "ab", true],
];

describe("stringMatch", () => {
  it.each(CASES)("%j vs %j -> %s", (pattern, subject, expected) => {
    expect(stringMatch(pattern, subject, false)).toBe(expected);
  });

  it("folds ASCII case only with nocase", () => {
    expect(stringMatch("HELLO", "hello", true)).toBe(true);
    expect(stringMatch("HELLO", "hello", false)).toBe(false);
    expect(stringMatch("h*O", "HellO", true)).toBe(true);
    expect(stringMatch("[A-C]", "b", true)).toBe(true);
    expect(stringMatch("[a-c]", "B", true)).toBe(true);
    expect(stringMatch("[a-c]", "B", false)).toBe(false);
    expect(stringMatch("[^A]", "a", true)).toBe(false);
    expect(stringMatch("maxmemory*", "MAXMEMORY-policy", true)).toBe(true);
    // latin1 letters do not fold (C locale)
    expect(stringMatch("\xc0", "\xe0", true)).toBe(false);
    // an escaped char inside a class compares exactly even with nocase
    expect(stringMatch("[\\A]", "a", true)).toBe(false);
    expect(stringMatch("[\\A]", "A", true)).toBe(true);
  });

  it("gives up on a pathological pattern quickly (skipLongerMatches)", () => {
    const pattern = `${"a*".repeat(40)}b`;
    const subject = "a".repeat(5000);
    const t0 = performance.now();
    expect(stringMatch(pattern, subject, false)).toBe(false);
    expect(stringMatch(`${"*a".repeat(30)}*x`, "a".repeat(3000), false)).toBe(false);
    expect(stringMatch(`${"?*".repeat(30)}x`, "ab".repeat(2000), true)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("still finds matches that need backtracking", () => {
    expect(stringMatch("*a*b", "xxaxxbxxaxb", false)).toBe(true);
    expect(stringMatch("a*a*a*b", `${"a".repeat(50)}b`, false)).toBe(true);
    expect(stringMatch("*ab*ab", "abxabyab", false)).toBe(true);
    expect(stringMatch("*?b", "aab", false)).toBe(true);
    expect(stringMatch("*[0-9]x", "a1b2x", false)).toBe(true);
  });

  it("stops recursing after 1000 nested stars, as Redis does", () => {
    const subject = "a".repeat(1200);
    // 1001 separate stars still match; 1002 exceed the nesting guard.
    expect(stringMatch("a*".repeat(1001), subject, false)).toBe(true);
    expect(stringMatch("a*".repeat(1002), subject, false)).toBe(false);
    // consecutive stars collapse and do not count
    expect(stringMatch(`a${"*".repeat(5000)}`, subject, false)).toBe(true);
  });
});
