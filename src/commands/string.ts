/*
 * String commands (t_string.c). Values are latin1 byte strings, or numbers for Redis's
 * `int` encoding so that INCR does not re-parse.
 */
import { ERR_NOT_INTEGER, ERR_OVERFLOW, ERR_SYNTAX, ERR_WRONGTYPE, errArity, errExpireTime } from "../resp/errors.js";
import { nullBulk, OK } from "../resp/reply.js";
import type { Value } from "../shards/engine.js";
import { INT64_MAX, INT64_MIN, parseInteger } from "../util/numbers.js";
import { cmd, keySpec, keys1, keysAll } from "./define.js";
import type { ShardCtx } from "./types.js";

// ---------------------------------------------------------------- helpers

/** The string a value stands for (ints are printed as Redis prints them). */
export function valueToString(v: Value): string {
  return typeof v === "number" ? String(v) : v;
}

export function isStringValue(v: Value | undefined): v is Value {
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

function replyValue(v: Value): string {
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
  let old: Value | undefined;
  if (flags & SET_GET) {
    old = engine.lookupRead(db, key);
    if (old !== undefined && !isStringValue(old)) return ERR_WRONGTYPE;
  }
  const found = flags & SET_GET ? old !== undefined : engine.lookupWrite(db, key) !== undefined;
  if ((flags & SET_NX && found) || (flags & SET_XX && !found)) {
    return flags & SET_GET ? (old === undefined ? nullBulk(ctx.proto) : replyValue(old)) : nullBulk(ctx.proto);
  }
  engine.setKey(db, key, encodeValue(argv[2]), (flags & SET_KEEPTTL) !== 0);
  if (expireArg !== undefined) engine.setExpire(db, key, when);
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
  return `:${next}\r\n`;
}

/* INCR key */
function incrCommand(ctx: ShardCtx, argv: string[]): string {
  return incrGeneric(ctx, argv[1], 1);
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
  for (let i = 1; i < argv.length; i += 2) ctx.engine.setKey(ctx.db, argv[i], encodeValue(argv[i + 1]));
  return OK;
}

/* MSETNX key value [key value ...], all keys in this shard (others: the msetnx job) */
function msetnxCommand(ctx: ShardCtx, argv: string[]): string {
  for (let i = 1; i < argv.length; i += 2) if (ctx.engine.lookupWrite(ctx.db, argv[i]) !== undefined) return ":0\r\n";
  for (let i = 1; i < argv.length; i += 2) ctx.engine.setKey(ctx.db, argv[i], encodeValue(argv[i + 1]));
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

export const stringCommands = [
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
      check: (argv) => (argv.length % 2 === 0 ? errArity("msetnx") : undefined),
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
      check: (argv) => (argv.length % 2 === 0 ? errArity("mset") : undefined),
    },
  ),
];
