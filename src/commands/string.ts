/*
 * String commands (t_string.c). Values are latin1 byte strings, or numbers for Redis's
 * `int` encoding so that INCR does not re-parse.
 */
import { constants } from "node:buffer";
import { NOTIFY_GENERIC, NOTIFY_STRING } from "../config/keyspace-events.js";
import {
  ERR_NOT_FLOAT,
  ERR_NOT_INTEGER,
  ERR_OVERFLOW,
  ERR_SYNTAX,
  ERR_WRONGTYPE,
  errArity,
  errExpireTime,
} from "../resp/errors.js";
import { error, nullBulk, OK, ONE, ZERO } from "../resp/reply.js";
import type { Value } from "../shards/engine.js";
import {
  addLongDouble,
  formatLongDoubleHuman,
  INT64_MAX,
  INT64_MIN,
  type LongDouble,
  longDoubleFromInteger,
  parseInteger,
  parseLongDouble,
} from "../util/numbers.js";
import { cString } from "../util/sds.js";
import { cmd, keySpec, keys1, keysAll } from "./define.js";
import type { CommandFlag, CommandSpec, ShardCtx, ShardHandler } from "./types.js";

// ---------------------------------------------------------------- helpers

/** The string a value stands for (ints are printed as Redis prints them). */
export function valueToString(v: StringValue): string {
  return typeof v === "number" ? String(v) : v;
}

/** A value of the string type: bytes, or a number for the `int` encoding. */
export type StringValue = string | number;

export function isStringValue(v: Value | undefined): v is StringValue {
  return typeof v === "string" || typeof v === "number";
}

/**
 * tryObjectEncoding: a string that is a canonical integer within the JS safe range is
 * kept as a number (Redis's `int` encoding covers all of int64; larger ones stay strings
 * here and are reported as `int` by OBJECT ENCODING through parseInteger).
 */
export function encodeValue(s: string): Value {
  const len = s.length;
  if (len === 0 || len > 16) return s;
  const c = s.charCodeAt(0);
  if (c !== 45 && (c < 48 || c > 57)) return s;
  const n = parseInteger(s);
  return typeof n === "number" ? n : s;
}

function replyValue(v: StringValue): string {
  const s = typeof v === "number" ? String(v) : v;
  return `$${s.length}\r\n${s}\r\n`;
}

// ---------------------------------------------------------------- GET / SET

/* GET key */
function getCommand(ctx: ShardCtx, argv: string[]): string {
  const v = ctx.engine.lookupRead(ctx.db, argv[1]);
  if (v === undefined) return nullBulk(ctx.proto);
  if (!isStringValue(v)) return ERR_WRONGTYPE;
  return replyValue(v);
}

const SET_NX = 1;
const SET_XX = 2;
const SET_GET = 4;
const SET_KEEPTTL = 8;
const SET_EX = 16;
const SET_PX = 32;
const SET_EXAT = 64;
const SET_PXAT = 128;
const ANY_EXPIRE = SET_EX | SET_PX | SET_EXAT | SET_PXAT;

function upper2(s: string): string {
  return s.length <= 7 ? s.toUpperCase() : "";
}

/*
 * SET key value [NX | XX] [GET] [EX seconds | PX milliseconds |
 *     EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]
 *
 * As parseExtendedStringArgumentsOrReply in Redis 7.0:
 *  1. NX and XX exclude each other; an expire kind excludes the others and KEEPTTL, but the
 *     same kind may repeat (the last value wins).
 *  2. An expire option needs a following argument, otherwise it is a syntax error.
 *  3. The expire value is checked (integer, > 0, no overflow) before GET's type check.
 *  4. With GET the reply is the old value (or nil), also when NX/XX aborted the write.
 */
function setCommand(ctx: ShardCtx, argv: string[]): string {
  let flags = 0;
  let expireArg: string | undefined;
  const argc = argv.length;
  for (let j = 3; j < argc; j++) {
    const opt = upper2(argv[j]);
    const hasNext = j < argc - 1;
    if (opt === "NX" && !(flags & SET_XX)) flags |= SET_NX;
    else if (opt === "XX" && !(flags & SET_NX)) flags |= SET_XX;
    else if (opt === "GET") flags |= SET_GET;
    else if (opt === "KEEPTTL" && !(flags & ANY_EXPIRE)) flags |= SET_KEEPTTL;
    else if (opt === "EX" && !(flags & (SET_KEEPTTL | SET_PX | SET_EXAT | SET_PXAT)) && hasNext) {
      flags |= SET_EX;
      expireArg = argv[++j];
    } else if (opt === "PX" && !(flags & (SET_KEEPTTL | SET_EX | SET_EXAT | SET_PXAT)) && hasNext) {
      flags |= SET_PX;
      expireArg = argv[++j];
    } else if (opt === "EXAT" && !(flags & (SET_KEEPTTL | SET_EX | SET_PX | SET_PXAT)) && hasNext) {
      flags |= SET_EXAT;
      expireArg = argv[++j];
    } else if (opt === "PXAT" && !(flags & (SET_KEEPTTL | SET_EX | SET_PX | SET_EXAT)) && hasNext) {
      flags |= SET_PXAT;
      expireArg = argv[++j];
    } else return ERR_SYNTAX;
  }

  let when = 0;
  if (expireArg !== undefined) {
    const ms = expireMilliseconds(ctx, expireArg, flags, "set");
    if (typeof ms === "string") return ms;
    when = ms;
  }

  const { engine, db } = ctx;
  const key = argv[1];
  let old: StringValue | undefined;
  if (flags & SET_GET) {
    const o = engine.lookupRead(db, key);
    if (o !== undefined && !isStringValue(o)) return ERR_WRONGTYPE;
    old = o;
  }
  const found = flags & SET_GET ? old !== undefined : engine.lookupWrite(db, key) !== undefined;
  if ((flags & SET_NX && found) || (flags & SET_XX && !found)) {
    return flags & SET_GET ? (old === undefined ? nullBulk(ctx.proto) : replyValue(old)) : nullBulk(ctx.proto);
  }
  engine.setKey(db, key, encodeValue(argv[2]), (flags & SET_KEEPTTL) !== 0);
  engine.notify(NOTIFY_STRING, "set", key, ctx.dbIndex);
  if (expireArg !== undefined) {
    engine.setExpire(db, key, when);
    engine.notify(NOTIFY_GENERIC, "expire", key, ctx.dbIndex);
  }
  if (flags & SET_GET) return old === undefined ? nullBulk(ctx.proto) : replyValue(old);
  return OK;
}

/**
 * getExpireMillisecondsOrReply: the absolute expire time in ms, or an error reply.
 * EX/EXAT are seconds; EX/PX are relative to the command's time snapshot.
 */
export function expireMilliseconds(ctx: ShardCtx, arg: string, flags: number, cmdName: string): number | string {
  const v = parseInteger(arg);
  if (v === undefined) return ERR_NOT_INTEGER;
  const seconds = (flags & (SET_EX | SET_EXAT)) !== 0;
  let ms = BigInt(v);
  if (ms <= 0n || (seconds && ms > INT64_MAX / 1000n)) return errExpireTime(cmdName);
  if (seconds) ms *= 1000n;
  if (flags & (SET_EX | SET_PX)) ms += BigInt(ctx.now);
  // int64 overflow wraps negative in C; both are "invalid expire time"
  if (ms <= 0n || ms > INT64_MAX) return errExpireTime(cmdName);
  return Number(ms);
}

/* SETNX key value */
function setnxCommand(ctx: ShardCtx, argv: string[]): string {
  if (ctx.engine.lookupWrite(ctx.db, argv[1]) !== undefined) return ZERO;
  ctx.engine.setKey(ctx.db, argv[1], encodeValue(argv[2]));
  ctx.engine.notify(NOTIFY_STRING, "set", argv[1], ctx.dbIndex);
  return ONE;
}

/**
 * SETEX and PSETEX: SET with EX or PX. The time must be a positive integer whose absolute
 * ms value does not overflow ("invalid expire time in 'setex' command").
 */
function setexGeneric(ctx: ShardCtx, argv: string[], flag: number, name: string): string {
  const when = expireMilliseconds(ctx, argv[2], flag, name);
  if (typeof when === "string") return when;
  ctx.engine.setKey(ctx.db, argv[1], encodeValue(argv[3]));
  ctx.engine.notify(NOTIFY_STRING, "set", argv[1], ctx.dbIndex);
  ctx.engine.setExpire(ctx.db, argv[1], when);
  ctx.engine.notify(NOTIFY_GENERIC, "expire", argv[1], ctx.dbIndex);
  return OK;
}

/* SETEX key seconds value */
function setexCommand(ctx: ShardCtx, argv: string[]): string {
  return setexGeneric(ctx, argv, SET_EX, "setex");
}

/* PSETEX key milliseconds value */
function psetexCommand(ctx: ShardCtx, argv: string[]): string {
  return setexGeneric(ctx, argv, SET_PX, "psetex");
}

// ---------------------------------------------------------------- GETSET / GETDEL / GETEX

/* GETSET key value: the old value (or nil); the new value drops the TTL */
function getsetCommand(ctx: ShardCtx, argv: string[]): string {
  const old = ctx.engine.lookupRead(ctx.db, argv[1]);
  if (old !== undefined && !isStringValue(old)) return ERR_WRONGTYPE;
  ctx.engine.setKey(ctx.db, argv[1], encodeValue(argv[2]));
  ctx.engine.notify(NOTIFY_STRING, "set", argv[1], ctx.dbIndex);
  return old === undefined ? nullBulk(ctx.proto) : replyValue(old);
}

/* GETDEL key */
function getdelCommand(ctx: ShardCtx, argv: string[]): string {
  const v = ctx.engine.lookupRead(ctx.db, argv[1]);
  if (v === undefined) return nullBulk(ctx.proto);
  if (!isStringValue(v)) return ERR_WRONGTYPE;
  ctx.engine.deleteKey(ctx.db, argv[1]);
  ctx.engine.notify(NOTIFY_GENERIC, "del", argv[1], ctx.dbIndex);
  return replyValue(v);
}

const GETEX_PERSIST = 256;

/*
 * GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
 *     PXAT unix-time-milliseconds | PERSIST]
 *
 * As getexCommand in Redis 7.0:
 *  1. options as SET's parser with COMMAND_GET: only the expire kinds and PERSIST, each
 *     excluding the others (the same kind may repeat, the last wins); anything else, or an
 *     expire kind without a value, is a syntax error. Options are matched as C strings,
 *     so "ex\0junk" is EX.
 *  2. a missing key answers nil before the expire value is looked at;
 *  3. then WRONGTYPE, then the expire value (integer, > 0, no overflow);
 *  4. EXAT/PXAT in the past delete the key, still answering its value.
 */
function getexCommand(ctx: ShardCtx, argv: string[]): string {
  let flags = 0;
  let expireArg: string | undefined;
  const argc = argv.length;
  for (let j = 2; j < argc; j++) {
    const opt = upper2(cString(argv[j]));
    const hasNext = j < argc - 1;
    if (opt === "PERSIST" && !(flags & ANY_EXPIRE)) flags |= GETEX_PERSIST;
    else if (opt === "EX" && !(flags & (GETEX_PERSIST | SET_PX | SET_EXAT | SET_PXAT)) && hasNext) {
      flags |= SET_EX;
      expireArg = argv[++j];
    } else if (opt === "PX" && !(flags & (GETEX_PERSIST | SET_EX | SET_EXAT | SET_PXAT)) && hasNext) {
      flags |= SET_PX;
      expireArg = argv[++j];
    } else if (opt === "EXAT" && !(flags & (GETEX_PERSIST | SET_EX | SET_PX | SET_PXAT)) && hasNext) {
      flags |= SET_EXAT;
      expireArg = argv[++j];
    } else if (opt === "PXAT" && !(flags & (GETEX_PERSIST | SET_EX | SET_PX | SET_EXAT)) && hasNext) {
      flags |= SET_PXAT;
      expireArg = argv[++j];
    } else return ERR_SYNTAX;
  }

  const { engine, db } = ctx;
  const key = argv[1];
  const v = engine.lookupRead(db, key);
  if (v === undefined) return nullBulk(ctx.proto);
  if (!isStringValue(v)) return ERR_WRONGTYPE;
  if (expireArg !== undefined) {
    const when = expireMilliseconds(ctx, expireArg, flags, "getex");
    if (typeof when === "string") return when;
    if (flags & (SET_EXAT | SET_PXAT) && when <= ctx.now) {
      engine.deleteKey(db, key);
      engine.notify(NOTIFY_GENERIC, "del", key, ctx.dbIndex);
    } else {
      engine.setExpire(db, key, when);
      engine.dirty++;
      engine.notify(NOTIFY_GENERIC, "expire", key, ctx.dbIndex);
    }
  } else if (flags & GETEX_PERSIST && db.expires.delete(key)) {
    engine.dirty++;
    engine.notify(NOTIFY_GENERIC, "persist", key, ctx.dbIndex);
  }
  return replyValue(v);
}

// ---------------------------------------------------------------- APPEND / STRLEN / ranges

export const ERR_STRING_SIZE = error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");

/**
 * checkStringLength against proto-max-bulk-len. V8 strings stop a little short of 512 MB
 * (2^29-24 characters): the few sizes in between get the same error instead of a crash.
 */
export function tooLong(ctx: ShardCtx, total: number): boolean {
  return total > ctx.engine.settings["proto-max-bulk-len"] || total > constants.MAX_STRING_LENGTH;
}

/* APPEND key value: a missing key is created; the TTL is kept */
function appendCommand(ctx: ShardCtx, argv: string[]): string {
  const { engine, db } = ctx;
  const cur = engine.lookupWrite(db, argv[1]);
  if (cur === undefined) {
    engine.setKey(db, argv[1], encodeValue(argv[2]));
    engine.notify(NOTIFY_STRING, "append", argv[1], ctx.dbIndex);
    return `:${argv[2].length}\r\n`;
  }
  if (!isStringValue(cur)) return ERR_WRONGTYPE;
  const old = valueToString(cur);
  if (tooLong(ctx, old.length + argv[2].length)) return ERR_STRING_SIZE;
  // Redis turns the value into a raw string here, int-looking or not
  const next = old + argv[2];
  engine.setKey(db, argv[1], next, true);
  engine.markRaw(db, argv[1]);
  engine.notify(NOTIFY_STRING, "append", argv[1], ctx.dbIndex);
  return `:${next.length}\r\n`;
}

/* STRLEN key */
function strlenCommand(ctx: ShardCtx, argv: string[]): string {
  const v = ctx.engine.lookupRead(ctx.db, argv[1]);
  if (v === undefined) return ZERO;
  if (!isStringValue(v)) return ERR_WRONGTYPE;
  return `:${valueToString(v).length}\r\n`;
}

const EMPTY_BULK = "$0\r\n\r\n";

/*
 * GETRANGE key start end (and SUBSTR). As getrangeCommand in Redis 7.0:
 *  1. both indexes are parsed (int64) before the key is looked up;
 *  2. a missing key answers an empty string (never nil);
 *  3. both negative with start > end: empty; negative indexes count from the end, then
 *     clamp at 0 (so `0 -100` on "hello" is "h"), end clamps at the last byte;
 *  4. start > end or an empty value: empty.
 */
function getrangeCommand(ctx: ShardCtx, argv: string[]): string {
  const s = parseInteger(argv[2]);
  if (s === undefined) return ERR_NOT_INTEGER;
  const e = parseInteger(argv[3]);
  if (e === undefined) return ERR_NOT_INTEGER;
  const v = ctx.engine.lookupRead(ctx.db, argv[1]);
  if (v === undefined) return EMPTY_BULK;
  if (!isStringValue(v)) return ERR_WRONGTYPE;
  const str = valueToString(v);
  const len = BigInt(str.length);
  // int64 arithmetic: bigint so that two huge negative indexes still compare exactly
  let start = BigInt(s);
  let end = BigInt(e);
  if (start < 0n && end < 0n && start > end) return EMPTY_BULK;
  if (start < 0n) start += len;
  if (end < 0n) end += len;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= len) end = len - 1n;
  if (start > end || len === 0n) return EMPTY_BULK;
  const out = str.slice(Number(start), Number(end) + 1);
  return `$${out.length}\r\n${out}\r\n`;
}

/*
 * SETRANGE key offset value. As setrangeCommand in Redis 7.0:
 *  1. the offset is an int64 ("value is not an integer"), >= 0 ("offset is out of range");
 *  2. an empty value changes nothing: 0 for a missing key (not created), the length
 *     otherwise;
 *  3. offset + length over 512 MB: "string exceeds maximum allowed size";
 *  4. the gap past the old end is filled with zero bytes; the TTL is kept.
 */
function setrangeCommand(ctx: ShardCtx, argv: string[]): string {
  const o = parseInteger(argv[2]);
  if (o === undefined) return ERR_NOT_INTEGER;
  if (o < 0) return error("ERR offset is out of range");
  const { engine, db } = ctx;
  const value = argv[3];
  const cur = engine.lookupWrite(db, argv[1]);
  let old = "";
  if (cur !== undefined) {
    if (!isStringValue(cur)) return ERR_WRONGTYPE;
    old = valueToString(cur);
  }
  if (value.length === 0) return `:${old.length}\r\n`;
  if (typeof o === "bigint" || tooLong(ctx, o + value.length)) return ERR_STRING_SIZE;
  const head = old.length >= o ? old.slice(0, o) : old + "\0".repeat(o - old.length);
  const next = head + value + old.slice(o + value.length);
  engine.setKey(db, argv[1], next, true);
  engine.markRaw(db, argv[1]);
  engine.notify(NOTIFY_STRING, "setrange", argv[1], ctx.dbIndex);
  return `:${next.length}\r\n`;
}

// ---------------------------------------------------------------- INCR family

/**
 * incrDecrCommand: the value must be a string holding an int64; the result must not
 * overflow. Non-string: WRONGTYPE. Returns the new value as an integer reply.
 */
export function incrGeneric(ctx: ShardCtx, key: string, by: number | bigint): string {
  const { engine, db } = ctx;
  const cur = engine.lookupWrite(db, key);
  let value: number | bigint;
  if (cur === undefined) value = 0;
  else if (typeof cur === "number") value = cur;
  else if (typeof cur === "string") {
    const p = parseInteger(cur);
    if (p === undefined) return ERR_NOT_INTEGER;
    value = p;
  } else return ERR_WRONGTYPE;

  let next: number | bigint;
  if (typeof value === "number" && typeof by === "number") {
    next = value + by;
    if (!Number.isSafeInteger(next)) next = BigInt(value) + BigInt(by);
  } else next = BigInt(value) + BigInt(by);
  if (typeof next === "bigint") {
    if (next > INT64_MAX || next < INT64_MIN) return ERR_OVERFLOW;
    if (next <= BigInt(Number.MAX_SAFE_INTEGER) && next >= BigInt(Number.MIN_SAFE_INTEGER)) next = Number(next);
  }
  engine.setKey(db, key, typeof next === "number" ? next : String(next), true);
  engine.notify(NOTIFY_STRING, "incrby", key, ctx.dbIndex);
  return `:${next}\r\n`;
}

/* INCR key */
function incrCommand(ctx: ShardCtx, argv: string[]): string {
  return incrGeneric(ctx, argv[1], 1);
}

/* DECR key */
function decrCommand(ctx: ShardCtx, argv: string[]): string {
  return incrGeneric(ctx, argv[1], -1);
}

/* INCRBY key increment: the increment is parsed before the key is looked at */
function incrbyCommand(ctx: ShardCtx, argv: string[]): string {
  const by = parseInteger(argv[2]);
  if (by === undefined) return ERR_NOT_INTEGER;
  return incrGeneric(ctx, argv[1], by);
}

/* DECRBY key decrement: -LLONG_MIN does not exist in int64 */
function decrbyCommand(ctx: ShardCtx, argv: string[]): string {
  const by = parseInteger(argv[2]);
  if (by === undefined) return ERR_NOT_INTEGER;
  if (by === INT64_MIN) return error("ERR decrement would overflow");
  return incrGeneric(ctx, argv[1], -by);
}

/**
 * INCRBYFLOAT key increment. As incrbyfloatCommand in Redis 7.0, in x87 long double:
 *  1. WRONGTYPE first, then the stored value and the increment must both parse as
 *     floats (string2ld: "inf" parses, NaN, spaces, trailing junk do not);
 *  2. a NaN or infinite sum: "increment would produce NaN or Infinity";
 *  3. the result is stored as Redis prints it (%.17Lf, trailing zeros trimmed), as a
 *     string, keeping the TTL, and replied as a bulk string.
 */
function incrbyfloatCommand(ctx: ShardCtx, argv: string[]): string {
  const { engine, db } = ctx;
  const cur = engine.lookupWrite(db, argv[1]);
  if (cur !== undefined && !isStringValue(cur)) return ERR_WRONGTYPE;
  const value: LongDouble | number | undefined =
    cur === undefined
      ? longDoubleFromInteger(0)
      : typeof cur === "number"
        ? longDoubleFromInteger(cur)
        : parseLongDouble(cur);
  const incr = parseLongDouble(argv[2]);
  if (value === undefined || incr === undefined) return ERR_NOT_FLOAT;
  const sum = typeof value === "number" || typeof incr === "number" ? undefined : addLongDouble(value, incr);
  if (sum === undefined) return error("ERR increment would produce NaN or Infinity");
  const out = formatLongDoubleHuman(sum);
  engine.setKey(db, argv[1], out, true);
  engine.notify(NOTIFY_STRING, "incrbyfloat", argv[1], ctx.dbIndex);
  return `$${out.length}\r\n${out}\r\n`;
}

// ---------------------------------------------------------------- MGET / MSET

/* MGET key [key ...] */
function mgetCommand(ctx: ShardCtx, argv: string[]): string {
  let out = `*${argv.length - 1}\r\n`;
  const nil = nullBulk(ctx.proto);
  for (let i = 1; i < argv.length; i++) {
    const v = ctx.engine.lookupRead(ctx.db, argv[i]);
    out += isStringValue(v) ? replyValue(v) : nil;
  }
  return out;
}

/* MSET key value [key value ...] */
function msetCommand(ctx: ShardCtx, argv: string[]): string {
  for (let i = 1; i < argv.length; i += 2) {
    ctx.engine.setKey(ctx.db, argv[i], encodeValue(argv[i + 1]));
    ctx.engine.notify(NOTIFY_STRING, "set", argv[i], ctx.dbIndex);
  }
  return OK;
}

/* MSETNX key value [key value ...], all keys in this shard (others: the msetnx job) */
function msetnxCommand(ctx: ShardCtx, argv: string[]): string {
  for (let i = 1; i < argv.length; i += 2) if (ctx.engine.lookupWrite(ctx.db, argv[i]) !== undefined) return ":0\r\n";
  for (let i = 1; i < argv.length; i += 2) {
    ctx.engine.setKey(ctx.db, argv[i], encodeValue(argv[i + 1]));
    ctx.engine.notify(NOTIFY_STRING, "set", argv[i], ctx.dbIndex);
  }
  return ":1\r\n";
}

/**
 * setGetKeys: SET's key is read only with the GET option (any argument after the value
 * spelled `get`), so COMMAND GETKEYSANDFLAGS reports RW/access/update then, OW/update
 * otherwise.
 */
function setGetKeys(argv: readonly string[]): Array<{ pos: number; flags: string[] }> {
  for (let i = 3; i < argv.length; i++) {
    if (argv[i].toLowerCase() === "get") return [{ pos: 1, flags: ["RW", "access", "update"] }];
  }
  return [{ pos: 1, flags: ["OW", "update"] }];
}

/** A one-key string command: one key spec at argument 1 with the given flags. */
function strCmd(
  name: string,
  arity: number,
  flags: CommandFlag[],
  since: string,
  summary: string,
  complexity: string,
  handler: ShardHandler,
  keyFlags: string[],
  notes?: string,
): CommandSpec {
  return cmd(name, arity, flags, keys1, "string", since, summary, complexity, {
    shard: handler,
    keySpecs: [keySpec(keyFlags, 1, 0, 1, notes)],
  });
}

const RANGE_COMPLEXITY =
  "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.";

export const stringCommands = [
  strCmd(
    "setnx",
    3,
    ["write", "denyoom", "fast"],
    "1.0.0",
    "Set the string value of a key only when the key doesn't exist.",
    "O(1)",
    setnxCommand,
    ["OW", "insert"],
  ),
  strCmd(
    "setex",
    4,
    ["write", "denyoom"],
    "2.0.0",
    "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
    "O(1)",
    setexCommand,
    ["OW", "update"],
  ),
  strCmd(
    "psetex",
    4,
    ["write", "denyoom"],
    "2.6.0",
    "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.",
    "O(1)",
    psetexCommand,
    ["OW", "update"],
  ),
  strCmd(
    "getset",
    3,
    ["write", "denyoom", "fast"],
    "1.0.0",
    "Returns the previous string value of a key after setting it to a new value.",
    "O(1)",
    getsetCommand,
    ["RW", "access", "update"],
  ),
  strCmd(
    "getdel",
    2,
    ["write", "fast"],
    "6.2.0",
    "Returns the string value of a key after deleting the key.",
    "O(1)",
    getdelCommand,
    ["RW", "access", "delete"],
  ),
  strCmd(
    "getex",
    -2,
    ["write", "fast"],
    "6.2.0",
    "Returns the string value of a key after setting its expiration time.",
    "O(1)",
    getexCommand,
    ["RW", "access", "update"],
    "RW and UPDATE because it changes the TTL",
  ),
  strCmd(
    "append",
    3,
    ["write", "denyoom", "fast"],
    "2.0.0",
    "Appends a string to the value of a key. Creates the key if it doesn't exist.",
    "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
    appendCommand,
    ["RW", "insert"],
  ),
  strCmd("strlen", 2, ["readonly", "fast"], "2.2.0", "Returns the length of a string value.", "O(1)", strlenCommand, [
    "RO",
  ]),
  strCmd(
    "decr",
    2,
    ["write", "denyoom", "fast"],
    "1.0.0",
    "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    "O(1)",
    decrCommand,
    ["RW", "access", "update"],
  ),
  strCmd(
    "incrby",
    3,
    ["write", "denyoom", "fast"],
    "1.0.0",
    "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    "O(1)",
    incrbyCommand,
    ["RW", "access", "update"],
  ),
  strCmd(
    "decrby",
    3,
    ["write", "denyoom", "fast"],
    "1.0.0",
    "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.",
    "O(1)",
    decrbyCommand,
    ["RW", "access", "update"],
  ),
  strCmd(
    "incrbyfloat",
    3,
    ["write", "denyoom", "fast"],
    "2.6.0",
    "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    "O(1)",
    incrbyfloatCommand,
    ["RW", "access", "update"],
  ),
  strCmd(
    "getrange",
    4,
    ["readonly"],
    "2.4.0",
    "Returns a substring of the string stored at a key.",
    RANGE_COMPLEXITY,
    getrangeCommand,
    ["RO", "access"],
  ),
  strCmd(
    "substr",
    4,
    ["readonly"],
    "1.0.0",
    "Returns a substring from a string value.",
    RANGE_COMPLEXITY,
    getrangeCommand,
    ["RO", "access"],
  ),
  strCmd(
    "setrange",
    4,
    ["write", "denyoom"],
    "2.2.0",
    "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.",
    "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
    setrangeCommand,
    ["RW", "update"],
  ),
  cmd(
    "msetnx",
    -3,
    ["write", "denyoom"],
    { first: 1, last: -1, step: 2 },
    "string",
    "1.0.1",
    "Atomically modifies the string values of one or more keys only when all keys don't exist.",
    "O(N) where N is the number of keys to set.",
    {
      shard: msetnxCommand,
      cross: "msetnx",
      tips: ["request_policy:multi_shard", "response_policy:agg_min"],
      keySpecs: [keySpec(["OW", "insert"], 1, -1, 2)],
      checkArgc: (argc) => (argc % 2 === 0 ? errArity("msetnx") : undefined),
    },
  ),
  cmd("get", 2, ["readonly", "fast"], keys1, "string", "1.0.0", "Returns the string value of a key.", "O(1)", {
    shard: getCommand,
    keySpecs: [keySpec(["RO", "access"], 1)],
  }),
  cmd(
    "set",
    -3,
    ["write", "denyoom"],
    keys1,
    "string",
    "1.0.0",
    "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
    "O(1)",
    {
      shard: setCommand,
      keySpecs: [
        keySpec(
          ["RW", "access", "update", "variable_flags"],
          1,
          0,
          1,
          "RW and ACCESS due to the optional `GET` argument",
        ),
      ],
      getKeysWithFlags: setGetKeys,
    },
  ),
  cmd(
    "incr",
    2,
    ["write", "denyoom", "fast"],
    keys1,
    "string",
    "1.0.0",
    "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    "O(1)",
    {
      shard: incrCommand,
      keySpecs: [keySpec(["RW", "access", "update"], 1)],
    },
  ),
  cmd(
    "mget",
    -2,
    ["readonly", "fast"],
    keysAll,
    "string",
    "1.0.0",
    "Atomically returns the string values of one or more keys.",
    "O(N) where N is the number of keys to retrieve.",
    {
      shard: mgetCommand,
      split: "interleave",
      tips: ["request_policy:multi_shard"],
      keySpecs: [keySpec(["RO", "access"], 1, -1)],
    },
  ),
  cmd(
    "mset",
    -3,
    ["write", "denyoom"],
    { first: 1, last: -1, step: 2 },
    "string",
    "1.0.1",
    "Atomically creates or modifies the string values of one or more keys.",
    "O(N) where N is the number of keys to set.",
    {
      shard: msetCommand,
      split: "ok",
      tips: ["request_policy:multi_shard", "response_policy:all_succeeded"],
      keySpecs: [keySpec(["OW", "update"], 1, -1, 2)],
      // msetGenericCommand checks pairs before anything is routed or split
      checkArgc: (argc) => (argc % 2 === 0 ? errArity("mset") : undefined),
    },
  ),
];
