/*
 * Glob-style pattern matching with Redis's exact semantics (util.c, stringmatchlen).
 *
 * Used by KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET. The dialect is Redis's, not the shell's
 * or picomatch's:
 *   `*`      any run of bytes, `/` and leading dots included
 *   `?`      any single byte
 *   `[abc]`  a byte class; `[^abc]` negated; `[a-z]` a range, `[z-a]` the same range
 *   `\x`     the byte x, literally (also inside a class)
 *   no `{a,b}` alternation, no `[!x]` negation.
 *
 * Strings are "byte strings": one char per byte (latin1), compared by char code. Case folding
 * (`nocase`) is C-locale `tolower`: only A-Z fold.
 *
 * Quirks reproduced on purpose (checked against redis-server 7.0.15):
 *  1. The loop runs only while both pattern and subject are non-empty, so `*` does NOT match
 *     the empty string; KEYS/SCAN short-circuit a bare `*` themselves.
 *  2. Range bounds and the subject byte are compared as C `char`, which is signed on x86: a
 *     range that spans 0x7f/0x80 behaves as Redis does, not as the code points suggest.
 *  3. An unterminated class (`[abc` at the end of the pattern) acts as if the last char were
 *     the closing bracket; a lone trailing backslash matches a literal backslash.
 *  4. Guard against pathological patterns: when the rest of the pattern after a `*` fails at
 *     every position of the remaining subject, no earlier `*` can succeed by consuming more,
 *     so `skipLongerMatches` aborts the whole backtracking cascade (Redis 7.0.9+). Recursion
 *     deeper than 1000 nested `*` answers "no match", as the reference server does (a
 *     pattern of 1002 separate stars never matches).
 *
 * Two shortcuts keep common cases fast without changing any answer: a pattern with no special
 * character is a plain comparison, and a `*` followed by a plain byte skips the subject
 * positions where that byte is not (the recursive call would fail there at once).
 */

const STAR = 0x2a; // *
const QMARK = 0x3f; // ?
const LBRACKET = 0x5b; // [
const RBRACKET = 0x5d; // ]
const CARET = 0x5e; // ^
const BACKSLASH = 0x5c; // \
const DASH = 0x2d; // -

/** Characters with a meaning in a pattern. */
const SPECIAL = /[*?[\\]/;

/** Deepest `*` recursion Redis allows before giving up (util.c "Protection against abusive patterns"). */
const MAX_NESTING = 1000;

/** Char code at i, or 0 past the end (the C string's NUL terminator). */
function at(s: string, i: number): number {
  return i < s.length ? s.charCodeAt(i) : 0;
}

/** A byte as C's signed `char` (x86): 0x80..0xff become -128..-1. */
function signedChar(c: number): number {
  return c >= 0x80 && c <= 0xff ? c - 0x100 : c;
}

/** C-locale tolower on an int that may be a negative (signed char) value. */
function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

interface SkipFlag {
  skipLongerMatches: boolean;
}

function matchImpl(
  pattern: string,
  pi: number,
  patternLen: number,
  str: string,
  si: number,
  stringLen: number,
  nocase: boolean,
  flag: SkipFlag,
  nesting: number,
): boolean {
  if (nesting > MAX_NESTING) return false;

  while (patternLen > 0 && stringLen > 0) {
    const pc = at(pattern, pi);
    if (pc === STAR) {
      while (patternLen > 0 && at(pattern, pi + 1) === STAR) {
        pi++;
        patternLen--;
      }
      if (patternLen === 1) return true;
      // When a plain byte follows the star, positions where the subject differs would fail
      // at once in the recursive call (without touching skipLongerMatches): skip them here.
      const next = at(pattern, pi + 1);
      const plain = next !== QMARK && next !== LBRACKET && next !== BACKSLASH;
      const nextLower = lower(next);
      while (stringLen > 0) {
        const c = str.charCodeAt(si);
        if (plain && (nocase ? lower(c) !== nextLower : c !== next)) {
          si++;
          stringLen--;
          continue;
        }
        if (matchImpl(pattern, pi + 1, patternLen - 1, str, si, stringLen, nocase, flag, nesting + 1)) {
          return true;
        }
        if (flag.skipLongerMatches) return false;
        si++;
        stringLen--;
      }
      // Nothing after this star matches anywhere in the rest of the subject: an earlier star
      // consuming more bytes would only start that same search later, so stop everything.
      flag.skipLongerMatches = true;
      return false;
    } else if (pc === QMARK) {
      si++;
      stringLen--;
    } else if (pc === LBRACKET) {
      pi++;
      patternLen--;
      const not = at(pattern, pi) === CARET;
      if (not) {
        pi++;
        patternLen--;
      }
      let match = false;
      const sc = at(str, si);
      for (;;) {
        const c0 = at(pattern, pi);
        if (c0 === BACKSLASH && patternLen >= 2) {
          pi++;
          patternLen--;
          if (at(pattern, pi) === sc) match = true;
        } else if (c0 === RBRACKET) {
          break;
        } else if (patternLen === 0) {
          // Unterminated class: step back so the shared "advance" below lands on the end.
          pi--;
          patternLen++;
          break;
        } else if (patternLen >= 3 && at(pattern, pi + 1) === DASH) {
          let start = signedChar(c0);
          let end = signedChar(at(pattern, pi + 2));
          let c = signedChar(sc);
          if (start > end) {
            const t = start;
            start = end;
            end = t;
          }
          if (nocase) {
            start = lower(start);
            end = lower(end);
            c = lower(c);
          }
          pi += 2;
          patternLen -= 2;
          if (c >= start && c <= end) match = true;
        } else if (!nocase) {
          if (c0 === sc) match = true;
        } else if (lower(c0) === lower(sc)) {
          match = true;
        }
        pi++;
        patternLen--;
      }
      if (not) match = !match;
      if (!match) return false;
      si++;
      stringLen--;
    } else {
      if (pc === BACKSLASH && patternLen >= 2) {
        pi++;
        patternLen--;
      }
      const lit = at(pattern, pi);
      const sc = at(str, si);
      if (nocase ? lower(lit) !== lower(sc) : lit !== sc) return false;
      si++;
      stringLen--;
    }
    pi++;
    patternLen--;
    if (stringLen === 0) {
      while (at(pattern, pi) === STAR) {
        pi++;
        patternLen--;
      }
      break;
    }
  }
  return patternLen === 0 && stringLen === 0;
}

/**
 * Redis's `stringmatchlen`: does `str` match the glob `pattern`? Both are byte strings
 * (latin1, one char per byte). `nocase` folds ASCII A-Z only.
 */
export function stringMatch(pattern: string, str: string, nocase: boolean): boolean {
  // Fast path: a pattern without special characters is a plain comparison.
  if (!SPECIAL.test(pattern)) {
    if (pattern.length !== str.length || str.length === 0) return pattern.length === 0 && str.length === 0;
    if (!nocase) return pattern === str;
    for (let i = 0; i < str.length; i++) {
      if (lower(pattern.charCodeAt(i)) !== lower(str.charCodeAt(i))) return false;
    }
    return true;
  }
  const flag: SkipFlag = { skipLongerMatches: false };
  return matchImpl(pattern, 0, pattern.length, str, 0, str.length, nocase, flag, 0);
}
