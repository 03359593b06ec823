/*
 * Set commands (t_set.c), and the SCAN-family argument parsing that HSCAN shares.
 */

import { NOTIFY_GENERIC, NOTIFY_SET } from "../config/keyspace-events.js";
import { stringMatch } from "../keyspace/glob.js";
import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE } from "../resp/errors.js";
import {
  arrayHeader,
  bulk,
  EMPTY_ARRAY,
  error,
  integer,
  nullBulk,
  ONE,
  type Proto,
  setHeader,
  ZERO,
} from "../resp/reply.js";
import type { Value } from "../shards/engine.js";
import { ScanIndex, SetValue } from "../types/set.js";
import { INT64_MIN, parseInteger } from "../util/numbers.js";
import { cmd, keySpec, keys1, keysAll } from "./define.js";
import { removeMembers } from "./members.js";
import { EMPTY_SCAN, ERR_INVALID_CURSOR, parseScanCursor, parseScanOptions, scanReply } from "./scan-args.js";
import type { CommandFlag, CommandSpec, KeySpec, ShardCtx, ShardHandler } from "./types.js";

// ---------------------------------------------------------------- errors and helpers

export const ERR_RANGE_POSITIVE = error("ERR value is out of range, must be positive");
/** getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX) without a message */
export const ERR_RANGE_LONG = error(
  "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
);
const ERR_NUMKEYS = error("ERR numkeys should be greater than 0");
const ERR_NUMKEYS_ARGS = error("ERR Number of keys can't be greater than number of args");
const ERR_LIMIT_NEGATIVE = error("ERR LIMIT can't be negative");

/** An empty set reply: `~0` in RESP3, `*0` in RESP2 (shared.emptyset). */
function emptySet(proto: Proto): string {
  return proto === 3 ? "~0\r\n" : EMPTY_ARRAY;
}

/** The members as a RESP3 set (a RESP2 array). */
function setReply(items: Iterable<string>, n: number, proto: Proto): string {
  let out = setHeader(n, proto);
  for (const m of items) out += `$${m.length}\r\n${m}\r\n`;
  return out;
}

function arrayReply(items: Iterable<string>, n: number): string {
  let out = arrayHeader(n);
  for (const m of items) out += `$${m.length}\r\n${m}\r\n`;
  return out;
}

/** The set at key, undefined when missing, or the WRONGTYPE reply. */
function getSet(ctx: ShardCtx, key: string, write: boolean): SetValue | undefined | string {
  const v = write ? ctx.engine.lookupWrite(ctx.db, key) : ctx.engine.lookupRead(ctx.db, key);
  if (v === undefined) return undefined;
  if (!(v instanceof SetValue)) return ERR_WRONGTYPE;
  return v;
}

/** dbAdd of a new aggregate: the key is new, its additions count as the changes. */
function addNewKey(ctx: ShardCtx, key: string, v: Value): void {
  ctx.engine.setKey(ctx.db, key, v);
  ctx.engine.dirty--;
}

/** getRangeLongFromObjectOrReply(c, o, -LONG_MAX, LONG_MAX, ..., NULL) */
export function parseCountArg(s: string): number | string {
  const v = parseInteger(s);
  if (v === undefined) return ERR_NOT_INTEGER;
  if (v === INT64_MIN) return ERR_RANGE_LONG;
  return Number(v);
}

/** Uniformly random `k` distinct elements of `arr` (partial Fisher-Yates, in place). */
function sampleDistinct<T>(arr: T[], k: number): T[] {
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(Math.random() * (arr.length - i));
    const t = arr[i];
    arr[i] = arr[j];
    arr[j] = t;
  }
  arr.length = k;
  return arr;
}

/**
 * `count` distinct random elements out of `size`: drawn one by one when they are few
 * (Redis's CASE 4), else sampled from all of them (`all` is only built then).
 */
export function distinctRandom(pick: () => string, all: () => string[], count: number, size: number): string[] {
  if (count * 3 >= size) return sampleDistinct(all(), count);
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(pick());
  return [...chosen];
}

// ---------------------------------------------------------------- SCAN family

/* SSCAN key cursor [MATCH pattern] [COUNT count] */
function sscanCommand(ctx: ShardCtx, argv: string[]): string {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === undefined) return ERR_INVALID_CURSOR;
  const set = getSet(ctx, argv[1], false);
  if (set === undefined) return EMPTY_SCAN;
  if (typeof set === "string") return set;
  const opts = parseScanOptions(argv, 3);
  if (typeof opts === "string") return opts;
  let items: string[];
  let next = 0;
  if (set.intset) {
    // small encodings are returned whole, cursor 0, whatever cursor was asked for
    items = set.toArray();
  } else {
    if (cursor === 0n || set.scanIndex === undefined) set.scanIndex ??= new ScanIndex(set.members);
    const r = set.scanIndex.step(cursor, opts.count, (m) => set.members.has(m));
    items = r.found;
    next = r.next;
    if (next === 0) set.scanIndex = undefined;
  }
  if (opts.pattern !== undefined) {
    const pat = opts.pattern;
    items = items.filter((m) => stringMatch(pat, m, false));
  }
  return scanReply(next, items);
}

// ---------------------------------------------------------------- single-key commands

/* SADD key member [member ...] */
function saddCommand(ctx: ShardCtx, argv: string[]): string {
  let set = getSet(ctx, argv[1], true);
  if (typeof set === "string") return set;
  if (set === undefined) {
    set = SetValue.create(argv[2]);
    addNewKey(ctx, argv[1], set);
  }
  const settings = ctx.engine.settings;
  let added = 0;
  for (let j = 2; j < argv.length; j++) if (set.add(argv[j], settings)) added++;
  if (added > 0) ctx.engine.notify(NOTIFY_SET, "sadd", argv[1], ctx.dbIndex);
  ctx.engine.dirty += added;
  return integer(added);
}

/* SREM key member [member ...] */
function sremCommand(ctx: ShardCtx, argv: string[]): string {
  const set = getSet(ctx, argv[1], true);
  if (set === undefined) return ZERO;
  if (typeof set === "string") return set;
  return removeMembers(ctx, argv, 2, set, (m) => set.remove(m), NOTIFY_SET, "srem");
}

/* SISMEMBER key member */
function sismemberCommand(ctx: ShardCtx, argv: string[]): string {
  const set = getSet(ctx, argv[1], false);
  if (set === undefined) return ZERO;
  if (typeof set === "string") return set;
  return set.has(argv[2]) ? ONE : ZERO;
}

/* SMISMEMBER key member [member ...] */
function smismemberCommand(ctx: ShardCtx, argv: string[]): string {
  const set = getSet(ctx, argv[1], false);
  if (typeof set === "string") return set;
  let out = arrayHeader(argv.length - 2);
  for (let j = 2; j < argv.length; j++) out += set?.has(argv[j]) ? ONE : ZERO;
  return out;
}

/* SCARD key */
function scardCommand(ctx: ShardCtx, argv: string[]): string {
  const set = getSet(ctx, argv[1], false);
  if (set === undefined) return ZERO;
  if (typeof set === "string") return set;
  return integer(set.size);
}

/* SMEMBERS key: SINTER of one set in 7.0 (a RESP3 set, in the encoding's order) */
function smembersCommand(ctx: ShardCtx, argv: string[]): string {
  const set = getSet(ctx, argv[1], false);
  if (set === undefined) return emptySet(ctx.proto);
  if (typeof set === "string") return set;
  return setReply(set.values(), set.size, ctx.proto);
}

/*
 * SMOVE source destination member
 *  1. a missing source answers 0 before any type check;
 *  2. then both keys must be sets (a missing destination is fine);
 *  3. source == destination only tells whether the member is there;
 *  4. a destination that does not exist is created from the member (setTypeCreate).
 */
function smoveCommand(ctx: ShardCtx, argv: string[]): string {
  const src = getSet(ctx, argv[1], true);
  const dst = getSet(ctx, argv[2], true);
  const ele = argv[3];
  if (src === undefined) return ZERO;
  if (typeof src === "string") return src;
  if (typeof dst === "string") return dst;
  if (src === dst) return src.has(ele) ? ONE : ZERO;
  if (!src.remove(ele)) return ZERO;
  ctx.engine.notify(NOTIFY_SET, "srem", argv[1], ctx.dbIndex);
  ctx.engine.dirty++;
  if (src.size === 0) {
    ctx.engine.deleteKey(ctx.db, argv[1]);
    ctx.engine.dirty--;
    ctx.engine.notify(NOTIFY_GENERIC, "del", argv[1], ctx.dbIndex);
  }
  let target = dst;
  if (target === undefined) {
    target = SetValue.create(ele);
    addNewKey(ctx, argv[2], target);
  }
  if (target.add(ele, ctx.engine.settings)) {
    ctx.engine.dirty++;
    ctx.engine.notify(NOTIFY_SET, "sadd", argv[2], ctx.dbIndex);
  }
  return ONE;
}

// ---------------------------------------------------------------- SPOP / SRANDMEMBER

/* SPOP key [count] */
function spopCommand(ctx: ShardCtx, argv: string[]): string {
  if (argv.length === 3) return spopWithCount(ctx, argv);
  if (argv.length > 3) return ERR_SYNTAX;
  const set = getSet(ctx, argv[1], true);
  if (set === undefined) return nullBulk(ctx.proto);
  if (typeof set === "string") return set;
  const m = set.random();
  set.remove(m);
  ctx.engine.notify(NOTIFY_SET, "spop", argv[1], ctx.dbIndex);
  if (set.size === 0) {
    ctx.engine.deleteKey(ctx.db, argv[1]);
    ctx.engine.notify(NOTIFY_GENERIC, "del", argv[1], ctx.dbIndex);
  } else ctx.engine.dirty++;
  return bulk(m);
}

/*
 * SPOP key count
 *  1. count must be a non-negative integer ("must be positive" otherwise);
 *  2. a missing key or count 0: an empty set;
 *  3. count >= size: the whole set, as SUNION of it would answer (a fresh set built from
 *     the members, so all-integer members come out sorted), and the key is deleted;
 *  4. otherwise `count` distinct random members.
 */
function spopWithCount(ctx: ShardCtx, argv: string[]): string {
  // getPositiveLongFromObjectOrReply: any failure is "must be positive"
  const n = parseInteger(argv[2]);
  if (n === undefined || n < 0) return ERR_RANGE_POSITIVE;
  const set = getSet(ctx, argv[1], true);
  if (set === undefined) return emptySet(ctx.proto);
  if (typeof set === "string") return set;
  const count = Number(n);
  if (count === 0) return emptySet(ctx.proto);
  const size = set.size;
  ctx.engine.notify(NOTIFY_SET, "spop", argv[1], ctx.dbIndex);
  if (count >= size) {
    const all = new SetValue(true);
    for (const m of set.values()) all.add(m, ctx.engine.settings);
    ctx.engine.deleteKey(ctx.db, argv[1]);
    ctx.engine.notify(NOTIFY_GENERIC, "del", argv[1], ctx.dbIndex);
    return setReply(all.values(), all.size, ctx.proto);
  }
  let picked: string[];
  if (count * 5 < size) {
    // few of many: pop one at a time (Redis's CASE 3)
    picked = [];
    for (let i = 0; i < count; i++) {
      const m = set.random();
      set.remove(m);
      picked.push(m);
    }
  } else {
    picked = sampleDistinct([...set.members], count);
    for (const m of picked) set.remove(m);
  }
  ctx.engine.dirty += count;
  return setReply(picked, count, ctx.proto);
}

/* SRANDMEMBER key [count] */
function srandmemberCommand(ctx: ShardCtx, argv: string[]): string {
  if (argv.length === 3) return srandmemberWithCount(ctx, argv);
  if (argv.length > 3) return ERR_SYNTAX;
  const set = getSet(ctx, argv[1], false);
  if (set === undefined) return nullBulk(ctx.proto);
  if (typeof set === "string") return set;
  return bulk(set.random());
}

/*
 * SRANDMEMBER key count (an array, also in RESP3)
 *  1. count in [-LONG_MAX, LONG_MAX]; a missing key or count 0: an empty array;
 *  2. negative: |count| members drawn independently (repeats possible);
 *  3. count >= size: the whole set in the encoding's order;
 *  4. otherwise `count` distinct random members.
 */
function srandmemberWithCount(ctx: ShardCtx, argv: string[]): string {
  const l = parseCountArg(argv[2]);
  if (typeof l === "string") return l;
  const set = getSet(ctx, argv[1], false);
  if (set === undefined) return EMPTY_ARRAY;
  if (typeof set === "string") return set;
  if (l === 0) return EMPTY_ARRAY;
  const size = set.size;
  if (l < 0) {
    const count = -l;
    let out = arrayHeader(count);
    for (let i = 0; i < count; i++) out += bulk(set.random());
    return out;
  }
  if (l >= size) return arrayReply(set.values(), size);
  return arrayReply(
    distinctRandom(
      () => set.random(),
      () => [...set.members],
      l,
      size,
    ),
    l,
  );
}

// ---------------------------------------------------------------- SINTER family

/**
 * sinterGenericCommand. Every key is type-checked (a missing key only marks the result
 * empty); the sets are visited from the smallest (a stable sort by size), and the
 * result lists the members in the smallest set's order.
 *  - dstkey: store the result (a fresh set: intset while all members are integers),
 *    or delete dstkey when it is empty; reply the cardinality;
 *  - cardOnly (SINTERCARD): count, stopping at `limit` (0: no limit).
 */
function sinterGeneric(
  ctx: ShardCtx,
  keys: readonly string[],
  dstkey: string | undefined,
  cardOnly: boolean,
  limit: number,
): string {
  const sets: SetValue[] = [];
  let empty = false;
  for (const k of keys) {
    const s = getSet(ctx, k, dstkey !== undefined);
    if (typeof s === "string") return s;
    if (s === undefined) empty = true;
    else sets.push(s);
  }
  if (empty) {
    if (dstkey !== undefined) {
      if (ctx.engine.deleteKey(ctx.db, dstkey)) ctx.engine.notify(NOTIFY_GENERIC, "del", dstkey, ctx.dbIndex);
      return ZERO;
    }
    return cardOnly ? ZERO : emptySet(ctx.proto);
  }
  const order = sets.map((s, i) => ({ s, i })).sort((a, b) => a.s.size - b.s.size || a.i - b.i);
  const first = order[0].s;
  const rest = order.slice(1).map((o) => o.s);
  const result: string[] = [];
  for (const m of first.values()) {
    let inAll = true;
    for (const other of rest) {
      if (other !== first && !other.has(m)) {
        inAll = false;
        break;
      }
    }
    if (!inAll) continue;
    result.push(m);
    if (cardOnly && limit > 0 && result.length >= limit) break;
  }
  if (cardOnly) return integer(result.length);
  if (dstkey !== undefined) {
    if (result.length === 0) {
      if (ctx.engine.deleteKey(ctx.db, dstkey)) ctx.engine.notify(NOTIFY_GENERIC, "del", dstkey, ctx.dbIndex);
      return ZERO;
    }
    const dst = new SetValue(true);
    for (const m of result) dst.add(m, ctx.engine.settings);
    ctx.engine.setKey(ctx.db, dstkey, dst);
    ctx.engine.notify(NOTIFY_SET, "sinterstore", dstkey, ctx.dbIndex);
    return integer(dst.size);
  }
  return setReply(result, result.length, ctx.proto);
}

/* SINTER key [key ...] */
function sinterCommand(ctx: ShardCtx, argv: string[]): string {
  return sinterGeneric(ctx, argv.slice(1), undefined, false, 0);
}

/* SINTERSTORE destination key [key ...] */
function sinterstoreCommand(ctx: ShardCtx, argv: string[]): string {
  return sinterGeneric(ctx, argv.slice(2), argv[1], false, 0);
}

/** SINTERCARD's numkeys as getRangeLongFromObjectOrReply(1, LONG_MAX) reads it. */
function sintercardNumkeys(argv: readonly string[]): number | string {
  const n = parseInteger(argv[1]);
  if (n === undefined || n < 1) return ERR_NUMKEYS;
  if (n > argv.length - 2) return ERR_NUMKEYS_ARGS;
  return Number(n);
}

/* SINTERCARD numkeys key [key ...] [LIMIT limit] */
function sintercardCommand(ctx: ShardCtx, argv: string[]): string {
  const numkeys = sintercardNumkeys(argv);
  if (typeof numkeys === "string") return numkeys;
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (argv[j].toLowerCase() === "limit" && j + 1 < argv.length) {
      const v = parseInteger(argv[++j]);
      if (v === undefined || v < 0) return ERR_LIMIT_NEGATIVE;
      limit = Number(v);
    } else return ERR_SYNTAX;
  }
  return sinterGeneric(ctx, argv.slice(2, 2 + numkeys), undefined, true, limit);
}

/**
 * Key positions of SINTERCARD: none when numkeys is invalid (COMMAND GETKEYS then answers
 * "Invalid arguments", as Redis); such calls never reach routing, `check` refuses them.
 */
function sintercardKeys(argv: string[]): number[] {
  const n = sintercardNumkeys(argv);
  if (typeof n === "string") return [];
  return Array.from({ length: n }, (_, i) => 2 + i);
}

/** The main thread's check before routing: numkeys errors come before any key is read. */
function sintercardCheck(argv: string[]): string | undefined {
  const n = sintercardNumkeys(argv);
  return typeof n === "string" ? n : undefined;
}

// ---------------------------------------------------------------- SUNION / SDIFF

/**
 * sunionDiffGenericCommand: every key type-checked, missing keys are empty sets. The
 * result is a fresh set (intset while all members are integers), so all-integer results
 * are listed in ascending order as Redis does.
 */
function sunionDiffGeneric(ctx: ShardCtx, keys: readonly string[], dstkey: string | undefined, diff: boolean): string {
  const sets: Array<SetValue | undefined> = [];
  for (const k of keys) {
    const s = getSet(ctx, k, dstkey !== undefined);
    if (typeof s === "string") return s;
    sets.push(s);
  }
  const settings = ctx.engine.settings;
  const dst = new SetValue(true);
  if (!diff) {
    for (const s of sets) if (s !== undefined) for (const m of s.values()) dst.add(m, settings);
  } else if (sets[0] !== undefined) {
    const first = sets[0];
    const others = sets.slice(1).filter((s): s is SetValue => s !== undefined);
    for (const m of first.values()) {
      let found = false;
      for (const o of others) {
        if (o === first || o.has(m)) {
          found = true;
          break;
        }
      }
      if (!found) dst.add(m, settings);
    }
  }
  if (dstkey === undefined) return setReply(dst.values(), dst.size, ctx.proto);
  if (dst.size === 0) {
    if (ctx.engine.deleteKey(ctx.db, dstkey)) ctx.engine.notify(NOTIFY_GENERIC, "del", dstkey, ctx.dbIndex);
    return ZERO;
  }
  ctx.engine.setKey(ctx.db, dstkey, dst);
  ctx.engine.notify(NOTIFY_SET, diff ? "sdiffstore" : "sunionstore", dstkey, ctx.dbIndex);
  return integer(dst.size);
}

/* SUNION key [key ...] */
function sunionCommand(ctx: ShardCtx, argv: string[]): string {
  return sunionDiffGeneric(ctx, argv.slice(1), undefined, false);
}

/* SUNIONSTORE destination key [key ...] */
function sunionstoreCommand(ctx: ShardCtx, argv: string[]): string {
  return sunionDiffGeneric(ctx, argv.slice(2), argv[1], false);
}

/* SDIFF key [key ...] */
function sdiffCommand(ctx: ShardCtx, argv: string[]): string {
  return sunionDiffGeneric(ctx, argv.slice(1), undefined, true);
}

/* SDIFFSTORE destination key [key ...] */
function sdiffstoreCommand(ctx: ShardCtx, argv: string[]): string {
  return sunionDiffGeneric(ctx, argv.slice(2), argv[1], true);
}

// ---------------------------------------------------------------- table

const NONDET_ORDER = ["nondeterministic_output_order"];
const NONDET = ["nondeterministic_output"];

function setCmd(
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
  return cmd(name, arity, flags, keys1, "set", since, summary, complexity, {
    shard: handler,
    keySpecs: [keySpec(keyFlags, 1)],
    ...(tips !== undefined ? { tips } : {}),
  });
}

const INTER_COMPLEXITY =
  "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.";
const UNION_COMPLEXITY = "O(N) where N is the total number of elements in all given sets.";
const SCAN_COMPLEXITY =
  "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..";

/** SINTER SUNION SDIFF: every argument a key, read. */
function multiRead(name: string, summary: string, complexity: string, handler: ShardHandler): CommandSpec {
  return cmd(name, -2, ["readonly"], keysAll, "set", "1.0.0", summary, complexity, {
    shard: handler,
    keySpecs: [keySpec(["RO", "access"], 1, -1)],
    tips: NONDET_ORDER,
    cross: "gather",
  });
}

/** SINTERSTORE SUNIONSTORE SDIFFSTORE: a destination, then the sources. */
function multiStore(
  name: string,
  dstFlags: string[],
  summary: string,
  complexity: string,
  handler: ShardHandler,
): CommandSpec {
  const specs: KeySpec[] = [keySpec(dstFlags, 1), keySpec(["RO", "access"], 2, -1)];
  return cmd(name, -3, ["write", "denyoom"], keysAll, "set", "1.0.0", summary, complexity, {
    shard: handler,
    keySpecs: specs,
    cross: "gather",
  });
}

export const setCommands: CommandSpec[] = [
  setCmd(
    "sadd",
    -3,
    ["write", "denyoom", "fast"],
    "1.0.0",
    "Add one or more members to a set",
    "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    saddCommand,
    ["RW", "insert"],
  ),
  setCmd(
    "srem",
    -3,
    ["write", "fast"],
    "1.0.0",
    "Remove one or more members from a set",
    "O(N) where N is the number of members to be removed.",
    sremCommand,
    ["RW", "delete"],
  ),
  setCmd(
    "smembers",
    2,
    ["readonly"],
    "1.0.0",
    "Get all the members in a set",
    "O(N) where N is the set cardinality.",
    smembersCommand,
    ["RO", "access"],
    NONDET_ORDER,
  ),
  setCmd(
    "sismember",
    3,
    ["readonly", "fast"],
    "1.0.0",
    "Determine if a given value is a member of a set",
    "O(1)",
    sismemberCommand,
    ["RO"],
  ),
  setCmd(
    "smismember",
    -3,
    ["readonly", "fast"],
    "6.2.0",
    "Returns the membership associated with the given elements for a set",
    "O(N) where N is the number of elements being checked for membership",
    smismemberCommand,
    ["RO", "access"],
  ),
  setCmd("scard", 2, ["readonly", "fast"], "1.0.0", "Get the number of members in a set", "O(1)", scardCommand, ["RO"]),
  setCmd(
    "spop",
    -2,
    ["write", "fast"],
    "1.0.0",
    "Remove and return one or multiple random members from a set",
    "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
    spopCommand,
    ["RW", "access", "delete"],
    NONDET,
  ),
  setCmd(
    "srandmember",
    -2,
    ["readonly"],
    "1.0.0",
    "Get one or multiple random members from a set",
    "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
    srandmemberCommand,
    ["RO", "access"],
    NONDET,
  ),
  cmd(
    "smove",
    4,
    ["write", "fast"],
    { first: 1, last: 2, step: 1 },
    "set",
    "1.0.0",
    "Move a member from one set to another",
    "O(1)",
    {
      shard: smoveCommand,
      keySpecs: [keySpec(["RW", "access", "delete"], 1), keySpec(["RW", "insert"], 2)],
      cross: "gather",
    },
  ),
  multiRead("sinter", "Intersect multiple sets", INTER_COMPLEXITY, sinterCommand),
  cmd(
    "sintercard",
    -3,
    ["readonly"],
    { first: 0, last: 0, step: 0 },
    "set",
    "7.0.0",
    "Intersect multiple sets and return the cardinality of the result",
    INTER_COMPLEXITY,
    {
      shard: sintercardCommand,
      runsOn: "shard",
      getKeys: sintercardKeys,
      check: sintercardCheck,
      keySpecs: [
        {
          flags: ["RO", "access"],
          beginSearch: { index: 1 },
          findKeys: { keynum: { keynumidx: 0, firstkey: 1, step: 1 } },
        },
      ],
      cross: "gather",
    },
  ),
  multiStore(
    "sinterstore",
    ["RW", "update"],
    "Intersect multiple sets and store the resulting set in a key",
    INTER_COMPLEXITY,
    sinterstoreCommand,
  ),
  multiRead("sunion", "Add multiple sets", UNION_COMPLEXITY, sunionCommand),
  multiStore(
    "sunionstore",
    ["OW", "update"],
    "Add multiple sets and store the resulting set in a key",
    UNION_COMPLEXITY,
    sunionstoreCommand,
  ),
  multiRead("sdiff", "Subtract multiple sets", UNION_COMPLEXITY, sdiffCommand),
  multiStore(
    "sdiffstore",
    ["OW", "update"],
    "Subtract multiple sets and store the resulting set in a key",
    UNION_COMPLEXITY,
    sdiffstoreCommand,
  ),
  setCmd(
    "sscan",
    -3,
    ["readonly"],
    "2.8.0",
    "Incrementally iterate Set elements",
    SCAN_COMPLEXITY,
    sscanCommand,
    ["RO", "access"],
    NONDET,
  ),
];
