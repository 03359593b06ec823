/*
 * The shard engine: the data a shard owns and the loop body that executes commands on it.
 *
 * The same engine runs in a worker thread (workers/shard.ts, fed by a shared-memory ring)
 * or on the main thread with `--shards 0`. It never touches sockets: it takes argv and
 * returns the reply as RESP bytes (a latin1 string).
 */

// the module's binding, not the global: Node's global `performance` is a lazy getter that
// runs on every access (about 30 ns; execute() reads it twice per command)
import { performance } from "node:perf_hooks";
import { lookupCommand } from "../commands/table.js";
import type { CommandSpec, ShardCtx } from "../commands/types.js";
import { NOTIFY_EXPIRED, NOTIFY_NEW } from "../config/keyspace-events.js";
import { LatencyHistogram } from "../observe/latency.js";
import { type ShardSlowlogEntry, slowlogArgs } from "../observe/slowlog.js";
import { error, isErrorReply, type Proto } from "../resp/reply.js";
import { log } from "../util/log.js";
import { ScanWalks } from "./scan-walks.js";

/**
 * A value of one of the aggregate types (list, hash, set, zset, stream). Each type is a
 * class in src/types/ that registers how to read its serialized form back.
 */
export interface Collection {
  /** what TYPE answers */
  readonly type: "list" | "hash" | "set" | "zset" | "stream";
  /** what OBJECT ENCODING answers, under the engine's current settings */
  encoding(settings: EngineSettings): string;
  /** a byte string (latin1) that the type's registered loader turns back into an equal value */
  serialize(): string;
  /** MEMORY USAGE estimate in bytes, sampling `samples` elements (0: all) */
  memoryUsage?(samples: number): number;
}

/** A stored value. Strings: a latin1 byte string, or a number for Redis's `int` encoding. */
export type Value = string | number | Collection;

/** TYPE's answer for a value. */
export function typeName(v: Value): string {
  return typeof v === "object" ? v.type : "string";
}

/**
 * The registered loaders. Type modules register while the command table loads, which can
 * be before this module's body has run (the table and the engine import each other), so
 * the registry hangs off the thread's global object instead of a module-level const.
 */
function loaders(): Map<string, (payload: string) => Collection> {
  const g = globalThis as { shardisValueLoaders?: Map<string, (payload: string) => Collection> };
  if (g.shardisValueLoaders === undefined) g.shardisValueLoaders = new Map();
  return g.shardisValueLoaders;
}

/** A collection type declares how its serialize() output is read back (once, at module load). */
export function registerValueType(type: Collection["type"], load: (payload: string) => Collection): void {
  loaders().set(type, load);
}

/**
 * A value as it travels between shards (RENAME/MOVE/COPY across shards, cross-shard jobs):
 * a type tag and a byte-string payload.
 */
export function serializeValue(v: Value): [string, string] {
  if (typeof v === "number") return ["i", String(v)];
  if (typeof v === "string") return ["s", v];
  return [v.type, v.serialize()];
}

export function deserializeValue(tag: string, payload: string): Value {
  if (tag === "i") return Number(payload);
  if (tag === "s" || tag === "r") return payload;
  const load = loaders().get(tag);
  if (load === undefined) throw new Error(`unknown value tag '${tag}'`);
  return load(payload);
}

/**
 * The configs that shape how values are stored (encodings, limits). The main thread
 * pushes changes to every shard (control `config`) and hands a copy to each cross-shard job.
 */
export interface EngineSettings {
  "hash-max-listpack-entries": number;
  "hash-max-listpack-value": number;
  "set-max-intset-entries": number;
  "zset-max-listpack-entries": number;
  "zset-max-listpack-value": number;
  "list-max-listpack-size": number;
  "list-compress-depth": number;
  "stream-node-max-bytes": number;
  "stream-node-max-entries": number;
  "proto-max-bulk-len": number;
  /** notify-keyspace-events as flags (src/config/keyspace-events.ts) */
  "notify-keyspace-events": number;
  "hll-sparse-max-bytes": number;
  /** 1 when maxmemory-policy is an LFU one (OBJECT FREQ works, OBJECT IDLETIME refuses) */
  lfu: number;
}

/** The settings that are config directives of the same name (`lfu` is derived). */
export const ENGINE_SETTINGS: ReadonlyArray<keyof EngineSettings> = [
  "hash-max-listpack-entries",
  "hash-max-listpack-value",
  "set-max-intset-entries",
  "zset-max-listpack-entries",
  "zset-max-listpack-value",
  "list-max-listpack-size",
  "list-compress-depth",
  "stream-node-max-bytes",
  "stream-node-max-entries",
  "proto-max-bulk-len",
  "notify-keyspace-events",
  "hll-sparse-max-bytes",
];

/** Redis 7.0's defaults. */
export function defaultEngineSettings(): EngineSettings {
  return {
    "hash-max-listpack-entries": 128,
    "hash-max-listpack-value": 64,
    "set-max-intset-entries": 512,
    "zset-max-listpack-entries": 128,
    "zset-max-listpack-value": 64,
    "list-max-listpack-size": -2,
    "list-compress-depth": 0,
    "stream-node-max-bytes": 4096,
    "stream-node-max-entries": 100,
    "proto-max-bulk-len": 512 * 1024 * 1024,
    "notify-keyspace-events": 0,
    "hll-sparse-max-bytes": 3000,
    lfu: 0,
  };
}

/** One logical database's part that lives in this shard. */
export class ShardDb {
  readonly dict = new Map<string, Value>();
  /** key -> absolute expire time in ms, as Redis's db->expires */
  readonly expires = new Map<string, number>();
  /** the active expiry cycle's place in `expires`; survives across cycles */
  expireCursor: Iterator<[string, number]> | undefined;
  /** for INFO keyspace avg_ttl: Redis keeps a running average from the expiry cycle */
  avgTtl = 0;
  /**
   * Keys whose string value Redis would hold in the `raw` encoding although it is short
   * (APPEND, SETRANGE, SETBIT, ... build strings in place): OBJECT ENCODING reads it.
   */
  readonly raw = new Set<string>();
  /** RANDOMKEY's walk over `dict`, kept across calls */
  randomCursor: Iterator<string> | undefined;
}

export interface CommandStat {
  calls: number;
  usec: number;
  failed: number;
}

/** What a shard reports to INFO: merged over shards by the main thread. */
export interface ShardStats {
  commands: Record<string, CommandStat>;
  errors: Record<string, number>;
  keyspaceHits: number;
  keyspaceMisses: number;
  expiredKeys: number;
  expiredStalePerc: number;
  dirty: number;
  keyspace: Array<{ keys: number; expires: number; avgTtl: number }>;
  heapUsed: number;
  /** per-command latency histograms (latency-tracking), as sparse [bucket, count] pairs */
  latency: Record<string, Array<[number, number]>>;
}

// active expiry (expire.c): ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP and the stale threshold
const EXPIRE_KEYS_PER_LOOP = 20;
const EXPIRE_ACCEPTABLE_STALE = 10;

/** What this thread's data takes: V8 heap plus off-heap Buffers. */
function shardMemory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

export class ShardEngine {
  dbs: ShardDb[];
  readonly commandStats = new Map<string, CommandStat>();
  readonly errorStats = new Map<string, number>();
  keyspaceHits = 0;
  keyspaceMisses = 0;
  expiredKeys = 0;
  expiredStalePerc = 0;
  /** changes since the last save, like Redis's server.dirty */
  dirty = 0;
  activeExpireEnabled = true;
  /** latency-tracking: per-command histograms of execution time */
  latencyTracking = true;
  readonly histograms = new Map<string, LatencyHistogram>();
  /** slowlog-log-slower-than / slowlog-max-len as the main thread tells us (-1: off) */
  slowlogSlowerThan = 10000;
  slowlogMaxLen = 128;
  /** newest first, like Redis's list */
  slowlog: ShardSlowlogEntry[] = [];
  private slowlogNextId = 0;
  /** Time snapshot for the current batch (Redis: commandTimeSnapshot). */
  now = Date.now();
  /** how long the last execute() took, in ms (the inline shard's slow log reads it) */
  lastMs = 0;
  /**
   * Keyspace events raised and not yet handed to the main thread, which publishes them
   * (notify-keyspace-events): flat triples of db index, event, key.
   */
  events: string[] = [];
  /** called when the first event of a batch is raised (the inline shard publishes at once) */
  onEvent: (() => void) | undefined;
  /** SCAN's walks over this shard's dicts */
  readonly scanWalks = new ScanWalks();
  /** storage configs (encodings, limits), kept in step with CONFIG SET by the main thread */
  settings: EngineSettings = defaultEngineSettings();

  constructor(
    readonly id: number,
    databases: number,
  ) {
    this.dbs = Array.from({ length: databases }, () => new ShardDb());
  }

  // ------------------------------------------------------------------ keyspace API

  /** Drops the key if its TTL has passed (lazy expiry, expireIfNeeded). */
  private expireIfNeeded(db: ShardDb, key: string): boolean {
    const when = db.expires.get(key);
    if (when === undefined || when > this.now) return false;
    db.expires.delete(key);
    db.dict.delete(key);
    if (db.raw.size !== 0) db.raw.delete(key);
    this.expiredKeys++;
    if (this.settings["notify-keyspace-events"] !== 0)
      this.notify(NOTIFY_EXPIRED, "expired", key, this.dbs.indexOf(db));
    return true;
  }

  /** lookupKeyRead: counts hits and misses. */
  lookupRead(db: ShardDb, key: string): Value | undefined {
    const v = db.dict.get(key);
    if (v === undefined) {
      this.keyspaceMisses++;
      return undefined;
    }
    if (db.expires.size !== 0 && this.expireIfNeeded(db, key)) {
      this.keyspaceMisses++;
      return undefined;
    }
    this.keyspaceHits++;
    return v;
  }

  /** lookupKeyWrite: expires but does not count hits/misses. */
  lookupWrite(db: ShardDb, key: string): Value | undefined {
    const v = db.dict.get(key);
    if (v === undefined) return undefined;
    if (db.expires.size !== 0 && this.expireIfNeeded(db, key)) return undefined;
    return v;
  }

  /** setKey: stores the value; drops the TTL unless keepTtl (SET ... KEEPTTL). */
  setKey(db: ShardDb, key: string, value: Value, keepTtl = false): void {
    if (this.settings["notify-keyspace-events"] & NOTIFY_NEW && !db.dict.has(key)) {
      this.notify(NOTIFY_NEW, "new", key, this.dbs.indexOf(db));
    }
    db.dict.set(key, value);
    if (!keepTtl && db.expires.size !== 0) db.expires.delete(key);
    if (db.raw.size !== 0) db.raw.delete(key);
    this.dirty++;
  }

  /**
   * A key's value as it travels between shards: [tag, payload]; a string Redis would hold
   * as `raw` travels with tag "r" (see putValue).
   */
  dumpValue(db: ShardDb, key: string, v: Value): [string, string] {
    const out = serializeValue(v);
    if (out[0] === "s" && db.raw.has(key)) out[0] = "r";
    return out;
  }

  /** Stores a travelled value (replacing the key, TTL dropped). */
  putValue(db: ShardDb, key: string, tag: string, payload: string): void {
    this.setKey(db, key, deserializeValue(tag, payload));
    if (tag === "r") this.markRaw(db, key);
  }

  /**
   * notifyKeyspaceEvent: records `event` on `key` if its class (NOTIFY_* in
   * src/config/keyspace-events.ts) is enabled; the main thread publishes it on the
   * __keyspace@db__ and __keyevent@db__ channels as the K/E flags ask.
   */
  notify(type: number, event: string, key: string, dbIndex: number): void {
    if ((this.settings["notify-keyspace-events"] & type) === 0) return;
    if (this.events.length === 0 && this.onEvent !== undefined) this.onEvent();
    this.events.push(String(dbIndex), event, key);
  }

  /** The events raised so far, handed over (and forgotten here). */
  takeEvents(): string[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  /** After setKey: the string was built in place, Redis would call it `raw`. */
  markRaw(db: ShardDb, key: string): void {
    db.raw.add(key);
  }

  deleteKey(db: ShardDb, key: string): boolean {
    if (!db.dict.delete(key)) return false;
    if (db.expires.size !== 0) db.expires.delete(key);
    if (db.raw.size !== 0) db.raw.delete(key);
    this.dirty++;
    return true;
  }

  setExpire(db: ShardDb, key: string, when: number): void {
    db.expires.set(key, when);
  }

  /** Live key count of a db (expired-but-not-yet-reclaimed keys included, as Redis's DBSIZE). */
  flushDb(index: number): void {
    const db = this.dbs[index];
    this.dirty += db.dict.size;
    this.dbs[index] = new ShardDb();
  }

  flushAll(): void {
    for (let i = 0; i < this.dbs.length; i++) this.flushDb(i);
    // FLUSHALL counts as one change on top of the removed keys (server.dirty++ in flushallCommand)
    this.dirty++;
  }

  swapDb(a: number, b: number): void {
    const t = this.dbs[a];
    this.dbs[a] = this.dbs[b];
    this.dbs[b] = t;
  }

  // ------------------------------------------------------------------ dispatch

  /**
   * Executes one command that the main thread has already checked (known command, arity,
   * auth) and routed here. A throw inside a handler is a bug: it is caught, logged with
   * the command name, counted, and answered with an error; the shard keeps going.
   */
  execute(argv: string[], dbIndex: number, proto: Proto, resolved?: CommandSpec, client = 0): string {
    let spec = resolved ?? lookupCommand(argv[0]);
    if (resolved === undefined && spec?.subcommands !== undefined && argv.length > 1) {
      spec = spec.subcommands.get(argv[1].toLowerCase()) ?? spec;
    }
    const name = spec?.name ?? argv[0].toLowerCase();
    const handler = spec?.shard;
    let reply: string;
    const t0 = performance.now();
    if (handler === undefined) {
      reply = error(`ERR internal: command '${name}' does not run in a shard`);
    } else {
      const ctx: ShardCtx = { engine: this, db: this.dbs[dbIndex], dbIndex, proto, now: this.now };
      try {
        reply = handler(ctx, argv);
      } catch (e) {
        log(
          "warning",
          `shard ${this.id}: command '${name}' threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        );
        reply = error(`ERR internal error while executing '${name}'`);
      }
    }
    const ms = performance.now() - t0;
    this.lastMs = ms;
    const usec = ms * 1000;
    let st = this.commandStats.get(name);
    if (st === undefined) {
      st = { calls: 0, usec: 0, failed: 0 };
      this.commandStats.set(name, st);
    }
    st.calls++;
    st.usec += usec;
    if (this.slowlogSlowerThan >= 0 && usec >= this.slowlogSlowerThan && !spec?.flags.includes("skip_slowlog")) {
      this.slowlog.unshift({
        id: this.slowlogNextId++,
        ms: Date.now(),
        usec: Math.round(usec),
        argv: slowlogArgs(argv),
        client,
      });
      if (this.slowlog.length > this.slowlogMaxLen) this.slowlog.length = Math.max(0, this.slowlogMaxLen);
    }
    if (this.latencyTracking) {
      let h = this.histograms.get(name);
      if (h === undefined) {
        h = new LatencyHistogram();
        this.histograms.set(name, h);
      }
      h.record(ms * 1e6);
    }
    if (isErrorReply(reply)) {
      st.failed++;
      const sp = reply.indexOf(" ");
      const code = reply.slice(1, sp > 0 ? sp : reply.length - 2);
      this.errorStats.set(code, (this.errorStats.get(code) ?? 0) + 1);
    }
    return reply;
  }

  // ------------------------------------------------------------------ active expiry

  /**
   * One active expiry cycle (expire.c, slow cycle): per db, sample keys with a TTL from a
   * persistent cursor, reclaim the expired ones, and keep going while more than 10% of a
   * sample was stale and the time budget (25% of a 100 ms tick) is not spent.
   */
  activeExpireCycle(budgetMs = 25): void {
    if (!this.activeExpireEnabled) return;
    const start = performance.now();
    this.now = Date.now();
    let sampled = 0;
    let expired = 0;
    for (const db of this.dbs) {
      if (db.expires.size === 0) continue;
      for (;;) {
        let loopExpired = 0;
        let loopSampled = 0;
        let ttlSum = 0;
        let ttlSamples = 0;
        for (let i = 0; i < EXPIRE_KEYS_PER_LOOP && db.expires.size > 0; i++) {
          if (db.expireCursor === undefined) db.expireCursor = db.expires.entries();
          const next = db.expireCursor.next();
          if (next.done) {
            db.expireCursor = undefined;
            if (i === 0) break;
            continue;
          }
          const [key, when] = next.value;
          loopSampled++;
          if (when <= this.now) {
            db.expires.delete(key);
            db.dict.delete(key);
            if (db.raw.size !== 0) db.raw.delete(key);
            this.expiredKeys++;
            loopExpired++;
            if (this.settings["notify-keyspace-events"] !== 0) {
              this.notify(NOTIFY_EXPIRED, "expired", key, this.dbs.indexOf(db));
            }
          } else {
            ttlSum += when - this.now;
            ttlSamples++;
          }
        }
        sampled += loopSampled;
        expired += loopExpired;
        if (ttlSamples > 0) {
          // running average as Redis does: 2% of the new sample's average each time
          const avg = ttlSum / ttlSamples;
          db.avgTtl = db.avgTtl === 0 ? avg : (db.avgTtl / 50) * 49 + avg / 50;
        }
        if (loopSampled === 0 || loopExpired * 100 <= loopSampled * EXPIRE_ACCEPTABLE_STALE) break;
        if (performance.now() - start > budgetMs) break;
      }
      if (db.expires.size === 0) db.avgTtl = 0;
    }
    this.expiredStalePerc = sampled === 0 ? 0 : (expired / sampled) * 100;
  }

  stats(): ShardStats {
    return {
      commands: Object.fromEntries(this.commandStats),
      errors: Object.fromEntries(this.errorStats),
      keyspaceHits: this.keyspaceHits,
      keyspaceMisses: this.keyspaceMisses,
      expiredKeys: this.expiredKeys,
      expiredStalePerc: this.expiredStalePerc,
      dirty: this.dirty,
      keyspace: this.dbs.map((db) => ({ keys: db.dict.size, expires: db.expires.size, avgTtl: Math.round(db.avgTtl) })),
      // off-heap Buffers (sealed list chunks) count too: in a worker they are its `external`
      heapUsed: shardMemory(),
      latency: Object.fromEntries([...this.histograms].map(([name, h]) => [name, h.toSparse()])),
    };
  }

  resetStats(): void {
    this.commandStats.clear();
    this.histograms.clear();
    this.errorStats.clear();
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.expiredKeys = 0;
  }
}
