/*
 * Sorted set commands (t_zset.c). The data structure is src/types/zset.ts; this file
 * keeps Redis's encoding rules (listpack -> skiplist, one way), parses arguments exactly
 * as Redis does and builds the replies.
 */

import { NOTIFY_GENERIC, NOTIFY_ZSET } from "../config/keyspace-events.js";
import { stringMatch } from "../keyspace/glob.js";
import { ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_SYNTAX, ERR_TIMEOUT_NEGATIVE, ERR_WRONGTYPE } from "../resp/errors.js";
import {
  arrayHeader,
  bulk,
  EMPTY_ARRAY,
  error,
  integer,
  nullArray,
  nullBulk,
  type Proto,
  ZERO,
} from "../resp/reply.js";
import type { EngineSettings, Value } from "../shards/engine.js";
import { ZSetValue } from "../types/zset.js";
import { parseInteger, parseLongDouble } from "../util/numbers.js";
import { cmd, keys1, noKeys } from "./define.js";
import { EMPTY_SCAN, ERR_INVALID_CURSOR, parseScanCursor, parseScanOptions } from "./scan-args.js";
import { type CommandSpec, type KeySpec, type ShardCtx, WOULD_BLOCK } from "./types.js";

// ---------------------------------------------------------------- errors

const ERR_NAN = error("ERR resulting score is not a number (NaN)");
const ERR_MINMAX_FLOAT = error("ERR min or max is not a float");
const ERR_MINMAX_LEX = error("ERR min or max not valid string range item");
const ERR_XX_NX = error("ERR XX and NX options at the same time are not compatible");
const ERR_GT_LT_NX = error("ERR GT, LT, and/or NX options at the same time are not compatible");
const ERR_INCR_PAIR = error("ERR INCR option supports a single increment-element pair");
const ERR_LIMIT_RANK = error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
const ERR_WITHSCORES_LEX = error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
const ERR_WEIGHT = error("ERR weight value is not a float");
const ERR_LIMIT_NEG = error("ERR LIMIT can't be negative");
const ERR_NUMKEYS = error("ERR numkeys should be greater than 0");
const ERR_COUNT_POS = error("ERR count should be greater than 0");
const ERR_POSITIVE = error("ERR value is out of range, must be positive");
const ERR_OUT_OF_RANGE = error("ERR value is out of range");
const ERR_RANGE_LONG = error(
  "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
);
const ERR_TIMEOUT = error("ERR timeout is not a float or out of range");

// ---------------------------------------------------------------- numbers

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** The exact decimal digits of a finite non-zero double and the power of ten of its last digit. */
function exactDecimal(x: number): [string, number] {
  f64[0] = Math.abs(x);
  const hi = u32[1];
  const lo = u32[0];
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (bexp === 0) e2 = -1074;
  else {
    mant |= 1n << 52n;
    e2 = bexp - 1075;
  }
  if (e2 >= 0) return [(mant << BigInt(e2)).toString(), 0];
  return [(mant * 5n ** BigInt(-e2)).toString(), e2];
}

/**
 * printf("%.17g"), as Redis 7.0 prints scores (addReplyDouble, d2string, ld2string).
 * JS rounds exact ties away from zero where glibc rounds them to even: ties (the exact
 * value has 18 significant digits ending in 5) are detected and rounded by hand.
 */
export function formatScore(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 9007199254740992) return x === 0 && Object.is(x, -0) ? "-0" : String(x);
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  let [mant, expText] = x.toExponential(16).split("e");
  let e = Number(expText);
  const m18 = x.toExponential(17).split("e")[0];
  if (m18.charCodeAt(m18.length - 1) === 53) {
    // maybe an exact tie at the 18th digit: check against the exact expansion
    const [digits, p10] = exactDecimal(x);
    const trimmed = digits.replace(/0+$/, "");
    if (trimmed.length === 18 && trimmed.endsWith("5")) {
      const neg = x < 0;
      let d17 = BigInt(trimmed.slice(0, 17));
      if ((d17 & 1n) === 1n) d17 += 1n;
      let ds = d17.toString();
      let exp10 = digits.length - 1 + p10;
      if (ds.length > 17) {
        ds = ds.slice(0, 17);
        exp10++;
      }
      mant = `${neg ? "-" : ""}${ds[0]}.${ds.slice(1)}`;
      e = exp10;
    }
  }
  const strip = (s: string): string => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (e < -4 || e >= 17) return `${strip(mant)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  // fixed notation from the 17 significant digits
  const neg = mant.startsWith("-");
  const ds = mant.replace("-", "").replace(".", "");
  let out: string;
  if (e >= 0) out = `${ds.slice(0, e + 1)}.${ds.slice(e + 1)}`;
  else out = `0.${"0".repeat(-e - 1)}${ds}`;
  out = strip(out);
  return neg ? `-${out}` : out;
}

function dbl(x: number, proto: Proto): string {
  const t = formatScore(x);
  return proto === 3 ? `,${t}\r\n` : `$${t.length}\r\n${t}\r\n`;
}

const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_RE = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const INF_RE = /^[+-]?(?:inf|infinity)$/i;

/**
 * C's strtod over the whole string (no leading space handling): the value, with `erange`
 * set when it overflowed or underflowed to zero; undefined when not all of it is a number
 * (NaN spellings are refused too: every caller rejects NaN).
 */
function strtodFull(s: string): { v: number; erange: boolean } | undefined {
  if (DECIMAL_RE.test(s)) {
    const v = Number(s);
    if (!Number.isFinite(v)) return { v, erange: true };
    if (v === 0 && /[1-9]/.test(s.replace(/[eE].*$/, ""))) return { v, erange: true };
    return { v, erange: false };
  }
  if (INF_RE.test(s)) return { v: s.charCodeAt(0) === 45 ? -Infinity : Infinity, erange: false };
  const m = HEX_RE.exec(s);
  if (m !== null) {
    const intPart = m[2] ?? "";
    const frac = m[3] ?? m[4] ?? "";
    let v = 0;
    for (const ch of intPart + frac) v = v * 16 + Number.parseInt(ch, 16);
    v *= 2 ** ((m[5] === undefined ? 0 : Number(m[5])) - 4 * frac.length);
    if (m[1] === "-") v = -v;
    return { v, erange: !Number.isFinite(v) };
  }
  return undefined;
}

/** getDoubleFromObject: the whole string, no leading space, no overflow, no NaN. */
function parseDouble(s: string): number | undefined {
  if (s.length === 0) return undefined;
  const r = strtodFull(s);
  if (r === undefined || r.erange) return undefined;
  return r.v;
}

interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** One bound of zslParseRange: '(' for exclusive, then strtod (leading spaces allowed, "" is 0). */
function parseBound(s: string): [number, boolean] | undefined {
  let ex = false;
  if (s.charCodeAt(0) === 40) {
    ex = true;
    s = s.slice(1);
  }
  const nul = s.indexOf("\0");
  if (nul !== -1) s = s.slice(0, nul);
  if (s.length === 0) return [0, ex];
  // strtod skips leading spaces, but with no number after them it consumes nothing
  s = s.replace(/^[ \t\n\v\f\r]+/, "");
  if (s.length === 0) return undefined;
  const r = strtodFull(s);
  if (r === undefined || Number.isNaN(r.v)) return undefined;
  return [r.v, ex];
}

function parseScoreRange(min: string, max: string): ScoreRange | undefined {
  const a = parseBound(min);
  if (a === undefined) return undefined;
  const b = parseBound(max);
  if (b === undefined) return undefined;
  return { min: a[0], minex: a[1], max: b[0], maxex: b[1] };
}

/** A lex bound: -1 the minimum string ('-'), 1 the maximum ('+'), 0 a real string. */
interface LexBound {
  kind: -1 | 0 | 1;
  s: string;
  ex: boolean;
}

function parseLexBound(s: string): LexBound | undefined {
  const c = s.charCodeAt(0);
  const single = s.length === 1 || s.charCodeAt(1) === 0;
  if (c === 43) return single ? { kind: 1, s: "", ex: true } : undefined;
  if (c === 45) return single ? { kind: -1, s: "", ex: true } : undefined;
  if (c === 40) return { kind: 0, s: s.slice(1), ex: true };
  if (c === 91) return { kind: 0, s: s.slice(1), ex: false };
  return undefined;
}

interface LexRange {
  min: LexBound;
  max: LexBound;
}

function parseLexRange(min: string, max: string): LexRange | undefined {
  const a = parseLexBound(min);
  const b = parseLexBound(max);
  if (a === undefined || b === undefined) return undefined;
  return { min: a, max: b };
}

/** sdscmplex: a value against a bound. */
function cmpLex(v: string, b: LexBound): number {
  if (b.kind === -1) return 1;
  if (b.kind === 1) return -1;
  return v < b.s ? -1 : v > b.s ? 1 : 0;
}

function lexGteMin(v: string, r: LexRange): boolean {
  const c = cmpLex(v, r.min);
  return r.min.ex ? c > 0 : c >= 0;
}

function lexLteMax(v: string, r: LexRange): boolean {
  const c = cmpLex(v, r.max);
  return r.max.ex ? c < 0 : c <= 0;
}

function lexRangeEmpty(r: LexRange): boolean {
  const a = r.min;
  const b = r.max;
  let c: number;
  if (a.kind === b.kind && a.kind !== 0) c = 0;
  else if (a.kind === -1 || b.kind === 1) c = -1;
  else if (a.kind === 1 || b.kind === -1) c = 1;
  else c = a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
  return c > 0 || (c === 0 && (a.ex || b.ex));
}

function scoreGteMin(v: number, r: ScoreRange): boolean {
  return r.minex ? v > r.min : v >= r.min;
}

function scoreLteMax(v: number, r: ScoreRange): boolean {
  return r.maxex ? v < r.max : v <= r.max;
}

/** getLongFromObject: a number (int64 values beyond 2^53 lose precision, harmlessly here). */
function parseLong(s: string): number | undefined {
  const v = parseInteger(s);
  return v === undefined ? undefined : Number(v);
}

/** getTimeoutFromObjectOrReply in seconds: an error reply, or the timeout in ms. */
export function parseTimeout(s: string): string | number {
  const v = parseLongDouble(s);
  if (v === undefined) return ERR_TIMEOUT;
  let x: number;
  if (typeof v === "number") x = v;
  else x = (v.neg ? -1 : 1) * Number(v.mant) * 2 ** v.exp;
  const ms = Math.ceil(x * 1000);
  // (long long)ceill() of a value past LLONG_MAX is LLONG_MIN on x86: "negative"
  if (ms < 0 || ms >= 2 ** 63) return ERR_TIMEOUT_NEGATIVE;
  return ms;
}

// ---------------------------------------------------------------- keyspace helpers

type Lookup = ZSetValue | undefined | null;

/** The zset under a key: undefined when missing, null when of another type. */
function asZset(v: Value | undefined): Lookup {
  if (v === undefined) return undefined;
  return v instanceof ZSetValue ? v : null;
}

function readZset(ctx: ShardCtx, key: string): Lookup {
  return asZset(ctx.engine.lookupRead(ctx.db, key));
}

function writeZset(ctx: ShardCtx, key: string): Lookup {
  return asZset(ctx.engine.lookupWrite(ctx.db, key));
}

/** Removes the key when the zset became empty (Redis never keeps empty aggregates): event "del". */
function dropIfEmpty(ctx: ShardCtx, key: string, z: ZSetValue): void {
  if (z.size === 0) {
    ctx.engine.deleteKey(ctx.db, key);
    ctx.engine.dirty--;
    ctx.engine.notify(NOTIFY_GENERIC, "del", key, ctx.dbIndex);
  }
}

// ---------------------------------------------------------------- zsetAdd

const ADD_NX = 1;
const ADD_XX = 2;
const ADD_GT = 4;
const ADD_LT = 8;
const ADD_INCR = 16;

const OUT_NOP = 1;
const OUT_ADDED = 2;
const OUT_UPDATED = 4;
const OUT_NAN = 8;

/**
 * zsetAdd: adds or updates one member with the NX/XX/GT/LT/INCR rules; converts a listpack
 * to skiplist before adding a member that would cross the limits. Returns the OUT_ flags
 * and the new score.
 */
function zsetAdd(
  z: ZSetValue,
  score: number,
  member: string,
  flags: number,
  settings: EngineSettings,
): [number, number] {
  if (Number.isNaN(score)) return [OUT_NAN, score];
  const cur = z.score(member);
  if (cur !== undefined) {
    if (flags & ADD_NX) return [OUT_NOP, score];
    if (flags & ADD_INCR) {
      score += cur;
      if (Number.isNaN(score)) return [OUT_NAN, score];
    }
    if ((flags & ADD_LT && score >= cur) || (flags & ADD_GT && score <= cur)) return [OUT_NOP, score];
    if (score !== cur) {
      // a listpack keeps scores as text, and "-0" is read back as the integer 0
      z.update(member, cur, z.listpack && score === 0 ? 0 : score);
      return [OUT_UPDATED, score];
    }
    return [0, score];
  }
  if (flags & ADD_XX) return [OUT_NOP, score];
  if (
    z.listpack &&
    (z.size + 1 > settings["zset-max-listpack-entries"] || member.length > settings["zset-max-listpack-value"])
  ) {
    z.listpack = false;
  }
  z.insert(member, z.listpack && score === 0 ? 0 : score);
  return [OUT_ADDED, score];
}

/** A new zset for ZADD: listpack unless the limits say otherwise for its first member. */
function createForAdd(settings: EngineSettings, firstMemberLen: number): ZSetValue {
  const z = new ZSetValue();
  z.listpack = !(settings["zset-max-listpack-entries"] === 0 || settings["zset-max-listpack-value"] < firstMemberLen);
  return z;
}

/** A destination zset built from sorted results, listpack when it fits (zsetConvertToListpackIfNeeded). */
function storeResult(ctx: ShardCtx, dst: string, members: string[], scores: number[], event: string): string {
  if (members.length === 0) {
    /* deleteKey counted the change */
    if (ctx.engine.deleteKey(ctx.db, dst)) ctx.engine.notify(NOTIFY_GENERIC, "del", dst, ctx.dbIndex);
    return ZERO;
  }
  let maxlen = 0;
  for (const m of members) if (m.length > maxlen) maxlen = m.length;
  const s = ctx.engine.settings;
  const listpack = members.length <= s["zset-max-listpack-entries"] && maxlen <= s["zset-max-listpack-value"];
  ctx.engine.setKey(ctx.db, dst, ZSetValue.fromSorted(members, scores, listpack));
  ctx.engine.notify(NOTIFY_ZSET, event, dst, ctx.dbIndex);
  return integer(members.length);
}

// ---------------------------------------------------------------- ZADD / ZINCRBY

/* ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...] */
function zaddGeneric(ctx: ShardCtx, argv: string[], incrCmd: boolean): string {
  let flags = incrCmd ? ADD_INCR : 0;
  let ch = false;
  let j = 2;
  for (; j < argv.length; j++) {
    const o = argv[j].toLowerCase();
    if (o === "nx") flags |= ADD_NX;
    else if (o === "xx") flags |= ADD_XX;
    else if (o === "ch") ch = true;
    else if (o === "incr") flags |= ADD_INCR;
    else if (o === "gt") flags |= ADD_GT;
    else if (o === "lt") flags |= ADD_LT;
    else break;
  }
  const incr = (flags & ADD_INCR) !== 0;
  const nx = (flags & ADD_NX) !== 0;
  const xx = (flags & ADD_XX) !== 0;
  const gt = (flags & ADD_GT) !== 0;
  const lt = (flags & ADD_LT) !== 0;
  const elements = argv.length - j;
  if (elements % 2 !== 0 || elements === 0) return ERR_SYNTAX;
  const pairs = elements / 2;
  if (nx && xx) return ERR_XX_NX;
  if ((gt && nx) || (lt && nx) || (gt && lt)) return ERR_GT_LT_NX;
  if (incr && pairs > 1) return ERR_INCR_PAIR;
  const scores: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const v = parseDouble(argv[j + i * 2]);
    if (v === undefined) return ERR_NOT_FLOAT;
    scores.push(v);
  }
  const key = argv[1];
  let z = writeZset(ctx, key);
  if (z === null) return ERR_WRONGTYPE;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  let err: string | undefined;
  if (z === undefined && xx) {
    // no key and XX: nothing to do
  } else {
    if (z === undefined) {
      z = createForAdd(ctx.engine.settings, argv[j + 1].length);
      ctx.engine.setKey(ctx.db, key, z);
      ctx.engine.dirty--;
    }
    for (let i = 0; i < pairs; i++) {
      const [out, newscore] = zsetAdd(z, scores[i], argv[j + 1 + i * 2], flags, ctx.engine.settings);
      if (out & OUT_NAN) {
        err = ERR_NAN;
        break;
      }
      if (out & OUT_ADDED) added++;
      if (out & OUT_UPDATED) updated++;
      if (!(out & OUT_NOP)) processed++;
      score = newscore;
    }
    if (err === undefined) ctx.engine.dirty += added + updated;
    else if (z.size === 0) dropIfEmpty(ctx, key, z);
    if (added || updated) ctx.engine.notify(NOTIFY_ZSET, incr ? "zincr" : "zadd", key, ctx.dbIndex);
  }
  if (err !== undefined) return err;
  if (incr) return processed ? dbl(score, ctx.proto) : nullBulk(ctx.proto);
  return integer(ch ? added + updated : added);
}

function zaddCommand(ctx: ShardCtx, argv: string[]): string {
  return zaddGeneric(ctx, argv, false);
}

/* ZINCRBY key increment member */
function zincrbyCommand(ctx: ShardCtx, argv: string[]): string {
  return zaddGeneric(ctx, argv, true);
}

// ---------------------------------------------------------------- ZREM / ZCARD / ZSCORE / ZRANK

/* ZREM key member [member ...] */
function zremCommand(ctx: ShardCtx, argv: string[]): string {
  const z = writeZset(ctx, argv[1]);
  if (z === undefined) return ZERO;
  if (z === null) return ERR_WRONGTYPE;
  let deleted = 0;
  for (let j = 2; j < argv.length; j++) {
    if (z.remove(argv[j])) deleted++;
    if (z.size === 0) break;
  }
  if (deleted > 0) ctx.engine.notify(NOTIFY_ZSET, "zrem", argv[1], ctx.dbIndex);
  dropIfEmpty(ctx, argv[1], z);
  ctx.engine.dirty += deleted;
  return integer(deleted);
}

/* ZCARD key */
function zcardCommand(ctx: ShardCtx, argv: string[]): string {
  const z = readZset(ctx, argv[1]);
  if (z === undefined) return ZERO;
  if (z === null) return ERR_WRONGTYPE;
  return integer(z.size);
}

/* ZSCORE key member */
function zscoreCommand(ctx: ShardCtx, argv: string[]): string {
  const z = readZset(ctx, argv[1]);
  if (z === undefined) return nullBulk(ctx.proto);
  if (z === null) return ERR_WRONGTYPE;
  const s = z.score(argv[2]);
  return s === undefined ? nullBulk(ctx.proto) : dbl(s, ctx.proto);
}

/* ZMSCORE key member [member ...] */
function zmscoreCommand(ctx: ShardCtx, argv: string[]): string {
  const z = readZset(ctx, argv[1]);
  if (z === null) return ERR_WRONGTYPE;
  let out = arrayHeader(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(argv[j]);
    out += s === undefined ? nullBulk(ctx.proto) : dbl(s, ctx.proto);
  }
  return out;
}

function zrankGeneric(ctx: ShardCtx, argv: string[], reverse: boolean): string {
  const z = readZset(ctx, argv[1]);
  if (z === undefined) return nullBulk(ctx.proto);
  if (z === null) return ERR_WRONGTYPE;
  const r = z.rank(argv[2]);
  if (r < 0) return nullBulk(ctx.proto);
  return integer(reverse ? z.size - 1 - r : r);
}

/* ZRANK key member */
function zrankCommand(ctx: ShardCtx, argv: string[]): string {
  return zrankGeneric(ctx, argv, false);
}

/* ZREVRANK key member */
function zrevrankCommand(ctx: ShardCtx, argv: string[]): string {
  return zrankGeneric(ctx, argv, true);
}

// ---------------------------------------------------------------- ranges

/** Ranks [lo, hi) of the elements in a score range. */
function scoreSpan(z: ZSetValue, r: ScoreRange): [number, number] {
  const lo = z.countWhile((s) => !scoreGteMin(s, r));
  const hi = z.countWhile((s) => scoreLteMax(s, r));
  return [lo, Math.max(lo, hi)];
}

/**
 * zzlFirstInLexRange / zslFirstInLexRange: the rank where a forward lex walk starts, or -1.
 * A listpack is walked from its head as Redis does (the result then matches Redis even
 * when members with different scores make the lex order undefined); a skiplist is
 * searched, which is the same for a well-formed (single score) set.
 */
function lexFirst(z: ZSetValue, r: LexRange): number {
  const n = z.size;
  if (n === 0 || lexRangeEmpty(r)) return -1;
  if (!lexGteMin(z.last()[0], r) || !lexLteMax(z.first()[0], r)) return -1;
  let i: number;
  if (z.listpack) {
    i = -1;
    z.forRange(0, n, false, (m) => {
      i++;
      return !lexGteMin(m, r);
    });
  } else i = z.countWhile((_s, m) => !lexGteMin(m, r));
  if (i < 0 || i >= n) return -1;
  return lexLteMax(z.at(i)[0], r) ? i : -1;
}

/** zzlLastInLexRange / zslLastInLexRange: the rank where a reverse lex walk starts, or -1. */
function lexLast(z: ZSetValue, r: LexRange): number {
  const n = z.size;
  if (n === 0 || lexRangeEmpty(r)) return -1;
  if (!lexGteMin(z.last()[0], r) || !lexLteMax(z.first()[0], r)) return -1;
  let i: number;
  if (z.listpack) {
    i = n;
    z.forRange(n - 1, n, true, (m) => {
      i--;
      return !lexLteMax(m, r);
    });
  } else i = z.countWhile((_s, m) => lexLteMax(m, r)) - 1;
  if (i < 0 || i >= n) return -1;
  return lexGteMin(z.at(i)[0], r) ? i : -1;
}

/** Collects a range result (ZRANGE and friends, ZRANGESTORE). */
class RangeOut {
  members: string[] = [];
  scores: number[] = [];
  push(m: string, s: number): void {
    this.members.push(m);
    this.scores.push(s);
  }
}

/** A sorted-set result as Redis replies it: flat in RESP2, [member, score] pairs in RESP3 with scores. */
function replyElements(members: string[], scores: number[] | undefined, proto: Proto): string {
  const n = members.length;
  const parts: string[] = [];
  if (scores === undefined) {
    parts.push(arrayHeader(n));
    for (const m of members) parts.push(`$${m.length}\r\n${m}\r\n`);
  } else if (proto === 2) {
    parts.push(arrayHeader(n * 2));
    for (let i = 0; i < n; i++) parts.push(`$${members[i].length}\r\n${members[i]}\r\n`, dbl(scores[i], 2));
  } else {
    parts.push(arrayHeader(n));
    for (let i = 0; i < n; i++) parts.push(`*2\r\n$${members[i].length}\r\n${members[i]}\r\n`, dbl(scores[i], 3));
  }
  return parts.join("");
}

const RANGE_AUTO = 0;
const RANGE_RANK = 1;
const RANGE_SCORE = 2;
const RANGE_LEX = 3;
const DIR_AUTO = 0;
const DIR_FORWARD = 1;
const DIR_REVERSE = 2;

/**
 * zrangeGenericCommand: ZRANGE, ZRANGESTORE and the older Z[REV]RANGE[BYSCORE|BYLEX].
 * `start` is the index of the source key; after <src> <min> <max> come the options.
 */
function zrangeGeneric(
  ctx: ShardCtx,
  argv: string[],
  start: number,
  store: boolean,
  type: number,
  dir: number,
): string {
  const key = argv[start];
  let minidx = start + 1;
  let maxidx = start + 2;
  let withscores = false;
  let offset = 0;
  let limit = -1;
  for (let j = start + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const o = argv[j].toLowerCase();
    if (!store && o === "withscores") withscores = true;
    else if (o === "limit" && left >= 2) {
      const a = parseLong(argv[j + 1]);
      if (a === undefined) return ERR_NOT_INTEGER;
      const b = parseLong(argv[j + 2]);
      if (b === undefined) return ERR_NOT_INTEGER;
      offset = a;
      limit = b;
      j += 2;
    } else if (dir === DIR_AUTO && o === "rev") dir = DIR_REVERSE;
    else if (type === RANGE_AUTO && o === "bylex") type = RANGE_LEX;
    else if (type === RANGE_AUTO && o === "byscore") type = RANGE_SCORE;
    else return ERR_SYNTAX;
  }
  if (dir === DIR_AUTO) dir = DIR_FORWARD;
  if (type === RANGE_AUTO) type = RANGE_RANK;
  if (limit !== -1 && type === RANGE_RANK) return ERR_LIMIT_RANK;
  if (withscores && type === RANGE_LEX) return ERR_WITHSCORES_LEX;
  const reverse = dir === DIR_REVERSE;
  if (reverse && type !== RANGE_RANK) {
    const t = maxidx;
    maxidx = minidx;
    minidx = t;
  }
  let rs = 0;
  let re = 0;
  let srange: ScoreRange | undefined;
  let lrange: LexRange | undefined;
  if (type === RANGE_RANK) {
    const a = parseLong(argv[minidx]);
    if (a === undefined) return ERR_NOT_INTEGER;
    const b = parseLong(argv[maxidx]);
    if (b === undefined) return ERR_NOT_INTEGER;
    rs = a;
    re = b;
  } else if (type === RANGE_SCORE) {
    srange = parseScoreRange(argv[minidx], argv[maxidx]);
    if (srange === undefined) return ERR_MINMAX_FLOAT;
  } else {
    lrange = parseLexRange(argv[minidx], argv[maxidx]);
    if (lrange === undefined) return ERR_MINMAX_LEX;
  }
  const z = readZset(ctx, key);
  if (z === undefined) {
    if (store) return storeRange(ctx, argv[1], new RangeOut(), 0);
    return EMPTY_ARRAY;
  }
  if (z === null) return ERR_WRONGTYPE;
  const out = new RangeOut();
  const n = z.size;
  const push = (m: string, s: number): undefined => {
    out.push(m, s);
    return undefined;
  };
  if (type === RANGE_RANK) {
    if (rs < 0) rs = n + rs;
    if (re < 0) re = n + re;
    if (rs < 0) rs = 0;
    if (!(rs > re || rs >= n)) {
      if (re >= n) re = n - 1;
      const len = re - rs + 1;
      if (reverse) z.forRange(n - 1 - rs, len, true, push);
      else z.forRange(rs, len, false, push);
    }
  } else if (type === RANGE_SCORE && srange !== undefined) {
    if (!(offset > 0 && offset >= n) && offset >= 0) {
      const [lo, hi] = scoreSpan(z, srange);
      if (hi > lo) {
        if (reverse) {
          const first = hi - 1 - offset;
          const avail = first - lo + 1;
          if (first >= 0 && avail > 0) z.forRange(first, limit < 0 ? avail : Math.min(limit, avail), true, push);
        } else {
          const first = lo + offset;
          const avail = hi - first;
          if (avail > 0) z.forRange(first, limit < 0 ? avail : Math.min(limit, avail), false, push);
        }
      }
    }
  } else if (lrange !== undefined) {
    const r = lrange;
    if (offset >= 0) {
      const startRank = reverse ? lexLast(z, r) : lexFirst(z, r);
      if (startRank >= 0) {
        const first = reverse ? startRank - offset : startRank + offset;
        if (first >= 0 && first < n) {
          let left = limit;
          z.forRange(first, n, reverse, (m, s) => {
            if (left === 0) return false;
            if (reverse ? !lexGteMin(m, r) : !lexLteMax(m, r)) return false;
            out.push(m, s);
            if (left > 0) left--;
            return true;
          });
        }
      }
    }
  }
  if (store) return storeRange(ctx, argv[1], out, type === RANGE_RANK ? out.members.length : 0);
  return replyElements(out.members, withscores ? out.scores : undefined, ctx.proto);
}

/** zrangeResultFinalizeStore: the destination gets the range (listpack unless it outgrows it). */
function storeRange(ctx: ShardCtx, dst: string, out: RangeOut, sizeHint: number): string {
  if (out.members.length === 0) {
    if (ctx.engine.deleteKey(ctx.db, dst)) ctx.engine.notify(NOTIFY_GENERIC, "del", dst, ctx.dbIndex);
    return ZERO;
  }
  const s = ctx.engine.settings;
  // zsetTypeCreate(sizeHint, 0), then zsetAdd in emission order: a rank range knows its
  // length up front (a skiplist from the start when it is too long), score and lex ranges
  // start as a listpack. Elements added while it is a listpack went through its text form
  // (d2string), where -0 is written "0".
  let listpack = sizeHint <= s["zset-max-listpack-entries"];
  for (let i = 0; i < out.members.length; i++) {
    if (listpack && (i + 1 > s["zset-max-listpack-entries"] || out.members[i].length > s["zset-max-listpack-value"])) {
      listpack = false;
    }
    if (listpack && out.scores[i] === 0) out.scores[i] = 0;
  }
  // the range is in order (or reverse order): sort it for the destination
  const idx = out.members.map((_m, i) => i);
  const reversed = out.members.length > 1 && compareAt(out, 0, 1) > 0;
  if (reversed) idx.reverse();
  const members = idx.map((i) => out.members[i]);
  const scores = idx.map((i) => out.scores[i]);
  ctx.engine.setKey(ctx.db, dst, ZSetValue.fromSorted(members, scores, listpack));
  ctx.engine.notify(NOTIFY_ZSET, "zrangestore", dst, ctx.dbIndex);
  return integer(members.length);
}

function compareAt(out: RangeOut, i: number, j: number): number {
  const a = out.scores[i];
  const b = out.scores[j];
  if (a !== b) return a < b ? -1 : 1;
  return out.members[i] < out.members[j] ? -1 : 1;
}

/* ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES] */
function zrangeCommand(ctx: ShardCtx, argv: string[]): string {
  return zrangeGeneric(ctx, argv, 1, false, RANGE_AUTO, DIR_AUTO);
}

/* ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] */
function zrangestoreCommand(ctx: ShardCtx, argv: string[]): string {
  return zrangeGeneric(ctx, argv, 2, true, RANGE_AUTO, DIR_AUTO);
}

/* ZREVRANGE key start stop [WITHSCORES] */
function zrevrangeCommand(ctx: ShardCtx, argv: string[]): string {
  return zrangeGeneric(ctx, argv, 1, false, RANGE_RANK, DIR_REVERSE);
}

/* ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count] */
function zrangebyscoreCommand(ctx: ShardCtx, argv: string[]): string {
  return zrangeGeneric(ctx, argv, 1, false, RANGE_SCORE, DIR_FORWARD);
}

/* ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count] */
function zrevrangebyscoreCommand(ctx: ShardCtx, argv: string[]): string {
  return zrangeGeneric(ctx, argv, 1, false, RANGE_SCORE, DIR_REVERSE);
}

/* ZRANGEBYLEX key min max [LIMIT offset count] */
function zrangebylexCommand(ctx: ShardCtx, argv: string[]): string {
  return zrangeGeneric(ctx, argv, 1, false, RANGE_LEX, DIR_FORWARD);
}

/* ZREVRANGEBYLEX key max min [LIMIT offset count] */
function zrevrangebylexCommand(ctx: ShardCtx, argv: string[]): string {
  return zrangeGeneric(ctx, argv, 1, false, RANGE_LEX, DIR_REVERSE);
}

/* ZCOUNT key min max */
function zcountCommand(ctx: ShardCtx, argv: string[]): string {
  const r = parseScoreRange(argv[2], argv[3]);
  if (r === undefined) return ERR_MINMAX_FLOAT;
  const z = readZset(ctx, argv[1]);
  if (z === undefined) return ZERO;
  if (z === null) return ERR_WRONGTYPE;
  const [lo, hi] = scoreSpan(z, r);
  return integer(hi - lo);
}

/* ZLEXCOUNT key min max */
function zlexcountCommand(ctx: ShardCtx, argv: string[]): string {
  const r = parseLexRange(argv[2], argv[3]);
  if (r === undefined) return ERR_MINMAX_LEX;
  const z = readZset(ctx, argv[1]);
  if (z === undefined) return ZERO;
  if (z === null) return ERR_WRONGTYPE;
  return integer(lexSpan(z, r));
}

/** Elements of a lex range: from the first in range forward while under the max. */
function lexSpan(z: ZSetValue, r: LexRange): number {
  const first = lexFirst(z, r);
  if (first < 0) return 0;
  if (!z.listpack) {
    const hi = z.countWhile((_s, m) => lexLteMax(m, r));
    if (hi > first) return hi - first;
  }
  let count = 0;
  z.forRange(first, z.size, false, (m) => {
    if (!lexLteMax(m, r)) return false;
    count++;
    return true;
  });
  return count;
}

// ---------------------------------------------------------------- ZREMRANGEBY*

function zremrangeGeneric(ctx: ShardCtx, argv: string[], type: number): string {
  let start = 0;
  let end = 0;
  let srange: ScoreRange | undefined;
  let lrange: LexRange | undefined;
  if (type === RANGE_RANK) {
    const a = parseLong(argv[2]);
    if (a === undefined) return ERR_NOT_INTEGER;
    const b = parseLong(argv[3]);
    if (b === undefined) return ERR_NOT_INTEGER;
    start = a;
    end = b;
  } else if (type === RANGE_SCORE) {
    srange = parseScoreRange(argv[2], argv[3]);
    if (srange === undefined) return ERR_MINMAX_FLOAT;
  } else {
    lrange = parseLexRange(argv[2], argv[3]);
    if (lrange === undefined) return ERR_MINMAX_LEX;
  }
  const key = argv[1];
  const z = writeZset(ctx, key);
  if (z === undefined) return ZERO;
  if (z === null) return ERR_WRONGTYPE;
  const n = z.size;
  let lo = 0;
  let count = 0;
  if (type === RANGE_RANK) {
    if (start < 0) start = n + start;
    if (end < 0) end = n + end;
    if (start < 0) start = 0;
    if (start > end || start >= n) return ZERO;
    if (end >= n) end = n - 1;
    lo = start;
    count = end - start + 1;
  } else if (srange !== undefined) {
    const [a, b] = scoreSpan(z, srange);
    lo = a;
    count = b - a;
  } else if (lrange !== undefined) {
    const first = lexFirst(z, lrange);
    if (first >= 0) {
      lo = first;
      count = lexSpan(z, lrange);
    }
  }
  if (count > 0) {
    z.removeRange(lo, count);
    const event =
      type === RANGE_RANK ? "zremrangebyrank" : type === RANGE_SCORE ? "zremrangebyscore" : "zremrangebylex";
    ctx.engine.notify(NOTIFY_ZSET, event, key, ctx.dbIndex);
    dropIfEmpty(ctx, key, z);
    ctx.engine.dirty += count;
  }
  return integer(count);
}

/* ZREMRANGEBYRANK key start stop */
function zremrangebyrankCommand(ctx: ShardCtx, argv: string[]): string {
  return zremrangeGeneric(ctx, argv, RANGE_RANK);
}

/* ZREMRANGEBYSCORE key min max */
function zremrangebyscoreCommand(ctx: ShardCtx, argv: string[]): string {
  return zremrangeGeneric(ctx, argv, RANGE_SCORE);
}

/* ZREMRANGEBYLEX key min max */
function zremrangebylexCommand(ctx: ShardCtx, argv: string[]): string {
  return zremrangeGeneric(ctx, argv, RANGE_LEX);
}

// ---------------------------------------------------------------- ZUNION / ZINTER / ZDIFF

/**
 * The members of a value of the set type (ZUNION and friends accept plain sets, every
 * member scoring 1). The set type lives in another file: its value is read through the
 * usual iteration shapes it may offer.
 */
function setMembers(v: Value): Iterable<string> {
  const o = v as unknown as Record<string | symbol, unknown>;
  const held = o.members;
  if (held !== null && typeof held === "object" && Symbol.iterator in held) return held as Iterable<string>;
  for (const name of ["members", "values", "keys"]) {
    const f = o[name];
    if (typeof f === "function") {
      const r = (f as () => unknown).call(v);
      if (r !== null && typeof r === "object" && Symbol.iterator in (r as object)) return r as Iterable<string>;
    }
  }
  if (typeof o[Symbol.iterator] === "function") return v as unknown as Iterable<string>;
  if (typeof o.forEach === "function") {
    const out: string[] = [];
    (o.forEach as (cb: (x: unknown) => void) => void).call(v, (x: unknown) => {
      out.push(String(x));
    });
    return out;
  }
  return [];
}

interface OpSrc {
  key: string;
  z: ZSetValue | undefined;
  set: Set<string> | undefined;
  weight: number;
}

function srcLength(s: OpSrc): number {
  return s.z !== undefined ? s.z.size : s.set !== undefined ? s.set.size : 0;
}

/** The elements of a source, in the order Redis walks them (zsets from the tail). */
function srcEach(s: OpSrc, fn: (m: string, score: number) => boolean | undefined): void {
  if (s.z !== undefined) {
    const n = s.z.size;
    s.z.forRange(n - 1, n, true, fn);
  } else if (s.set !== undefined) {
    for (const m of s.set) if (fn(m, 1) === false) return;
  }
}

function srcFind(s: OpSrc, m: string): number | undefined {
  if (s.z !== undefined) return s.z.score(m);
  if (s.set !== undefined) return s.set.has(m) ? 1 : undefined;
  return undefined;
}

const AGG_SUM = 0;
const AGG_MIN = 1;
const AGG_MAX = 2;

function aggregate(t: number, v: number, agg: number): number {
  if (agg === AGG_SUM) {
    const r = t + v;
    return Number.isNaN(r) ? 0 : r;
  }
  if (agg === AGG_MIN) return v < t ? v : t;
  return v > t ? v : t;
}

const OP_UNION = 0;
const OP_INTER = 1;
const OP_DIFF = 2;

/** The command's full name for error texts. */
const OP_NAMES = ["zunion", "zinter", "zdiff"];

/**
 * zunionInterDiffGenericCommand: ZUNION ZINTER ZDIFF ZINTERCARD and the STORE forms.
 * `dst` is the destination's index (0: none), `numkeysIdx` where numkeys is.
 */
function zsetOpGeneric(
  ctx: ShardCtx,
  argv: string[],
  dst: number,
  numkeysIdx: number,
  op: number,
  cardOnly: boolean,
): string {
  const setnum = parseLong(argv[numkeysIdx]);
  if (setnum === undefined) return ERR_NOT_INTEGER;
  if (setnum < 1) {
    const name = cardOnly ? "zintercard" : `${OP_NAMES[op]}${dst ? "store" : ""}`;
    return error(`ERR at least 1 input key is needed for '${name}' command`);
  }
  if (setnum > argv.length - (numkeysIdx + 1)) return ERR_SYNTAX;
  const src: OpSrc[] = [];
  let j = numkeysIdx + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v = ctx.engine.lookupRead(ctx.db, argv[j]);
    const s: OpSrc = { key: argv[j], z: undefined, set: undefined, weight: 1 };
    if (v !== undefined) {
      if (v instanceof ZSetValue) s.z = v;
      else if (typeof v === "object" && v.type === "set") s.set = new Set(setMembers(v));
      else return ERR_WRONGTYPE;
    }
    src.push(s);
  }
  let agg = AGG_SUM;
  let withscores = false;
  let limit = 0;
  let remaining = argv.length - j;
  while (remaining > 0) {
    const o = argv[j].toLowerCase();
    if (op !== OP_DIFF && !cardOnly && remaining >= setnum + 1 && o === "weights") {
      j++;
      remaining--;
      for (let i = 0; i < setnum; i++, j++, remaining--) {
        const w = parseDouble(argv[j]);
        if (w === undefined) return ERR_WEIGHT;
        src[i].weight = w;
      }
    } else if (op !== OP_DIFF && !cardOnly && remaining >= 2 && o === "aggregate") {
      const a = argv[j + 1].toLowerCase();
      if (a === "sum") agg = AGG_SUM;
      else if (a === "min") agg = AGG_MIN;
      else if (a === "max") agg = AGG_MAX;
      else return ERR_SYNTAX;
      j += 2;
      remaining -= 2;
    } else if (remaining >= 1 && !dst && !cardOnly && o === "withscores") {
      j++;
      remaining--;
      withscores = true;
    } else if (cardOnly && remaining >= 2 && o === "limit") {
      const l = parseInteger(argv[j + 1]);
      if (l === undefined || l < 0) return ERR_LIMIT_NEG;
      limit = Number(l);
      j += 2;
      remaining -= 2;
    } else return ERR_SYNTAX;
  }
  if (op !== OP_DIFF) src.sort((a, b) => srcLength(a) - srcLength(b));

  const acc = new Map<string, number>();
  let card = 0;
  if (op === OP_INTER) {
    const first = src[0];
    if (srcLength(first) > 0) {
      srcEach(first, (m, s0) => {
        let score = first.weight * s0;
        if (Number.isNaN(score)) score = 0;
        let k = 1;
        for (; k < src.length; k++) {
          const other = src[k];
          let value: number | undefined;
          if (other.key === first.key || (other.z !== undefined && other.z === first.z)) value = s0 * other.weight;
          else {
            const f = srcFind(other, m);
            if (f === undefined) break;
            value = f * other.weight;
          }
          score = aggregate(score, value, agg);
        }
        if (k === src.length) {
          if (cardOnly) {
            card++;
            if (limit && card >= limit) return false;
          } else acc.set(m, score);
        }
        return true;
      });
    }
  } else if (op === OP_UNION) {
    for (const s of src) {
      if (srcLength(s) === 0) continue;
      srcEach(s, (m, sc) => {
        let score = s.weight * sc;
        if (Number.isNaN(score)) score = 0;
        const cur = acc.get(m);
        acc.set(m, cur === undefined ? score : aggregate(cur, score, agg));
        return true;
      });
    }
  } else {
    const first = src[0];
    let same = false;
    for (let k = 1; k < src.length; k++) if (src[k].key === first.key) same = true;
    if (srcLength(first) > 0 && !same) {
      srcEach(first, (m, sc) => {
        for (let k = 1; k < src.length; k++) if (srcFind(src[k], m) !== undefined) return true;
        acc.set(m, sc);
        return true;
      });
    }
  }
  if (cardOnly) return integer(card);
  // sort by (score, member) through an index, so that comparisons read arrays, not the Map
  const n = acc.size;
  const keys: string[] = new Array(n);
  const vals = new Float64Array(n);
  let k = 0;
  for (const [m, sc] of acc) {
    keys[k] = m;
    vals[k++] = sc;
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => {
    const sa = vals[a];
    const sb = vals[b];
    if (sa !== sb) return sa < sb ? -1 : 1;
    const ma = keys[a];
    const mb = keys[b];
    return ma < mb ? -1 : ma > mb ? 1 : 0;
  });
  const members: string[] = new Array(n);
  const scores: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    members[i] = keys[order[i]];
    scores[i] = vals[order[i]];
  }
  if (dst) return storeResult(ctx, argv[dst], members, scores, `${OP_NAMES[op]}store`);
  return replyElements(members, withscores ? scores : undefined, ctx.proto);
}

/* ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] */
function zunionstoreCommand(ctx: ShardCtx, argv: string[]): string {
  return zsetOpGeneric(ctx, argv, 1, 2, OP_UNION, false);
}

/* ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] */
function zinterstoreCommand(ctx: ShardCtx, argv: string[]): string {
  return zsetOpGeneric(ctx, argv, 1, 2, OP_INTER, false);
}

/* ZDIFFSTORE destination numkeys key [key ...] */
function zdiffstoreCommand(ctx: ShardCtx, argv: string[]): string {
  return zsetOpGeneric(ctx, argv, 1, 2, OP_DIFF, false);
}

/* ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
function zunionCommand(ctx: ShardCtx, argv: string[]): string {
  return zsetOpGeneric(ctx, argv, 0, 1, OP_UNION, false);
}

/* ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
function zinterCommand(ctx: ShardCtx, argv: string[]): string {
  return zsetOpGeneric(ctx, argv, 0, 1, OP_INTER, false);
}

/* ZDIFF numkeys key [key ...] [WITHSCORES] */
function zdiffCommand(ctx: ShardCtx, argv: string[]): string {
  return zsetOpGeneric(ctx, argv, 0, 1, OP_DIFF, false);
}

/* ZINTERCARD numkeys key [key ...] [LIMIT limit] */
function zintercardCommand(ctx: ShardCtx, argv: string[]): string {
  return zsetOpGeneric(ctx, argv, 0, 1, OP_INTER, true);
}

// ---------------------------------------------------------------- pops

/**
 * genericZpopCommand. `count` -1 is a plain single pop. `emitKey`: the key leads the reply
 * (BZPOP*, ZMPOP); `nested`: [member, score] pairs; `nilWhenEmpty`: ZMPOP's null.
 */
function zpopGeneric(
  ctx: ShardCtx,
  keys: string[],
  max: boolean,
  emitKey: boolean,
  count: number,
  nested: boolean,
  nilWhenEmpty: boolean,
): string {
  let key = "";
  let z: ZSetValue | undefined;
  for (const k of keys) {
    const v = writeZset(ctx, k);
    if (v === undefined) continue;
    if (v === null) return ERR_WRONGTYPE;
    key = k;
    z = v;
    break;
  }
  if (z === undefined) return nilWhenEmpty ? nullArray(ctx.proto) : EMPTY_ARRAY;
  if (count === 0) return EMPTY_ARRAY;
  if (count === -1) count = 1;
  const n = z.size;
  const len = count > n ? n : count;
  const parts: string[] = [];
  if (!nested && !emitKey) parts.push(arrayHeader(len * 2));
  else if (nested && !emitKey) parts.push(arrayHeader(len));
  else if (!nested && emitKey) parts.push(arrayHeader(len * 2 + 1), bulk(key));
  else parts.push(arrayHeader(2), bulk(key), arrayHeader(len));
  const proto = ctx.proto;
  const emit = (m: string, s: number): void => {
    if (nested) parts.push("*2\r\n");
    parts.push(`$${m.length}\r\n${m}\r\n`, dbl(s, proto));
  };
  if (max) {
    const got: Array<[string, number]> = [];
    z.removeRange(n - len, len, (m, s) => {
      got.push([m, s]);
    });
    for (let i = got.length - 1; i >= 0; i--) emit(got[i][0], got[i][1]);
  } else z.removeRange(0, len, emit);
  ctx.engine.dirty += len;
  ctx.engine.notify(NOTIFY_ZSET, max ? "zpopmax" : "zpopmin", key, ctx.dbIndex);
  dropIfEmpty(ctx, key, z);
  return parts.join("");
}

function zpopMinMax(ctx: ShardCtx, argv: string[], max: boolean): string {
  if (argv.length > 3) return ERR_SYNTAX;
  let count = -1;
  if (argv.length === 3) {
    const c = parseLong(argv[2]);
    if (c === undefined || c < 0) return ERR_POSITIVE;
    count = c;
  }
  return zpopGeneric(ctx, [argv[1]], max, false, count, ctx.proto > 2 && count !== -1, false);
}

/* ZPOPMIN key [count] */
function zpopminCommand(ctx: ShardCtx, argv: string[]): string {
  return zpopMinMax(ctx, argv, false);
}

/* ZPOPMAX key [count] */
function zpopmaxCommand(ctx: ShardCtx, argv: string[]): string {
  return zpopMinMax(ctx, argv, true);
}

/**
 * blockingGenericZpopCommand, one attempt: the first non-empty zset is served, a key of
 * another type is an error, and with nothing to pop the main thread parks the client.
 */
function blockingZpop(
  ctx: ShardCtx,
  keys: string[],
  max: boolean,
  timeoutArg: string,
  count: number,
  nested: boolean,
): string {
  const t = parseTimeout(timeoutArg);
  if (typeof t === "string") return t;
  for (const k of keys) {
    const z = writeZset(ctx, k);
    if (z === undefined) continue;
    if (z === null) return ERR_WRONGTYPE;
    if (z.size === 0) continue;
    return zpopGeneric(ctx, [k], max, true, count, nested, nested);
  }
  return WOULD_BLOCK;
}

/* BZPOPMIN key [key ...] timeout */
function bzpopminCommand(ctx: ShardCtx, argv: string[]): string {
  return blockingZpop(ctx, argv.slice(1, -1), false, argv[argv.length - 1], -1, false);
}

/* BZPOPMAX key [key ...] timeout */
function bzpopmaxCommand(ctx: ShardCtx, argv: string[]): string {
  return blockingZpop(ctx, argv.slice(1, -1), true, argv[argv.length - 1], -1, false);
}

/** zmpopGenericCommand: numkeys, keys, MIN|MAX, [COUNT n]; `block` for BZMPOP. */
function zmpopGeneric(ctx: ShardCtx, argv: string[], numkeysIdx: number, block: boolean): string {
  const numkeys = parseLong(argv[numkeysIdx]);
  if (numkeys === undefined || numkeys < 1) return ERR_NUMKEYS;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) return ERR_SYNTAX;
  const w = argv[whereIdx].toLowerCase();
  let max: boolean;
  if (w === "min") max = false;
  else if (w === "max") max = true;
  else return ERR_SYNTAX;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && argv[j].toLowerCase() === "count" && more) {
      j++;
      const c = parseLong(argv[j]);
      if (c === undefined || c < 1) return ERR_COUNT_POS;
      count = c;
    } else return ERR_SYNTAX;
  }
  if (count === -1) count = 1;
  const keys = argv.slice(numkeysIdx + 1, numkeysIdx + 1 + numkeys);
  if (block) return blockingZpop(ctx, keys, max, argv[1], count, true);
  return zpopGeneric(ctx, keys, max, true, count, true, true);
}

/* ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] */
function zmpopCommand(ctx: ShardCtx, argv: string[]): string {
  return zmpopGeneric(ctx, argv, 1, false);
}

/* BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] */
function bzmpopCommand(ctx: ShardCtx, argv: string[]): string {
  return zmpopGeneric(ctx, argv, 2, true);
}

// ---------------------------------------------------------------- ZRANDMEMBER

function randomInt(n: number): number {
  return Math.floor(Math.random() * n);
}

/* ZRANDMEMBER key [count [WITHSCORES]] */
function zrandmemberCommand(ctx: ShardCtx, argv: string[]): string {
  const proto = ctx.proto;
  if (argv.length >= 3) {
    const lv = parseInteger(argv[2]);
    if (lv === undefined) return ERR_NOT_INTEGER;
    if (lv < -9223372036854775807n) return ERR_RANGE_LONG;
    let withscores = false;
    if (argv.length > 4 || (argv.length === 4 && argv[3].toLowerCase() !== "withscores")) return ERR_SYNTAX;
    if (argv.length === 4) {
      withscores = true;
      if (lv < -4611686018427387903n || lv > 4611686018427387903n) return ERR_OUT_OF_RANGE;
    }
    const z = readZset(ctx, argv[1]);
    if (z === undefined) return EMPTY_ARRAY;
    if (z === null) return ERR_WRONGTYPE;
    const l = Number(lv);
    const size = z.size;
    const uniq = l >= 0;
    const count = Math.abs(l);
    if (count === 0) return EMPTY_ARRAY;
    const members: string[] = [];
    const scores: number[] = [];
    if (!uniq || count === 1) {
      // Redis would stream that many picks until memory runs out; refuse instead of hanging
      if (count > 100_000_000) return ERR_OUT_OF_RANGE;
      for (let i = 0; i < count; i++) {
        const [m, s] = z.at(randomInt(size));
        members.push(m);
        scores.push(s);
      }
    } else if (count >= size) {
      // the whole set, walked from the tail as zuiNext does
      z.forRange(size - 1, size, true, (m, s) => {
        members.push(m);
        scores.push(s);
        return true;
      });
    } else {
      const picked = new Set<number>();
      if (count * 3 > size) {
        const all = Array.from({ length: size }, (_v, i) => i);
        for (let i = size - 1; i > 0; i--) {
          const k = randomInt(i + 1);
          const t = all[i];
          all[i] = all[k];
          all[k] = t;
        }
        for (let i = 0; i < count; i++) picked.add(all[i]);
      } else while (picked.size < count) picked.add(randomInt(size));
      for (const r of picked) {
        const [m, s] = z.at(r);
        members.push(m);
        scores.push(s);
      }
    }
    return replyElements(members, withscores ? scores : undefined, proto);
  }
  const z = readZset(ctx, argv[1]);
  if (z === undefined) return nullBulk(proto);
  if (z === null) return ERR_WRONGTYPE;
  return bulk(z.at(randomInt(z.size))[0]);
}

// ---------------------------------------------------------------- ZSCAN

/** FNV-1a over the member's bytes: the order a skiplist-encoded ZSCAN walks in. */
function memberHash(m: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < m.length; i++) {
    h ^= m.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

interface ScanIndex {
  version: number;
  hashes: Uint32Array;
  members: string[];
}

const scanIndexes = new WeakMap<ZSetValue, ScanIndex>();

/** The members of a skiplist-encoded zset in hash order, rebuilt when members changed. */
function scanIndex(z: ZSetValue): ScanIndex {
  const have = scanIndexes.get(z);
  if (have !== undefined && have.version === z.version) return have;
  const pairs: Array<[number, string]> = [];
  z.forEach((m) => {
    pairs.push([memberHash(m), m]);
  });
  pairs.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const idx: ScanIndex = {
    version: z.version,
    hashes: Uint32Array.from(pairs, (p) => p[0]),
    members: pairs.map((p) => p[1]),
  };
  scanIndexes.set(z, idx);
  return idx;
}

/* ZSCAN key cursor [MATCH pattern] [COUNT count] */
function zscanCommand(ctx: ShardCtx, argv: string[]): string {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === undefined) return ERR_INVALID_CURSOR;
  const z = readZset(ctx, argv[1]);
  if (z === undefined) return EMPTY_SCAN;
  if (z === null) return ERR_WRONGTYPE;
  const opts = parseScanOptions(argv, 3);
  if (typeof opts === "string") return opts;
  const { count, pattern } = opts;
  const items: string[] = [];
  const add = (m: string, s: number): void => {
    if (pattern !== undefined && !stringMatch(pattern, m, false)) return;
    items.push(m, formatScore(s));
  };
  let next = 0n;
  if (z.listpack) {
    z.forEach(add);
  } else {
    // members in hash order from the cursor on; the next cursor is the next hash not
    // returned, so every member present for the whole scan is returned at least once
    const from = cursor > 0xffffffffn ? 0x100000000 : Number(cursor);
    const idx = scanIndex(z);
    let lo = 0;
    let hi = idx.hashes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (idx.hashes[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    let i = lo;
    let taken = 0;
    for (; i < idx.hashes.length; i++) {
      // members sharing the last hash go in the same reply
      if (taken >= count && idx.hashes[i] !== idx.hashes[i - 1]) break;
      const m = idx.members[i];
      const sc = z.score(m);
      if (sc !== undefined) add(m, sc);
      taken++;
    }
    if (i < idx.hashes.length) next = BigInt(idx.hashes[i]);
  }
  let out = `*2\r\n${bulk(String(next))}${arrayHeader(items.length)}`;
  for (const s of items) out += `$${s.length}\r\n${s}\r\n`;
  return out;
}

// ---------------------------------------------------------------- key positions

/** Keys of `numkeys`-style commands: from `first`, as many as argv[numIdx] says (clamped). */
function numkeysPositions(argv: string[], numIdx: number, lead: number[]): number[] {
  const n = parseInteger(argv[numIdx] ?? "");
  const out = [...lead];
  if (n !== undefined && n > 0) {
    const last = Math.min(argv.length - 1, numIdx + Number(n));
    for (let i = numIdx + 1; i <= last; i++) out.push(i);
  }
  // an invalid count still needs a place to run the command and report the error
  if (out.length === 0) out.push(Math.min(numIdx, argv.length - 1));
  return out;
}

const KEYS_RANGE_STORE: CommandSpec["getKeys"] = (argv) => numkeysPositions(argv, 2, [1]);
const KEYS_NUMKEYS_1: CommandSpec["getKeys"] = (argv) => numkeysPositions(argv, 1, []);
const KEYS_NUMKEYS_2: CommandSpec["getKeys"] = (argv) => numkeysPositions(argv, 2, []);

// ---------------------------------------------------------------- table

function ks(flags: string[], index: number, lastkey = 0, step = 1): KeySpec {
  return { flags, beginSearch: { index }, findKeys: { range: { lastkey, step, limit: 0 } } };
}

function ksNum(flags: string[], index: number): KeySpec {
  return { flags, beginSearch: { index }, findKeys: { keynum: { keynumidx: 0, firstkey: 1, step: 1 } } };
}

const RO = ["RO", "access"];
const RANGE_CPLX =
  "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.";
const RANGE_CPLX_BY =
  "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).";
const REMRANGE_CPLX =
  "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.";
const POP_CPLX =
  "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.";
const MPOP_CPLX =
  "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.";
const UNION_CPLX =
  "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.";
const INTER_CPLX =
  "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.";
const DIFF_CPLX =
  "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.";
const G = "sorted_set";

export const zsetCommands: CommandSpec[] = [
  cmd(
    "zadd",
    -4,
    ["write", "denyoom", "fast"],
    keys1,
    G,
    "1.2.0",
    "Add one or more members to a sorted set, or update its score if it already exists",
    "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    { shard: zaddCommand, keySpecs: [ks(["RW", "update"], 1)] },
  ),
  cmd(
    "zincrby",
    4,
    ["write", "denyoom", "fast"],
    keys1,
    G,
    "1.2.0",
    "Increment the score of a member in a sorted set",
    "O(log(N)) where N is the number of elements in the sorted set.",
    { shard: zincrbyCommand, keySpecs: [ks(["RW", "access", "update"], 1)] },
  ),
  cmd(
    "zrem",
    -3,
    ["write", "fast"],
    keys1,
    G,
    "1.2.0",
    "Remove one or more members from a sorted set",
    "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
    { shard: zremCommand, keySpecs: [ks(["RW", "delete"], 1)] },
  ),
  cmd("zcard", 2, ["readonly", "fast"], keys1, G, "1.2.0", "Get the number of members in a sorted set", "O(1)", {
    shard: zcardCommand,
    keySpecs: [ks(["RO"], 1)],
  }),
  cmd(
    "zscore",
    3,
    ["readonly", "fast"],
    keys1,
    G,
    "1.2.0",
    "Get the score associated with the given member in a sorted set",
    "O(1)",
    { shard: zscoreCommand, keySpecs: [ks(RO, 1)] },
  ),
  cmd(
    "zmscore",
    -3,
    ["readonly", "fast"],
    keys1,
    G,
    "6.2.0",
    "Get the score associated with the given members in a sorted set",
    "O(N) where N is the number of members being requested.",
    { shard: zmscoreCommand, keySpecs: [ks(RO, 1)] },
  ),
  cmd(
    "zrank",
    3,
    ["readonly", "fast"],
    keys1,
    G,
    "2.0.0",
    "Determine the index of a member in a sorted set",
    "O(log(N))",
    {
      shard: zrankCommand,
      keySpecs: [ks(RO, 1)],
    },
  ),
  cmd(
    "zrevrank",
    3,
    ["readonly", "fast"],
    keys1,
    G,
    "2.0.0",
    "Determine the index of a member in a sorted set, with scores ordered from high to low",
    "O(log(N))",
    { shard: zrevrankCommand, keySpecs: [ks(RO, 1)] },
  ),
  cmd(
    "zcount",
    4,
    ["readonly", "fast"],
    keys1,
    G,
    "2.0.0",
    "Count the members in a sorted set with scores within the given values",
    "O(log(N)) with N being the number of elements in the sorted set.",
    { shard: zcountCommand, keySpecs: [ks(RO, 1)] },
  ),
  cmd(
    "zlexcount",
    4,
    ["readonly", "fast"],
    keys1,
    G,
    "2.8.9",
    "Count the number of members in a sorted set between a given lexicographical range",
    "O(log(N)) with N being the number of elements in the sorted set.",
    { shard: zlexcountCommand, keySpecs: [ks(RO, 1)] },
  ),
  cmd("zrange", -4, ["readonly"], keys1, G, "1.2.0", "Return a range of members in a sorted set", RANGE_CPLX, {
    shard: zrangeCommand,
    keySpecs: [ks(RO, 1)],
  }),
  cmd(
    "zrangestore",
    -5,
    ["write", "denyoom"],
    { first: 1, last: 2, step: 1 },
    G,
    "6.2.0",
    "Store a range of members from sorted set into another key",
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
    { shard: zrangestoreCommand, cross: "gather", keySpecs: [ks(["OW", "update"], 1), ks(RO, 2)] },
  ),
  cmd(
    "zrevrange",
    -4,
    ["readonly"],
    keys1,
    G,
    "1.2.0",
    "Return a range of members in a sorted set, by index, with scores ordered from high to low",
    RANGE_CPLX,
    { shard: zrevrangeCommand, keySpecs: [ks(RO, 1)] },
  ),
  cmd(
    "zrangebyscore",
    -4,
    ["readonly"],
    keys1,
    G,
    "1.0.5",
    "Return a range of members in a sorted set, by score",
    RANGE_CPLX_BY,
    { shard: zrangebyscoreCommand, keySpecs: [ks(RO, 1)] },
  ),
  cmd(
    "zrevrangebyscore",
    -4,
    ["readonly"],
    keys1,
    G,
    "2.2.0",
    "Return a range of members in a sorted set, by score, with scores ordered from high to low",
    RANGE_CPLX_BY,
    { shard: zrevrangebyscoreCommand, keySpecs: [ks(RO, 1)] },
  ),
  cmd(
    "zrangebylex",
    -4,
    ["readonly"],
    keys1,
    G,
    "2.8.9",
    "Return a range of members in a sorted set, by lexicographical range",
    RANGE_CPLX_BY,
    { shard: zrangebylexCommand, keySpecs: [ks(RO, 1)] },
  ),
  cmd(
    "zrevrangebylex",
    -4,
    ["readonly"],
    keys1,
    G,
    "2.8.9",
    "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
    RANGE_CPLX_BY,
    { shard: zrevrangebylexCommand, keySpecs: [ks(RO, 1)] },
  ),
  cmd(
    "zremrangebyrank",
    4,
    ["write"],
    keys1,
    G,
    "2.0.0",
    "Remove all members in a sorted set within the given indexes",
    REMRANGE_CPLX,
    { shard: zremrangebyrankCommand, keySpecs: [ks(["RW", "delete"], 1)] },
  ),
  cmd(
    "zremrangebyscore",
    4,
    ["write"],
    keys1,
    G,
    "1.2.0",
    "Remove all members in a sorted set within the given scores",
    REMRANGE_CPLX,
    { shard: zremrangebyscoreCommand, keySpecs: [ks(["RW", "delete"], 1)] },
  ),
  cmd(
    "zremrangebylex",
    4,
    ["write"],
    keys1,
    G,
    "2.8.9",
    "Remove all members in a sorted set between the given lexicographical range",
    REMRANGE_CPLX,
    { shard: zremrangebylexCommand, keySpecs: [ks(["RW", "delete"], 1)] },
  ),
  cmd(
    "zpopmin",
    -2,
    ["write", "fast"],
    keys1,
    G,
    "5.0.0",
    "Remove and return members with the lowest scores in a sorted set",
    POP_CPLX,
    { shard: zpopminCommand, keySpecs: [ks(["RW", "access", "delete"], 1)] },
  ),
  cmd(
    "zpopmax",
    -2,
    ["write", "fast"],
    keys1,
    G,
    "5.0.0",
    "Remove and return members with the highest scores in a sorted set",
    POP_CPLX,
    { shard: zpopmaxCommand, keySpecs: [ks(["RW", "access", "delete"], 1)] },
  ),
  cmd("zmpop", -4, ["write"], noKeys, G, "7.0.0", "Remove and return members with scores in a sorted set", MPOP_CPLX, {
    shard: zmpopCommand,
    runsOn: "shard",
    getKeys: KEYS_NUMKEYS_1,
    cross: "gather",
    keySpecs: [ksNum(["RW", "access", "delete"], 1)],
  }),
  cmd(
    "zrandmember",
    -2,
    ["readonly"],
    keys1,
    G,
    "6.2.0",
    "Get one or multiple random elements from a sorted set",
    "O(N) where N is the number of elements returned",
    { shard: zrandmemberCommand, tips: ["nondeterministic_output"], keySpecs: [ks(RO, 1)] },
  ),
  cmd("zunion", -3, ["readonly"], noKeys, G, "6.2.0", "Add multiple sorted sets", UNION_CPLX, {
    shard: zunionCommand,
    runsOn: "shard",
    getKeys: KEYS_NUMKEYS_1,
    cross: "gather",
    keySpecs: [ksNum(RO, 1)],
  }),
  cmd("zinter", -3, ["readonly"], noKeys, G, "6.2.0", "Intersect multiple sorted sets", INTER_CPLX, {
    shard: zinterCommand,
    runsOn: "shard",
    getKeys: KEYS_NUMKEYS_1,
    cross: "gather",
    keySpecs: [ksNum(RO, 1)],
  }),
  cmd("zdiff", -3, ["readonly"], noKeys, G, "6.2.0", "Subtract multiple sorted sets", DIFF_CPLX, {
    shard: zdiffCommand,
    runsOn: "shard",
    getKeys: KEYS_NUMKEYS_1,
    cross: "gather",
    keySpecs: [ksNum(RO, 1)],
  }),
  cmd(
    "zunionstore",
    -4,
    ["write", "denyoom"],
    keys1,
    G,
    "2.0.0",
    "Add multiple sorted sets and store the resulting sorted set in a new key",
    UNION_CPLX,
    {
      shard: zunionstoreCommand,
      runsOn: "shard",
      getKeys: KEYS_RANGE_STORE,
      cross: "gather",
      keySpecs: [ks(["OW", "update"], 1), ksNum(RO, 2)],
    },
  ),
  cmd(
    "zinterstore",
    -4,
    ["write", "denyoom"],
    keys1,
    G,
    "2.0.0",
    "Intersect multiple sorted sets and store the resulting sorted set in a new key",
    INTER_CPLX,
    {
      shard: zinterstoreCommand,
      runsOn: "shard",
      getKeys: KEYS_RANGE_STORE,
      cross: "gather",
      keySpecs: [ks(["OW", "update"], 1), ksNum(RO, 2)],
    },
  ),
  cmd(
    "zdiffstore",
    -4,
    ["write", "denyoom"],
    keys1,
    G,
    "6.2.0",
    "Subtract multiple sorted sets and store the resulting sorted set in a new key",
    DIFF_CPLX,
    {
      shard: zdiffstoreCommand,
      runsOn: "shard",
      getKeys: KEYS_RANGE_STORE,
      cross: "gather",
      keySpecs: [ks(["OW", "update"], 1), ksNum(RO, 2)],
    },
  ),
  cmd(
    "zintercard",
    -3,
    ["readonly"],
    noKeys,
    G,
    "7.0.0",
    "Intersect multiple sorted sets and return the cardinality of the result",
    "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
    {
      shard: zintercardCommand,
      runsOn: "shard",
      getKeys: KEYS_NUMKEYS_1,
      cross: "gather",
      keySpecs: [ksNum(RO, 1)],
    },
  ),
  cmd(
    "zscan",
    -3,
    ["readonly"],
    keys1,
    G,
    "2.8.0",
    "Incrementally iterate sorted sets elements and associated scores",
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    { shard: zscanCommand, tips: ["nondeterministic_output"], keySpecs: [ks(RO, 1)] },
  ),
  cmd(
    "bzpopmin",
    -3,
    ["write", "noscript", "blocking", "fast"],
    { first: 1, last: -2, step: 1 },
    G,
    "5.0.0",
    "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available",
    "O(log(N)) with N being the number of elements in the sorted set.",
    { shard: bzpopminCommand, cross: "gather", keySpecs: [ks(["RW", "access", "delete"], 1, -2)] },
  ),
  cmd(
    "bzpopmax",
    -3,
    ["write", "noscript", "blocking", "fast"],
    { first: 1, last: -2, step: 1 },
    G,
    "5.0.0",
    "Remove and return the member with the highest score from one or more sorted sets, or block until one is available",
    "O(log(N)) with N being the number of elements in the sorted set.",
    { shard: bzpopmaxCommand, cross: "gather", keySpecs: [ks(["RW", "access", "delete"], 1, -2)] },
  ),
  cmd(
    "bzmpop",
    -5,
    ["write", "blocking"],
    noKeys,
    G,
    "7.0.0",
    "Remove and return members with scores in a sorted set or block until one is available",
    MPOP_CPLX,
    {
      shard: bzmpopCommand,
      runsOn: "shard",
      getKeys: KEYS_NUMKEYS_2,
      cross: "gather",
      keySpecs: [ksNum(["RW", "access", "delete"], 2)],
    },
  ),
];
