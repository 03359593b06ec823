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

describe("cross-shard commands are atomic (split pieces and coordinator jobs)", () => {
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

  it("RENAME across shards: readers always see exactly one of the two names", async () => {
    const [a, b] = keysAcrossShards(2);
    expect(table[keyHashSlot(a)]).not.toBe(table[keyHashSlot(b)]);
    const w = new Redis({ port: srv.port, host: "127.0.0.1" });
    const readers = Array.from({ length: 3 }, () => new Redis({ port: srv.port, host: "127.0.0.1" }));
    try {
      await w.del(a, b);
      await w.set(a, "payload");
      let renames = 0;
      let bad = 0;
      let reads = 0;
      const deadline = Date.now() + 2500;
      const writer = (async () => {
        let from = a;
        let to = b;
        while (Date.now() < deadline) {
          const p = w.pipeline();
          for (let i = 0; i < 20; i++) {
            p.rename(from, to);
            [from, to] = [to, from];
          }
          for (const [err] of (await p.exec()) ?? []) if (err === null) renames++;
        }
      })();
      const read = async (r: Redis): Promise<void> => {
        while (Date.now() < deadline) {
          const p = r.pipeline();
          for (let i = 0; i < 20; i++) p.exists(a, b).mget(a, b);
          const res = (await p.exec()) ?? [];
          for (let i = 0; i < res.length; i += 2) {
            reads++;
            const vals = (res[i + 1][1] as (string | null)[]).filter((v) => v !== null);
            if (res[i][1] !== 1 || vals.length !== 1 || vals[0] !== "payload") bad++;
          }
        }
      };
      await Promise.all([writer, ...readers.map(read)]);
      expect(renames).toBeGreaterThan(100);
      expect(reads).toBeGreaterThan(100);
      expect(bad).toBe(0);
    } finally {
      w.disconnect();
      for (const r of readers) r.disconnect();
    }
  });

  it("MSETNX across shards: exactly one of many racing writers wins, all keys or none", async () => {
    const keys = keysAcrossShards(8);
    const clients = Array.from({ length: 6 }, () => new Redis({ port: srv.port, host: "127.0.0.1" }));
    try {
      for (let round = 0; round < 30; round++) {
        await clients[0].del(...keys);
        const results = await Promise.all(clients.map((c, id) => c.msetnx(...keys.flatMap((k) => [k, `c${id}`]))));
        expect(results.filter((r) => r === 1)).toHaveLength(1);
        const winner = `c${results.indexOf(1)}`;
        expect(await clients[1].mget(...keys)).toEqual(keys.map(() => winner));
      }
    } finally {
      for (const c of clients) c.disconnect();
    }
  });
});
