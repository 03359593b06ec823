/*
 * Internal operations a shard serves besides commands: what INFO needs, CONFIG RESETSTAT,
 * DEBUG SET-ACTIVE-EXPIRE, hz changes. Shared by the worker loop and the inline shard.
 * Replies are RESP like any other, so they travel the same way.
 */

import { encodeValue } from "../commands/string.js";
import { bulk, bulkArray, error, NULL_BULK2, OK, ONE, ZERO } from "../resp/reply.js";
import type { EngineSettings, ShardEngine } from "./engine.js";

export function shardControl(engine: ShardEngine, argv: string[]): { reply: string; hz?: number } {
  switch (argv[0]) {
    case "stats":
      return { reply: bulk(JSON.stringify(engine.stats())) };
    case "resetstat":
      engine.resetStats();
      return { reply: OK };
    case "slowlog-config":
      engine.slowlogSlowerThan = Number(argv[1]);
      engine.slowlogMaxLen = Number(argv[2]);
      if (engine.slowlog.length > engine.slowlogMaxLen) engine.slowlog.length = Math.max(0, engine.slowlogMaxLen);
      return { reply: OK };
    case "slowlog-get":
      return { reply: bulk(JSON.stringify(engine.slowlog)) };
    case "slowlog-reset":
      engine.slowlog = [];
      return { reply: OK };
    case "latency-tracking":
      engine.latencyTracking = argv[1] === "1";
      if (!engine.latencyTracking) engine.histograms.clear();
      return { reply: OK };
    case "active-expire":
      engine.activeExpireEnabled = argv[1] === "1";
      return { reply: OK };
    case "hz":
      return { reply: OK, hz: Math.max(1, Math.min(500, Number(argv[1]) || 10)) };
    case "config":
      // name value: a storage setting (EngineSettings) changed by CONFIG SET
      (engine.settings as unknown as Record<string, number>)[argv[1] as keyof EngineSettings] = Number(argv[2]);
      return { reply: OK };
    case "saved":
      engine.dirty = 0;
      return { reply: OK };
    // --- what the coordinator uses to move values between held shards (db, key, ...)
    case "exists": {
      // lookupKeyWrite: expires, counts no hit or miss
      const db = engine.dbs[Number(argv[1])];
      engine.now = Date.now();
      return { reply: engine.lookupWrite(db, argv[2]) === undefined ? ZERO : ONE };
    }
    case "scan":
      // db, walk id, count, pattern, type (src/commands/keyspace.ts)
      return {
        reply: engine.scanWalks.step(engine, Number(argv[1]), Number(argv[2]), Number(argv[3]), argv[4], argv[5]),
      };
    case "dirty":
      // the change counter, read around a write on a WATCHed key (src/net/transaction.ts)
      return { reply: `:${engine.dirty}\r\n` };
    case "expireat": {
      // db, key: the key's expire time in ms, -1 without one or without the key (WATCH)
      const db = engine.dbs[Number(argv[1])];
      engine.now = Date.now();
      if (engine.lookupWrite(db, argv[2]) === undefined) return { reply: ":-1\r\n" };
      return { reply: `:${db.expires.get(argv[2]) ?? -1}\r\n` };
    }
    case "dump": {
      // answers [type tag, payload, expire-at or -1] and leaves the key in place
      const db = engine.dbs[Number(argv[1])];
      engine.now = Date.now();
      const v = engine.lookupWrite(db, argv[2]);
      if (v === undefined) return { reply: NULL_BULK2 };
      const [tag, payload] = engine.dumpValue(db, argv[2], v);
      return { reply: bulkArray([tag, payload, String(db.expires.get(argv[2]) ?? -1)]) };
    }
    case "del": {
      const db = engine.dbs[Number(argv[1])];
      return { reply: engine.deleteKey(db, argv[2]) ? ONE : ZERO };
    }
    case "take": {
      // removes the key and answers [type tag, payload, expire-at or -1]
      const db = engine.dbs[Number(argv[1])];
      engine.now = Date.now();
      const v = engine.lookupWrite(db, argv[2]);
      if (v === undefined) return { reply: NULL_BULK2 };
      const [tag, payload] = engine.dumpValue(db, argv[2], v);
      const when = db.expires.get(argv[2]) ?? -1;
      engine.deleteKey(db, argv[2]);
      return { reply: bulkArray([tag, payload, String(when)]) };
    }
    case "set": {
      // db, key, value: SET semantics (int encoding, TTL dropped), for MSETNX pieces
      const db = engine.dbs[Number(argv[1])];
      engine.setKey(db, argv[2], encodeValue(argv[3]));
      return { reply: OK };
    }
    case "put": {
      // db, key, tag, payload, expire-at or -1: replaces whatever the key held
      const db = engine.dbs[Number(argv[1])];
      engine.putValue(db, argv[2], argv[3], argv[4]);
      const when = Number(argv[5]);
      if (when >= 0) engine.setExpire(db, argv[2], when);
      return { reply: OK };
    }
    default:
      return { reply: error(`ERR unknown shard control '${argv[0]}'`) };
  }
}
