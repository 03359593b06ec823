/*
 * Cross-shard atomicity (docs/ARCHITECTURE.md, "the single sequencer"): MSET over keys in
 * different shards while readers MGET them. Every MGET must see one generation for all
 * keys; a torn read would show two. Keys are picked so that they land in both shards.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyHashSlot, slotTable } from "../../src/keyspace/slot.js";
import { type ServerHandle, startShardis } from "../helpers/servers.js";

const SHARDS = 2;
const table = slotTable(SHARDS);

function keysAcrossShards(n: number): string[] {
  const out: string[] = [];
  const perShard = new Array(SHARDS).fill(0);
  for (let i = 0; out.length < n; i++) {
    const k = `atom:${i}`;
    const s = table[keyHashSlot(k)];
    if (perShard[s] < Math.ceil(n / SHARDS)) {
      perShard[s]++;
      out.push(k);
    }
  }
  return out;
}

describe("cross-shard MSET / MGET / DEL are atomic", () => {
  let srv: ServerHandle;
  beforeAll(async () => {
    srv = await startShardis(["--shards", String(SHARDS)]);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it("the keys really live in different shards", () => {
    const shards = new Set(keysAcrossShards(8).map((k) => table[keyHashSlot(k)]));
    expect(shards.size).toBe(SHARDS);
  });

  it("no MGET observes a half-applied MSET", async () => {
    const keys = keysAcrossShards(8);
    const writers = Array.from({ length: 4 }, () => new Redis({ port: srv.port, host: "127.0.0.1" }));
    const readers = Array.from({ length: 4 }, () => new Redis({ port: srv.port, host: "127.0.0.1" }));
    try {
      await writers[0].mset(Object.fromEntries(keys.map((k) => [k, "w0:0"])));
      let torn = 0;
      let reads = 0;
      const deadline = Date.now() + 3000;
      const write = async (w: Redis, id: number): Promise<void> => {
        for (let gen = 1; Date.now() < deadline; gen++) {
          const p = w.pipeline();
          for (let j = 0; j < 10; j++) p.mset(Object.fromEntries(keys.map((k) => [k, `w${id}:${gen}.${j}`])));
          await p.exec();
        }
      };
      const read = async (r: Redis): Promise<void> => {
        while (Date.now() < deadline) {
          const p = r.pipeline();
          for (let j = 0; j < 10; j++) p.mget(...keys);
          for (const [, vals] of (await p.exec()) ?? []) {
            reads++;
            if (new Set(vals as string[]).size !== 1) torn++;
          }
        }
      };
      await Promise.all([...writers.map((w, i) => write(w, i)), ...readers.map((r) => read(r))]);
      expect(reads).toBeGreaterThan(100);
      expect(torn).toBe(0);
    } finally {
      for (const c of [...writers, ...readers]) c.disconnect();
    }
  });

  it("no EXISTS observes a half-applied DEL", async () => {
    const keys = keysAcrossShards(6);
    const a = new Redis({ port: srv.port, host: "127.0.0.1" });
    const b = new Redis({ port: srv.port, host: "127.0.0.1" });
    try {
      let partial = 0;
      const deadline = Date.now() + 2000;
      const writer = (async () => {
        while (Date.now() < deadline) {
          await a
            .pipeline()
            .mset(Object.fromEntries(keys.map((k) => [k, "x"])))
            .del(...keys)
            .exec();
        }
      })();
      const reader = (async () => {
        while (Date.now() < deadline) {
          const n = await b.exists(...keys);
          if (n !== 0 && n !== keys.length) partial++;
        }
      })();
      await Promise.all([writer, reader]);
      expect(partial).toBe(0);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });
});
