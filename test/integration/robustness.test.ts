/*
 * Bad input must get a Redis-style error and lose nothing: protocol garbage, huge lengths,
 * clients that disconnect mid-command, big values that span many reads, and a pipeline
 * whose replies come from different shards in a different order than they were sent.
 */
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawClient } from "../helpers/resp.js";
import { type ServerHandle, startShardis } from "../helpers/servers.js";

for (const shards of ["0", "2"]) {
  describe(`robustness with --shards ${shards}`, () => {
    let srv: ServerHandle;
    let r: Redis;
    beforeAll(async () => {
      srv = await startShardis(["--shards", shards]);
      r = new Redis({ port: srv.port, host: "127.0.0.1" });
      await r.set("keep", "safe");
    });
    afterAll(async () => {
      r?.disconnect();
      await srv?.stop();
    });

    it("answers protocol garbage with an error and closes, keeping earlier commands", async () => {
      const c = await RawClient.connect(srv.port);
      c.send("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$x\r\n");
      expect((await c.readReply()).toString()).toBe("+PONG\r\n");
      expect((await c.readReply()).toString()).toBe("-ERR Protocol error: invalid bulk length\r\n");
      await c.closed;
      expect(await r.get("keep")).toBe("safe");
    });

    it("answers a protocol error after the replies of the shard commands before it", async () => {
      const c = await RawClient.connect(srv.port);
      c.send(
        "*3\r\n$3\r\nSET\r\n$2\r\npe\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$2\r\npe\r\nGET pe\r\n*2\r\n$3\r\nGET\r\n$x\r\n",
      );
      expect((await c.readReply()).toString()).toBe("+OK\r\n");
      expect((await c.readReply()).toString()).toBe("$1\r\nv\r\n");
      expect((await c.readReply()).toString()).toBe("$1\r\nv\r\n");
      expect((await c.readReply()).toString()).toBe("-ERR Protocol error: invalid bulk length\r\n");
      await c.closed;
    });

    it("refuses huge multibulk and bulk lengths before allocating", async () => {
      for (const [req, err] of [
        ["*99999999999\r\n", "invalid multibulk length"],
        ["*1\r\n$999999999999\r\n", "invalid bulk length"],
        // over V8's string limit (2^29-24), under Redis's 512 MB: refused, not crashed on
        ["*1\r\n$536870889\r\n", "invalid bulk length"],
      ]) {
        const c = await RawClient.connect(srv.port);
        c.send(req);
        expect((await c.readReply()).toString()).toBe(`-ERR Protocol error: ${err}\r\n`);
        await c.closed;
      }
    });

    it("survives clients that disconnect mid-command and mid-value", async () => {
      for (let i = 0; i < 20; i++) {
        const s = net.createConnection({ port: srv.port, host: "127.0.0.1" });
        await new Promise((res) => s.once("connect", res));
        s.write(`*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$100000\r\n${"x".repeat(i * 1000)}`);
        s.destroy();
      }
      await sleep(50);
      expect(await r.exists("half")).toBe(0);
      expect(await r.get("keep")).toBe("safe");
      expect(await r.ping()).toBe("PONG");
    });

    it("assembles a 64 MB value sent in small pieces", async () => {
      const size = 64 * 1024 * 1024;
      const c = await RawClient.connect(srv.port);
      c.send(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${size}\r\n`);
      const piece = Buffer.alloc(1024 * 1024, 0x61);
      for (let i = 0; i < 64; i++) c.send(piece);
      c.send("\r\n");
      expect((await c.readReply()).toString()).toBe("+OK\r\n");
      const back = await r.getBuffer("big");
      expect(back?.length).toBe(size);
      expect(back?.every((b) => b === 0x61)).toBe(true);
      await r.del("big");
      c.close();
    });

    it("keeps reply order across shards in a long pipeline", async () => {
      const p = r.pipeline();
      for (let i = 0; i < 2000; i++) {
        p.set(`ord:${i}`, String(i));
        p.get(`ord:${i}`);
        if (i % 7 === 0) p.ping(String(i));
        if (i % 11 === 0) p.mget(`ord:${i}`, `ord:${i - 1}`, "nope");
      }
      const res = (await p.exec()) ?? [];
      let k = 0;
      for (let i = 0; i < 2000; i++) {
        expect(res[k++][1]).toBe("OK");
        expect(res[k++][1]).toBe(String(i));
        if (i % 7 === 0) expect(res[k++][1]).toBe(String(i));
        if (i % 11 === 0) expect(res[k++][1]).toEqual([String(i), i === 0 ? null : String(i - 1), null]);
      }
    });

    it("serves a pipeline bigger than a shard's ring, sent in one write, in order", async () => {
      // ~6 MB of small SET/GET/INCR, three times what a shard's request ring holds: the
      // main thread frames it in 64 KB reads as runs of raw commands, and whatever finds
      // the ring full waits in its backlog
      const c = await RawClient.connect(srv.port);
      const n = 60000;
      let wire = "";
      for (let i = 0; i < n; i++) {
        const k = `big:${i % 500}`;
        wire += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${String(i).length}\r\n${i}\r\n`;
        wire += `*2\r\n$3\r\nGET\r\n$${k.length}\r\n${k}\r\n`;
        wire += `*2\r\n$4\r\nINCR\r\n$${k.length}\r\n${k}\r\n`;
      }
      c.send(wire);
      for (let i = 0; i < n; i++) {
        expect((await c.readReply()).toString()).toBe("+OK\r\n");
        expect((await c.readReply()).toString()).toBe(`$${String(i).length}\r\n${i}\r\n`);
        expect((await c.readReply()).toString()).toBe(`:${i + 1}\r\n`);
      }
      c.close();
    });

    it("answers wrong types and bad numbers with Redis's errors", async () => {
      await r.set("num", "abc");
      await expect(r.incr("num")).rejects.toThrow("ERR value is not an integer or out of range");
      await r.set("max", "9223372036854775807");
      await expect(r.incr("max")).rejects.toThrow("ERR increment or decrement would overflow");
      await expect(r.set("k", "v", "EX", "0" as unknown as number)).rejects.toThrow(
        "ERR invalid expire time in 'set' command",
      );
    });
  });
}
