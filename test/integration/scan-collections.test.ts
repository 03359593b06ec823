/*
 * HSCAN and SSCAN over hashtable encodings: the cursor values cannot match Redis's, but the
 * guarantee must: a full iteration returns every element that was present from its start
 * to its end at least once, however the collection changes between calls (additions,
 * removals, a value being rewritten by a cross-shard command). Small encodings (listpack,
 * intset) answer everything at once with cursor 0, as Redis does.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startShardis } from "../helpers/servers.js";

type Step = (round: number) => Promise<void>;

/** Runs a whole SCAN-family iteration, calling `between` after each call. */
async function fullScan(
  r: Redis,
  cmd: "sscan" | "hscan",
  key: string,
  args: string[],
  between?: Step,
): Promise<{ seen: Map<string, string | undefined>; calls: number }> {
  const seen = new Map<string, string | undefined>();
  let cursor = "0";
  let calls = 0;
  do {
    const [next, items] = (await r.call(cmd, key, cursor, ...args)) as [string, string[]];
    calls++;
    if (cmd === "hscan") for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
    else for (const m of items) seen.set(m, undefined);
    cursor = next;
    if (between !== undefined && cursor !== "0") await between(calls);
    if (calls > 100000) throw new Error("scan does not terminate");
  } while (cursor !== "0");
  return { seen, calls };
}

for (const shards of ["0", "3"]) {
  describe(`HSCAN/SSCAN cursors with --shards ${shards}`, () => {
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

    it("returns a whole hashtable set in several calls", async () => {
      await r.del("s");
      const members = Array.from({ length: 3000 }, (_, i) => `m:${i}`);
      await r.sadd("s", ...members);
      expect(await r.object("ENCODING", "s")).toBe("hashtable");
      const { seen, calls } = await fullScan(r, "sscan", "s", ["COUNT", "50"]);
      expect(calls).toBeGreaterThan(10);
      expect(seen.size).toBe(3000);
      for (const m of members) expect(seen.has(m)).toBe(true);
    });

    it("keeps the guarantee while a set changes under the scan", async () => {
      await r.del("s2");
      const stable = Array.from({ length: 2000 }, (_, i) => `stable:${i}`);
      const volatile = Array.from({ length: 1000 }, (_, i) => `vol:${i}`);
      await r.sadd("s2", ...stable, ...volatile);
      let added = 0;
      const { seen } = await fullScan(r, "sscan", "s2", ["COUNT", "20"], async (round) => {
        // remove some of the volatile members, add new ones (which grows the set)
        const p = r.pipeline();
        p.srem("s2", volatile[(round * 7) % 1000], volatile[(round * 13) % 1000]);
        const fresh = Array.from({ length: 30 }, () => `new:${added++}`);
        p.sadd("s2", ...fresh);
        await p.exec();
      });
      for (const m of stable) expect(seen.has(m), m).toBe(true);
      // nothing that never was in the set
      for (const m of seen.keys()) expect(/^(stable|vol|new):\d+$/.test(m)).toBe(true);
    });

    it("keeps the guarantee when cross-shard commands rewrite the set", async () => {
      await r.del("src", "other1", "other2");
      const stable = Array.from({ length: 1500 }, (_, i) => `k${i}`);
      await r.sadd("src", ...stable, ...Array.from({ length: 500 }, (_, i) => `x${i}`));
      let n = 0;
      const { seen } = await fullScan(r, "sscan", "src", ["COUNT", "25"], async () => {
        // SMOVE / SUNIONSTORE across shards copy the set out and write it back
        await r.smove("src", n % 2 === 0 ? "other1" : "other2", `x${n}`);
        await r.sunionstore("other2", "src", "other1");
        await r.sadd("src", `y${n++}`);
      });
      for (const m of stable) expect(seen.has(m), m).toBe(true);
    });

    it("keeps the guarantee when the set more than doubles between two calls", async () => {
      await r.del("grow");
      const stable = Array.from({ length: 500 }, (_, i) => `g${i}`);
      await r.sadd("grow", ...stable);
      let batch = 0;
      const { seen } = await fullScan(r, "sscan", "grow", ["COUNT", "40"], async () => {
        // more additions than members: the pending additions drop the index, rebuilt later
        if (batch++ < 3) await r.sadd("grow", ...Array.from({ length: 1200 }, (_, i) => `n${batch}:${i}`));
      });
      for (const m of stable) expect(seen.has(m), m).toBe(true);
    });

    it("returns a whole hashtable hash, values included, while it changes", async () => {
      await r.del("h");
      const args: string[] = [];
      for (let i = 0; i < 2000; i++) args.push(`f${i}`, `v${i}`);
      await r.hset("h", ...args);
      expect(await r.object("ENCODING", "h")).toBe("hashtable");
      let k = 0;
      const { seen } = await fullScan(r, "hscan", "h", ["COUNT", "15"], async () => {
        await r.hset("h", `extra${k}`, "e", `f${1000 + (k % 1000)}`, "updated");
        await r.hdel("h", `extra${k - 1}`);
        k++;
      });
      for (let i = 0; i < 2000; i++) {
        expect(seen.has(`f${i}`), `f${i}`).toBe(true);
        const v = seen.get(`f${i}`);
        expect(v === `v${i}` || v === "updated").toBe(true);
      }
    });

    it("applies MATCH after COUNT, and ends past the last cursor", async () => {
      await r.del("hm");
      const args: string[] = [];
      for (let i = 0; i < 500; i++) args.push(`a${i}`, "1", `b${i}`, "2");
      await r.hset("hm", ...args);
      const { seen } = await fullScan(r, "hscan", "hm", ["MATCH", "a1*", "COUNT", "30"]);
      const want = Array.from({ length: 500 }, (_, i) => `a${i}`).filter((f) => f.startsWith("a1"));
      expect([...seen.keys()].sort()).toEqual(want.sort());
      expect(await r.call("hscan", "hm", "18446744073709551615")).toEqual(["0", []]);
      await expect(r.call("hscan", "hm", "abc")).rejects.toThrow("ERR invalid cursor");
      await expect(r.call("sscan", "s", "0", "COUNT", "0")).rejects.toThrow("ERR syntax error");
    });

    it("answers small encodings whole with cursor 0", async () => {
      await r.del("is", "lp");
      await r.sadd("is", "3", "1", "2");
      expect(await r.call("sscan", "is", "0", "COUNT", "1")).toEqual(["0", ["1", "2", "3"]]);
      expect(await r.call("sscan", "is", "77")).toEqual(["0", ["1", "2", "3"]]);
      await r.hset("lp", "b", "1", "a", "2");
      expect(await r.call("hscan", "lp", "0", "COUNT", "1")).toEqual(["0", ["b", "1", "a", "2"]]);
    });
  });
}
