/*
 * Keyspace commands whose replies cannot be compared byte for byte with redis-server
 * (cursors, random picks), checked for the promises Redis makes instead:
 *  - SCAN returns every key present for the whole scan at least once, across shards,
 *    while keys are added and deleted between calls; MATCH and TYPE filter;
 *  - RANDOMKEY returns keys of every shard;
 *  - COPY across shards copies value and TTL, and is refused or replaced as asked.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startShardis } from "../helpers/servers.js";

async function scanAll(r: Redis, between?: (round: number) => Promise<void>, ...opts: string[]): Promise<string[]> {
  const seen: string[] = [];
  let cursor = "0";
  let round = 0;
  do {
    const [next, keys] = (await r.call("SCAN", cursor, ...opts)) as [string, string[]];
    seen.push(...keys);
    cursor = next;
    if (between !== undefined) await between(round++);
  } while (cursor !== "0");
  return seen;
}

for (const shards of ["0", "3"]) {
  describe(`keyspace commands with --shards ${shards}`, () => {
    let srv: ServerHandle;
    let r: Redis;
    beforeAll(async () => {
      srv = await startShardis(["--shards", shards]);
      r = new Redis({ port: srv.port, host: "127.0.0.1" });
    });
    afterAll(async () => {
      r?.disconnect();
      await srv?.stop();
    });

    it("SCAN returns every key that stays, whatever is added and deleted meanwhile", async () => {
      await r.flushall();
      const p = r.pipeline();
      for (let i = 0; i < 3000; i++) p.set(`stay:${i}`, "v");
      for (let i = 0; i < 1000; i++) p.set(`go:${i}`, "v");
      await p.exec();
      let added = 0;
      const seen = await scanAll(r, async (round) => {
        // churn between calls: delete some, add more
        const q = r.pipeline();
        for (let i = round * 20; i < round * 20 + 20 && i < 1000; i++) q.del(`go:${i}`);
        for (let i = 0; i < 30; i++) q.set(`new:${added++}`, "v");
        await q.exec();
      });
      const set = new Set(seen);
      for (let i = 0; i < 3000; i++) expect(set.has(`stay:${i}`), `stay:${i}`).toBe(true);
      // each call visits about COUNT keys: the scan took a number of calls, not one
      expect(seen.length).toBeGreaterThan(3000);
    });

    it("SCAN MATCH, COUNT and TYPE", async () => {
      await r.flushall();
      const p = r.pipeline();
      for (let i = 0; i < 500; i++) p.set(`a:${i}`, "v");
      for (let i = 0; i < 500; i++) p.set(`b:${i}`, "v");
      await p.exec();
      const matched = new Set(await scanAll(r, undefined, "MATCH", "a:*", "COUNT", "100"));
      expect(matched.size).toBe(500);
      for (const k of matched) expect(k.startsWith("a:")).toBe(true);
      expect(new Set(await scanAll(r, undefined, "TYPE", "string")).size).toBe(1000);
      expect(await scanAll(r, undefined, "TYPE", "list")).toEqual([]);
      // a made-up cursor is accepted: the walk starts over, nothing is lost
      const [, keys] = (await r.call("SCAN", "123456789", "COUNT", "5000")) as [string, string[]];
      expect(Array.isArray(keys)).toBe(true);
    });

    it("RANDOMKEY picks keys from every shard", async () => {
      await r.flushall();
      expect(await r.randomkey()).toBeNull();
      const names = ["a", "b", "c", "d", "e", "f", "g", "h"];
      await r.mset(...names.flatMap((n) => [n, "1"]));
      const got = new Set<string>();
      for (let i = 0; i < 400 && got.size < names.length; i++) got.add((await r.randomkey()) as string);
      expect([...got].sort()).toEqual(names);
    });

    it("COPY across shards: value, TTL, REPLACE, DB", async () => {
      await r.flushall();
      // a, b, c: in --shards 3 these names live in different shards
      await r.set("a", "hello", "EX", 1000);
      expect(await r.call("COPY", "a", "b")).toBe(1);
      expect(await r.get("b")).toBe("hello");
      expect(await r.ttl("b")).toBeGreaterThan(990);
      await r.set("c", "other");
      expect(await r.call("COPY", "a", "c")).toBe(0);
      expect(await r.get("c")).toBe("other");
      expect(await r.call("COPY", "a", "c", "REPLACE")).toBe(1);
      expect(await r.get("c")).toBe("hello");
      expect(await r.call("COPY", "a", "z", "DB", "2")).toBe(1);
      await r.select(2);
      expect(await r.get("z")).toBe("hello");
      await r.select(0);
      expect(await r.call("COPY", "nosuch", "b")).toBe(0);
    });
  });
}
