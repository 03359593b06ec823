/*
 * MULTI/EXEC across shards under concurrency (src/net/transaction.ts): clients move
 * amounts between accounts that live in different shards, with plain MULTI/EXEC and with
 * WATCH + retry, while readers check with MGET that the total never changes. Also: a
 * write by another client fails a WATCHed EXEC; a write that changes nothing does not.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startShardis } from "../helpers/servers.js";

const ACCOUNTS = ["a", "b", "c", "d", "e", "f"];
const START = 1000;

for (const shards of ["0", "3"]) {
  describe(`transactions with --shards ${shards}`, () => {
    let srv: ServerHandle;
    let r: Redis;
    const extra: Redis[] = [];
    const client = (): Redis => {
      const c = new Redis({ port: srv.port, host: "127.0.0.1" });
      extra.push(c);
      return c;
    };
    beforeAll(async () => {
      srv = await startShardis(["--shards", shards]);
      r = new Redis({ port: srv.port, host: "127.0.0.1" });
    });
    afterAll(async () => {
      for (const c of extra) c.disconnect();
      r?.disconnect();
      await srv?.stop();
    });

    it("MULTI/EXEC transfers never show a changed total to MGET readers", async () => {
      await r.flushall();
      await r.mset(...ACCOUNTS.flatMap((k) => [k, String(START)]));
      let stop = false;
      let reads = 0;
      const bad: number[] = [];
      const readers = [client(), client()].map(async (c) => {
        while (!stop) {
          const vals = await c.mget(...ACCOUNTS);
          const total = vals.reduce((s, v) => s + Number(v), 0);
          if (total !== START * ACCOUNTS.length) bad.push(total);
          reads++;
        }
      });
      const writers = [client(), client(), client()].map(async (c, w) => {
        for (let i = 0; i < 150; i++) {
          const from = ACCOUNTS[(i + w) % ACCOUNTS.length];
          const to = ACCOUNTS[(i * 7 + w + 1) % ACCOUNTS.length];
          if (from === to) continue;
          const res = await c.multi().decrby(from, 3).incrby(to, 3).exec();
          expect(res?.every(([err]) => err === null)).toBe(true);
        }
      });
      await Promise.all(writers);
      stop = true;
      await Promise.all(readers);
      expect(reads).toBeGreaterThan(10);
      expect(bad).toEqual([]);
      const vals = await r.mget(...ACCOUNTS);
      expect(vals.reduce((s, v) => s + Number(v), 0)).toBe(START * ACCOUNTS.length);
    });

    it("WATCH + retry: optimistic transfers keep every balance consistent", async () => {
      await r.flushall();
      await r.mset(...ACCOUNTS.flatMap((k) => [k, "100"]));
      let retries = 0;
      const workers = [client(), client(), client(), client()].map(async (c, w) => {
        for (let i = 0; i < 40; i++) {
          const from = ACCOUNTS[(i + w) % ACCOUNTS.length];
          const to = ACCOUNTS[(i + 2 * w + 1) % ACCOUNTS.length];
          if (from === to) continue;
          for (;;) {
            await c.watch(from, to);
            const [fv, tv] = (await c.mget(from, to)).map(Number);
            const res = await c
              .multi()
              .set(from, String(fv - 1))
              .set(to, String(tv + 1))
              .exec();
            if (res !== null) break;
            retries++;
          }
        }
      });
      await Promise.all(workers);
      const vals = await r.mget(...ACCOUNTS);
      expect(vals.reduce((s, v) => s + Number(v), 0)).toBe(100 * ACCOUNTS.length);
      // with four racing clients some EXECs must have been refused
      expect(retries).toBeGreaterThan(0);
    });

    it("another client's write fails the EXEC; a write that changes nothing does not", async () => {
      await r.flushall();
      const c = client();
      const other = client();
      await c.set("w", "1");
      await c.watch("w");
      await other.set("w", "2");
      expect(await c.multi().get("w").exec()).toBeNull();
      await c.watch("w");
      expect(await other.setnx("w", "3")).toBe(0);
      expect(await other.del("nosuch")).toBe(0);
      expect(await c.multi().get("w").exec()).toEqual([[null, "2"]]);
      await c.watch("w", "x");
      await other.flushdb();
      expect(await c.multi().ping().exec()).toBeNull();
    });
  });
}
