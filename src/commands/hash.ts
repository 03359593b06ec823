/*
 * Hash commands (t_hash.c).
 */

import { NOTIFY_HASH } from "../config/keyspace-events.js";
import { stringMatch } from "../keyspace/glob.js";
import { ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_OVERFLOW, ERR_SYNTAX, ERR_WRONGTYPE, errArity } from "../resp/errors.js";
import {
  arrayHeader,
  bulk,
  EMPTY_ARRAY,
  error,
  integer,
  mapHeader,
  nullBulk,
  OK,
  ONE,
  type Proto,
  ZERO,
} from "../resp/reply.js";
import { HashValue } from "../types/hash.js";
import { ScanIndex } from "../types/set.js";
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
import { cmd, keySpec, keys1 } from "./define.js";
import { removeMembers } from "./members.js";
import { EMPTY_SCAN, ERR_INVALID_CURSOR, parseScanCursor, parseScanOptions, scanReply } from "./scan-args.js";
import { distinctRandom, parseCountArg } from "./set.js";
import type { CommandFlag, CommandSpec, ShardCtx, ShardHandler } from "./types.js";

// ---------------------------------------------------------------- errors and helpers

const ERR_HASH_NOT_INTEGER = error("ERR hash value is not an integer");
const ERR_HASH_NOT_FLOAT = error("ERR hash value is not a float");
const ERR_NAN_OR_INF = error("ERR value is NaN or Infinity");
const ERR_INCR_NAN_OR_INF = error("ERR increment would produce NaN or Infinity");
const ERR_OUT_OF_RANGE = error("ERR value is out of range");
/** LONG_MAX/2: the largest |count| HRANDFIELD takes with WITHVALUES */
const LONG_MAX_HALF = INT64_MAX / 2n;

/** The hash at key, undefined when missing, or the WRONGTYPE reply. */
function getHash(ctx: ShardCtx, key: string, write: boolean): HashValue | undefined | string {
  const v = write ? ctx.engine.lookupWrite(ctx.db, key) : ctx.engine.lookupRead(ctx.db, key);
  if (v === undefined) return undefined;
  if (!(v instanceof HashValue)) return ERR_WRONGTYPE;
  return v;
}

/** hashTypeLookupWriteOrCreate: the hash at key, created empty when missing. */
function getOrCreateHash(ctx: ShardCtx, key: string): HashValue | string {
  const h = getHash(ctx, key, true);
  if (h !== undefined) return h;
  const created = new HashValue();
  ctx.engine.setKey(ctx.db, key, created);
  ctx.engine.dirty--;
  return created;
}

function pairReply(f: string, v: string, proto: Proto, nested: boolean): string {
  return `${nested && proto === 3 ? "*2\r\n" : ""}$${f.length}\r\n${f}\r\n$${v.length}\r\n${v}\r\n`;
}

// ---------------------------------------------------------------- writes

/*
 * HSET key field value [field value ...] / HMSET (same, answers +OK)
 * An odd number of arguments is an arity error before the key is looked at. Arguments
 * longer than hash-max-listpack-value convert the hash before anything is written.
 */
function hsetGeneric(ctx: ShardCtx, argv: string[], name: string): string {
  if (argv.length % 2 === 1) return errArity(name);
  const h = getOrCreateHash(ctx, argv[1]);
  if (typeof h === "string") return h;
  const settings = ctx.engine.settings;
  h.tryConversion(argv, 2, argv.length - 1, settings);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (h.set(argv[i], argv[i + 1], settings)) created++;
  ctx.engine.notify(NOTIFY_HASH, "hset", argv[1], ctx.dbIndex);
  ctx.engine.dirty += (argv.length - 2) / 2;
  return name === "hmset" ? OK : integer(created);
}

function hsetCommand(ctx: ShardCtx, argv: string[]): string {
  return hsetGeneric(ctx, argv, "hset");
}

function hmsetCommand(ctx: ShardCtx, argv: string[]): string {
  return hsetGeneric(ctx, argv, "hmset");
}

/* HSETNX key field value: an existing field is left alone (no conversion either) */
function hsetnxCommand(ctx: ShardCtx, argv: string[]): string {
  const h = getOrCreateHash(ctx, argv[1]);
  if (typeof h === "string") return h;
  const settings = ctx.engine.settings;
  if (h.map.has(argv[2])) return ZERO;
  h.tryConversion(argv, 2, 3, settings);
  h.set(argv[2], argv[3], settings);
  ctx.engine.notify(NOTIFY_HASH, "hset", argv[1], ctx.dbIndex);
  ctx.engine.dirty++;
  return ONE;
}

/* HDEL key field [field ...] */
function hdelCommand(ctx: ShardCtx, argv: string[]): string {
  const h = getHash(ctx, argv[1], true);
  if (h === undefined) return ZERO;
  if (typeof h === "string") return h;
  return removeMembers(ctx, argv, 2, h, (m) => h.delete(m), NOTIFY_HASH, "hdel");
}

/*
 * HINCRBY key field increment
 *  1. the increment is checked first, then the key's type (a missing key is created);
 *  2. the current value must be an integer ("hash value is not an integer");
 *  3. int64 overflow is refused.
 */
function hincrbyCommand(ctx: ShardCtx, argv: string[]): string {
  const incr = parseInteger(argv[3]);
  if (incr === undefined) return ERR_NOT_INTEGER;
  const h = getOrCreateHash(ctx, argv[1]);
  if (typeof h === "string") return h;
  const cur = h.get(argv[2]);
  let value: number | bigint = 0;
  if (cur !== undefined) {
    const v = parseInteger(cur);
    if (v === undefined) return ERR_HASH_NOT_INTEGER;
    value = v;
  }
  const sum = BigInt(value) + BigInt(incr);
  if (sum > INT64_MAX || sum < INT64_MIN) return ERR_OVERFLOW;
  const text = sum.toString();
  h.set(argv[2], text, ctx.engine.settings);
  ctx.engine.notify(NOTIFY_HASH, "hincrby", argv[1], ctx.dbIndex);
  ctx.engine.dirty++;
  return `:${text}\r\n`;
}

/*
 * HINCRBYFLOAT key field increment, in long double as INCRBYFLOAT:
 *  1. the increment must be a valid float and finite ("value is NaN or Infinity");
 *  2. then the key's type (a missing key is created);
 *  3. the current value must be a float ("hash value is not a float");
 *  4. a non-finite result is refused; the stored text is ld2string's human form.
 */
function hincrbyfloatCommand(ctx: ShardCtx, argv: string[]): string {
  const incr = parseLongDouble(argv[3]);
  if (incr === undefined) return ERR_NOT_FLOAT;
  if (typeof incr === "number") return ERR_NAN_OR_INF;
  const h = getOrCreateHash(ctx, argv[1]);
  if (typeof h === "string") return h;
  const cur = h.get(argv[2]);
  let value: LongDouble | number = longDoubleFromInteger(0);
  if (cur !== undefined) {
    const v = parseLongDouble(cur);
    if (v === undefined) return ERR_HASH_NOT_FLOAT;
    value = v;
  }
  if (typeof value === "number") return ERR_INCR_NAN_OR_INF;
  const sum = addLongDouble(value, incr);
  if (sum === undefined) return ERR_INCR_NAN_OR_INF;
  const text = formatLongDoubleHuman(sum);
  h.set(argv[2], text, ctx.engine.settings);
  ctx.engine.notify(NOTIFY_HASH, "hincrbyfloat", argv[1], ctx.dbIndex);
  ctx.engine.dirty++;
  return bulk(text);
}

// ---------------------------------------------------------------- reads

/* HGET key field */
function hgetCommand(ctx: ShardCtx, argv: string[]): string {
  const h = getHash(ctx, argv[1], false);
  if (typeof h === "string") return h;
  const v = h?.get(argv[2]);
  return v === undefined ? nullBulk(ctx.proto) : bulk(v);
}

/* HMGET key field [field ...] */
function hmgetCommand(ctx: ShardCtx, argv: string[]): string {
  const h = getHash(ctx, argv[1], false);
  if (typeof h === "string") return h;
  let out = arrayHeader(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const v = h?.get(argv[j]);
    out += v === undefined ? nullBulk(ctx.proto) : bulk(v);
  }
  return out;
}

/* HLEN key */
function hlenCommand(ctx: ShardCtx, argv: string[]): string {
  const h = getHash(ctx, argv[1], false);
  if (h === undefined) return ZERO;
  if (typeof h === "string") return h;
  return integer(h.size);
}

/* HSTRLEN key field */
function hstrlenCommand(ctx: ShardCtx, argv: string[]): string {
  const h = getHash(ctx, argv[1], false);
  if (h === undefined) return ZERO;
  if (typeof h === "string") return h;
  return integer(h.get(argv[2])?.length ?? 0);
}

/* HEXISTS key field */
function hexistsCommand(ctx: ShardCtx, argv: string[]): string {
  const h = getHash(ctx, argv[1], false);
  if (h === undefined) return ZERO;
  if (typeof h === "string") return h;
  return h.map.has(argv[2]) ? ONE : ZERO;
}

const WITH_KEYS = 1;
const WITH_VALUES = 2;

/* HKEYS / HVALS / HGETALL: the whole hash; HGETALL is a map in RESP3 */
function getallGeneric(ctx: ShardCtx, argv: string[], what: number): string {
  const both = what === (WITH_KEYS | WITH_VALUES);
  const h = getHash(ctx, argv[1], false);
  if (h === undefined) return both ? mapHeader(0, ctx.proto) : EMPTY_ARRAY;
  if (typeof h === "string") return h;
  let out = both ? mapHeader(h.size, ctx.proto) : arrayHeader(h.size);
  for (const [f, v] of h.map) {
    if (what & WITH_KEYS) out += `$${f.length}\r\n${f}\r\n`;
    if (what & WITH_VALUES) out += `$${v.length}\r\n${v}\r\n`;
  }
  return out;
}

function hkeysCommand(ctx: ShardCtx, argv: string[]): string {
  return getallGeneric(ctx, argv, WITH_KEYS);
}

function hvalsCommand(ctx: ShardCtx, argv: string[]): string {
  return getallGeneric(ctx, argv, WITH_VALUES);
}

function hgetallCommand(ctx: ShardCtx, argv: string[]): string {
  return getallGeneric(ctx, argv, WITH_KEYS | WITH_VALUES);
}

// ---------------------------------------------------------------- HRANDFIELD

/*
 * HRANDFIELD key [count [WITHVALUES]]
 *  1. count in [-LONG_MAX, LONG_MAX], then the option (anything but WITHVALUES, or more
 *     arguments, is a syntax error), then with WITHVALUES |count| <= LONG_MAX/2;
 *  2. a missing key: nil without count, an empty array with one (also in RESP3);
 *  3. count 0: empty array; negative: |count| fields drawn independently;
 *  4. count >= size: the whole hash in the encoding's order;
 *  5. otherwise `count` distinct fields (a listpack answers them in its own order).
 * WITHVALUES pairs are nested arrays in RESP3, flat in RESP2.
 */
function hrandfieldCommand(ctx: ShardCtx, argv: string[]): string {
  if (argv.length >= 3) {
    const l = parseCountArg(argv[2]);
    if (typeof l === "string") return l;
    let withvalues = false;
    if (argv.length > 4 || (argv.length === 4 && argv[3].toLowerCase() !== "withvalues")) return ERR_SYNTAX;
    if (argv.length === 4) {
      withvalues = true;
      const big = BigInt(parseInteger(argv[2]) as number | bigint);
      if (big < -LONG_MAX_HALF || big > LONG_MAX_HALF) return ERR_OUT_OF_RANGE;
    }
    return hrandfieldWithCount(ctx, argv, l, withvalues);
  }
  const h = getHash(ctx, argv[1], false);
  if (h === undefined) return nullBulk(ctx.proto);
  if (typeof h === "string") return h;
  return bulk(h.randomField());
}

function hrandfieldWithCount(ctx: ShardCtx, argv: string[], l: number, withvalues: boolean): string {
  const h = getHash(ctx, argv[1], false);
  if (h === undefined) return EMPTY_ARRAY;
  if (typeof h === "string") return h;
  if (l === 0) return EMPTY_ARRAY;
  const proto = ctx.proto;
  const size = h.size;
  const count = Math.abs(l);
  const header = (n: number): string => arrayHeader(withvalues && proto === 2 ? n * 2 : n);
  const one = (f: string): string =>
    withvalues ? pairReply(f, h.map.get(f) as string, proto, true) : `$${f.length}\r\n${f}\r\n`;
  if (l < 0 || count === 1) {
    let out = header(count);
    for (let i = 0; i < count; i++) out += one(h.randomField());
    return out;
  }
  let out = header(Math.min(count, size));
  if (count >= size) {
    for (const f of h.map.keys()) out += one(f);
    return out;
  }
  const fields = distinctRandom(
    () => h.randomField(),
    () => [...h.map.keys()],
    count,
    size,
  );
  if (h.listpack) {
    // a listpack answers its random pick in its own order
    const chosen = new Set(fields);
    for (const f of h.map.keys()) if (chosen.has(f)) out += one(f);
    return out;
  }
  for (const f of fields) out += one(f);
  return out;
}

// ---------------------------------------------------------------- HSCAN

/* HSCAN key cursor [MATCH pattern] [COUNT count] */
function hscanCommand(ctx: ShardCtx, argv: string[]): string {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === undefined) return ERR_INVALID_CURSOR;
  const h = getHash(ctx, argv[1], false);
  if (h === undefined) return EMPTY_SCAN;
  if (typeof h === "string") return h;
  const opts = parseScanOptions(argv, 3);
  if (typeof opts === "string") return opts;
  let fields: Iterable<string>;
  let next = 0;
  if (h.listpack) {
    // small encodings are returned whole, cursor 0, whatever cursor was asked for
    fields = h.map.keys();
  } else {
    if (cursor === 0n || h.scanIndex === undefined) h.scanIndex ??= new ScanIndex(h.map.keys());
    const r = h.scanIndex.step(cursor, opts.count, (f) => h.map.has(f));
    fields = r.found;
    next = r.next;
    if (next === 0) h.scanIndex = undefined;
  }
  const items: string[] = [];
  const pat = opts.pattern;
  for (const f of fields) {
    if (pat !== undefined && !stringMatch(pat, f, false)) continue;
    items.push(f, h.map.get(f) as string);
  }
  return scanReply(next, items);
}

// ---------------------------------------------------------------- table

function hashCmd(
  name: string,
  arity: number,
  flags: CommandFlag[],
  since: string,
  summary: string,
  complexity: string,
  handler: ShardHandler,
  keyFlags: string[],
  tips?: string[],
): CommandSpec {
  return cmd(name, arity, flags, keys1, "hash", since, summary, complexity, {
    shard: handler,
    keySpecs: [keySpec(keyFlags, 1)],
    ...(tips !== undefined ? { tips } : {}),
  });
}

const NONDET_ORDER = ["nondeterministic_output_order"];
const NONDET = ["nondeterministic_output"];
const WRITE_FAST: CommandFlag[] = ["write", "denyoom", "fast"];
const READ_FAST: CommandFlag[] = ["readonly", "fast"];

export const hashCommands: CommandSpec[] = [
  hashCmd(
    "hset",
    -4,
    WRITE_FAST,
    "2.0.0",
    "Set the string value of a hash field",
    "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
    hsetCommand,
    ["RW", "update"],
  ),
  hashCmd(
    "hsetnx",
    4,
    WRITE_FAST,
    "2.0.0",
    "Set the value of a hash field, only if the field does not exist",
    "O(1)",
    hsetnxCommand,
    ["RW", "insert"],
  ),
  hashCmd("hget", 3, READ_FAST, "2.0.0", "Get the value of a hash field", "O(1)", hgetCommand, ["RO", "access"]),
  hashCmd(
    "hmget",
    -3,
    READ_FAST,
    "2.0.0",
    "Get the values of all the given hash fields",
    "O(N) where N is the number of fields being requested.",
    hmgetCommand,
    ["RO", "access"],
  ),
  hashCmd(
    "hmset",
    -4,
    WRITE_FAST,
    "2.0.0",
    "Set multiple hash fields to multiple values",
    "O(N) where N is the number of fields being set.",
    hmsetCommand,
    ["RW", "update"],
  ),
  hashCmd(
    "hgetall",
    2,
    ["readonly"],
    "2.0.0",
    "Get all the fields and values in a hash",
    "O(N) where N is the size of the hash.",
    hgetallCommand,
    ["RO", "access"],
    NONDET_ORDER,
  ),
  hashCmd(
    "hdel",
    -3,
    ["write", "fast"],
    "2.0.0",
    "Delete one or more hash fields",
    "O(N) where N is the number of fields to be removed.",
    hdelCommand,
    ["RW", "delete"],
  ),
  hashCmd("hlen", 2, READ_FAST, "2.0.0", "Get the number of fields in a hash", "O(1)", hlenCommand, ["RO"]),
  hashCmd("hexists", 3, READ_FAST, "2.0.0", "Determine if a hash field exists", "O(1)", hexistsCommand, ["RO"]),
  hashCmd(
    "hkeys",
    2,
    ["readonly"],
    "2.0.0",
    "Get all the fields in a hash",
    "O(N) where N is the size of the hash.",
    hkeysCommand,
    ["RO", "access"],
    NONDET_ORDER,
  ),
  hashCmd(
    "hvals",
    2,
    ["readonly"],
    "2.0.0",
    "Get all the values in a hash",
    "O(N) where N is the size of the hash.",
    hvalsCommand,
    ["RO", "access"],
    NONDET_ORDER,
  ),
  hashCmd(
    "hincrby",
    4,
    WRITE_FAST,
    "2.0.0",
    "Increment the integer value of a hash field by the given number",
    "O(1)",
    hincrbyCommand,
    ["RW", "access", "update"],
  ),
  hashCmd(
    "hincrbyfloat",
    4,
    WRITE_FAST,
    "2.6.0",
    "Increment the float value of a hash field by the given amount",
    "O(1)",
    hincrbyfloatCommand,
    ["RW", "access", "update"],
  ),
  hashCmd("hstrlen", 3, READ_FAST, "3.2.0", "Get the length of the value of a hash field", "O(1)", hstrlenCommand, [
    "RO",
  ]),
  hashCmd(
    "hrandfield",
    -2,
    ["readonly"],
    "6.2.0",
    "Get one or multiple random fields from a hash",
    "O(N) where N is the number of fields returned",
    hrandfieldCommand,
    ["RO", "access"],
    NONDET,
  ),
  hashCmd(
    "hscan",
    -3,
    ["readonly"],
    "2.8.0",
    "Incrementally iterate hash fields and associated values",
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    hscanCommand,
    ["RO", "access"],
    NONDET,
  ),
];
