/*
 * Pub/Sub with real clients against shardis: ioredis 6 in RESP2 subscriber mode, node-redis
 * in RESP3 (commands and messages on one connection), raw sockets for many subscribers,
 * pattern matching checked against Redis's glob (src/keyspace/glob.ts), the ordering of
 * pushes behind pending shard replies, CLIENT LIST / INFO figures, and the disconnection
 * of a subscriber that does not read (client-output-buffer-limit pubsub).
 */
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringMatch } from "../../src/keyspace/glob.js";
import { RawClient } from "../helpers/resp.js";
import { type ServerHandle, startShardis } from "../helpers/servers.js";

/** Waits until `cond` holds (polling), or fails after `ms`. */
async function until(cond: () => boolean | Promise<boolean>, ms = 5000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function resp(...args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a, "latin1")}\r\n${a}\r\n`;
  return s;
}

function message(ch: string, msg: string): string {
  return `*3\r\n$7\r\nmessage\r\n$${ch.length}\r\n${ch}\r\n$${msg.length}\r\n${msg}\r\n`;
}

describe("pub/sub against shardis", () => {
  let srv: ServerHandle;
  let admin: RawClient;
  const cmd = async (...args: string[]): Promise<string> => (await admin.command(...args)).toString("latin1");

  beforeAll(async () => {
    srv = await startShardis(["--shards", "2"]);
    admin = await RawClient.connect(srv.port);
  });
  afterAll(async () => {
    await admin?.close();
    await srv?.stop();
  });

  it("ioredis 6 in RESP2 subscriber mode: message, pmessage, smessage, binary payloads", async () => {
    const sub = new Redis({ port: srv.port, host: "127.0.0.1", protocol: 2, lazyConnect: true });
    const pub = new Redis({ port: srv.port, host: "127.0.0.1", lazyConnect: true });
    try {
      await sub.connect();
      await pub.connect();
      const got: string[] = [];
      sub.on("message", (ch: string, msg: string) => got.push(`message ${ch} ${msg}`));
      sub.on("pmessage", (pat: string, ch: string, msg: string) => got.push(`pmessage ${pat} ${ch} ${msg}`));
      sub.on("smessage", (ch: string, msg: string) => got.push(`smessage ${ch} ${msg}`));
      const bins: Buffer[] = [];
      sub.on("messageBuffer", (_ch: Buffer, msg: Buffer) => bins.push(msg));
      expect(await sub.subscribe("io:a", "io:b")).toBe(2);
      expect(await sub.psubscribe("io:*")).toBe(3);
      expect(await sub.ssubscribe("io:s")).toBe(1);
      expect(await pub.publish("io:a", "one")).toBe(2); // the channel and the pattern
      expect(await pub.publish("io:zzz", "two")).toBe(1);
      expect(await pub.publish("other", "three")).toBe(0);
      expect(await pub.spublish("io:s", "four")).toBe(1);
      const payload = Buffer.from([0, 0xff, 0x80, 13, 10, 0x41]);
      expect(await pub.publish("io:b", payload)).toBe(2);
      await until(() => got.length === 6, 5000, "ioredis messages");
      expect(got.slice(0, 4)).toEqual([
        "message io:a one",
        "pmessage io:* io:a one",
        "pmessage io:* io:zzz two",
        "smessage io:s four",
      ]);
      expect(got[4].startsWith("message io:b ")).toBe(true);
      expect(got[5].startsWith("pmessage io:* io:b ")).toBe(true);
      expect(bins.at(-1)?.equals(payload)).toBe(true);
      expect(await pub.pubsub("NUMSUB", "io:a", "io:b", "io:s")).toEqual(["io:a", 1, "io:b", 1, "io:s", 0]);
      expect(await pub.pubsub("SHARDNUMSUB", "io:s")).toEqual(["io:s", 1]);
      expect(await pub.pubsub("NUMPAT")).toBe(1);
      // (ioredis leaves subscriber mode at a count of 0, and waits for one after an
      // UNSUBSCRIBE without arguments: shard channels first, then each channel by name)
      await sub.sunsubscribe("io:s");
      expect(await sub.unsubscribe("io:a", "io:b")).toBe(1); // the pattern is left
      expect(await sub.punsubscribe("io:*")).toBe(0);
      expect(await pub.publish("io:a", "gone")).toBe(0);
      expect(await pub.spublish("io:s", "gone")).toBe(0);
    } finally {
      sub.disconnect();
      pub.disconnect();
    }
    await until(async () => (await cmd("PUBSUB", "SHARDNUMSUB", "io:s")).endsWith(":0\r\n"), 5000, "cleanup");
  });

  it("node-redis in RESP3: pushes and ordinary commands share one connection", async () => {
    const c = createClient({ socket: { port: srv.port, host: "127.0.0.1", reconnectStrategy: false }, RESP: 3 });
    c.on("error", () => {});
    await c.connect();
    const pub = await RawClient.connect(srv.port);
    try {
      const got: string[] = [];
      await c.subscribe("nr:ch", (msg, ch) => got.push(`${ch}=${msg}`));
      await c.pSubscribe("nr:p*", (msg, ch) => got.push(`p:${ch}=${msg}`));
      await c.sSubscribe("nr:s", (msg, ch) => got.push(`s:${ch}=${msg}`));
      // RESP3: the subscribed connection still runs commands
      expect(await c.set("nr:k", "v")).toBe("OK");
      expect(await c.get("nr:k")).toBe("v");
      expect((await pub.command("PUBLISH", "nr:ch", "hello")).toString()).toBe(":1\r\n");
      expect((await pub.command("PUBLISH", "nr:pq", "pat")).toString()).toBe(":1\r\n");
      expect((await pub.command("SPUBLISH", "nr:s", "shard")).toString()).toBe(":1\r\n");
      await until(() => got.length === 3, 5000, "node-redis messages");
      expect(got).toEqual(["nr:ch=hello", "p:nr:pq=pat", "s:nr:s=shard"]);
      expect(await c.get("nr:k")).toBe("v");
      await c.unsubscribe("nr:ch");
      await c.pUnsubscribe();
      await c.sUnsubscribe();
      expect((await pub.command("PUBLISH", "nr:ch", "late")).toString()).toBe(":0\r\n");
    } finally {
      c.destroy();
      await pub.close();
    }
  });

  it("a RESP3 subscriber's pushes come after the replies of the commands it sent before", async () => {
    const c = await RawClient.connect(srv.port);
    try {
      await c.command("HELLO", "3");
      expect((await c.command("SUBSCRIBE", "ord")).toString()).toBe(">3\r\n$9\r\nsubscribe\r\n$3\r\nord\r\n:1\r\n");
      // GET goes to a shard; the PUBLISH that follows it runs on the main thread at once
      for (let i = 0; i < 20; i++)
        c.send(resp("SET", `ord:${i}`, "v") + resp("GET", `ord:${i}`) + resp("PUBLISH", "ord", `m${i}`));
      let expected = "";
      for (let i = 0; i < 20; i++)
        expected += `+OK\r\n$1\r\nv\r\n>3\r\n$7\r\nmessage\r\n$3\r\nord\r\n$${`m${i}`.length}\r\nm${i}\r\n:1\r\n`;
      const out = await c.readUntilIdle(200, 5000);
      expect(out.data.toString("latin1")).toBe(expected);
    } finally {
      await c.close();
    }
    await until(async () => (await cmd("PUBSUB", "NUMSUB", "ord")).endsWith(":0\r\n"), 5000, "cleanup");
  });

  it("fans out to many raw subscribers, in order, and cleans up when they leave", async () => {
    const n = 200;
    const subs = await Promise.all(Array.from({ length: n }, () => RawClient.connect(srv.port)));
    try {
      await Promise.all(subs.map((s) => s.command("SUBSCRIBE", "fan")));
      expect(await cmd("PUBSUB", "NUMSUB", "fan")).toBe(`*2\r\n$3\r\nfan\r\n:${n}\r\n`);
      const pub = await RawClient.connect(srv.port);
      let batch = "";
      for (let i = 0; i < 50; i++) batch += resp("PUBLISH", "fan", `msg-${i}`);
      pub.send(batch);
      const replies = (await pub.readUntilIdle(200, 10000)).data.toString("latin1");
      expect(replies).toBe(`:${n}\r\n`.repeat(50));
      await pub.close();
      let want = "";
      for (let i = 0; i < 50; i++) want += message("fan", `msg-${i}`);
      const outs = await Promise.all(subs.map((s) => s.readUntilIdle(100, 10000)));
      for (const o of outs) expect(o.data.toString("latin1")).toBe(want);
      // the server side of CLIENT LIST and INFO
      const list = (await cmd("CLIENT", "LIST", "TYPE", "pubsub")).toString();
      expect(list.match(/flags=P /g)?.length).toBe(n);
      expect(list).toContain(" sub=1 psub=0 ssub=0 ");
      expect(await cmd("INFO", "stats")).toContain("pubsub_channels:1\r\n");
    } finally {
      await Promise.all(subs.map((s) => s.close()));
    }
    await until(async () => (await cmd("PUBSUB", "NUMSUB", "fan")).endsWith(":0\r\n"), 5000, "subscribers gone");
    expect(await cmd("PUBSUB", "CHANNELS", "fan")).toBe("*0\r\n");
  });

  it("pattern subscriptions match as Redis's glob does, and PUBLISH counts every delivery", async () => {
    const patterns = ["*", "a*", "a?c", "[ab]*", "[^a]*", "a\\*", "*c", "h[a-c]llo", "x", "?"];
    const channels = ["a", "abc", "a*", "bbc", "hallo", "hdllo", "x", "c", "", "zz", "ac", "a\\c"];
    const subs = await Promise.all(patterns.map(() => RawClient.connect(srv.port)));
    const both = await RawClient.connect(srv.port);
    try {
      for (let i = 0; i < patterns.length; i++) await subs[i].command("PSUBSCRIBE", patterns[i]);
      // one client on every pattern at once: one pmessage per pattern that matches
      both.send(resp("PSUBSCRIBE", ...patterns));
      await both.readUntilIdle(100, 5000);
      expect(await cmd("PUBSUB", "NUMPAT")).toBe(`:${patterns.length}\r\n`);
      for (const ch of channels) {
        const matching = patterns.filter((p) => stringMatch(p, ch, false)).length;
        expect(await cmd("PUBLISH", ch, "m")).toBe(`:${matching * 2}\r\n`);
        const mine = (await both.readUntilIdle(50, 2000)).data.toString("latin1");
        expect(mine.split("pmessage").length - 1).toBe(matching);
      }
      for (let i = 0; i < patterns.length; i++) {
        const data = (await subs[i].readUntilIdle(20, 2000)).data.toString("latin1");
        const expected = channels.filter((ch) => stringMatch(patterns[i], ch, false)).length;
        expect(data.split("pmessage").length - 1).toBe(expected);
      }
    } finally {
      await Promise.all([...subs, both].map((s) => s.close()));
    }
    await until(async () => (await cmd("PUBSUB", "NUMPAT")) === ":0\r\n", 5000, "patterns gone");
  });

  it("CLIENT KILL TYPE pubsub closes subscribers only", async () => {
    const s = await RawClient.connect(srv.port);
    await s.command("SSUBSCRIBE", "k:s");
    const plain = await RawClient.connect(srv.port);
    try {
      expect(await cmd("CLIENT", "KILL", "TYPE", "pubsub")).toBe(":1\r\n");
      await s.closed;
      expect((await plain.command("PING")).toString()).toBe("+PONG\r\n");
      expect(await cmd("PUBSUB", "SHARDNUMSUB", "k:s")).toBe("*2\r\n$3\r\nk:s\r\n:0\r\n");
    } finally {
      await plain.close();
      await s.close();
    }
  });

  describe("client-output-buffer-limit pubsub", () => {
    afterAll(async () => {
      await cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60");
    });

    /**
     * A subscriber that stops reading after its confirmation. (A paused socket does not
     * notice being closed either: the tests watch PUBLISH's receiver count instead.)
     */
    async function stalledSubscriber(channel: string): Promise<net.Socket> {
      const socket = net.createConnection({ port: srv.port, host: "127.0.0.1" });
      socket.on("error", () => {});
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      socket.write(resp("SUBSCRIBE", channel));
      await new Promise<void>((resolve) => socket.once("data", () => resolve()));
      socket.pause();
      return socket;
    }

    it("the hard limit disconnects a subscriber that does not read; readers are kept", async () => {
      expect(await cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0")).toBe("+OK\r\n");
      const slow = await stalledSubscriber("obuf");
      const reader = await RawClient.connect(srv.port);
      await reader.command("SUBSCRIBE", "obuf");
      const big = "x".repeat(64 * 1024);
      let receivers = 2;
      for (let i = 0; i < 1000 && receivers === 2; i++) {
        receivers = Number((await cmd("PUBLISH", "obuf", big)).slice(1, -2));
        await reader.readUntilIdle(1, 1000);
      }
      expect(receivers).toBe(1);
      expect(srv.output()).toContain("scheduled to be closed ASAP for overcoming of output buffer limits.");
      expect(srv.output()).toMatch(/Client id=\d+ addr=.* flags=P .*sub=1 psub=0 ssub=0 .*cmd=subscribe/);
      expect(await cmd("PUBSUB", "NUMSUB", "obuf")).toBe("*2\r\n$4\r\nobuf\r\n:1\r\n");
      expect(reader.isClosed).toBe(false);
      await reader.close();
      slow.destroy();
    });

    it("the soft limit disconnects only after standing over it for longer than its seconds", async () => {
      expect(await cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 256kb 1")).toBe("+OK\r\n");
      const slow = await stalledSubscriber("soft");
      const big = "y".repeat(64 * 1024);
      // fill the socket buffers and get over the soft limit: not closed within a second
      const t0 = Date.now();
      while (Date.now() - t0 < 900) {
        expect(await cmd("PUBLISH", "soft", big)).toBe(":1\r\n");
        await sleep(2);
      }
      // Redis checks on each write, in whole seconds: closed once more than one has passed
      let receivers = 1;
      while (receivers === 1 && Date.now() - t0 < 6000) {
        receivers = Number((await cmd("PUBLISH", "soft", "z")).slice(1, -2));
        await sleep(50);
      }
      expect(receivers).toBe(0);
      expect(Date.now() - t0).toBeGreaterThan(1000);
      slow.destroy();
    });
  });
});
