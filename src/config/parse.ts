/*
 * Low-level parsers and printers for configuration values, each a port of the behaviour of
 * the Redis helper named beside it. All strings are byte strings (latin1, one char per byte).
 */

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/* ---------------------------------------------------------------------------------------------
 * Splitting and quoting (sds.c: sdssplitargs, sdscatrepr)
 * ------------------------------------------------------------------------------------------- */

/** C isspace() in the C locale. */
function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

export { repr, splitArgs } from "../util/sds.js";

/** sdstrim with the given character set. */
export function trimChars(s: string, chars: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && chars.includes(s[a])) a++;
  while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

/** sdssplitlen(value, " "): split on every single space; the empty string gives no element. */
export function splitSpaces(s: string): string[] {
  return s.length === 0 ? [] : s.split(" ");
}

/** sdstolower: ASCII only. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/* ---------------------------------------------------------------------------------------------
 * Numbers
 * ------------------------------------------------------------------------------------------- */

/** string2ll: strict base-10 int64 ("0", or -?[1-9][0-9]*), no spaces, no '+', no overflow. */
export function string2ll(s: string): bigint | undefined {
  if (!/^(0|-?[1-9][0-9]*)$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/**
 * strtoll(s, &end, base) followed by the usual `*end == '\0'` check: leading whitespace and a
 * sign are allowed, overflow saturates (errno is not looked at by these callers), and a string
 * with no digits at all parses as 0 only when it is empty (end then points at the NUL).
 * Returns undefined when characters are left over.
 */
export function strtollFull(s: string, base: 8 | 10 = 10): bigint | undefined {
  const m = (base === 8 ? /^[ \t\n\v\f\r]*([+-]?)([0-7]+)$/ : /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/).exec(s);
  if (!m) return s === "" ? 0n : undefined;
  let v = BigInt(base === 8 ? `0o${m[2]}` : m[2]);
  if (m[1] === "-") v = -v;
  return clampInt64(v);
}

/** Like strtollFull but reports overflow (errno == ERANGE) as a failure, as the octal parser does. */
export function strtollStrict(s: string, base: 8 | 10): bigint | undefined {
  const v = strtollFull(s, base);
  if (v === undefined) return undefined;
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(s);
  if (m) {
    let exact = BigInt(base === 8 ? `0o${m[2]}` : m[2]);
    if (m[1] === "-") exact = -exact;
    if (exact !== v) return undefined;
  }
  return v;
}

export function clampInt64(v: bigint): bigint {
  return v < INT64_MIN ? INT64_MIN : v > INT64_MAX ? INT64_MAX : v;
}

const MEMORY_UNITS: Record<string, bigint> = {
  "": 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n * 1000n,
  mb: 1024n * 1024n,
  g: 1000n * 1000n * 1000n,
  gb: 1024n * 1024n * 1024n,
};

/**
 * memtoull: "<digits><unit>" with unit b, k, kb, m, mb, g, gb (any case); 1k = 1000, 1kb = 1024.
 * No sign, no spaces. Empty digits mean 0 ("" and "kb" are 0). An overflowing number
 * saturates at 2^64-1 and the multiplication wraps modulo 2^64, exactly as in C.
 */
export function memtoull(s: string): bigint | undefined {
  const m = /^([0-9]*)(.*)$/s.exec(s);
  if (!m) return undefined;
  const mul = MEMORY_UNITS[asciiLower(m[2])];
  if (mul === undefined || m[2].length > 2) return undefined;
  if (m[1].length >= 128) return undefined;
  let v = m[1] === "" ? 0n : BigInt(m[1]);
  if (v > UINT64_MAX) v = UINT64_MAX;
  return BigInt.asUintN(64, v * mul);
}

/** rewriteConfigFormatMemory: the largest of gb/mb/kb that divides the value exactly. */
export function formatMemory(bytes: bigint): string {
  const b = BigInt.asIntN(64, bytes);
  const gb = 1024n * 1024n * 1024n;
  const mb = 1024n * 1024n;
  const kb = 1024n;
  if (b !== 0n && b % gb === 0n) return `${b / gb}gb`;
  if (b !== 0n && b % mb === 0n) return `${b / mb}mb`;
  if (b !== 0n && b % kb === 0n) return `${b / kb}kb`;
  return b.toString();
}

/**
 * string2d: strtod over the whole string, refusing a leading space, NaN, and overflow or
 * underflow to zero. Accepts what glibc strtod does: decimal, `inf`/`infinity`, hex floats.
 */
export function string2d(s: string): number | undefined {
  if (s.length === 0 || isSpace(s[0])) return undefined;
  const dec = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
  const inf = /^[+-]?(?:inf|infinity)$/i;
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
  let v: number;
  if (dec.test(s)) {
    v = Number(s);
    if (!Number.isFinite(v)) return undefined;
    if (v === 0 && /[1-9]/.test(s.replace(/[eE].*$/, ""))) return undefined;
  } else if (inf.test(s)) {
    v = s.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  } else {
    const m = hex.exec(s);
    if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
    const frac = m[3] ?? "";
    let mant = 0;
    for (const d of m[2] + frac) mant = mant * 16 + Number.parseInt(d, 16);
    v = mant * 2 ** (Number(m[4] ?? "0") - 4 * frac.length);
    if (m[1] === "-") v = -v;
    if (!Number.isFinite(v)) return undefined;
  }
  return v;
}

/** printf("%f") followed by trimDoubleString (drop trailing zeros, then a trailing dot). */
export function formatPercentile(v: number): string {
  let s = Object.is(v, -0) ? "-0.000000" : v.toFixed(6);
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s;
}

/* ---------------------------------------------------------------------------------------------
 * errno texts (strerror) for the file errors Redis reports
 * ------------------------------------------------------------------------------------------- */

const STRERROR: Record<string, string> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  EROFS: "Read-only file system",
  ENOSPC: "No space left on device",
  EEXIST: "File exists",
  ENAMETOOLONG: "File name too long",
  ELOOP: "Too many levels of symbolic links",
  EMFILE: "Too many open files",
  EIO: "Input/output error",
  EBUSY: "Device or resource busy",
  EXDEV: "Invalid cross-device link",
  EINVAL: "Invalid argument",
};

/** strerror(errno) for a Node system error. */
export function strerror(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && STRERROR[code]) return STRERROR[code];
  return err instanceof Error ? err.message : String(err);
}

/** A byte string (latin1) as a real file-system path (its bytes read as UTF-8). */
export function bytesToPath(s: string): string {
  return Buffer.from(s, "latin1").toString("utf8");
}

/** A file-system path or argv element (UTF-8 JS string) as a byte string. */
export function toByteString(s: string): string {
  return Buffer.from(s, "utf8").toString("latin1");
}
