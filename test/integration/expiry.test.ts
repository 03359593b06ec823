/*
 * Active expiry: keys with a TTL are reclaimed by every shard's expiry cycle without being
 * read (DBSIZE counts keys not yet reclaimed, as in Redis), and INFO reports it.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startShardis } from "../helpers/servers.js";

for (const shards of ["0", "2"]) {
  describe(`active expiry with --shards ${shards}`, () => {
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

    it("reclaims expired keys in every shard without reads", async () => {
      const p = r.pipeline();
      for (let i = 0; i < 2000; i++) p.set(`exp:${i}`, "v", "PX", 100);
      for (let i = 0; i < 100; i++) p.set(`keep:${i}`, "v");
      await p.exec();
      expect(await r.dbsize()).toBe(2100);
      expect(await r.info("keyspace")).toMatch(/^db0:keys=2100,expires=2000,avg_ttl=\d+\r?$/m);
      const deadline = Date.now() + 10000;
      while ((await r.dbsize()) > 100 && Date.now() < deadline) await sleep(100);
      expect(await r.dbsize()).toBe(100);
      expect(await r.info("stats")).toMatch(/^expired_keys:2000\r?$/m);
      expect(await r.info("keyspace")).toMatch(/^db0:keys=100,expires=0,avg_ttl=0\r?$/m);
    });
  });
}
