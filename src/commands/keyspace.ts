/*
 * Keyspace commands beyond DEL/EXISTS/RENAME (db.c, object.c): TYPE UNLINK TOUCH KEYS
 * SCAN RANDOMKEY COPY MOVE OBJECT.
 *
 * KEYS and RANDOMKEY ask every shard; SCAN walks the shards one after the other, its
 * cursor naming the shard and a walk kept by that shard (see ScanWalks); COPY across
 * shards is a coordinator job (src/shards/jobs.ts).
 */

import { NOTIFY_GENERIC } from "../config/keyspace-events.js";
import { stringMatch } from "../keyspace/glob.js";
import type { Client } from "../net/client.js";
import { arrayHeader, bulk, bulkArray, error, nullBulk, ONE, ZERO } from "../resp/reply.js";
import { arrayElements, decodeBulkArray } from "../resp/scan.js";
import {
  deserializeValue,
  type ShardDb,
  type ShardEngine,
  serializeValue,
  typeName,
  type Value,
} from "../shards/engine.js";
import { parseInteger } from "../util/numbers.js";
import { helpReply } from "./connection.js";
import { ERR_SAME_OBJECT, parseCopyArgs, parseDbArg } from "./copy-args.js";
import { cmd, container, keySpec, keys1, keysAll, mainCmd, noKeys } from "./define.js";
import { delCommand, existsCommand } from "./keys.js";
import { ERR_INVALID_CURSOR, parseScanCursor, parseScanOptions } from "./scan-args.js";
import type { CommandSpec, ShardCtx } from "./types.js";

/** A deep copy, as COPY makes it: strings are immutable, aggregates go through their serial form. */
export function copyValue(v: Value): Value {
  if (typeof v !== "object") return v;
  const [tag, payload] = serializeValue(v);
  return deserializeValue(tag, payload);
}

// ---------------------------------------------------------------- TYPE

/* TYPE key */
function typeCommand(ctx: ShardCtx, argv: string[]): string {
  const v = ctx.engine.lookupRead(ctx.db, argv[1]);
  return v === undefined ? "+none\r\n" : `+${typeName(v)}\r\n`;
}

// ---------------------------------------------------------------- KEYS / RANDOMKEY

/* KEYS pattern: this shard's matching keys; expired ones are skipped, not deleted */
function keysCommand(ctx: ShardCtx, argv: string[]): string {
  const { db } = ctx;
  const pattern = argv[1];
  const all = pattern === "*";
  const now = ctx.now;
  let n = 0;
  let body = "";
  for (const key of db.dict.keys()) {
    if (!all && !stringMatch(pattern, key, false)) continue;
    if (db.expires.size !== 0) {
      const when = db.expires.get(key);
      if (when !== undefined && when <= now) continue;
    }
    body += `$${key.length}\r\n${key}\r\n`;
    n++;
  }
  return `*${n}\r\n${body}`;
}

/** Concatenates the shards' array replies (KEYS). */
function mergeArrays(replies: string[]): string {
  let n = 0;
  let body = "";
  for (const r of replies) {
    const els = arrayElements(r);
    if (els === undefined) return r;
    n += els.length;
    body += els.join("");
  }
  return `*${n}\r\n${body}`;
}

/**
 * RANDOMKEY, one shard's part: [size of the db here, a key] or an empty array. The walk
 * over the dict goes on from where the last call stopped, a random number of steps, so
 * that calls are cheap whatever the size (Redis's pick is not uniform either).
 * Expired keys met on the way are reclaimed, as dbRandomKey does.
 */
function randomkeyShard(ctx: ShardCtx): string {
  const { engine, db } = ctx;
  for (let tries = 0; tries < 100 && db.dict.size > 0; tries++) {
    const key = randomStep(db);
    if (key === undefined) continue;
    if (engine.lookupWrite(db, key) === undefined) continue;
    return bulkArray([String(db.dict.size), key]);
  }
  return "*0\r\n";
}

function randomStep(db: ShardDb): string | undefined {
  let steps = Math.floor(Math.random() * 16);
  for (;;) {
    if (db.randomCursor === undefined) db.randomCursor = db.dict.keys();
    const next = db.randomCursor.next();
    if (next.done) {
      db.randomCursor = undefined;
      return undefined;
    }
    if (steps-- === 0) return next.value;
  }
}

/** Picks one shard's key, each shard weighted by its key count. */
function mergeRandomkey(replies: string[], _argv: string[], proto: 2 | 3): string {
  const picks: Array<[number, string]> = [];
  let total = 0;
  for (const r of replies) {
    const a = decodeBulkArray(r);
    if (a === undefined) return r;
    if (a.length === 2) {
      const size = Number(a[0]);
      picks.push([size, a[1] as string]);
      total += size;
    }
  }
  if (picks.length === 0) return nullBulk(proto);
  let x = Math.random() * total;
  for (const [size, key] of picks) {
    if (x < size) return bulk(key);
    x -= size;
  }
  return bulk(picks[picks.length - 1][1]);
}

// ---------------------------------------------------------------- SCAN

/*
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. The cursor is walk * shards +
 * shard: shard 0 first, the next shard when a walk ends, 0 after the last.
 */
async function scanCommand(c: Client, argv: string[]): Promise<string> {
  const cursor = parseScanCursor(argv[1]);
  if (cursor === undefined) return ERR_INVALID_CURSOR;
  const o = parseScanOptions(argv, 2, true);
  if (typeof o === "string") return o;
  const pattern = o.pattern ?? "";
  const type = o.type ?? "";
  const router = c.server.router;
  const n = BigInt(router.count);
  let shard = Number(cursor % n);
  const w = cursor / n;
  let walk = w > BigInt(Number.MAX_SAFE_INTEGER) ? "0" : String(w);
  // COUNT bounds the keys one call visits; a huge one would stall the shard
  let budget = Math.min(o.count, 1000000);
  let keys = "";
  let found = 0;
  let out = 0n;
  // a walk that ends early goes on into the next shard while COUNT is not used up, so a
  // small keyspace comes back whole in one call, with cursor 0, as from Redis
  for (;;) {
    const reply = await router.controlOne(shard, ["scan", String(c.db), walk, String(budget), pattern, type]);
    const a = decodeBulkArray(reply);
    if (a === undefined) return reply;
    for (let i = 2; i < a.length; i++) keys += bulk(a[i] as string);
    found += a.length - 2;
    budget -= Number(a[1]);
    const next = Number(a[0]);
    if (next !== 0) {
      out = BigInt(next) * n + BigInt(shard);
      break;
    }
    if (shard + 1 >= router.count) break;
    shard++;
    walk = "0";
    if (budget <= 0) {
      out = BigInt(shard);
      break;
    }
  }
  return `*2\r\n${bulk(String(out))}${arrayHeader(found)}${keys}`;
}

// ---------------------------------------------------------------- COPY / MOVE

/* COPY, both keys in this shard (the destination possibly in another db) */
function copyCommand(ctx: ShardCtx, argv: string[]): string {
  const { engine } = ctx;
  const parsed = parseCopyArgs(argv, ctx.dbIndex, engine.dbs.length);
  if (typeof parsed === "string") return parsed;
  const [dbid, replace] = parsed;
  const v = engine.lookupRead(ctx.db, argv[1]);
  if (v === undefined) return ZERO;
  const dst = engine.dbs[dbid];
  if (engine.lookupWrite(dst, argv[2]) !== undefined) {
    if (!replace) return ZERO;
    engine.deleteKey(dst, argv[2]);
  }
  engine.setKey(dst, argv[2], copyValue(v));
  if (ctx.db.raw.has(argv[1])) engine.markRaw(dst, argv[2]);
  const when = ctx.db.expires.get(argv[1]);
  if (when !== undefined) engine.setExpire(dst, argv[2], when);
  engine.notify(NOTIFY_GENERIC, "copy_to", argv[2], dbid);
  return ONE;
}

/* MOVE key db: the key stays in this shard, only its database changes */
function moveCommand(ctx: ShardCtx, argv: string[]): string {
  const { engine, db } = ctx;
  const dbid = parseDbArg(argv[2], engine.dbs.length);
  if (typeof dbid === "string") return dbid;
  if (dbid === ctx.dbIndex) return ERR_SAME_OBJECT;
  const key = argv[1];
  const v = engine.lookupWrite(db, key);
  if (v === undefined) return ZERO;
  const when = db.expires.get(key);
  const dst = engine.dbs[dbid];
  if (engine.lookupWrite(dst, key) !== undefined) return ZERO;
  const raw = db.raw.has(key);
  engine.setKey(dst, key, v);
  if (raw) engine.markRaw(dst, key);
  if (when !== undefined) engine.setExpire(dst, key, when);
  engine.deleteKey(db, key);
  engine.notify(NOTIFY_GENERIC, "move_from", key, ctx.dbIndex);
  engine.notify(NOTIFY_GENERIC, "move_to", key, dbid);
  return ONE;
}

// ---------------------------------------------------------------- OBJECT

/** OBJ_ENCODING_EMBSTR_SIZE_LIMIT */
const EMBSTR_LIMIT = 44;
/** OBJ_SHARED_INTEGERS: values below it are shared objects with refcount INT_MAX */
const SHARED_INTEGERS = 10000;

/** What OBJECT ENCODING says for a value held under `key` in `db`. */
export function encodingOf(engine: ShardEngine, db: ShardDb, key: string, v: Value): string {
  if (typeof v === "number") return "int";
  if (typeof v === "object") return v.encoding(engine.settings);
  if (db.raw.has(key)) return "raw";
  // integers beyond the JS safe range are kept as strings; Redis holds them as `int`
  // (a safe-range integer kept as a string was built without tryObjectEncoding, as
  // INCRBYFLOAT's result is: embstr)
  if (v.length <= 20 && typeof parseInteger(v) === "bigint") return "int";
  return v.length <= EMBSTR_LIMIT ? "embstr" : "raw";
}

/* OBJECT ENCODING|REFCOUNT|FREQ|IDLETIME key: objectCommandLookupOrReply answers nil */
function objectCommand(ctx: ShardCtx, argv: string[]): string {
  const { engine, db } = ctx;
  const v = engine.lookupRead(db, argv[2]);
  if (v === undefined) return nullBulk(ctx.proto);
  switch (argv[1].toLowerCase()) {
    case "encoding":
      return bulk(encodingOf(engine, db, argv[2], v));
    case "refcount":
      return typeof v === "number" && v >= 0 && v < SHARED_INTEGERS ? ":2147483647\r\n" : ONE;
    case "idletime":
      if (engine.settings.lfu) return ERR_NO_LRU;
      // no per-key access clock is kept (see README): every key reads as just used
      return ZERO;
    default:
      if (!engine.settings.lfu) return ERR_NO_LFU;
      // FREQ under an LFU policy: no counters are kept (see README)
      return ZERO;
  }
}

const OBJECT_HELP = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Prints this help.",
];

const ERR_NO_LFU = error(
  "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
);
const ERR_NO_LRU = error(
  "ERR An LRU maxmemory policy is not selected, access time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
);

function objectSub(name: string, summary: string, check?: CommandSpec["check"]): CommandSpec {
  return cmd(
    `object|${name}`,
    3,
    ["readonly"],
    { first: 2, last: 2, step: 1 },
    "generic",
    name === "freq" ? "4.0.0" : "2.2.3",
    summary,
    "O(1)",
    {
      runsOn: "shard",
      shard: objectCommand,
      tips: ["nondeterministic_output"],
      keySpecs: [keySpec(["RO"], 2)],
      acl: ["keyspace"],
      ...(check !== undefined ? { check } : {}),
    },
  );
}

export const keyspaceCommands: CommandSpec[] = [
  cmd(
    "type",
    2,
    ["readonly", "fast"],
    keys1,
    "generic",
    "1.0.0",
    "Determines the type of value stored at a key.",
    "O(1)",
    {
      shard: typeCommand,
      keySpecs: [keySpec(["RO"], 1)],
      acl: ["keyspace"],
    },
  ),
  cmd(
    "unlink",
    -2,
    ["write", "fast"],
    keysAll,
    "generic",
    "4.0.0",
    "Asynchronously deletes one or more keys.",
    "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
    {
      shard: delCommand,
      split: "sum",
      tips: ["request_policy:multi_shard", "response_policy:agg_sum"],
      keySpecs: [keySpec(["RM", "delete"], 1, -1)],
      acl: ["keyspace"],
    },
  ),
  cmd(
    "touch",
    -2,
    ["readonly", "fast"],
    keysAll,
    "generic",
    "3.2.1",
    "Returns the number of existing keys out of those specified after updating the time they were last accessed.",
    "O(N) where N is the number of keys that will be touched.",
    {
      shard: existsCommand,
      split: "sum",
      tips: ["request_policy:multi_shard", "response_policy:agg_sum"],
      keySpecs: [keySpec(["RO"], 1, -1)],
      acl: ["keyspace"],
    },
  ),
  cmd(
    "keys",
    2,
    ["readonly"],
    noKeys,
    "generic",
    "1.0.0",
    "Returns all key names that match a pattern.",
    "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
    {
      shard: keysCommand,
      runsOn: "all",
      mergeAll: mergeArrays,
      tips: ["request_policy:all_shards", "nondeterministic_output_order"],
      acl: ["keyspace", "dangerous"],
    },
  ),
  cmd(
    "scan",
    -2,
    ["readonly"],
    noKeys,
    "generic",
    "2.8.0",
    "Iterates over the key names in the database.",
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
    {
      main: scanCommand,
      runsOn: "main",
      tips: ["nondeterministic_output", "request_policy:special"],
      acl: ["keyspace"],
    },
  ),
  cmd(
    "randomkey",
    1,
    ["readonly"],
    noKeys,
    "generic",
    "1.0.0",
    "Returns a random key name from the database.",
    "O(1)",
    {
      shard: randomkeyShard,
      runsOn: "all",
      mergeAll: mergeRandomkey,
      tips: ["request_policy:all_shards", "nondeterministic_output"],
      acl: ["keyspace"],
    },
  ),
  cmd(
    "copy",
    -3,
    ["write", "denyoom"],
    { first: 1, last: 2, step: 1 },
    "generic",
    "6.2.0",
    "Copies the value of a key to a new key.",
    "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
    {
      shard: copyCommand,
      cross: "copy",
      check: (argv, env) => {
        const r = parseCopyArgs(argv, -1, env.databases);
        return typeof r === "string" && r !== ERR_SAME_OBJECT ? r : undefined;
      },
      keySpecs: [keySpec(["RO", "access"], 1), keySpec(["OW", "update"], 2)],
      acl: ["keyspace"],
    },
  ),
  cmd("move", 3, ["write", "fast"], keys1, "generic", "1.0.0", "Moves a key to another database.", "O(1)", {
    shard: moveCommand,
    keySpecs: [keySpec(["RW", "access", "update"], 1)],
    acl: ["keyspace"],
  }),
  container("object", -2, "generic", "2.2.3", "A container for object introspection commands", [
    mainCmd(
      "object|help",
      2,
      ["loading", "stale"],
      "generic",
      "6.2.0",
      "Returns helpful text about the different subcommands.",
      "O(1)",
      () => helpReply(OBJECT_HELP),
      ["keyspace"],
    ),
    objectSub("encoding", "Returns the internal encoding of a Redis object."),
    objectSub("freq", "Returns the logarithmic access frequency counter of a Redis object."),
    objectSub("idletime", "Returns the time since the last access to a Redis object."),
    objectSub("refcount", "Returns the reference count of a value of a key."),
  ]),
];
