/*
 * Blocking pops across shards (src/net/blocking.ts): clients wait without holding a
 * thread, are served first come first served per key, time out with decimals, can be
 * unblocked with CLIENT UNBLOCK, leave no trace when they disconnect, and their later
 * commands wait behind the blocked one. Run with --shards 0 (inline) and --shards 3, where
 * a, b, c live in different shards.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCommand, RawClient } from "../helpers/resp.js";
import { type ServerHandle, startShardis } from "../helpers/servers.js";

async function waitFor(cond: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await sleep(10);
  }
}

async function blockedClients(r: Redis): Promise<number> {
  const m = /blocked_clients:(\d+)/.exec(await r.info("clients"));
  return Number(m?.[1] ?? -1);
}

for (const shards of ["0", "3"]) {
  describe(`blocking commands with --shards ${shards}`, () => {
    let srv: ServerHandle;
    let r: Redis;
    const extra: Redis[] = [];
    const client = (): Redis => {
      const c = new Redis({ port: srv.port, host: "127.0.0.1", maxRetriesPerRequest: 0 });
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

    it("serves waiters on keys in different shards in arrival order", async () => {
      await r.flushall();
      const order: string[] = [];
      const waiters = [0, 1, 2].map((i) => {
        const c = client();
        return { c, i };
      });
      const pending: Promise<unknown>[] = [];
      for (const { c, i } of waiters) {
        pending.push(
          c.blpop("a", "b", "c", 0).then((v) => {
            order.push(`${i}:${v?.[0]}:${v?.[1]}`);
          }),
        );
        await waitFor(async () => (await blockedClients(r)) === i + 1);
      }
      await r.rpush("c", "x1");
      await r.rpush("b", "x2");
      await r.rpush("a", "x3");
      await Promise.all(pending);
      expect(order).toEqual(["0:c:x1", "1:b:x2", "2:a:x3"]);
      expect(await blockedClients(r)).toBe(0);
    });

    it("one push serves one waiter; the others keep waiting", async () => {
      await r.flushall();
      const c1 = client();
      const c2 = client();
      const p1 = c1.brpop("a", 0);
      await waitFor(async () => (await blockedClients(r)) === 1);
      const p2 = c2.brpop("a", 0);
      await waitFor(async () => (await blockedClients(r)) === 2);
      await r.rpush("a", "only");
      expect(await p1).toEqual(["a", "only"]);
      await sleep(50);
      expect(await blockedClients(r)).toBe(1);
      await r.rpush("a", "second");
      expect(await p2).toEqual(["a", "second"]);
    });

    it("decimal timeouts answer nil; 0 waits; CLIENT UNBLOCK TIMEOUT and ERROR", async () => {
      await r.flushall();
      const c = client();
      const t0 = Date.now();
      expect(await c.blpop("a", "b", 0.2)).toBeNull();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
      const id = (await c.client("ID")) as number;
      const p = c.blpop("a", 0);
      await waitFor(async () => (await blockedClients(r)) === 1);
      expect(await r.client("LIST")).toMatch(new RegExp(`id=${id} .*flags=b `));
      expect(await r.call("CLIENT", "UNBLOCK", String(id), "TIMEOUT")).toBe(1);
      expect(await p).toBeNull();
      expect(await r.call("CLIENT", "UNBLOCK", String(id))).toBe(0);
      const q = c.blmove("a", "b", "LEFT", "RIGHT", 0).then(
        () => "served",
        (e: Error) => e.message,
      );
      await waitFor(async () => (await blockedClients(r)) === 1);
      expect(await r.call("CLIENT", "UNBLOCK", String(id), "ERROR")).toBe(1);
      expect(await q).toBe("UNBLOCKED client unblocked via CLIENT UNBLOCK");
    });

    it("a client that disconnects while blocked leaves no trace", async () => {
      await r.flushall();
      const c = client();
      void c.blpop("a", 0).catch(() => {});
      await waitFor(async () => (await blockedClients(r)) === 1);
      c.disconnect();
      await waitFor(async () => (await blockedClients(r)) === 0);
      await r.rpush("a", "kept");
      expect(await r.lrange("a", 0, -1)).toEqual(["kept"]);
    });

    it("BLMOVE chains: the moved element wakes the next waiter", async () => {
      await r.flushall();
      const c1 = client();
      const c2 = client();
      const p2 = c2.blpop("c", 0);
      await waitFor(async () => (await blockedClients(r)) === 1);
      const p1 = c1.blmove("a", "c", "LEFT", "RIGHT", 0);
      await waitFor(async () => (await blockedClients(r)) === 2);
      await r.rpush("a", "hop");
      expect(await p1).toBe("hop");
      expect(await p2).toEqual(["c", "hop"]);
      expect(await r.exists("a", "c")).toBe(0);
    });

    it("later commands of a blocked client wait for it", async () => {
      await r.flushall();
      const raw = await RawClient.connect(srv.port);
      try {
        raw.send(Buffer.concat([encodeCommand(["BLPOP", "a", "0"]), encodeCommand(["RPUSH", "mine", "1"])]));
        await waitFor(async () => (await blockedClients(r)) === 1);
        // RPUSH mine has not run: the client is blocked
        expect(await r.exists("mine")).toBe(0);
        await r.rpush("a", "v");
        expect((await raw.readReply()).toString()).toBe("*2\r\n$1\r\na\r\n$1\r\nv\r\n");
        expect((await raw.readReply()).toString()).toBe(":1\r\n");
      } finally {
        await raw.close();
      }
    });

    it("many clients racing on pushes to keys in different shards: each element delivered once", async () => {
      await r.flushall();
      const keys = ["a", "b", "c", "d"];
      const consumers = Array.from({ length: 8 }, () => client());
      const got: string[] = [];
      const total = 200;
      let stop = false;
      const loops = consumers.map(async (c) => {
        while (!stop) {
          const v = await c.blpop(...keys, 0.1);
          if (v !== null) got.push(v[1]);
        }
      });
      const producers = [client(), client()];
      await Promise.all(
        producers.map(async (p, j) => {
          for (let i = 0; i < total / 2; i++) await p.rpush(keys[i % keys.length], `${j}:${i}`);
        }),
      );
      await waitFor(async () => got.length >= total, 10000);
      stop = true;
      await Promise.all(loops);
      expect(got.length).toBe(total);
      expect(new Set(got).size).toBe(total);
      expect(await r.exists(...keys)).toBe(0);
    });
  });
}
