/*
 * Streams under concurrency, with streams in different shards (--shards 3: s:a, s:b, s:c
 * fall in different shards): several producers XADD while group consumers read with
 * XREADGROUP BLOCK over all streams at once and XACK. Every entry is delivered to exactly
 * one consumer of the group, none is lost, and the pending lists end empty. Also: XREAD
 * BLOCK over several streams returns every stream that got data. (RESP2 clients: the
 * replies are arrays of [stream, entries].)
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startShardis } from "../helpers/servers.js";

const STREAMS = ["s:a", "s:b", "s:c"];

for (const shards of ["0", "3"]) {
  describe(`streams with --shards ${shards}`, () => {
    let srv: ServerHandle;
    let r: Redis;
    const extra: Redis[] = [];
    const client = (): Redis => {
      const c = new Redis({ port: srv.port, host: "127.0.0.1", protocol: 2 });
      extra.push(c);
      return c;
    };
    beforeAll(async () => {
      srv = await startShardis(["--shards", shards]);
      r = new Redis({ port: srv.port, host: "127.0.0.1", protocol: 2 });
    });
    afterAll(async () => {
      for (const c of extra) c.disconnect();
      r?.disconnect();
      await srv?.stop();
    });

    it("producers and group consumers: each entry delivered once, nothing lost, PEL empty", async () => {
      await r.flushall();
      for (const s of STREAMS) await r.xgroup("CREATE", s, "g", "$", "MKSTREAM");
      const perProducer = 150;
      const producers = [client(), client(), client()];
      const consumers = [client(), client(), client(), client()];
      const delivered = new Map<string, string>();
      const duplicates: string[] = [];
      let stop = false;
      const loops = consumers.map(async (c, i) => {
        while (!stop) {
          const res = (await c.call(
            "XREADGROUP",
            "GROUP",
            "g",
            `c${i}`,
            "COUNT",
            "10",
            "BLOCK",
            "100",
            "STREAMS",
            ...STREAMS,
            ">",
            ">",
            ">",
          )) as [string, [string, string[]][]][] | null;
          if (res === null) continue;
          for (const [stream, entries] of res) {
            for (const [id, fields] of entries) {
              const tag = fields[1];
              if (delivered.has(tag)) duplicates.push(tag);
              delivered.set(tag, `c${i}`);
              await c.xack(stream, "g", id);
            }
          }
        }
      });
      await Promise.all(
        producers.map(async (p, j) => {
          for (let i = 0; i < perProducer; i++) await p.xadd(STREAMS[(i + j) % 3], "*", "tag", `${j}:${i}`);
        }),
      );
      const total = perProducer * producers.length;
      const deadline = Date.now() + 15000;
      while (delivered.size < total && Date.now() < deadline) await sleep(20);
      stop = true;
      await Promise.all(loops);
      expect(duplicates).toEqual([]);
      expect(delivered.size).toBe(total);
      let lengths = 0;
      for (const s of STREAMS) {
        lengths += await r.xlen(s);
        const pending = (await r.xpending(s, "g")) as [number, ...unknown[]];
        expect(pending[0]).toBe(0);
      }
      expect(lengths).toBe(total);
      // every consumer took part
      expect(new Set(delivered.values()).size).toBeGreaterThan(1);
    });

    it("XREAD BLOCK over streams in different shards returns every stream with data", async () => {
      await r.flushall();
      const reader = client();
      const p = reader.call("XREAD", "BLOCK", "0", "STREAMS", ...STREAMS, "$", "$", "$") as Promise<
        [string, [string, string[]][]][]
      >;
      await sleep(100);
      // both writes in one transaction: the reader's retry sees them together
      await r.multi().xadd("s:a", "*", "f", "1").xadd("s:c", "*", "f", "2").exec();
      const res = await p;
      expect(res.map(([s]) => s).sort()).toEqual(["s:a", "s:c"]);
    });
  });
}
