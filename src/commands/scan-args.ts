/*
 * What SCAN, SSCAN, HSCAN and ZSCAN parse and answer alike (db.c scanGenericCommand).
 */
import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../resp/errors.js";
import { parseInteger } from "../util/numbers.js";

export const ERR_INVALID_CURSOR = "-ERR invalid cursor\r\n";

/**
 * parseScanCursorOrReply: strtoul over the whole argument. A leading space is refused;
 * a sign is accepted ("-1" is ULONG_MAX); the empty string is cursor 0; a NUL byte ends
 * the number; past 2^64-1 is an error.
 */
export function parseScanCursor(s: string): bigint | undefined {
  const len = s.length;
  if (len > 0) {
    const c = s.charCodeAt(0);
    if (c === 32 || (c >= 9 && c <= 13)) return undefined;
  }
  let i = 0;
  let neg = false;
  if (i < len && (s[i] === "+" || s[i] === "-")) {
    neg = s[i] === "-";
    i++;
  }
  const start = i;
  while (i < len && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === start) {
    // no digits: strtoul consumed nothing, so the whole string must be empty (or NUL)
    return len === 0 || s.charCodeAt(0) === 0 ? 0n : undefined;
  }
  if (i < len && s.charCodeAt(i) !== 0) return undefined;
  let v = BigInt(s.slice(start, i));
  if (v > 0xffffffffffffffffn) return undefined;
  if (neg && v !== 0n) v = 0x10000000000000000n - v;
  return v;
}

export interface ScanOptions {
  count: number;
  /** undefined: no MATCH, or MATCH "*" */
  pattern: string | undefined;
  /** SCAN's TYPE filter; undefined without one */
  type: string | undefined;
}

/**
 * scanGenericCommand's option loop from argument `from`: COUNT (a positive integer), MATCH,
 * and TYPE where `withType` (SCAN only; the collection scans answer it a syntax error).
 */
export function parseScanOptions(argv: readonly string[], from: number, withType = false): ScanOptions | string {
  const o: ScanOptions = { count: 10, pattern: undefined, type: undefined };
  for (let i = from; i < argv.length; i += 2) {
    const opt = argv[i].toLowerCase();
    const more = i + 1 < argv.length;
    if (opt === "count" && more) {
      const n = parseInteger(argv[i + 1]);
      if (n === undefined) return ERR_NOT_INTEGER;
      if (n < 1) return ERR_SYNTAX;
      o.count = Number(n);
    } else if (opt === "match" && more) {
      o.pattern = argv[i + 1] === "*" ? undefined : argv[i + 1];
    } else if (opt === "type" && more && withType) {
      o.type = argv[i + 1];
    } else return ERR_SYNTAX;
  }
  return o;
}

/** `*2 cursor [elements]`: the same shape in RESP2 and RESP3. */
export function scanReply(cursor: bigint | number, items: readonly string[]): string {
  const c = String(cursor);
  let out = `*2\r\n$${c.length}\r\n${c}\r\n*${items.length}\r\n`;
  for (const s of items) out += `$${s.length}\r\n${s}\r\n`;
  return out;
}

/** The empty scan reply for a missing key (shared.emptyscan). */
export const EMPTY_SCAN = "*2\r\n$1\r\n0\r\n*0\r\n";
