/*
 * Server introspection commands (src/commands/server.ts): INFO, COMMAND, SLOWLOG, LATENCY,
 * MEMORY, DEBUG — against a spawned shardis, and where the reply is deterministic, against
 * a real redis-server (7.0) doing the same.
 *
 * Servers: shardis with worker shards and DEBUG enabled (the main subject), shardis with
 * `--shards 0` and the default `enable-debug-command no` (inline shard commands reach the
 * slow log and the latency histograms; DEBUG is refused), and redis-server with DEBUG
 * enabled (the oracle).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReply, RawClient, type ReplyNode } from "../helpers/resp.js";
import { haveRedis, type ServerHandle, startRedis, startShardis } from "../helpers/servers.js";

// ---------------------------------------------------------------- helpers

type Js = string | number | boolean | null | { error: string } | Js[];

/** A reply as plain values: strings (verbatim with its `txt:` prefix), numbers, arrays; maps flattened. */
function js(n: ReplyNode): Js {
  if (n.isNull || n.type === "_") return null;
  const text = (): string => (n.value as Buffer).toString("latin1");
  switch (n.type) {
    case "+":
    case "$":
    case "=":
    case ",":
    case "(":
      return text();
    case ":":
      return Number(text());
    case "#":
      return text() === "t";
    case "-":
    case "!":
      return { error: text() };
    default:
      return (n.children ?? []).map(js);
  }
}

async function call(c: RawClient, ...args: Array<string | number>): Promise<Js> {
  return js(parseReply(await c.command(...args)));
}

async function raw(c: RawClient, ...args: Array<string | number>): Promise<string> {
  return (await c.command(...args)).toString("latin1");
}

/** INFO text (bulk or verbatim) as { section: { field: value } }, keeping section order. */
function parseInfo(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let cur: Map<string, string> | undefined;
  for (const line of text.split("\r\n")) {
    if (line.startsWith("# ")) {
      cur = new Map();
      out.set(line.slice(2), cur);
    } else if (line !== "" && cur !== undefined) {
      const i = line.indexOf(":");
      cur.set(line.slice(0, i), line.slice(i + 1));
    }
  }
  return out;
}

async function info(c: RawClient, ...sections: string[]): Promise<string> {
  return (await call(c, "INFO", ...sections)) as string;
}

const redisMissing = !haveRedis();
const skipRedis = redisMissing && !process.env.CI;

// ---------------------------------------------------------------- servers

let shardis: ServerHandle;
let inline: ServerHandle;
let redis: ServerHandle | undefined;
let s: RawClient;
let s0: RawClient;
let r: RawClient | undefined;

beforeAll(async () => {
  shardis = await startShardis(["--shards", "2", "--enable-debug-command", "yes"]);
  inline = await startShardis(["--shards", "0"]);
  s = await RawClient.connect(shardis.port);
  s0 = await RawClient.connect(inline.port);
  if (!skipRedis) {
    redis = await startRedis(["--enable-debug-command", "yes"]);
    r = await RawClient.connect(redis.port);
  }
});

afterAll(async () => {
  for (const c of [s, s0, r]) await c?.close().catch(() => undefined);
  await Promise.all([shardis?.stop(), inline?.stop(), redis?.stop()]);
});

/** The same command on shardis and redis-server, raw replies. */
async function both(...args: Array<string | number>): Promise<[string, string]> {
  if (r === undefined) throw new Error("no redis-server");
  return [await raw(s, ...args), await raw(r, ...args)];
}

// ---------------------------------------------------------------- INFO

describe("INFO", () => {
  it("default sections in Redis's order, \\r\\n lines, one blank line between sections, none at the end", async () => {
    const text = await info(s);
    expect([...parseInfo(text).keys()]).toEqual([
      "Server",
      "Clients",
      "Memory",
      "Persistence",
      "Stats",
      "Replication",
      "CPU",
      "Modules",
      "Errorstats",
      "Cluster",
      "Keyspace",
    ]);
    expect(text.startsWith("# Server\r\n")).toBe(true);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.endsWith("\r\n\r\n")).toBe(false);
    expect(text).not.toMatch(/[^\r]\n/);
    for (const block of text.split("\r\n\r\n"))
      expect(block).toMatch(/^# [A-Za-z]+(\r\n[a-z0-9_|.]+:[^\r\n]*)*(\r\n)?$/);
  });

  it("all / everything add Commandstats and Latencystats; sections can be combined; unknown is empty", async () => {
    const all = [...parseInfo(await info(s, "all")).keys()];
    expect(all).toEqual([
      "Server",
      "Clients",
      "Memory",
      "Persistence",
      "Stats",
      "Replication",
      "CPU",
      "Modules",
      "Commandstats",
      "Errorstats",
      "Latencystats",
      "Cluster",
      "Keyspace",
    ]);
    expect([...parseInfo(await info(s, "everything")).keys()]).toEqual(all);
    // canonical order whatever the order asked for, case-insensitive
    expect([...parseInfo(await info(s, "KEYSPACE", "cpu")).keys()]).toEqual(["CPU", "Keyspace"]);
    expect([...parseInfo(await info(s, "default", "commandstats")).keys()]).toContain("Commandstats");
    expect(await raw(s, "INFO", "nosuchsection")).toBe("$0\r\n\r\n");
    expect(await raw(s, "INFO", "keyspace")).toMatch(/^\$\d+\r\n# Keyspace\r\n/);
  });

  it("is a verbatim string in RESP3", async () => {
    const c = await RawClient.connect(shardis.port);
    await c.command("HELLO", "3");
    expect((await c.command("INFO", "nosuchsection")).toString()).toBe("=4\r\ntxt:\r\n");
    expect((await c.command("INFO", "cluster")).toString()).toBe("=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
    await c.close();
  });

  it("has the fields tools read, with honest values", async () => {
    await call(s, "SET", "info:k1", "v");
    await call(s, "SET", "info:k2", "v", "EX", "1000");
    await call(s, "GET", "info:k1");
    await call(s, "GET", "info:missing");
    const sec = parseInfo(await info(s, "everything"));
    const f = (section: string, name: string): string => {
      const v = sec.get(section)?.get(name);
      if (v === undefined) throw new Error(`INFO has no ${section}/${name}`);
      return v;
    };
    expect(f("Server", "redis_version")).toBe("7.0.15");
    expect(f("Server", "redis_mode")).toBe("standalone");
    expect(f("Server", "run_id")).toMatch(/^[0-9a-f]{40}$/);
    expect(f("Server", "tcp_port")).toBe(String(shardis.port));
    expect(f("Server", "shards")).toBe("2");
    expect(f("Server", "process_id")).toBe(String(shardis.pid));
    expect(Number(f("Clients", "connected_clients"))).toBeGreaterThanOrEqual(1);
    expect(f("Clients", "blocked_clients")).toBe("0");
    expect(Number(f("Memory", "used_memory"))).toBeGreaterThan(1_000_000);
    expect(Number(f("Memory", "used_memory_rss"))).toBeGreaterThan(Number(f("Memory", "used_memory")) / 2);
    expect(Number(f("Memory", "used_memory_peak"))).toBeGreaterThanOrEqual(Number(f("Memory", "used_memory")));
    expect(f("Memory", "maxmemory")).toBe("0");
    expect(f("Memory", "maxmemory_policy")).toBe("noeviction");
    expect(f("Persistence", "loading")).toBe("0");
    expect(f("Persistence", "aof_enabled")).toBe("0");
    expect(Number(f("Persistence", "rdb_changes_since_last_save"))).toBeGreaterThanOrEqual(2);
    expect(Number(f("Stats", "total_commands_processed"))).toBeGreaterThanOrEqual(4);
    expect(f("Stats", "instantaneous_ops_per_sec")).toMatch(/^\d+$/);
    expect(f("Stats", "instantaneous_input_kbps")).toMatch(/^\d+\.\d\d$/);
    expect(Number(f("Stats", "keyspace_hits"))).toBeGreaterThanOrEqual(1);
    expect(Number(f("Stats", "keyspace_misses"))).toBeGreaterThanOrEqual(1);
    expect(f("Replication", "role")).toBe("master");
    expect(f("Replication", "connected_slaves")).toBe("0");
    expect(f("Replication", "master_replid")).toMatch(/^[0-9a-f]{40}$/);
    expect(f("Replication", "master_repl_offset")).toBe("0");
    expect(f("CPU", "used_cpu_user")).toMatch(/^\d+\.\d{6}$/);
    expect(f("Cluster", "cluster_enabled")).toBe("0");
    expect(f("Keyspace", "db0")).toMatch(/^keys=\d+,expires=\d+,avg_ttl=\d+$/);
    const [, keys, expires] = /keys=(\d+),expires=(\d+)/.exec(f("Keyspace", "db0")) as RegExpExecArray;
    expect(Number(keys)).toBeGreaterThanOrEqual(2);
    expect(Number(expires)).toBeGreaterThanOrEqual(1);
    expect(f("Commandstats", "cmdstat_set")).toMatch(
      /^calls=\d+,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=\d+,failed_calls=\d+$/,
    );
    expect(f("Commandstats", "cmdstat_get")).toMatch(/^calls=[1-9]\d*,/);
  });

  it("counts errors, failed and rejected calls", async () => {
    await call(s, "SET", "info:str", "abc");
    await call(s, "INCR", "info:str"); // failed in a shard
    await call(s, "GET"); // rejected: arity
    await call(s, "NOSUCHCOMMAND");
    const sec = parseInfo(await info(s, "commandstats", "errorstats", "stats"));
    expect(sec.get("Commandstats")?.get("cmdstat_incr")).toMatch(/failed_calls=[1-9]/);
    expect(sec.get("Commandstats")?.get("cmdstat_get")).toMatch(/rejected_calls=[1-9]/);
    expect(sec.get("Errorstats")?.get("errorstat_ERR")).toMatch(/^count=[1-9]\d*$/);
    expect(Number(sec.get("Stats")?.get("total_error_replies"))).toBeGreaterThanOrEqual(3);
  });

  it("latencystats prints the configured percentiles of main-thread commands", async () => {
    await call(s, "PING");
    const line = parseInfo(await info(s, "latencystats"))
      .get("Latencystats")
      ?.get("latency_percentiles_usec_ping");
    expect(line).toMatch(/^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$/);
  });

  it.skipIf(skipRedis)("INFO everything has every field redis-server 7.0 has (plus shards)", async () => {
    const names = (text: string): string[] =>
      text
        .split("\r\n")
        .filter((l) => l !== "" && !/^(cmdstat_|errorstat_|latency_percentiles_usec_|db\d+:)/.test(l))
        .map((l) => l.split(":")[0]);
    const ours = names(await info(s, "everything"));
    const theirs = names((await call(r as RawClient, "INFO", "everything")) as string);
    expect(ours.filter((n) => n !== "shards")).toEqual(theirs);
  });
});

// ---------------------------------------------------------------- COMMAND

/** COMMAND INFO rows flattened with their subcommands. */
function flatten(rows: Js[]): Js[][] {
  const out: Js[][] = [];
  for (const row of rows as Js[][]) {
    out.push(row);
    if (Array.isArray(row[9]) && row[9].length > 0) out.push(...flatten(row[9]));
  }
  return out;
}

describe("COMMAND", () => {
  it("COUNT matches COMMAND and COMMAND LIST", async () => {
    const count = (await call(s, "COMMAND", "COUNT")) as number;
    const all = (await call(s, "COMMAND")) as Js[];
    const list = (await call(s, "COMMAND", "LIST")) as string[];
    expect(all.length).toBe(count);
    expect(list.filter((n) => !n.includes("|")).length).toBe(count);
    expect(list).toContain("config|get");
    expect(((await call(s, "COMMAND", "INFO")) as Js[]).length).toBe(count);
  });

  it("INFO: unknown names are nil, subcommands by full name, RESP3 sets", async () => {
    expect(await raw(s, "COMMAND", "INFO", "nosuch")).toBe("*1\r\n$-1\r\n");
    const [row] = (await call(s, "COMMAND", "INFO", "CONFIG|GET")) as Js[][];
    expect(row.slice(0, 6)).toEqual(["config|get", -3, ["admin", "noscript", "loading", "stale"], 0, 0, 0]);
    expect(row[6]).toEqual(["@admin", "@slow", "@dangerous"]);
    const c = await RawClient.connect(shardis.port);
    await c.command("HELLO", "3");
    expect((await c.command("COMMAND", "INFO", "nosuch")).toString()).toBe("*1\r\n_\r\n");
    expect((await c.command("COMMAND", "INFO", "ping")).toString()).toMatch(
      /^\*1\r\n\*10\r\n\$4\r\nping\r\n:-1\r\n~1\r\n\+fast\r\n/,
    );
    await c.close();
  });

  it("DOCS: summary/since/group/complexity, subcommands nested, unknown names skipped", async () => {
    expect(await raw(s, "COMMAND", "DOCS", "nosuch")).toBe("*0\r\n");
    const docs = (await call(s, "COMMAND", "DOCS", "get", "nosuch", "config")) as Js[];
    expect(docs[0]).toBe("get");
    expect(docs[1]).toEqual(
      expect.arrayContaining(["summary", "since", "1.0.0", "group", "string", "complexity", "O(1)"]),
    );
    expect(docs[2]).toBe("config");
    const cfg = docs[3] as Js[];
    const subs = cfg[cfg.indexOf("subcommands") + 1] as Js[];
    expect(subs).toContain("config|get");
  });

  it("LIST FILTERBY", async () => {
    const byPattern = (await call(s, "COMMAND", "LIST", "FILTERBY", "PATTERN", "CONF*")) as string[];
    expect(byPattern.sort()).toEqual([
      "config",
      "config|get",
      "config|help",
      "config|resetstat",
      "config|rewrite",
      "config|set",
    ]);
    expect(await call(s, "COMMAND", "LIST", "FILTERBY", "MODULE", "x")).toEqual([]);
    expect(await call(s, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch")).toEqual([]);
    expect(await call(s, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "string")).toContain("get");
    expect(await raw(s, "COMMAND", "LIST", "FILTERBY", "bogus", "x")).toBe("-ERR syntax error\r\n");
    expect(await raw(s, "COMMAND", "LIST", "x")).toBe("-ERR syntax error\r\n");
  });

  it("GETKEYS / GETKEYSANDFLAGS", async () => {
    expect(await call(s, "COMMAND", "GETKEYS", "mset", "a", "1", "b", "2")).toEqual(["a", "b"]);
    expect(await call(s, "COMMAND", "GETKEYS", "del", "a", "b", "c")).toEqual(["a", "b", "c"]);
    expect(await call(s, "COMMAND", "GETKEYS", "memory", "usage", "k")).toEqual(["k"]);
    expect(await call(s, "COMMAND", "GETKEYSANDFLAGS", "get", "a")).toEqual([["a", ["RO", "access"]]]);
  });

  it.skipIf(skipRedis)("GETKEYS replies and errors are redis-server's", async () => {
    const cases: string[][] = [
      ["get", "a"],
      ["set", "a", "b"],
      ["mset", "a", "b", "c", "d"],
      ["mset", "a", "b", "c"],
      ["del", "a", "b"],
      ["exists", "x", "y", "z"],
      ["nosuch", "a"],
      ["config", "get", "x"],
      ["config", "nosuch", "x"],
      ["set", "a"],
      ["get", "a", "b"],
      ["ping", "x"],
    ];
    for (const args of cases) {
      const [ours, theirs] = await both("COMMAND", "GETKEYS", ...args);
      expect(ours, `COMMAND GETKEYS ${args.join(" ")}`).toBe(theirs);
    }
    for (const args of [
      ["COMMAND", "GETKEYS"],
      ["COMMAND", "GETKEYS", "get"],
      ["COMMAND", "GETKEYSANDFLAGS", "get"],
    ]) {
      const [ours, theirs] = await both(...args);
      expect(ours, args.join(" ")).toBe(theirs);
    }
  });

  it.skipIf(skipRedis)("HELP and COMMAND INFO get are byte-identical to redis-server, RESP2 and RESP3", async () => {
    for (const args of [
      ["COMMAND", "HELP"],
      ["COMMAND", "INFO", "get"],
      ["COMMAND", "INFO", "get", "nosuch"],
      ["COMMAND", "DOCS", "nosuch"],
    ]) {
      const [ours, theirs] = await both(...args);
      expect(ours, args.join(" ")).toBe(theirs);
    }
    const c3 = await RawClient.connect(shardis.port);
    const r3 = await RawClient.connect((redis as ServerHandle).port);
    await c3.command("HELLO", "3");
    await r3.command("HELLO", "3");
    expect((await c3.command("COMMAND", "INFO", "get", "nosuch")).toString()).toBe(
      (await r3.command("COMMAND", "INFO", "get", "nosuch")).toString(),
    );
    await c3.close();
    await r3.close();
  });

  it.skipIf(skipRedis)(
    "every command's name, arity, flags, key triple and ACL categories are redis-server's",
    async () => {
      const ours = flatten((await call(s, "COMMAND")) as Js[]);
      const mismatches: string[] = [];
      for (const row of ours) {
        const [theirs] = (await call(r as RawClient, "COMMAND", "INFO", row[0] as string)) as Js[][];
        if (theirs === null) continue; // not a Redis 7.0 command
        const a = JSON.stringify(row.slice(0, 7));
        const b = JSON.stringify((theirs as Js[]).slice(0, 7));
        if (a !== b) mismatches.push(`${row[0]}:\n  shardis ${a}\n  redis   ${b}`);
        const subsOurs = ((row[9] as Js[][]) ?? []).map((x) => x[0]).sort();
        const subsTheirs = (((theirs as Js[])[9] as Js[][]) ?? []).map((x) => x[0]).sort();
        const missing = subsTheirs.filter((n) => !subsOurs.includes(n));
        if (["command", "slowlog", "latency", "memory"].includes(row[0] as string) && missing.length > 0) {
          mismatches.push(`${row[0]}: subcommands missing ${missing.join(",")}`);
        }
      }
      expect(mismatches, mismatches.join("\n")).toEqual([]);
    },
  );
});

// ---------------------------------------------------------------- SLOWLOG

describe("SLOWLOG", () => {
  it("logs main-thread commands with slowlog-log-slower-than 0, newest first, Redis's entry shape", async () => {
    const c = await RawClient.connect(shardis.port);
    await c.command("CONFIG", "SET", "slowlog-log-slower-than", "0");
    await c.command("SLOWLOG", "RESET");
    await c.command("CLIENT", "SETNAME", "slowpoke");
    await c.command("ECHO", "hello");
    const entries = (await call(c, "SLOWLOG", "GET", "2")) as Js[][];
    expect(entries.length).toBe(2);
    const [id, time, usec, argv, addr, name] = entries[0];
    expect(typeof id).toBe("number");
    expect(Math.abs((time as number) - Date.now() / 1000)).toBeLessThan(60);
    expect(usec).toBeGreaterThanOrEqual(0);
    expect(argv).toEqual(["ECHO", "hello"]);
    expect(addr).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(name).toBe("slowpoke");
    expect(entries[1][3]).toEqual(["CLIENT", "SETNAME", "slowpoke"]);
    expect(entries[0][0] as number).toBeGreaterThan(entries[1][0] as number);
    // RESET, then the RESET itself is logged, as in Redis
    await c.command("SLOWLOG", "RESET");
    expect(await call(c, "SLOWLOG", "LEN")).toBe(1);
    expect(((await call(c, "SLOWLOG", "GET", "-1")) as Js[]).length).toBe(2);
    await c.command("CONFIG", "SET", "slowlog-log-slower-than", "10000");
    await c.close();
  });

  it("with --shards 0 shard commands are logged too", async () => {
    await s0.command("CONFIG", "SET", "slowlog-log-slower-than", "0");
    await s0.command("SET", "slow:k", "v");
    const [entry] = (await call(s0, "SLOWLOG", "GET", "1")) as Js[][];
    expect(entry[3]).toEqual(["SET", "slow:k", "v"]);
    await s0.command("CONFIG", "SET", "slowlog-log-slower-than", "10000");
  });

  it.skipIf(skipRedis)("errors and HELP are redis-server's", async () => {
    for (const args of [
      ["SLOWLOG", "GET", "x"],
      ["SLOWLOG", "GET", "-2"],
      ["SLOWLOG", "GET", "1", "2"],
      ["SLOWLOG", "nosuch"],
      ["SLOWLOG"],
      ["SLOWLOG", "LEN", "x"],
      ["SLOWLOG", "HELP"],
    ]) {
      const [ours, theirs] = await both(...args);
      expect(ours, args.join(" ")).toBe(theirs);
    }
  });
});

// ---------------------------------------------------------------- LATENCY

describe("LATENCY", () => {
  it("records command spikes over latency-monitor-threshold", async () => {
    await call(s, "LATENCY", "RESET");
    expect(await raw(s, "LATENCY", "GRAPH", "command")).toBe("-ERR No samples available for event 'command'\r\n");
    expect(await call(s, "LATENCY", "HISTORY", "command")).toEqual([]);
    // a threshold well under DEBUG SLEEP's 50 ms and well over what a PING costs on a busy machine
    await call(s, "CONFIG", "SET", "latency-monitor-threshold", "15");
    expect(await call(s, "DEBUG", "SLEEP", "0.05")).toBe("OK");
    const latest = (await call(s, "LATENCY", "LATEST")) as Js[][];
    const row = latest.find((l) => l[0] === "command") as Js[];
    expect(row).toBeDefined();
    const [, time, ms, max] = row;
    expect(Math.abs((time as number) - Date.now() / 1000)).toBeLessThan(60);
    expect(ms).toBeGreaterThanOrEqual(50);
    expect(max).toBeGreaterThanOrEqual(ms as number);
    const history = (await call(s, "LATENCY", "HISTORY", "command")) as Js[][];
    expect(history).toContainEqual([time, ms]);
    // event names are case-sensitive for HISTORY/GRAPH, not for RESET
    expect(await call(s, "LATENCY", "HISTORY", "COMMAND")).toEqual([]);
    const graph = (await call(s, "LATENCY", "GRAPH", "command")) as string;
    expect(graph).toMatch(/^command - high \d+ ms, low \d+ ms \(all time high \d+ ms\)\n-{80}\n/);
    const doctor = (await call(s, "LATENCY", "DOCTOR")) as string;
    expect(doctor).toMatch(/^Dave, I have observed latency spikes in this Redis instance\./);
    expect(doctor).toMatch(
      /\d\. command: \d+ latency spikes \(average \d+ms, mean deviation \d+ms, period \d+\.\d\d sec\)\. Worst all time event \d+ms\./,
    );
    await call(s, "CONFIG", "SET", "latency-monitor-threshold", "0");
    expect(await call(s, "LATENCY", "RESET", "COMMAND", "nosuch")).toBe(1);
    expect(((await call(s, "LATENCY", "LATEST")) as Js[][]).filter((l) => l[0] === "command")).toEqual([]);
    await call(s, "LATENCY", "RESET");
    expect(await call(s, "LATENCY", "DOCTOR")).toMatch(
      /^I'm sorry, Dave, I can't do that\. Latency monitoring is disabled/,
    );
  });

  it("HISTOGRAM gives calls and a cumulative distribution per command", async () => {
    await call(s, "PING");
    const h = (await call(s, "LATENCY", "HISTOGRAM", "ping", "nosuch", "config")) as Js[];
    expect(h[0]).toBe("ping");
    const [callsKey, calls, histKey, hist] = h[1] as Js[];
    expect([callsKey, histKey]).toEqual(["calls", "histogram_usec"]);
    expect(calls).toBeGreaterThanOrEqual(1);
    const buckets = hist as number[];
    expect(buckets.length % 2).toBe(0);
    expect([1, 2, 4, 8, 16, 33, 66, 132, 264, 528, 1056, 2113, 4227, 8454, 16908]).toContain(buckets[0]);
    expect(buckets[buckets.length - 1]).toBe(calls);
    expect(h).toContain("config|set");
  });

  it.skipIf(skipRedis)("errors and HELP are redis-server's", async () => {
    for (const args of [
      ["LATENCY", "HELP"],
      ["LATENCY", "nosuch"],
      ["LATENCY", "HISTORY"],
      ["LATENCY", "GRAPH", "nosuch"],
      ["LATENCY", "LATEST", "x"],
    ]) {
      const [ours, theirs] = await both(...args);
      expect(ours, args.join(" ")).toBe(theirs);
    }
  });
});

// ---------------------------------------------------------------- MEMORY

describe("MEMORY", () => {
  it("USAGE: a number for a key, nil for a missing one (RESP2 and RESP3)", async () => {
    await call(s, "SET", "mem:k", "bar");
    expect(await call(s, "MEMORY", "USAGE", "mem:k")).toBeGreaterThan(0);
    expect(await raw(s, "MEMORY", "USAGE", "mem:nosuch")).toBe("$-1\r\n");
    const c = await RawClient.connect(shardis.port);
    await c.command("HELLO", "3");
    expect((await c.command("MEMORY", "USAGE", "mem:nosuch")).toString()).toBe("_\r\n");
    await c.close();
    expect(await call(s0, "MEMORY", "USAGE", "mem:nosuch")).toBe(null);
  });

  it.skipIf(skipRedis)("USAGE of strings equals redis-server's, errors too", async () => {
    const values = [
      "",
      "a",
      "bar",
      "12345",
      "-7",
      "007",
      "99999999999999999999",
      "x".repeat(44),
      "x".repeat(45),
      "x".repeat(100),
      "y".repeat(1000),
      "z".repeat(5000),
    ];
    const keys = ["k", "k".repeat(31), "k".repeat(32), "k".repeat(300)];
    for (const key of keys) {
      for (const v of values) {
        await both("SET", key, v);
        const [ours, theirs] = await both("MEMORY", "USAGE", key);
        expect(
          ours,
          `MEMORY USAGE of a ${key.length}-byte key holding ${JSON.stringify(v.slice(0, 20))} (${v.length} bytes)`,
        ).toBe(theirs);
      }
    }
    for (const args of [
      ["MEMORY", "USAGE", "k", "SAMPLES", "x"],
      ["MEMORY", "USAGE", "k", "SAMPLES", "-1"],
      ["MEMORY", "USAGE", "k", "SAMPLES"],
      ["MEMORY", "USAGE", "k", "bar"],
      ["MEMORY", "USAGE", "k", "SAMPLES", "0"],
      ["MEMORY", "USAGE", "nosuch", "SAMPLES", "5"],
      ["MEMORY", "USAGE"],
      ["MEMORY", "nosuch"],
      ["MEMORY", "HELP"],
      ["MEMORY", "PURGE"],
    ]) {
      const [ours, theirs] = await both(...args);
      expect(ours, args.join(" ")).toBe(theirs);
    }
  });

  it("STATS is a map with Redis's field names; DOCTOR and MALLOC-STATS are text", async () => {
    const stats = (await call(s, "MEMORY", "STATS")) as Js[];
    const names = stats.filter((_, i) => i % 2 === 0);
    expect(names.slice(0, 10)).toEqual([
      "peak.allocated",
      "total.allocated",
      "startup.allocated",
      "replication.backlog",
      "clients.slaves",
      "clients.normal",
      "cluster.links",
      "aof.buffer",
      "lua.caches",
      "functions.caches",
    ]);
    expect(names).toEqual(
      expect.arrayContaining([
        "overhead.total",
        "keys.count",
        "dataset.bytes",
        "dataset.percentage",
        "fragmentation",
        "fragmentation.bytes",
      ]),
    );
    expect(names).toContain("db.0");
    expect(stats[names.indexOf("keys.count") * 2 + 1]).toBeGreaterThan(0);
    expect(await call(s, "MEMORY", "DOCTOR")).toMatch(/Sam/);
    expect(await call(s, "MEMORY", "MALLOC-STATS")).toMatch(/\n$/);
  });
});

// ---------------------------------------------------------------- DEBUG

describe("DEBUG", () => {
  it("SLEEP, LOG, SET-ACTIVE-EXPIRE", async () => {
    expect(await call(s, "DEBUG", "SLEEP", "0")).toBe("OK");
    const t0 = Date.now();
    expect(await call(s, "DEBUG", "SLEEP", "0.05")).toBe("OK");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(await call(s, "DEBUG", "LOG", "hello from the test")).toBe("OK");
    expect(await call(s, "DEBUG", "SET-ACTIVE-EXPIRE", "0")).toBe("OK");
    expect(await call(s, "DEBUG", "SET-ACTIVE-EXPIRE", "1")).toBe("OK");
    await new Promise((res) => setTimeout(res, 100));
    expect(shardis.output()).toContain("DEBUG LOG: hello from the test");
  });

  it("is refused unless enable-debug-command allows it", async () => {
    expect(await raw(s0, "DEBUG", "SLEEP", "0")).toBe(
      '-ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n',
    );
  });

  it.skipIf(skipRedis)("errors and PROTOCOL replies are redis-server's, RESP2 and RESP3", async () => {
    for (const args of [["DEBUG", "nosuch"], ["DEBUG", "SLEEP"], ["DEBUG", "ERROR", "CODE some text"], ["DEBUG"]]) {
      const [ours, theirs] = await both(...args);
      expect(ours, args.join(" ")).toBe(theirs);
    }
    const types = [
      "string",
      "integer",
      "double",
      "bignum",
      "null",
      "array",
      "set",
      "map",
      "attrib",
      "push",
      "verbatim",
      "true",
      "false",
      "nosuch",
    ];
    for (const proto of ["2", "3"]) {
      const c = await RawClient.connect(shardis.port);
      const o = await RawClient.connect((redis as ServerHandle).port);
      await c.command("HELLO", proto);
      await o.command("HELLO", proto);
      for (const t of types) {
        if (t === "push" && proto === "3") {
          // a push and then the reply: compare the bytes of both
          c.send("*3\r\n$5\r\nDEBUG\r\n$8\r\nPROTOCOL\r\n$4\r\npush\r\n");
          o.send("*3\r\n$5\r\nDEBUG\r\n$8\r\nPROTOCOL\r\n$4\r\npush\r\n");
          const a = Buffer.concat([await c.readReply(), await c.readReply()]).toString();
          const b = Buffer.concat([await o.readReply(), await o.readReply()]).toString();
          expect(a).toBe(b);
          continue;
        }
        expect((await c.command("DEBUG", "PROTOCOL", t)).toString(), `RESP${proto} DEBUG PROTOCOL ${t}`).toBe(
          (await o.command("DEBUG", "PROTOCOL", t)).toString(),
        );
      }
      await c.close();
      await o.close();
    }
  });
});
