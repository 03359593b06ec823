/*
 * Keyspace commands that span databases or all shards (db.c). Multi-key ones are split by
 * the router when their keys live in several shards; the shard handlers below see only
 * their own keys.
 */
import { NOTIFY_GENERIC } from "../config/keyspace-events.js";
import { ERR_DB_INDEX, ERR_NO_SUCH_KEY, ERR_SYNTAX } from "../resp/errors.js";
import { error, OK, ONE, ZERO } from "../resp/reply.js";
import { parseSafeInteger } from "../util/numbers.js";
import { cmd, keySpec, keysAll, noKeys } from "./define.js";
import type { ShardCtx } from "./types.js";

/* DEL key [key ...] */
export function delCommand(ctx: ShardCtx, argv: string[]): string {
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (ctx.engine.lookupWrite(ctx.db, argv[i]) !== undefined && ctx.engine.deleteKey(ctx.db, argv[i])) {
      ctx.engine.notify(NOTIFY_GENERIC, "del", argv[i], ctx.dbIndex);
      n++;
    }
  }
  return `:${n}\r\n`;
}

/* EXISTS key [key ...] */
export function existsCommand(ctx: ShardCtx, argv: string[]): string {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (ctx.engine.lookupRead(ctx.db, argv[i]) !== undefined) n++;
  return `:${n}\r\n`;
}

/*
 * RENAME key newkey / RENAMENX key newkey, both keys in this shard (renameGenericCommand).
 * Keys in different shards go through the coordinator's job of the same name.
 *  1. a missing source is an error, also when both names are the same;
 *  2. the same name: nothing moves (RENAMENX answers 0);
 *  3. the TTL moves with the value; an existing target is replaced (RENAME) or kept (NX).
 */
function renameGeneric(ctx: ShardCtx, argv: string[], nx: boolean): string {
  const { engine, db } = ctx;
  const src = argv[1];
  const dst = argv[2];
  const v = engine.lookupWrite(db, src);
  if (v === undefined) return ERR_NO_SUCH_KEY;
  if (src === dst) return nx ? ZERO : OK;
  const when = db.expires.get(src);
  if (engine.lookupWrite(db, dst) !== undefined) {
    if (nx) return ZERO;
    engine.deleteKey(db, dst);
  }
  const raw = db.raw.has(src);
  engine.setKey(db, dst, v);
  if (raw) engine.markRaw(db, dst);
  if (when !== undefined) engine.setExpire(db, dst, when);
  engine.deleteKey(db, src);
  engine.notify(NOTIFY_GENERIC, "rename_from", src, ctx.dbIndex);
  engine.notify(NOTIFY_GENERIC, "rename_to", dst, ctx.dbIndex);
  return nx ? ONE : OK;
}

/* DBSIZE */
function dbsizeCommand(ctx: ShardCtx): string {
  return `:${ctx.db.dict.size}\r\n`;
}

/** FLUSHDB/FLUSHALL [ASYNC|SYNC]: getFlushCommandFlags. Both modes free at once here. */
function checkFlushArgs(argv: string[]): string | undefined {
  if (argv.length > 2) return ERR_SYNTAX;
  if (argv.length === 2) {
    const m = argv[1].toLowerCase();
    if (m !== "sync" && m !== "async") return ERR_SYNTAX;
  }
  return undefined;
}

/* FLUSHDB [ASYNC|SYNC] */
function flushdbCommand(ctx: ShardCtx): string {
  ctx.engine.flushDb(ctx.dbIndex);
  return OK;
}

/* FLUSHALL [ASYNC|SYNC] */
function flushallCommand(ctx: ShardCtx): string {
  ctx.engine.flushAll();
  return OK;
}

/** SWAPDB's indexes, as swapdbCommand reads them; the database count comes from the caller. */
export function parseSwapDb(argv: string[], databases: number): [number, number] | string {
  const a = parseDbIndexArg(argv[1]);
  if (a === undefined) return error("ERR invalid first DB index");
  const b = parseDbIndexArg(argv[2]);
  if (b === undefined) return error("ERR invalid second DB index");
  if (a < 0 || a >= databases || b < 0 || b >= databases) return ERR_DB_INDEX;
  return [a, b];
}

/** getIntFromObject: an integer that fits a C int. */
function parseDbIndexArg(s: string): number | undefined {
  const n = parseSafeInteger(s);
  return n !== undefined && n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

/* SWAPDB index1 index2 */
function swapdbCommand(ctx: ShardCtx, argv: string[]): string {
  const r = parseSwapDb(argv, ctx.engine.dbs.length);
  if (typeof r === "string") return r;
  ctx.engine.swapDb(r[0], r[1]);
  return OK;
}

// ---------------------------------------------------------------- merges

export function mergeSum(replies: string[]): string {
  let n = 0;
  for (const r of replies) {
    if (r.charCodeAt(0) !== 58) return r; // ':' — an error from any shard wins
    n += Number(r.slice(1, -2));
  }
  return `:${n}\r\n`;
}

export function mergeOk(replies: string[]): string {
  for (const r of replies) if (r !== OK) return r;
  return OK;
}

export const keysCommands = [
  cmd(
    "rename",
    3,
    ["write"],
    { first: 1, last: 2, step: 1 },
    "generic",
    "1.0.0",
    "Renames a key and overwrites the destination.",
    "O(1)",
    {
      shard: (ctx, argv) => renameGeneric(ctx, argv, false),
      cross: "rename",
      keySpecs: [keySpec(["RW", "access", "delete"], 1), keySpec(["OW", "update"], 2)],
    },
  ),
  cmd(
    "renamenx",
    3,
    ["write", "fast"],
    { first: 1, last: 2, step: 1 },
    "generic",
    "1.0.0",
    "Renames a key only when the target key name doesn't exist.",
    "O(1)",
    {
      shard: (ctx, argv) => renameGeneric(ctx, argv, true),
      cross: "renamenx",
      keySpecs: [keySpec(["RW", "access", "delete"], 1), keySpec(["OW", "insert"], 2)],
    },
  ),
  cmd(
    "del",
    -2,
    ["write"],
    keysAll,
    "generic",
    "1.0.0",
    "Deletes one or more keys.",
    "O(N) where N is the number of keys that will be removed.",
    {
      shard: delCommand,
      split: "sum",
      tips: ["request_policy:multi_shard", "response_policy:agg_sum"],
      keySpecs: [keySpec(["RM", "delete"], 1, -1)],
    },
  ),
  cmd(
    "exists",
    -2,
    ["readonly", "fast"],
    keysAll,
    "generic",
    "1.0.0",
    "Determines whether one or more keys exist.",
    "O(N) where N is the number of keys to check.",
    {
      shard: existsCommand,
      split: "sum",
      tips: ["request_policy:multi_shard", "response_policy:agg_sum"],
      keySpecs: [keySpec(["RO"], 1, -1)],
    },
  ),
  cmd(
    "dbsize",
    1,
    ["readonly", "fast"],
    noKeys,
    "server",
    "1.0.0",
    "Returns the number of keys in the database.",
    "O(1)",
    {
      shard: dbsizeCommand,
      runsOn: "all",
      mergeAll: mergeSum,
      acl: ["keyspace"],
      tips: ["request_policy:all_shards", "response_policy:agg_sum"],
    },
  ),
  cmd(
    "flushdb",
    -1,
    ["write"],
    noKeys,
    "server",
    "1.0.0",
    "Remove all keys from the current database.",
    "O(N) where N is the number of keys in the selected database",
    {
      shard: flushdbCommand,
      runsOn: "all",
      tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
      check: checkFlushArgs,
      mergeAll: mergeOk,
      acl: ["keyspace", "dangerous"],
    },
  ),
  cmd(
    "flushall",
    -1,
    ["write"],
    noKeys,
    "server",
    "1.0.0",
    "Removes all keys from all databases.",
    "O(N) where N is the total number of keys in all databases",
    {
      shard: flushallCommand,
      runsOn: "all",
      tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
      check: checkFlushArgs,
      mergeAll: mergeOk,
      acl: ["keyspace", "dangerous"],
    },
  ),
  cmd(
    "swapdb",
    3,
    ["write", "fast"],
    noKeys,
    "server",
    "4.0.0",
    "Swaps two Redis databases.",
    "O(N) where N is the count of clients watching or blocking on keys from both databases.",
    {
      shard: swapdbCommand,
      runsOn: "all",
      check: (argv, env) => {
        const r = parseSwapDb(argv, env.databases);
        return typeof r === "string" ? r : undefined;
      },
      mergeAll: mergeOk,
      acl: ["keyspace", "dangerous"],
    },
  ),
];
