/*
 * Cross-shard work whose pieces depend on each other (docs/ARCHITECTURE.md, "dependent
 * cross-shard work"). A job runs while every shard it touches is held at the job's point
 * of the global order, so it sees all earlier commands complete and no later one started:
 * it can read on one shard and write on another as if the keyspace were one dict.
 *
 * The same job code runs in the coordinator thread (worker shards) and on the main thread
 * (`--shards 0`, where there is nothing to hold).
 */

// The command table first: command modules and the engine import each other, and the
// table is the one entry into that cycle that initialises every module in order.
import "../commands/table.js";
import { parseCopyArgs } from "../commands/copy-args.js";
import { keyPositions } from "../commands/define.js";
import { parseSortOptions, sortGeneric } from "../commands/sort.js";
import { lookupCommand } from "../commands/table.js";
import { NOTIFY_GENERIC, NOTIFY_LIST, NOTIFY_STRING } from "../config/keyspace-events.js";
import { ERR_NO_SUCH_KEY } from "../resp/errors.js";
import { bulkArray, NULL_BULK2, OK, ONE, type Proto, ZERO } from "../resp/reply.js";
import { decodeBulkArray } from "../resp/scan.js";
import { ListValue } from "../types/list.js";
import { deserializeValue, type EngineSettings, ShardEngine, type Value } from "./engine.js";

/** Held shards, as a job sees them. */
export interface HeldShards {
  /** an internal operation (src/shards/control.ts) on shard `s` */
  control(s: number, argv: string[]): string;
}

export interface JobContext {
  held: HeldShards;
  argv: string[];
  db: number;
  proto: Proto;
  /** the storage settings in force when the command was sequenced */
  settings: EngineSettings;
  shardOf(key: string): number;
  /** keyspace events the job raises, published by the main thread */
  events: string[];
}

/* RENAME key newkey / RENAMENX key newkey, key and newkey in different shards */
function renameGeneric(ctx: JobContext, nx: boolean): string {
  const { held, argv, shardOf } = ctx;
  const db = String(ctx.db);
  const [, src, dst] = argv;
  const s = shardOf(src);
  const d = shardOf(dst);
  if (held.control(s, ["exists", db, src]) === ZERO) return ERR_NO_SUCH_KEY;
  if (nx && held.control(d, ["exists", db, dst]) === ONE) return ZERO;
  const taken = decodeBulkArray(held.control(s, ["take", db, src]));
  if (taken === undefined || taken.length !== 3)
    throw new Error("rename: the source shard did not hand the value over");
  held.control(d, ["put", db, dst, taken[0] as string, taken[1] as string, taken[2] as string]);
  jobNotify(ctx, NOTIFY_GENERIC, "rename_from", src);
  jobNotify(ctx, NOTIFY_GENERIC, "rename_to", dst);
  return nx ? ONE : OK;
}

/* MSETNX key value [key value ...] over several shards: all or nothing */
function msetnxJob(ctx: JobContext): string {
  const { held, argv, shardOf } = ctx;
  const db = String(ctx.db);
  for (let i = 1; i < argv.length; i += 2) {
    if (held.control(shardOf(argv[i]), ["exists", db, argv[i]]) === ONE) return ZERO;
  }
  for (let i = 1; i < argv.length; i += 2) {
    held.control(shardOf(argv[i]), ["set", db, argv[i], argv[i + 1]]);
    jobNotify(ctx, NOTIFY_STRING, "set", argv[i]);
  }
  return ONE;
}

/** A `dump` reply decoded: [tag, payload, expire-at or -1]. */
function decodeDump(r: string, what: string): [string, string, number] | undefined {
  if (r === NULL_BULK2) return undefined;
  const a = decodeBulkArray(r);
  if (a === undefined || a.length !== 3) throw new Error(`${what}: a shard answered '${r.slice(0, 60)}' to dump`);
  return [a[0] as string, a[1] as string, Number(a[2])];
}

/*
 * The general cross-shard job: any command whose keys are all known from its key
 * positions (BITOP, PFMERGE, PFCOUNT, SUNIONSTORE, LMOVE, ZUNIONSTORE, ...). Every key is
 * copied from its shard into a scratch engine, the command's own shard handler runs
 * there, and each key the command changed is written back to its shard (replaced or
 * deleted). The shards are held throughout, so the command is atomic as a whole.
 */
function gatherJob(ctx: JobContext): string {
  const { held, argv, shardOf } = ctx;
  let spec = lookupCommand(argv[0]);
  if (spec === undefined) throw new Error(`gather: unknown command '${argv[0]}'`);
  if (spec.subcommands !== undefined && argv.length > 1) spec = spec.subcommands.get(argv[1].toLowerCase()) ?? spec;
  const names = [...new Set(keyPositions(spec, argv).map((p) => argv[p]))];
  const scratch = new ShardEngine(-1, ctx.db + 1);
  scratch.settings = ctx.settings;
  scratch.latencyTracking = false;
  scratch.slowlogSlowerThan = -1;
  scratch.now = Date.now();
  const db = scratch.dbs[ctx.db];
  const dbArg = String(ctx.db);
  const before: string[] = [];
  for (const name of names) {
    const r = held.control(shardOf(name), ["dump", dbArg, name]);
    before.push(r);
    const d = decodeDump(r, spec.name);
    if (d === undefined) continue;
    db.dict.set(name, deserializeValue(d[0], d[1]));
    if (d[0] === "r") db.raw.add(name);
    if (d[2] >= 0) db.expires.set(name, d[2]);
  }
  const reply = scratch.execute(argv, ctx.db, ctx.proto, spec);
  ctx.events.push(...scratch.takeEvents());
  if (!spec.flags.includes("write")) return reply;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const v = db.dict.get(name);
    if (v === undefined) {
      if (before[i] !== NULL_BULK2) held.control(shardOf(name), ["del", dbArg, name]);
      continue;
    }
    const [tag, payload] = scratch.dumpValue(db, name, v);
    const when = String(db.expires.get(name) ?? -1);
    if (bulkArray([tag, payload, when]) === before[i]) continue;
    held.control(shardOf(name), ["put", dbArg, name, tag, payload, when]);
  }
  return reply;
}

/*
 * COPY source destination [DB n] [REPLACE], the keys in different shards: the value (and
 * TTL) is read from the source's shard and put in the destination's.
 */
function copyJob(ctx: JobContext): string {
  const { held, argv, shardOf } = ctx;
  const parsed = parseCopyArgs(argv, ctx.db, Number.MAX_SAFE_INTEGER);
  if (typeof parsed === "string") return parsed;
  const [dbid, replace] = parsed;
  const d = decodeDump(held.control(shardOf(argv[1]), ["dump", String(ctx.db), argv[1]]), "copy");
  if (d === undefined) return ZERO;
  const dst = shardOf(argv[2]);
  if (!replace && held.control(dst, ["exists", String(dbid), argv[2]]) === ONE) return ZERO;
  held.control(dst, ["put", String(dbid), argv[2], d[0], d[1], String(d[2])]);
  jobNotify(ctx, NOTIFY_GENERIC, "copy_to", argv[2], dbid);
  return ONE;
}

/*
 * SORT/SORT_RO whose keys live in several shards, or whose BY/GET patterns name keys that
 * may live anywhere (then every shard is held): keys are fetched from their shards as the
 * algorithm asks for them; STORE's list goes to the destination's shard.
 */
function sortJob(ctx: JobContext): string {
  const { held, argv, shardOf } = ctx;
  const readonly = argv[0].toLowerCase() === "sort_ro";
  const o = parseSortOptions(argv, readonly);
  if (typeof o === "string") return o;
  const dbArg = String(ctx.db);
  const cache = new Map<string, Value | undefined>();
  const lookup = (key: string): Value | undefined => {
    if (cache.has(key)) return cache.get(key);
    const d = decodeDump(held.control(shardOf(key), ["dump", dbArg, key]), "sort");
    const v = d === undefined ? undefined : deserializeValue(d[0], d[1]);
    cache.set(key, v);
    return v;
  };
  const r = sortGeneric(o, lookup(argv[1]), lookup, ctx.proto);
  if (r.stored !== undefined && o.store !== undefined) {
    const dst = shardOf(o.store);
    if (r.stored.length === 0) {
      if (held.control(dst, ["del", dbArg, o.store]) === ONE) jobNotify(ctx, NOTIFY_GENERIC, "del", o.store);
    } else {
      const l = ListValue.from(r.stored);
      l.setFill(ctx.settings["list-max-listpack-size"]);
      held.control(dst, ["put", dbArg, o.store, "list", l.serialize(), "-1"]);
      jobNotify(ctx, NOTIFY_LIST, "sortstore", o.store);
    }
  }
  return r.reply;
}

/** A keyspace event raised by a job itself (its writes go through shard controls). */
function jobNotify(ctx: JobContext, type: number, event: string, key: string, db = ctx.db): void {
  if (ctx.settings["notify-keyspace-events"] & type) ctx.events.push(String(db), event, key);
}

export const JOBS: Record<string, (ctx: JobContext) => string> = {
  rename: (ctx) => renameGeneric(ctx, false),
  renamenx: (ctx) => renameGeneric(ctx, true),
  msetnx: msetnxJob,
  gather: gatherJob,
  copy: copyJob,
  sort: sortJob,
};
