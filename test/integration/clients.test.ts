/*
 * Real clients against shardis: ioredis 6 and node-redis 6 (both RESP3 by default),
 * redis-cli and redis-benchmark, in every shard mode.
 */
import { execFileSync } from "node:child_process";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveRedis, type ServerHandle, startShardis } from "../helpers/servers.js";

const haveTools = haveRedis();
if (!haveTools) console.warn("\n*** redis-cli / redis-benchmark not installed: their client tests are SKIPPED ***\n");

for (const shards of ["0", "1", "2"]) {
  describe(`clients against --shards ${shards}`, () => {
    let srv: ServerHandle;
    beforeAll(async () => {
      srv = await startShardis(["--shards", shards]);
    });
    afterAll(async () => {
      await srv?.stop();
    });

    it("ioredis 6 connects (HELLO 3, INFO ready check) and runs commands", async () => {
      const r = new Redis({ port: srv.port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await r.connect();
        expect(await r.ping()).toBe("PONG");
        expect(await r.set("io:k", "v1")).toBe("OK");
        expect(await r.get("io:k")).toBe("v1");
        expect(await r.incr("io:n")).toBe(1);
        expect(await r.mset({ "io:a": "1", "io:b": "2", "io:c": "3" })).toBe("OK");
        expect(await r.mget("io:a", "io:b", "io:c", "io:missing")).toEqual(["1", "2", "3", null]);
        expect(await r.del("io:a", "io:b", "io:zz")).toBe(2);
        expect(await r.exists("io:c", "io:c")).toBe(2);
        const big = Buffer.alloc(5 * 1024 * 1024, 0xab);
        await r.set(Buffer.from([0, 0xff, 0x80]), big);
        const back = await r.getBuffer(Buffer.from([0, 0xff, 0x80]));
        expect(back?.equals(big)).toBe(true);
        const p = r.pipeline();
        for (let i = 0; i < 200; i++) p.set(`io:p:${i}`, String(i));
        for (let i = 0; i < 200; i++) p.get(`io:p:${i}`);
        const res = (await p.exec()) ?? [];
        expect(res.slice(200).map(([, v]) => v)).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
      } finally {
        r.disconnect();
      }
    });

    it("node-redis 6 connects with RESP3 and runs commands", async () => {
      const c = createClient({ socket: { port: srv.port, host: "127.0.0.1", reconnectStrategy: false }, RESP: 3 });
      c.on("error", () => {});
      await c.connect();
      try {
        expect(await c.ping()).toBe("PONG");
        expect(await c.set("nr:k", "x", { expiration: { type: "PX", value: 100000 } })).toBe("OK");
        expect(await c.get("nr:k")).toBe("x");
        expect(await c.get("nr:missing")).toBe(null);
        expect(await c.incr("nr:n")).toBe(1);
        expect(await c.mGet(["nr:k", "nr:n"])).toEqual(["x", "1"]);
        const hello = (await c.sendCommand(["HELLO", "3"])) as Record<string, unknown>;
        expect(hello.proto).toBe(3);
      } finally {
        c.destroy();
      }
    });

    it.skipIf(!haveTools)("redis-cli works, including inline and raw modes", () => {
      const cli = (...args: string[]): string =>
        execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", String(srv.port), ...args], { encoding: "latin1" });
      expect(cli("PING").trim()).toBe("PONG");
      expect(cli("SET", "cli:k", "hello world").trim()).toBe("OK");
      expect(cli("GET", "cli:k").trim()).toBe("hello world");
      expect(cli("--raw", "INCR", "cli:n").trim()).toBe("1");
      expect(cli("NOSUCH", "a").replace(/\n+$/, "")).toBe(
        "ERR unknown command 'NOSUCH', with args beginning with: 'a' ",
      );
      expect(cli("DBSIZE").trim()).toMatch(/^\d+$/);
    });

    it.skipIf(!haveTools)("redis-benchmark default tests on our commands, -P 1 and -P 16", () => {
      for (const p of ["1", "16"]) {
        const out = execFileSync(
          "redis-benchmark",
          [
            "-h",
            "127.0.0.1",
            "-p",
            String(srv.port),
            "-n",
            "5000",
            "-c",
            "20",
            "-P",
            p,
            "-t",
            "ping_inline,ping_mbulk,set,get,incr,mset",
            "--csv",
          ],
          { encoding: "utf8", timeout: 60000 },
        );
        const rows = out.trim().split("\n").slice(1);
        expect(rows.map((r) => r.split(",")[0])).toEqual([
          '"PING_INLINE"',
          '"PING_MBULK"',
          '"SET"',
          '"GET"',
          '"INCR"',
          '"MSET (10 keys)"',
        ]);
        for (const r of rows) expect(Number(r.split(",")[1].replace(/"/g, ""))).toBeGreaterThan(0);
      }
    });
  });
}
