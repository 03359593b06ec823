/*
 * List commands (t_list.c).
 *
 * The data structure is src/types/list.ts (a ring buffer of strings). Handlers follow
 * Redis 7.0.15's order of checks exactly: which argument is parsed before the key is
 * looked up decides which error a client sees, so each handler's comment lists it.
 *
 * Bookkeeping as in Redis: server.dirty grows by the number of elements pushed, popped,
 * trimmed or removed (dbAdd/dbDelete add nothing of their own, so the engine's setKey/
 * deleteKey increments are taken back), and a list that becomes empty is deleted.
 *
 * Blocking commands (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP) are "one attempt": they
 * validate everything, serve if some key has elements, and otherwise answer WOULD_BLOCK;
 * the main thread parks the client and runs them again when a key is written.
 */

import { NOTIFY_GENERIC, NOTIFY_LIST } from "../config/keyspace-events.js";
import {
  ERR_NO_SUCH_KEY,
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
  ERR_TIMEOUT_NEGATIVE,
  ERR_WRONGTYPE,
  errArity,
} from "../resp/errors.js";
import { arrayHeader, bulk, EMPTY_ARRAY, error, integer, nullArray, nullBulk, OK, ZERO } from "../resp/reply.js";
import type { ShardDb } from "../shards/engine.js";
import { ListValue } from "../types/list.js";
import { parseInteger, parseLongDouble } from "../util/numbers.js";
import { cmd, keySpec, keys1 } from "./define.js";
import { type CommandSpec, type KeySpec, type ShardCtx, WOULD_BLOCK } from "./types.js";

// ---------------------------------------------------------------- errors and parsing

const ERR_INDEX_RANGE = error("ERR index out of range");
const ERR_POSITIVE = error("ERR value is out of range, must be positive");
const ERR_TIMEOUT_FLOAT = error("ERR timeout is not a float or out of range");
const ERR_NUMKEYS = error("ERR numkeys should be greater than 0");
const ERR_COUNT_POSITIVE = error("ERR count should be greater than 0");
const ERR_LPOS_RANK = error(
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
);
const ERR_LPOS_COUNT = error("ERR COUNT can't be negative");
const ERR_LPOS_MAXLEN = error("ERR MAXLEN can't be negative");

/** LONG_MIN, which LPOS's RANK accepts and negates into itself */
const LONG_MIN = -(2n ** 63n);

/** getLongFromObject: string2ll; int64 values beyond 2^53 become (inexact) numbers. */
function parseLong(s: string): number | undefined {
  const v = parseInteger(s);
  return v === undefined ? undefined : Number(v);
}

/** getListPositionFromObjectOrReply: LEFT or RIGHT, any case. true for the head. */
function parseWhere(s: string): boolean | undefined {
  const w = s.toLowerCase();
  return w === "left" ? true : w === "right" ? false : undefined;
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * getTimeoutFromObjectOrReply in seconds: the argument is read as a long double
 * (string2ld: hex, exponents and "inf" accepted), multiplied by 1000.0 in long double and
 * truncated to a long long. Then:
 *  1. a result below 0 is "timeout is negative": -0.0005 truncates to 0 and is fine,
 *     while ±inf and any product above LLONG_MAX convert to LLONG_MIN (x87) and are
 *     negative; measured on 7.0.15, a product of 2^63 - 0.5 already is;
 *  2. 7.0.15 has no "timeout is out of range" check: huge timeouts just block.
 * Returns the error reply, or undefined when the timeout is valid.
 */
export function blockingTimeoutError(s: string): string | undefined {
  const v = parseLongDouble(s);
  if (v === undefined) return ERR_TIMEOUT_FLOAT;
  if (typeof v === "number") return ERR_TIMEOUT_NEGATIVE;
  if (v.mant === 0n) return undefined;
  // v * 1000 rounded to a 64-bit significand, half to even
  let q = v.mant * 1000n;
  let e = v.exp;
  const drop = bitLength(q) - 64;
  if (drop > 0) {
    const b = BigInt(drop);
    const rest = q & ((1n << b) - 1n);
    const half = 1n << (b - 1n);
    q >>= b;
    e += drop;
    if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
  }
  // past LLONG_MAX before truncation (2^63 - 0.5 included, as measured) is out of range
  if (e >= 0 && bitLength(q) + e > 63) return ERR_TIMEOUT_NEGATIVE;
  const max = (1n << 63n) - 1n;
  if (e >= 0 ? q << BigInt(e) > max : q > max << BigInt(-e)) return ERR_TIMEOUT_NEGATIVE;
  const whole = e >= 0 ? q << BigInt(e) : q >> BigInt(-e);
  if (v.neg && whole > 0n) return ERR_TIMEOUT_NEGATIVE;
  return undefined;
}

// ---------------------------------------------------------------- keyspace helpers

/** The list at key for a write (lookupKeyWrite), undefined when missing, or the WRONGTYPE reply. */
function listForWrite(ctx: ShardCtx, key: string): ListValue | undefined | string {
  const v = ctx.engine.lookupWrite(ctx.db, key);
  if (v === undefined) return undefined;
  return v instanceof ListValue ? v : ERR_WRONGTYPE;
}

/** The same for reads (lookupKeyRead: counts keyspace hits and misses). */
function listForRead(ctx: ShardCtx, key: string): ListValue | undefined | string {
  const v = ctx.engine.lookupRead(ctx.db, key);
  if (v === undefined) return undefined;
  return v instanceof ListValue ? v : ERR_WRONGTYPE;
}

/**
 * createQuicklistObject + the first pushes + dbAdd (dbAdd itself is no change). The
 * elements arrive all at once, so the new list is built packed rather than pushed one by
 * one: small lists are common, and a packed one is a fraction of the size.
 */
function createList(ctx: ShardCtx, key: string, items: string[], head: boolean): ListValue {
  if (head) items.reverse();
  const l = ListValue.from(items, head ? items.length : -items.length);
  l.setFill(ctx.engine.settings["list-max-listpack-size"]);
  ctx.engine.setKey(ctx.db, key, l);
  ctx.engine.dirty--;
  return l;
}

/** A list left empty is deleted (dbDelete, not counted as a change of its own; event "del"). */
function deleteIfEmpty(ctx: ShardCtx, db: ShardDb, key: string, l: ListValue): void {
  if (l.length === 0 && ctx.engine.deleteKey(db, key)) {
    ctx.engine.dirty--;
    ctx.engine.notify(NOTIFY_GENERIC, "del", key, ctx.dbIndex);
  }
}

type Latin1Buffer = Buffer & {
  latin1Write(s: string, offset: number): number;
  latin1Slice(a: number, b: number): string;
};

/**
 * addListRangeReply: elements start..end, or end..start going backwards for `reverse`.
 * Long ranges are written into one buffer: a million-element LRANGE would otherwise keep
 * a million reply pieces alive until the end, which costs the GC seconds.
 */
function rangeReply(l: ListValue, start: number, end: number, reverse: boolean): string {
  const n = end - start + 1;
  if (n <= 32) {
    let out = arrayHeader(n);
    if (reverse) for (let i = end; i >= start; i--) out += bulk(l.at(i));
    else for (let i = start; i <= end; i++) out += bulk(l.at(i));
    return out;
  }
  let buf = Buffer.allocUnsafe(n * 24 + 64) as Latin1Buffer;
  let off = 0;
  // pieces are concatenated in JS and copied into the buffer a batch at a time: one
  // native call per element would cost more than the copying itself
  let batch = arrayHeader(n);
  const flush = (): void => {
    const need = off + batch.length;
    if (need > buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, need)) as Latin1Buffer;
      buf.copy(bigger, 0, 0, off);
      buf = bigger;
    }
    off += buf.latin1Write(batch, off);
    batch = "";
  };
  const step = reverse ? -1 : 1;
  for (let k = 0, i = reverse ? end : start; k < n; k++, i += step) {
    const s = l.at(i);
    batch += `$${s.length}\r\n${s}\r\n`;
    if (batch.length > 16384) flush();
  }
  flush();
  return buf.latin1Slice(0, off);
}

/**
 * Pops up to `count` elements from one end: the reply is the elements in pop order
 * (listPopRangeAndReplyWithKey's inner array, [LR]POP with a count).
 */
function popRange(ctx: ShardCtx, key: string, l: ListValue, head: boolean, count: number): string {
  const n = Math.min(count, l.length);
  const len = l.length;
  const out = head ? rangeReply(l, 0, n - 1, false) : rangeReply(l, len - n, len - 1, true);
  if (head) l.trim(n, 0);
  else l.trim(0, n);
  ctx.engine.dirty += n;
  ctx.engine.notify(NOTIFY_LIST, head ? "lpop" : "rpop", key, ctx.dbIndex);
  deleteIfEmpty(ctx, ctx.db, key, l);
  return out;
}

/** listTypePop of one element, deleting the key if it empties (listElementsRemoved). */
function popOne(ctx: ShardCtx, key: string, l: ListValue, head: boolean): string {
  const v = (head ? l.popHead() : l.popTail()) as string;
  ctx.engine.dirty++;
  ctx.engine.notify(NOTIFY_LIST, head ? "lpop" : "rpop", key, ctx.dbIndex);
  deleteIfEmpty(ctx, ctx.db, key, l);
  return v;
}

// ---------------------------------------------------------------- push

/*
 * LPUSH/RPUSH key element [element ...] and LPUSHX/RPUSHX: the key is created by the
 * first push (the X forms answer 0 for a missing key, before any type check).
 */
function pushGeneric(ctx: ShardCtx, argv: string[], head: boolean, onlyExisting: boolean): string {
  const key = argv[1];
  let l = listForWrite(ctx, key);
  if (l === undefined) {
    if (onlyExisting) return ZERO;
    l = createList(ctx, key, argv.slice(2), head);
  } else if (typeof l === "string") return l;
  else if (head) for (let j = 2; j < argv.length; j++) l.pushHead(argv[j]);
  else for (let j = 2; j < argv.length; j++) l.pushTail(argv[j]);
  ctx.engine.dirty += argv.length - 2;
  ctx.engine.notify(NOTIFY_LIST, head ? "lpush" : "rpush", key, ctx.dbIndex);
  return integer(l.length);
}

/* LPUSH key element [element ...] */
const lpushCommand = (ctx: ShardCtx, argv: string[]): string => pushGeneric(ctx, argv, true, false);
/* RPUSH key element [element ...] */
const rpushCommand = (ctx: ShardCtx, argv: string[]): string => pushGeneric(ctx, argv, false, false);
/* LPUSHX key element [element ...] */
const lpushxCommand = (ctx: ShardCtx, argv: string[]): string => pushGeneric(ctx, argv, true, true);
/* RPUSHX key element [element ...] */
const rpushxCommand = (ctx: ShardCtx, argv: string[]): string => pushGeneric(ctx, argv, false, true);

// ---------------------------------------------------------------- pop

/*
 * LPOP/RPOP key [count]
 *  1. more than one extra argument is an arity error (the table's arity is -2);
 *  2. the count is parsed before the lookup: any non-integer or negative count is
 *     "value is out of range, must be positive";
 *  3. a missing key is a null bulk, or a null array when a count was given;
 *  4. a count of 0 on an existing list is an empty array.
 */
function popGeneric(ctx: ShardCtx, argv: string[], head: boolean): string {
  if (argv.length > 3) return errArity(head ? "lpop" : "rpop");
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const n = parseLong(argv[2]);
    if (n === undefined || n < 0) return ERR_POSITIVE;
    count = n;
  }
  const key = argv[1];
  const l = listForWrite(ctx, key);
  if (l === undefined) return hasCount ? nullArray(ctx.proto) : nullBulk(ctx.proto);
  if (typeof l === "string") return l;
  if (hasCount && count === 0) return EMPTY_ARRAY;
  if (!hasCount) return bulk(popOne(ctx, key, l, head));
  return popRange(ctx, key, l, head, count);
}

/* LPOP key [count] */
const lpopCommand = (ctx: ShardCtx, argv: string[]): string => popGeneric(ctx, argv, true);
/* RPOP key [count] */
const rpopCommand = (ctx: ShardCtx, argv: string[]): string => popGeneric(ctx, argv, false);

// ---------------------------------------------------------------- read

/* LLEN key */
function llenCommand(ctx: ShardCtx, argv: string[]): string {
  const l = listForRead(ctx, argv[1]);
  if (l === undefined) return ZERO;
  if (typeof l === "string") return l;
  return integer(l.length);
}

/* LINDEX key index — the key is looked up (and type checked) before the index is parsed. */
function lindexCommand(ctx: ShardCtx, argv: string[]): string {
  const l = listForRead(ctx, argv[1]);
  if (l === undefined) return nullBulk(ctx.proto);
  if (typeof l === "string") return l;
  let index = parseLong(argv[2]);
  if (index === undefined) return ERR_NOT_INTEGER;
  if (index < 0) index += l.length;
  if (index < 0 || index >= l.length) return nullBulk(ctx.proto);
  return bulk(l.at(index));
}

/**
 * The range start..end (inclusive, negative from the end) clamped to a list of `len`,
 * or undefined when it is empty: start > end, or start past the end.
 */
function clampRange(start: number, end: number, len: number): [number, number] | undefined {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return undefined;
  if (end >= len) end = len - 1;
  return [start, end];
}

/* LRANGE key start stop — both indexes are parsed before the lookup. */
function lrangeCommand(ctx: ShardCtx, argv: string[]): string {
  const start = parseLong(argv[2]);
  if (start === undefined) return ERR_NOT_INTEGER;
  const end = parseLong(argv[3]);
  if (end === undefined) return ERR_NOT_INTEGER;
  const l = listForRead(ctx, argv[1]);
  if (l === undefined) return EMPTY_ARRAY;
  if (typeof l === "string") return l;
  const r = clampRange(start, end, l.length);
  if (r === undefined) return EMPTY_ARRAY;
  return rangeReply(l, r[0], r[1], false);
}

/*
 * LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
 *  1. options are parsed before the lookup; an option word without a value, or an
 *     unknown word, is a syntax error;
 *  2. RANK 0 is an error; a negative rank searches from the tail. RANK LONG_MIN negates
 *     into itself in C, so every match counts and COUNT never stops the search;
 *  3. COUNT 0 means all matches; with COUNT the reply is an array (empty for a missing
 *     key), without it the first qualifying index or null;
 *  4. MAXLEN bounds how many elements are compared (0: all).
 */
function lposCommand(ctx: ShardCtx, argv: string[]): string {
  const ele = argv[2];
  let rank = 1;
  let rankMin = false;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    const more = j < argv.length - 1;
    if (opt === "rank" && more) {
      const n = parseInteger(argv[++j]);
      if (n === undefined) return ERR_NOT_INTEGER;
      if (n === 0) return ERR_LPOS_RANK;
      // exactly LONG_MIN (as a bigint: -2^63 + 1 rounds to the same double)
      rankMin = n === LONG_MIN;
      rank = Number(n);
    } else if (opt === "count" && more) {
      const n = parseLong(argv[++j]);
      if (n === undefined || n < 0) return ERR_LPOS_COUNT;
      count = n;
    } else if (opt === "maxlen" && more) {
      const n = parseLong(argv[++j]);
      if (n === undefined || n < 0) return ERR_LPOS_MAXLEN;
      maxlen = n;
    } else return ERR_SYNTAX;
  }
  let fromTail = false;
  const anyMatch = rankMin;
  if (rank < 0) {
    fromTail = true;
    rank = -rank;
  }
  const l = listForRead(ctx, argv[1]);
  if (l === undefined) return count !== -1 ? EMPTY_ARRAY : nullBulk(ctx.proto);
  if (typeof l === "string") return l;
  const len = l.length;
  const limit = maxlen === 0 ? len : Math.min(maxlen, len);
  let matches = 0;
  const found: number[] = [];
  for (let k = 0; k < limit; k++) {
    const i = fromTail ? len - 1 - k : k;
    if (!l.equalsAt(i, ele)) continue;
    matches++;
    if (!anyMatch && matches < rank) continue;
    if (count === -1) return integer(i);
    found.push(i);
    if (!anyMatch && count !== 0 && matches - rank + 1 >= count) break;
  }
  if (count === -1) return nullBulk(ctx.proto);
  let out = arrayHeader(found.length);
  for (const i of found) out += integer(i);
  return out;
}

// ---------------------------------------------------------------- write in place

/* LSET key index element — lookup and type check first, then the index. */
function lsetCommand(ctx: ShardCtx, argv: string[]): string {
  const l = listForWrite(ctx, argv[1]);
  if (l === undefined) return ERR_NO_SUCH_KEY;
  if (typeof l === "string") return l;
  let index = parseLong(argv[2]);
  if (index === undefined) return ERR_NOT_INTEGER;
  if (index < 0) index += l.length;
  if (index < 0 || index >= l.length) return ERR_INDEX_RANGE;
  l.set(index, argv[3]);
  ctx.engine.dirty++;
  ctx.engine.notify(NOTIFY_LIST, "lset", argv[1], ctx.dbIndex);
  return OK;
}

/*
 * LINSERT key BEFORE|AFTER pivot element — the position word is checked before the key;
 * the first pivot from the head is used; -1 when there is none, 0 for a missing key.
 */
function linsertCommand(ctx: ShardCtx, argv: string[]): string {
  const where = argv[2].toLowerCase();
  let after: boolean;
  if (where === "after") after = true;
  else if (where === "before") after = false;
  else return ERR_SYNTAX;
  const l = listForWrite(ctx, argv[1]);
  if (l === undefined) return ZERO;
  if (typeof l === "string") return l;
  const pivot = argv[3];
  for (let i = 0; i < l.length; i++) {
    if (l.equalsAt(i, pivot)) {
      l.insertAt(after ? i + 1 : i, argv[4]);
      ctx.engine.dirty++;
      ctx.engine.notify(NOTIFY_LIST, "linsert", argv[1], ctx.dbIndex);
      return integer(l.length);
    }
  }
  return integer(-1);
}

/*
 * LREM key count element — count parsed first; > 0 removes from the head, < 0 from the
 * tail, 0 all occurrences.
 */
function lremCommand(ctx: ShardCtx, argv: string[]): string {
  const toremove = parseLong(argv[2]);
  if (toremove === undefined) return ERR_NOT_INTEGER;
  const key = argv[1];
  const l = listForWrite(ctx, key);
  if (l === undefined) return ZERO;
  if (typeof l === "string") return l;
  const ele = argv[3];
  const limit = toremove === 0 ? Number.POSITIVE_INFINITY : Math.abs(toremove);
  const len = l.length;
  // the victims: the first `limit` matches from the head (count > 0) or the tail
  const victims: number[] = [];
  if (toremove >= 0) {
    for (let i = 0; i < len && victims.length < limit; i++) if (l.equalsAt(i, ele)) victims.push(i);
  } else {
    for (let i = len - 1; i >= 0 && victims.length < limit; i--) if (l.equalsAt(i, ele)) victims.push(i);
    victims.reverse();
  }
  const removed = victims.length;
  l.removeIndices(victims);
  ctx.engine.dirty += removed;
  if (removed > 0) ctx.engine.notify(NOTIFY_LIST, "lrem", key, ctx.dbIndex);
  deleteIfEmpty(ctx, ctx.db, key, l);
  return integer(removed);
}

/* LTRIM key start stop — both indexes parsed first; a missing key is +OK. */
function ltrimCommand(ctx: ShardCtx, argv: string[]): string {
  const start = parseLong(argv[2]);
  if (start === undefined) return ERR_NOT_INTEGER;
  const end = parseLong(argv[3]);
  if (end === undefined) return ERR_NOT_INTEGER;
  const key = argv[1];
  const l = listForWrite(ctx, key);
  if (l === undefined) return OK;
  if (typeof l === "string") return l;
  const len = l.length;
  const r = clampRange(start, end, len);
  const ltrim = r === undefined ? len : r[0];
  const rtrim = r === undefined ? 0 : len - r[1] - 1;
  l.trim(ltrim, rtrim);
  ctx.engine.dirty += ltrim + rtrim;
  ctx.engine.notify(NOTIFY_LIST, "ltrim", key, ctx.dbIndex);
  deleteIfEmpty(ctx, ctx.db, key, l);
  return OK;
}

// ---------------------------------------------------------------- move

/*
 * lmoveGenericCommand: pop from source's `fromHead` end, push to destination's `toHead`
 * end, reply the element.
 *  1. a missing source is a null bulk (destination not even looked at);
 *  2. the destination's type is checked before anything is popped;
 *  3. source and destination may be the same list (rotation);
 *  4. the source is deleted only if it is empty after the push.
 */
function lmoveGeneric(ctx: ShardCtx, src: string, dst: string, fromHead: boolean, toHead: boolean): string {
  const s = listForWrite(ctx, src);
  if (s === undefined) return nullBulk(ctx.proto);
  if (typeof s === "string") return s;
  const d = listForWrite(ctx, dst);
  if (typeof d === "string") return d;
  const v = (fromHead ? s.popHead() : s.popTail()) as string;
  if (d === undefined) createList(ctx, dst, [v], toHead);
  else if (toHead) d.pushHead(v);
  else d.pushTail(v);
  // as Redis: the push on the destination is notified first, then the pop, then the "del"
  ctx.engine.notify(NOTIFY_LIST, toHead ? "lpush" : "rpush", dst, ctx.dbIndex);
  ctx.engine.notify(NOTIFY_LIST, fromHead ? "lpop" : "rpop", src, ctx.dbIndex);
  deleteIfEmpty(ctx, ctx.db, src, s);
  ctx.engine.dirty++;
  return bulk(v);
}

/* LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
function lmoveCommand(ctx: ShardCtx, argv: string[]): string {
  const from = parseWhere(argv[3]);
  if (from === undefined) return ERR_SYNTAX;
  const to = parseWhere(argv[4]);
  if (to === undefined) return ERR_SYNTAX;
  return lmoveGeneric(ctx, argv[1], argv[2], from, to);
}

/* RPOPLPUSH source destination */
function rpoplpushCommand(ctx: ShardCtx, argv: string[]): string {
  return lmoveGeneric(ctx, argv[1], argv[2], false, true);
}

// ---------------------------------------------------------------- multi-pop

interface MpopArgs {
  keys: string[];
  head: boolean;
  count: number;
}

/**
 * lmpopGenericCommand's parsing, for LMPOP (numkeys at 1) and BLMPOP (at 2):
 *  1. numkeys: any non-integer or value below 1 is "numkeys should be greater than 0";
 *  2. no argument where LEFT|RIGHT should be (numkeys too large) is a syntax error, and so
 *     is anything else there;
 *  3. then only `COUNT n` once (n >= 1, else "count should be greater than 0"); anything
 *     else, a second COUNT or a COUNT without a value is a syntax error.
 * BLMPOP's timeout is checked after all of this.
 */
function parseMpop(argv: readonly string[], numkeysIdx: number): MpopArgs | string {
  const numkeys = parseLong(argv[numkeysIdx]);
  if (numkeys === undefined || numkeys < 1) return ERR_NUMKEYS;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) return ERR_SYNTAX;
  const head = parseWhere(argv[whereIdx]);
  if (head === undefined) return ERR_SYNTAX;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && argv[j].toLowerCase() === "count" && j < argv.length - 1) {
      const n = parseLong(argv[++j]);
      if (n === undefined || n < 1) return ERR_COUNT_POSITIVE;
      count = n;
    } else return ERR_SYNTAX;
  }
  return { keys: argv.slice(numkeysIdx + 1, whereIdx), head, count: count === -1 ? 1 : count };
}

/** The main-thread check: every argument error, so that routing only sees valid numkeys. */
function mpopCheck(argv: string[], numkeysIdx: number, timeoutIdx: number): string | undefined {
  const parsed = parseMpop(argv, numkeysIdx);
  if (typeof parsed === "string") return parsed;
  return timeoutIdx > 0 ? blockingTimeoutError(argv[timeoutIdx]) : undefined;
}

/** listPopRangeAndReplyWithKey: [key, [elements...]] */
function mpopReply(ctx: ShardCtx, key: string, l: ListValue, head: boolean, count: number): string {
  return arrayHeader(2) + bulk(key) + popRange(ctx, key, l, head, count);
}

/**
 * Serves the first key with elements; a wrong type met before it is an error. undefined
 * when every key is missing (or empty).
 */
function mpopFirst(ctx: ShardCtx, args: MpopArgs): string | undefined {
  for (const key of args.keys) {
    const l = listForWrite(ctx, key);
    if (l === undefined) continue;
    if (typeof l === "string") return l;
    if (l.length === 0) continue;
    return mpopReply(ctx, key, l, args.head, args.count);
  }
  return undefined;
}

/* LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function lmpopCommand(ctx: ShardCtx, argv: string[]): string {
  const args = parseMpop(argv, 1);
  if (typeof args === "string") return args;
  return mpopFirst(ctx, args) ?? nullArray(ctx.proto);
}

/* BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function blmpopCommand(ctx: ShardCtx, argv: string[]): string {
  const args = parseMpop(argv, 2);
  if (typeof args === "string") return args;
  const err = blockingTimeoutError(argv[1]);
  if (err !== undefined) return err;
  return mpopFirst(ctx, args) ?? WOULD_BLOCK;
}

/**
 * The keys of LMPOP/BLMPOP for routing and COMMAND GETKEYS (genericGetKeys): numkeys read
 * with atoi, and no keys at all when it is below 1 or more than the arguments left.
 */
function mpopKeys(argv: readonly string[], numkeysIdx: number): number[] {
  const num = atoi(argv[numkeysIdx] ?? "");
  const first = numkeysIdx + 1;
  if (num < 1 || num > argv.length - first) return [];
  return Array.from({ length: num }, (_, i) => first + i);
}

/** C's atoi as glibc does it: (int)strtol(s, NULL, 10). */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(s);
  if (m === null) return 0;
  let v = BigInt(m[2]);
  if (m[1] === "-") v = -v;
  if (v > 9223372036854775807n) v = 9223372036854775807n;
  if (v < -9223372036854775808n) v = -9223372036854775808n;
  return Number(BigInt.asIntN(32, v));
}

// ---------------------------------------------------------------- blocking

/*
 * BLPOP/BRPOP key [key ...] timeout — the timeout is checked first; then the first key
 * with elements is served ([key, element]); a wrong type before it is an error.
 */
function blockingPopGeneric(ctx: ShardCtx, argv: string[], head: boolean): string {
  const err = blockingTimeoutError(argv[argv.length - 1]);
  if (err !== undefined) return err;
  for (let j = 1; j < argv.length - 1; j++) {
    const key = argv[j];
    const l = listForWrite(ctx, key);
    if (l === undefined) continue;
    if (typeof l === "string") return l;
    if (l.length === 0) continue;
    return arrayHeader(2) + bulk(key) + bulk(popOne(ctx, key, l, head));
  }
  return WOULD_BLOCK;
}

/* BLPOP key [key ...] timeout */
const blpopCommand = (ctx: ShardCtx, argv: string[]): string => blockingPopGeneric(ctx, argv, true);
/* BRPOP key [key ...] timeout */
const brpopCommand = (ctx: ShardCtx, argv: string[]): string => blockingPopGeneric(ctx, argv, false);

/** blmoveGenericCommand: the source's type first; a missing source blocks. */
function blmoveGeneric(ctx: ShardCtx, argv: string[], fromHead: boolean, toHead: boolean): string {
  const s = listForWrite(ctx, argv[1]);
  if (typeof s === "string") return s;
  if (s === undefined) return WOULD_BLOCK;
  return lmoveGeneric(ctx, argv[1], argv[2], fromHead, toHead);
}

/* BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
function blmoveCommand(ctx: ShardCtx, argv: string[]): string {
  const from = parseWhere(argv[3]);
  if (from === undefined) return ERR_SYNTAX;
  const to = parseWhere(argv[4]);
  if (to === undefined) return ERR_SYNTAX;
  const err = blockingTimeoutError(argv[5]);
  if (err !== undefined) return err;
  return blmoveGeneric(ctx, argv, from, to);
}

/* BRPOPLPUSH source destination timeout */
function brpoplpushCommand(ctx: ShardCtx, argv: string[]): string {
  const err = blockingTimeoutError(argv[3]);
  if (err !== undefined) return err;
  return blmoveGeneric(ctx, argv, false, true);
}

// ---------------------------------------------------------------- the table

const PUSH_COMPLEXITY =
  "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.";

const popSpec = (): KeySpec => keySpec(["RW", "access", "delete"], 1);
const insertSpec = (index: number): KeySpec => keySpec(["RW", "insert"], index);

/** A single-key list command. */
function listCmd(
  name: string,
  arity: number,
  flags: CommandSpec["flags"],
  since: string,
  summary: string,
  complexity: string,
  handler: (ctx: ShardCtx, argv: string[]) => string,
  specFlags: string[],
): CommandSpec {
  return cmd(name, arity, flags, keys1, "list", since, summary, complexity, {
    shard: handler,
    keySpecs: [keySpec(specFlags, 1)],
  });
}

/** LMOVE-like: source then destination, possibly in different shards. */
function moveCmd(
  name: string,
  arity: number,
  flags: CommandSpec["flags"],
  since: string,
  summary: string,
  handler: (ctx: ShardCtx, argv: string[]) => string,
): CommandSpec {
  return cmd(name, arity, flags, { first: 1, last: 2, step: 1 }, "list", since, summary, "O(1)", {
    shard: handler,
    cross: "gather",
    keySpecs: [popSpec(), insertSpec(2)],
  });
}

/** The keynum key spec of LMPOP (begin at 1) and BLMPOP (begin at 2). */
function mpopKeySpec(index: number): KeySpec {
  return {
    flags: ["RW", "access", "delete"],
    beginSearch: { index },
    findKeys: { keynum: { keynumidx: 0, firstkey: 1, step: 1 } },
  };
}

const noKeyRange = { first: 0, last: 0, step: 0 };

export const listCommands: CommandSpec[] = [
  listCmd(
    "lpush",
    -3,
    ["write", "denyoom", "fast"],
    "1.0.0",
    "Prepend one or multiple elements to a list",
    PUSH_COMPLEXITY,
    lpushCommand,
    ["RW", "insert"],
  ),
  listCmd(
    "rpush",
    -3,
    ["write", "denyoom", "fast"],
    "1.0.0",
    "Append one or multiple elements to a list",
    PUSH_COMPLEXITY,
    rpushCommand,
    ["RW", "insert"],
  ),
  listCmd(
    "lpushx",
    -3,
    ["write", "denyoom", "fast"],
    "2.2.0",
    "Prepend an element to a list, only if the list exists",
    PUSH_COMPLEXITY,
    lpushxCommand,
    ["RW", "insert"],
  ),
  listCmd(
    "rpushx",
    -3,
    ["write", "denyoom", "fast"],
    "2.2.0",
    "Append an element to a list, only if the list exists",
    PUSH_COMPLEXITY,
    rpushxCommand,
    ["RW", "insert"],
  ),
  listCmd(
    "lpop",
    -2,
    ["write", "fast"],
    "1.0.0",
    "Remove and get the first elements in a list",
    "O(N) where N is the number of elements returned",
    lpopCommand,
    ["RW", "access", "delete"],
  ),
  listCmd(
    "rpop",
    -2,
    ["write", "fast"],
    "1.0.0",
    "Remove and get the last elements in a list",
    "O(N) where N is the number of elements returned",
    rpopCommand,
    ["RW", "access", "delete"],
  ),
  listCmd("llen", 2, ["readonly", "fast"], "1.0.0", "Get the length of a list", "O(1)", llenCommand, ["RO"]),
  listCmd(
    "lrange",
    4,
    ["readonly"],
    "1.0.0",
    "Get a range of elements from a list",
    "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
    lrangeCommand,
    ["RO", "access"],
  ),
  listCmd(
    "lindex",
    3,
    ["readonly"],
    "1.0.0",
    "Get an element from a list by its index",
    "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
    lindexCommand,
    ["RO", "access"],
  ),
  listCmd(
    "lset",
    4,
    ["write", "denyoom"],
    "1.0.0",
    "Set the value of an element in a list by its index",
    "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
    lsetCommand,
    ["RW", "update"],
  ),
  listCmd(
    "linsert",
    5,
    ["write", "denyoom"],
    "2.2.0",
    "Insert an element before or after another element in a list",
    "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
    linsertCommand,
    ["RW", "insert"],
  ),
  listCmd(
    "lrem",
    4,
    ["write"],
    "1.0.0",
    "Remove elements from a list",
    "O(N+M) where N is the length of the list and M is the number of elements removed.",
    lremCommand,
    ["RW", "delete"],
  ),
  listCmd(
    "ltrim",
    4,
    ["write"],
    "1.0.0",
    "Trim a list to the specified range",
    "O(N) where N is the number of elements to be removed by the operation.",
    ltrimCommand,
    ["RW", "delete"],
  ),
  listCmd(
    "lpos",
    -3,
    ["readonly"],
    "6.0.6",
    "Return the index of matching elements on a list",
    "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
    lposCommand,
    ["RO", "access"],
  ),
  moveCmd(
    "lmove",
    5,
    ["write", "denyoom"],
    "6.2.0",
    "Pop an element from a list, push it to another list and return it",
    lmoveCommand,
  ),
  moveCmd(
    "rpoplpush",
    3,
    ["write", "denyoom"],
    "1.2.0",
    "Remove the last element in a list, prepend it to another list and return it",
    rpoplpushCommand,
  ),
  cmd(
    "lmpop",
    -4,
    ["write"],
    noKeyRange,
    "list",
    "7.0.0",
    "Pop elements from a list",
    "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
    {
      shard: lmpopCommand,
      runsOn: "shard",
      cross: "gather",
      getKeys: (argv) => mpopKeys(argv, 1),
      check: (argv) => mpopCheck(argv, 1, 0),
      keySpecs: [mpopKeySpec(1)],
    },
  ),
  cmd(
    "blpop",
    -3,
    ["write", "noscript", "blocking"],
    { first: 1, last: -2, step: 1 },
    "list",
    "2.0.0",
    "Remove and get the first element in a list, or block until one is available",
    "O(N) where N is the number of provided keys.",
    { shard: blpopCommand, cross: "gather", keySpecs: [keySpec(["RW", "access", "delete"], 1, -2)] },
  ),
  cmd(
    "brpop",
    -3,
    ["write", "noscript", "blocking"],
    { first: 1, last: -2, step: 1 },
    "list",
    "2.0.0",
    "Remove and get the last element in a list, or block until one is available",
    "O(N) where N is the number of provided keys.",
    { shard: brpopCommand, cross: "gather", keySpecs: [keySpec(["RW", "access", "delete"], 1, -2)] },
  ),
  moveCmd(
    "blmove",
    6,
    ["write", "denyoom", "noscript", "blocking"],
    "6.2.0",
    "Pop an element from a list, push it to another list and return it; or block until one is available",
    blmoveCommand,
  ),
  moveCmd(
    "brpoplpush",
    4,
    ["write", "denyoom", "noscript", "blocking"],
    "2.2.0",
    "Pop an element from a list, push it to another list and return it; or block until one is available",
    brpoplpushCommand,
  ),
  cmd(
    "blmpop",
    -5,
    ["write", "blocking"],
    noKeyRange,
    "list",
    "7.0.0",
    "Pop elements from a list, or block until one is available",
    "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
    {
      shard: blmpopCommand,
      runsOn: "shard",
      cross: "gather",
      getKeys: (argv) => mpopKeys(argv, 2),
      check: (argv) => mpopCheck(argv, 2, 1),
      keySpecs: [mpopKeySpec(2)],
    },
  ),
];
