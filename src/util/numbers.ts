/*
 * Number parsing and printing with Redis's rules (util.c: string2ll, string2ld, ld2string).
 */

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * Redis's string2ll: an optional '-', digits, no leading zeros (except "0"), no '+',
 * no spaces, within int64. Returns a number when it is a safe integer, a bigint when it
 * is not but fits int64, undefined when the string is not an integer for Redis.
 */
export function parseInteger(s: string): number | bigint | undefined {
  const len = s.length;
  if (len === 0 || len > 20) return undefined;
  let i = 0;
  let neg = false;
  let c = s.charCodeAt(0);
  if (len === 1 && c === 48) return 0;
  if (c === 45) {
    neg = true;
    i = 1;
    if (len === 1) return undefined;
    c = s.charCodeAt(1);
  }
  if (c < 49 || c > 57) return undefined; // first digit 1-9
  let n = 0;
  for (; i < len; i++) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    n = n * 10 + (c - 48);
  }
  if (n <= Number.MAX_SAFE_INTEGER) return neg ? -n : n;
  const big = BigInt(s);
  if (big > INT64_MAX || big < INT64_MIN) return undefined;
  return big;
}

/** parseInteger narrowed to safe JS integers; undefined beyond ±2^53 as well. */
export function parseSafeInteger(s: string): number | undefined {
  const v = parseInteger(s);
  return typeof v === "number" ? v : undefined;
}

export function isInt64(v: bigint): boolean {
  return v <= INT64_MAX && v >= INT64_MIN;
}

export { INT64_MAX, INT64_MIN };
