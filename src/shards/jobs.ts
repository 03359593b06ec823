/*
 * Cross-shard work whose pieces depend on each other (docs/ARCHITECTURE.md, "dependent
 * cross-shard work"). A job runs while every shard it touches is held at the job's point
 * of the global order, so it sees all earlier commands complete and no later one started:
 * it can read on one shard and write on another as if the keyspace were one dict.
 *
 * The same job code runs in the coordinator thread (worker shards) and on the main thread
 * (`--shards 0`, where there is nothing to hold).
 */
import { ERR_NO_SUCH_KEY } from "../resp/errors.js";
import { OK, ONE, ZERO } from "../resp/reply.js";
import { decodeBulkArray } from "../resp/scan.js";

/** Held shards, as a job sees them. */
export interface HeldShards {
  /** an internal operation (src/shards/control.ts) on shard `s` */
  control(s: number, argv: string[]): string;
}

export interface JobContext {
  held: HeldShards;
  argv: string[];
  db: number;
  shardOf(key: string): number;
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
  return nx ? ONE : OK;
}

/* MSETNX key value [key value ...] over several shards: all or nothing */
function msetnxJob(ctx: JobContext): string {
  const { held, argv, shardOf } = ctx;
  const db = String(ctx.db);
  for (let i = 1; i < argv.length; i += 2) {
    if (held.control(shardOf(argv[i]), ["exists", db, argv[i]]) === ONE) return ZERO;
  }
  for (let i = 1; i < argv.length; i += 2) held.control(shardOf(argv[i]), ["set", db, argv[i], argv[i + 1]]);
  return ONE;
}

export const JOBS: Record<string, (ctx: JobContext) => string> = {
  rename: (ctx) => renameGeneric(ctx, false),
  renamenx: (ctx) => renameGeneric(ctx, true),
  msetnx: msetnxJob,
};
