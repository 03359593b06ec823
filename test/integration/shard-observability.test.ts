/*
 * Commands run by worker shards are observed like the main thread's: SLOWLOG (GET, LEN,
 * RESET) merges the shards' entries, INFO latencystats and LATENCY HISTOGRAM merge their
 * histograms, CONFIG SET reaches them.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startShardis } from "../helpers/servers.js";

describe("worker shards in SLOWLOG and latency stats", () => {
  let srv: ServerHandle;
  let r: Redis;
  beforeAll(async () => {
    srv = await startShardis(["--shards", "2"]);
    r = new Redis({ port: srv.port, host: "127.0.0.1" });
  });
  afterAll(async () => {
    r?.disconnect();
    await srv?.stop();
  });

  it("SLOWLOG shows shard commands with the caller's address and name, newest first", async () => {
    await r.config("SET", "slowlog-log-slower-than", "0");
    await r.client("SETNAME", "observer");
    await r.slowlog("RESET");
    await r.set("slow:a", "1");
    await r.get("slow:a");
    const entries = (await r.slowlog("GET", "-1")) as [number, number, number, string[], string, string][];
    const names = entries.map((e) => e[3][0].toLowerCase());
    // newest first: GET before SET; SLOWLOG RESET itself was logged before both
    expect(names.indexOf("get")).toBeLessThan(names.indexOf("set"));
    const get = entries.find((e) => e[3][0].toLowerCase() === "get");
    expect(get?.[3]).toEqual(["get", "slow:a"]);
    expect(get?.[4]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(get?.[5]).toBe("observer");
    expect(new Set(entries.map((e) => e[0])).size).toBe(entries.length);
    expect(await r.slowlog("LEN")).toBe(entries.length + 1);
    await r.slowlog("RESET");
    // RESET itself is logged once it has run (the shards' entries are gone)
    expect(await r.slowlog("LEN")).toBe(1);
    await r.config("SET", "slowlog-log-slower-than", "-1");
    await r.set("slow:b", "1");
    // RESET and the LEN above, nothing after the threshold went to -1
    expect(await r.slowlog("LEN")).toBe(2);
  });

  it("INFO latencystats and LATENCY HISTOGRAM include shard commands", async () => {
    for (let i = 0; i < 50; i++) await r.incr("lat:n");
    const info = await r.info("latencystats");
    expect(info).toMatch(/latency_percentiles_usec_incr:p50=[\d.]+,p99=[\d.]+,p99\.9=[\d.]+/);
    const hist = (await r.call("LATENCY", "HISTOGRAM", "incr")) as unknown[];
    expect(hist[0]).toBe("incr");
    expect((hist[1] as unknown[])[1]).toBe(50);
  });
});
