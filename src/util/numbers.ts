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

export { INT64_MAX, INT64_MIN };

// ---------------------------------------------------------------- long double (x87 80-bit)

/*
 * INCRBYFLOAT computes in C's `long double`, which on x86-64 is the x87 extended format:
 * a 64-bit significand, exponents down to 2^-16445 (subnormals) and up to 2^16383. JS has
 * only doubles, so values of that format are kept exactly as `mant * 2^exp` (BigInt
 * significand) and every operation rounds to 64 bits, half to even, as the FPU does.
 */

/** A finite x87 extended value: (-1)^neg * mant * 2^exp, mant < 2^64. */
export interface LongDouble {
  neg: boolean;
  mant: bigint;
  exp: number;
}

const LD_BITS = 64;
/** exponent of the significand's last bit for the smallest (subnormal) values */
const LD_MIN_EXP = -16445;
/** largest exponent of the last bit: mant < 2^64, value < 2^16384 */
const LD_MAX_EXP = 16320;
/** string2ld's buffer: MAX_LONG_DOUBLE_CHARS */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Rounds num/den * 2^exp (num, den > 0) to the extended format, half to even.
 * Returns undefined on overflow (C gives ±inf).
 */
function roundToLongDouble(neg: boolean, num: bigint, den: bigint, exp: number): LongDouble | undefined {
  if (num === 0n) return { neg, mant: 0n, exp: 0 };
  // scale so that the quotient has at least 66 bits: 64 kept, a round bit, and more
  const shift = LD_BITS + 2 - (bitLength(num) - bitLength(den));
  const n = shift >= 0 ? num << BigInt(shift) : num;
  const d = shift >= 0 ? den : den << BigInt(-shift);
  let q = n / d;
  let sticky = n % d !== 0n;
  let e = exp - shift;
  let drop = bitLength(q) - LD_BITS;
  if (e + drop < LD_MIN_EXP) drop = LD_MIN_EXP - e;
  if (drop > 0) {
    const b = BigInt(drop);
    const rest = q & ((1n << b) - 1n);
    q >>= b;
    e += drop;
    const half = 1n << (b - 1n);
    if (rest > half || (rest === half && (sticky || (q & 1n) === 1n))) q += 1n;
    sticky = false;
  }
  if (q >= 1n << BigInt(LD_BITS)) {
    q >>= 1n;
    e += 1;
  }
  if (q === 0n) return { neg, mant: 0n, exp: 0 };
  if (e > LD_MAX_EXP) return undefined;
  return { neg, mant: q, exp: e };
}

/** long double addition (x + y rounded once), undefined when the sum overflows. */
export function addLongDouble(x: LongDouble, y: LongDouble): LongDouble | undefined {
  if (x.mant === 0n) return y.mant === 0n ? { neg: x.neg && y.neg, mant: 0n, exp: 0 } : y;
  if (y.mant === 0n) return x;
  const e = Math.min(x.exp, y.exp);
  const a = (x.mant << BigInt(x.exp - e)) * (x.neg ? -1n : 1n);
  const b = (y.mant << BigInt(y.exp - e)) * (y.neg ? -1n : 1n);
  const s = a + b;
  // an exact zero sum is +0 when rounding to nearest
  if (s === 0n) return { neg: false, mant: 0n, exp: 0 };
  return roundToLongDouble(s < 0n, s < 0n ? -s : s, 1n, e);
}

/** An integer (a number or an int64 bigint) as a long double, rounded if wider than 64 bits. */
export function longDoubleFromInteger(v: number | bigint): LongDouble {
  const b = BigInt(v);
  return roundToLongDouble(b < 0n, b < 0n ? -b : b, 1n, 0) as LongDouble;
}

const DECIMAL_RE = /^([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const INF_RE = /^[+-]?(?:inf|infinity)$/i;

/**
 * Redis's string2ld: glibc strtold over the whole string, then rejected when
 *  1. the string is empty or 5120 bytes or longer;
 *  2. it starts with a space (strtold would skip it) or strtold stops before the end of
 *     the bytes (a NUL byte too: "1.5\0" is not a float);
 *  3. it overflows to ±inf or underflows to 0 (ERANGE), or is a NaN.
 * "inf" and "infinity" are accepted (Infinity: INCRBYFLOAT then fails on the result).
 * Returns a long double, Infinity/-Infinity, or undefined when not a valid float.
 */
export function parseLongDouble(s: string): LongDouble | number | undefined {
  if (s.length === 0 || s.length >= MAX_LONG_DOUBLE_CHARS) return undefined;
  // the grammars below match the whole string, so spaces and NULs anywhere fail them
  if (INF_RE.test(s)) return s.charCodeAt(0) === 45 ? -Infinity : Infinity;
  let m = HEX_RE.exec(s);
  if (m !== null) {
    const neg = m[1] === "-";
    const intPart = m[2] ?? "";
    const frac = m[3] ?? m[4] ?? "";
    const mant = BigInt(`0x${intPart}${frac}`);
    const pexp = m[5] === undefined ? 0 : Number(m[5]);
    if (mant === 0n) return { neg, mant: 0n, exp: 0 };
    const e = pexp - 4 * frac.length;
    if (e + bitLength(mant) > 16400) return undefined;
    if (e + bitLength(mant) < LD_MIN_EXP - 2) return undefined;
    return roundToLongDouble(neg, mant, 1n, e) ?? undefined;
  }
  m = DECIMAL_RE.exec(s);
  if (m === null) return undefined;
  const neg = m[1] === "-";
  const intPart = m[2] ?? "";
  const frac = m[3] ?? m[4] ?? "";
  const digits = `${intPart}${frac}`.replace(/^0+/, "");
  if (digits.length === 0) return { neg, mant: 0n, exp: 0 };
  // an exponent string may be huge ("1e99999999999"): only its magnitude matters
  const e10 = (m[5] === undefined ? 0 : Number(m[5])) - frac.length;
  const mag = digits.length + e10; // value < 10^mag, >= 10^(mag-1)
  if (mag - 1 > 4932) return undefined; // >= 1e4933: past LDBL_MAX (1.19e4932), inf
  if (mag <= -4951) return undefined; // < 1e-4951: rounds to 0 (ERANGE)
  const d = BigInt(digits);
  const r =
    e10 >= 0
      ? roundToLongDouble(neg, d * 10n ** BigInt(e10), 1n, 0)
      : roundToLongDouble(neg, d, 10n ** BigInt(-e10), 0);
  if (r === undefined || r.mant === 0n) return undefined;
  return r;
}

/**
 * ld2string in LD_STR_HUMAN mode, as INCRBYFLOAT stores its result: `%.17Lf` (the exact
 * binary value rounded to 17 decimals, half to even), then trailing zeros after the point
 * and a bare point removed, and "-0" turned into "0".
 */
export function formatLongDoubleHuman(v: LongDouble): string {
  const SCALE = 10n ** 17n;
  let q: bigint;
  if (v.exp >= 0) q = (v.mant << BigInt(v.exp)) * SCALE;
  else {
    const num = v.mant * SCALE;
    const sh = BigInt(-v.exp);
    q = num >> sh;
    const rest = num - (q << sh);
    const half = 1n << (sh - 1n);
    if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
  }
  const intPart = (q / SCALE).toString();
  const frac = (q % SCALE).toString().padStart(17, "0").replace(/0+$/, "");
  const out = frac.length === 0 ? intPart : `${intPart}.${frac}`;
  return v.neg && out !== "0" ? `-${out}` : out;
}
