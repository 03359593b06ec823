/*
 * Memory benchmark: resident memory of shardis next to a real redis-server after loading the
 * same data, one fresh server per (case, target).
 *
 *   node dist/bench/memory.js [--cases strings,zset,list,stream,hash,set] [--targets redis,default,0]
 *   node dist/bench/memory.js --floor     # V8 floor experiments only (no servers)
 *
 * For each case and target: start the server, let it idle, read its empty RSS
 * (/proc/<pid>/status VmRSS: shardis is one process, so this covers the main thread, every
 * shard worker and the coordinator), load the data, check the count, let it idle again while
 * sampling RSS once a second (there is no command to force a GC in shardis: the figure is the
 * RSS after the idle period), then stop the server. Ratios are shardis / redis, both for the
 * absolute RSS and for RSS minus the empty server's RSS.
 *
 * Cases: strings = `redis-benchmark -t set -n N -r N -d 16` (about 0.632 N distinct keys);
 * zset/list/hash/set = one key with N elements added in pipelined batches; stream = N
 * `XADD stream * f v` pipelined. Elements are distinct 16-byte strings ("e:%014d").
 *
 * See bench/README.md; results go to bench/results/memory-<date>-<sha>.{json,md}.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import {
  encodeCommand,
  findRepoRoot,
  freePort,
  gitSha,
  installCleanupHandlers,
  type MachineInfo,
  machineInfo,
  type ProcMemory,
  procMemory,
  type RunningServer,
  rawRequest,
  runCommand,
  SHARDIS_NODE_ARGS,
  shellLine,
  sleep,
  startServer,
} from "./lib.js";

const ALL_CASES = ["strings", "zset", "list", "stream", "hash", "set"] as const;
type CaseName = (typeof ALL_CASES)[number];

const HELP = `Usage: node dist/bench/memory.js [options]

Loads the same data into a fresh redis-server and fresh shardis instances and compares their
resident memory (VmRSS) once loaded and idle.

Options:
  --cases LIST        ${ALL_CASES.join(",")} (default: all)
  --targets LIST      redis, default (shardis without --shards), or shard counts (default redis,default,0)
  --n N               elements / requests per case (default 1000000)
  --batch N           elements per ZADD/RPUSH/HSET/SADD command, XADD commands per window (default 1000)
  --settle S          idle seconds before reading the empty RSS (default 3)
  --idle S            idle seconds after loading before reading the RSS (default 10)
  --redis-server PATH     (default redis-server)
  --redis-benchmark PATH  (default redis-benchmark)
  --shardis PATH      entry point (default <repo>/dist/src/main.js)
  --node-args="..."   node/V8 flags for shardis (experiments; use the = form)
  --notes FILE        append this markdown file (findings, conditions) to the .md report
  --out DIR / --no-save
  --floor             run only the V8 floor experiments (node --expose-gc children)
  -h, --help`;

interface Options {
  cases: CaseName[];
  targets: string[];
  n: number;
  batch: number;
  settle: number;
  idle: number;
  redisServer: string;
  redisBenchmark: string;
  shardis: string;
  /** a markdown file appended to the report (findings written after looking at the run) */
  notes: string | undefined;
  /** node flags for shardis (V8 experiments, e.g. --max-semi-space-size=2) */
  nodeArgs: string[];
  outDir: string;
  save: boolean;
  floor: boolean;
}

const log = (msg: string) => process.stderr.write(`[memory ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// ---------------------------------------------------------------------------------------------
// A pipelining loader: keeps up to `window` commands in flight on one connection and counts
// the replies (and the error replies) as they arrive.
// ---------------------------------------------------------------------------------------------

/** End offset of the reply starting at `pos`, or -1 when incomplete. */
function skipReply(buf: Buffer, pos: number): number {
  if (pos >= buf.length) return -1;
  const eol = buf.indexOf("\r\n", pos);
  if (eol < 0) return -1;
  const type = buf[pos];
  if (type === 0x24 /* $ */) {
    const len = Number(buf.toString("latin1", pos + 1, eol));
    if (len < 0) return eol + 2;
    const end = eol + 2 + len + 2;
    return end <= buf.length ? end : -1;
  }
  if (type === 0x2a /* * */ || type === 0x25 /* % */ || type === 0x7e /* ~ */) {
    let n = Number(buf.toString("latin1", pos + 1, eol));
    if (type === 0x25) n *= 2;
    let p = eol + 2;
    for (let i = 0; i < n; i++) {
      p = skipReply(buf, p);
      if (p < 0) return -1;
    }
    return p;
  }
  return eol + 2;
}

interface LoadResult {
  replies: number;
  errorCount: number;
  errors: string[];
  ms: number;
}

function pipelinedLoad(
  port: number,
  commands: number,
  build: (i: number) => string,
  window: number,
  timeoutMs: number,
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const sock = net.connect({ host: "127.0.0.1", port });
    let pending: Buffer | undefined;
    let replies = 0;
    let errorCount = 0;
    const errors: string[] = [];
    let sent = 0;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve({ replies, errorCount, errors, ms: performance.now() - start });
    };
    const timer = setTimeout(() => finish(new Error(`load timed out after ${timeoutMs} ms`)), timeoutMs);
    const pump = () => {
      let out = "";
      while (sent < commands && sent - replies < window) {
        out += build(sent++);
        if (out.length > 1 << 20) {
          sock.write(out, "latin1");
          out = "";
        }
      }
      if (out !== "") sock.write(out, "latin1");
    };
    sock.once("connect", pump);
    sock.on("data", (chunk: Buffer) => {
      const buf = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
      let pos = 0;
      for (;;) {
        const end = skipReply(buf, pos);
        if (end < 0) break;
        if (buf[pos] === 0x2d /* - */) {
          errorCount++;
          if (errors.length < 3) errors.push(buf.toString("latin1", pos + 1, end - 2));
        }
        replies++;
        pos = end;
      }
      pending = pos < buf.length ? Buffer.from(buf.subarray(pos)) : undefined;
      if (replies >= commands) finish();
      else pump();
    });
    sock.once("error", (e) => finish(e));
    sock.once("close", () => finish(new Error(`connection closed after ${replies} of ${commands} replies`)));
  });
}

/** Distinct 16-byte elements. */
const elem = (i: number) => `e:${String(i).padStart(14, "0")}`;
const VALUE16 = "xxxxxxxxxxxxxxxx";

function batchCommand(head: string[], from: number, count: number, per: (i: number) => string[]): string {
  const argv = [...head];
  for (let i = from; i < from + count; i++) argv.push(...per(i));
  return encodeCommand(argv);
}

interface CaseDef {
  /** what is loaded, for the report */
  what: (o: Options) => string;
  /** a command that must not be an error reply for the case to be measurable */
  probe?: string[][];
  /** the command that reads back the element count once loaded */
  count: string[];
  load: (o: Options, port: number) => Promise<{ ms: number; note: string; error?: string }>;
}

function batched(head: string[], per: (i: number) => string[]) {
  return async (o: Options, port: number) => {
    const commands = Math.ceil(o.n / o.batch);
    const r = await pipelinedLoad(
      port,
      commands,
      (c) => batchCommand(head, c * o.batch, Math.min(o.batch, o.n - c * o.batch), per),
      16,
      900_000,
    );
    return {
      ms: r.ms,
      note: `${commands} commands, 16 in flight`,
      ...(r.errorCount > 0 ? { error: `${r.errorCount} error replies: ${r.errors.join(" | ")}` } : {}),
    };
  };
}

const CASES: Record<CaseName, CaseDef> = {
  strings: {
    what: (o) => `redis-benchmark -t set -n ${o.n} -r ${o.n} -d 16 (keys "key:%012d", 16-byte values)`,
    count: ["DBSIZE"],
    load: async (o, port) => {
      const args = ["-h", "127.0.0.1", "-p", String(port), "-t", "set", "-n", String(o.n), "-r", String(o.n)];
      args.push("-d", "16", "-q");
      const r = await runCommand(o.redisBenchmark, args, 900_000);
      const line =
        r.stdout
          .split(/\r|\n/)
          .filter((l) => l.includes("requests per second"))
          .pop() ?? "";
      const ok = r.code === 0 && !r.timedOut;
      return {
        ms: r.ms,
        note: `${shellLine("redis-benchmark", args).replace(/-p \d+/, "-p PORT")}: ${line.trim()}`,
        ...(ok ? {} : { error: `redis-benchmark ${r.timedOut ? "timed out" : `exit ${r.code}`}: ${r.stderr.trim()}` }),
      };
    },
  },
  zset: {
    what: (o) => `one sorted set, ${o.n} members (16 bytes, distinct integer scores), ZADD x ${o.batch}`,
    probe: [["ZADD", "__probe", "1", "a"]],
    count: ["ZCARD", "zset"],
    load: batched(["ZADD", "zset"], (i) => [String(i), elem(i)]),
  },
  list: {
    what: (o) => `one list, ${o.n} elements (16 bytes), RPUSH x ${o.batch}`,
    probe: [["RPUSH", "__probe", "a"]],
    count: ["LLEN", "list"],
    load: batched(["RPUSH", "list"], (i) => [elem(i)]),
  },
  stream: {
    what: (o) => `one stream, ${o.n} entries \`XADD stream * f v\`, ${o.batch} commands in flight`,
    probe: [["XADD", "__probe", "*", "f", "v"]],
    count: ["XLEN", "stream"],
    load: async (o, port) => {
      const cmd = encodeCommand(["XADD", "stream", "*", "f", "v"]);
      const r = await pipelinedLoad(port, o.n, () => cmd, o.batch, 900_000);
      return {
        ms: r.ms,
        note: `${o.n} commands, ${o.batch} in flight`,
        ...(r.errorCount > 0 ? { error: `${r.errorCount} error replies: ${r.errors.join(" | ")}` } : {}),
      };
    },
  },
  hash: {
    what: (o) => `one hash, ${o.n} fields (16-byte fields and values), HSET x ${o.batch}`,
    probe: [["HSET", "__probe", "f", "v"]],
    count: ["HLEN", "hash"],
    load: batched(["HSET", "hash"], (i) => [elem(i), VALUE16]),
  },
  set: {
    what: (o) => `one set, ${o.n} members (16 bytes), SADD x ${o.batch}`,
    probe: [["SADD", "__probe", "a"]],
    count: ["SCARD", "set"],
    load: batched(["SADD", "set"], (i) => [elem(i)]),
  },
};

// ---------------------------------------------------------------------------------------------
// One measurement
// ---------------------------------------------------------------------------------------------

interface Measurement {
  case: CaseName;
  target: string;
  /** shard count as shardis reported it in its start-up line */
  shards?: string;
  commandLine: string;
  empty?: ProcMemory;
  loaded?: ProcMemory;
  /** RSS once a second during the idle period after loading, bytes */
  idleSeries: number[];
  count?: number;
  usedMemory?: number;
  loadMs?: number;
  loadNote?: string;
  /** why the row could not be measured */
  failure?: string;
}

async function command(port: number, argv: string[]): Promise<{ type: string; text: string }> {
  const [r] = await rawRequest(port, encodeCommand(argv), 1, 30_000);
  if (r === undefined) throw new Error(`no reply to ${argv[0]}`);
  return r;
}

async function startTarget(o: Options, target: string): Promise<RunningServer> {
  const port = await freePort();
  if (target === "redis") {
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
    return startServer({ name: "redis", command: o.redisServer, args, port });
  }
  const args = [...o.nodeArgs, o.shardis, "--port", String(port), "--bind", "127.0.0.1", "--save", ""];
  if (target !== "default") args.push("--shards", target);
  return startServer({ name: `shardis-${target}`, command: process.execPath, args, port });
}

async function measureOne(o: Options, name: CaseName, target: string): Promise<Measurement> {
  const def = CASES[name];
  const m: Measurement = { case: name, target, commandLine: "", idleSeries: [] };
  let server: RunningServer | undefined;
  try {
    server = await startTarget(o, target);
    m.commandLine = server.commandLine;
    await sleep(o.settle * 1000);
    const shardsLine = /shards=([^,]+),/.exec(server.logTail(200));
    if (shardsLine) m.shards = shardsLine[1];
    m.empty = procMemory(server.pid);
    for (const p of def.probe ?? []) {
      const r = await command(server.port, p);
      if (r.type === "-") throw new Error(`not measurable: ${p.join(" ")} -> -${r.text}`);
      await command(server.port, ["DEL", p[1] as string]);
    }
    log(`${name} on ${target}: loading ...`);
    const r = await def.load(o, server.port);
    m.loadMs = r.ms;
    m.loadNote = r.note;
    if (r.error !== undefined) throw new Error(r.error);
    if (!server.alive()) throw new Error(`server died: ${server.exitInfo()}\n${server.logTail()}`);
    const c = await command(server.port, def.count);
    m.count = Number(c.text);
    for (let s = 0; s < o.idle; s++) {
      await sleep(1000);
      m.idleSeries.push(procMemory(server.pid)?.rss ?? 0);
    }
    m.loaded = procMemory(server.pid);
    const info = await command(server.port, ["INFO", "memory"]);
    const um = /used_memory:(\d+)/.exec(info.text);
    if (um) m.usedMemory = Number(um[1]);
    log(
      `${name} on ${target}: count ${m.count}, RSS ${mb(m.empty?.rss)} -> ${mb(m.loaded?.rss)} MB in ${(r.ms / 1000).toFixed(1)} s`,
    );
  } catch (e) {
    m.failure = (e as Error).message;
    log(`${name} on ${target}: ${m.failure}`);
  } finally {
    await server?.stop();
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Floor experiments: how much does V8 itself need for the strings case's data?
// ---------------------------------------------------------------------------------------------

const FLOOR_VARIANTS: Record<string, string> = {
  "node-empty": "an idle node process (no data)",
  "worker-empty": "an idle node process plus one idle worker thread (the per-thread baseline)",
  "map-632k": "Map<string,string>, 632,121 keys 'key:%012d' -> distinct 16-byte strings (the strings case's key count)",
  "map-1m": "the same with 1,000,000 keys",
  "map-632k-int": "Map<string,number>: 632,121 keys -> small integers (Redis `int` strings)",
  "map-632k-semi1": "map-632k with --max-semi-space-size=1 (1 MB young generation semispaces)",
  "map-632k-optsize": "map-632k with --optimize-for-size",
  "map-632k-nogc": "map-632k, RSS read without a forced GC (what a server that never idles shows)",
  "map-632k-worker": "map-632k built inside a worker thread (heap figures are the main thread's)",
};

/** The strings case's distinct keys: redis-benchmark -r 1000000 -n 1000000 hits 1 - 1/e of them. */
const STRINGS_KEYS = 632_121;

function runFloorChild(variant: string): void {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const rss = () => procMemory(process.pid)?.rss ?? 0;
  const build = (n: number, ints: boolean) => {
    const m = new Map<string, string | number>();
    type L1 = Buffer & { latin1Slice(a: number, b: number): string };
    const src = Buffer.from("xxxxxxxxxxxxxxxx", "latin1") as L1;
    const kb = Buffer.from("key:000000000000", "latin1") as L1;
    for (let i = 0; i < n; i++) {
      // the key's digits written into one reused buffer: no per-key garbage but the strings
      for (let d = 15, x = i; d >= 4; d--, x = Math.floor(x / 10)) kb[d] = 48 + (x % 10);
      // fresh flat strings, as the RESP parser hands them to SET (latin1Slice)
      m.set(kb.latin1Slice(0, 16), ints ? i & 0xffff : src.latin1Slice(0, 16));
    }
    return m;
  };
  const report = (extra: Record<string, number>) => {
    const mu = process.memoryUsage();
    const spaces = Object.fromEntries(
      v8.getHeapSpaceStatistics().map((sp) => [sp.space_name, { size: sp.space_size, used: sp.space_used_size }]),
    );
    process.stdout.write(
      `${JSON.stringify({ variant, rss: rss(), heapUsed: mu.heapUsed, heapTotal: mu.heapTotal, external: mu.external, spaces, ...extra })}\n`,
    );
  };
  gc();
  const base = { rss: rss(), heapUsed: process.memoryUsage().heapUsed };
  if (variant === "node-empty") {
    report({ baseRss: base.rss, baseHeap: base.heapUsed });
    return;
  }
  if (variant === "worker-empty" || variant === "map-632k-worker") {
    // the Worker is imported lazily: the child does not need it otherwise
    void import("node:worker_threads").then(({ Worker }) => {
      const code =
        variant === "worker-empty"
          ? "setTimeout(() => {}, 1e6)"
          : `const m = new Map(); const src = Buffer.from("xxxxxxxxxxxxxxxx", "latin1");
             const kb = Buffer.from("key:000000000000", "latin1");
             for (let i = 0; i < ${STRINGS_KEYS}; i++) {
               for (let d = 15, x = i; d >= 4; d--, x = Math.floor(x / 10)) kb[d] = 48 + (x % 10);
               m.set(kb.latin1Slice(0, 16), src.latin1Slice(0, 16)); }
             globalThis.keep = m; if (globalThis.gc) gc(); require("worker_threads").parentPort.postMessage("built");
             setTimeout(() => {}, 1e6)`;
      const w = new Worker(code, { eval: true });
      const done = () => {
        gc();
        report({ baseRss: base.rss, baseHeap: base.heapUsed });
        void w.terminate();
      };
      if (variant === "worker-empty") setTimeout(done, 1500);
      else w.once("message", () => setTimeout(done, 500));
    });
    return;
  }
  const n = variant === "map-1m" ? 1_000_000 : STRINGS_KEYS;
  const keep = build(n, variant === "map-632k-int");
  if (variant !== "map-632k-nogc") gc();
  report({ baseRss: base.rss, baseHeap: base.heapUsed, entries: keep.size });
}

interface FloorResult {
  variant: string;
  what: string;
  rss: number;
  baseRss: number;
  heapUsed: number;
  baseHeap: number;
  entries?: number;
  spaces?: Record<string, { size: number; used: number }>;
  error?: string;
}

async function runFloor(): Promise<FloorResult[]> {
  const self = fileURLToPath(import.meta.url);
  const out: FloorResult[] = [];
  for (const [variant, what] of Object.entries(FLOOR_VARIANTS)) {
    const flags = ["--expose-gc"];
    if (variant === "map-632k-semi1") flags.push("--max-semi-space-size=1");
    if (variant === "map-632k-optsize") flags.push("--optimize-for-size");
    const r = await runCommand(process.execPath, [...flags, self, "--floor-child", variant], 300_000);
    try {
      const j = JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as FloorResult;
      out.push({ ...j, what });
      log(`floor ${variant}: rss ${mb(j.rss)} MB (base ${mb(j.baseRss)}), heap ${mb(j.heapUsed)} MB`);
    } catch {
      out.push({ variant, what, rss: 0, baseRss: 0, heapUsed: 0, baseHeap: 0, error: r.stderr.slice(0, 500) });
      log(`floor ${variant}: failed ${r.stderr.slice(0, 200)}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function mb(bytes: number | undefined): string {
  return bytes === undefined ? "-" : (bytes / 2 ** 20).toFixed(1);
}

function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || b <= 0) return "-";
  return `${(a / b).toFixed(2)}x`;
}

function targetLabel(m: Measurement): string {
  if (m.target === "redis") return "redis-server";
  if (m.target === "default") return `shardis (default${m.shards ? `: ${m.shards}` : ""})`;
  return `shardis --shards ${m.target}`;
}

function reportMarkdown(o: Options, ms: Measurement[]): string {
  const out: string[] = [];
  out.push(
    "| case | server | count | empty RSS MB | loaded RSS MB | loaded − empty MB | RSS / redis | (loaded − empty) / redis | peak RSS MB | used_memory MB | load s | 2x target |",
  );
  out.push("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const c of o.cases) {
    const redis = ms.find((m) => m.case === c && m.target === "redis");
    const redisDelta = redis?.loaded && redis.empty ? redis.loaded.rss - redis.empty.rss : undefined;
    for (const m of ms.filter((x) => x.case === c)) {
      if (m.failure !== undefined || m.loaded === undefined) {
        out.push(`| ${c} | ${targetLabel(m)} | not measurable: ${(m.failure ?? "").split("\n")[0]} ||||||||||`);
        continue;
      }
      const delta = m.empty ? m.loaded.rss - m.empty.rss : undefined;
      const isRedis = m.target === "redis";
      const r = isRedis ? undefined : redis?.loaded ? m.loaded.rss / redis.loaded.rss : undefined;
      out.push(
        `| ${[
          c,
          targetLabel(m),
          m.count ?? "-",
          mb(m.empty?.rss),
          mb(m.loaded.rss),
          mb(delta),
          isRedis ? "1" : ratio(m.loaded.rss, redis?.loaded?.rss),
          isRedis ? "1" : ratio(delta, redisDelta),
          mb(m.loaded.hwm),
          mb(m.usedMemory),
          m.loadMs === undefined ? "-" : (m.loadMs / 1000).toFixed(1),
          isRedis || r === undefined ? "" : r <= 2 ? "PASS" : "MISS",
        ].join(" | ")} |`,
      );
    }
  }
  return out.join("\n");
}

function floorMarkdown(fl: FloorResult[]): string {
  const out = [
    "| experiment | what | RSS MB | RSS − start MB | heapUsed MB | heap − start MB | bytes/entry (heap) | bytes/entry (RSS) | new space MB | old space size/used MB | large objects MB |",
  ];
  out.push("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const f of fl) {
    if (f.error !== undefined) {
      out.push(`| ${f.variant} | ${f.what} | failed |||||||||`);
      continue;
    }
    const dh = f.heapUsed - f.baseHeap;
    const dr = f.rss - f.baseRss;
    const per = (x: number) => (f.entries ? (x / f.entries).toFixed(0) : "-");
    const sp = f.spaces ?? {};
    const old = sp.old_space;
    out.push(
      `| ${f.variant} | ${f.what} | ${mb(f.rss)} | ${mb(dr)} | ${mb(f.heapUsed)} | ${mb(dh)} | ${per(dh)} | ${per(dr)} | ${mb(sp.new_space?.size)} | ${old ? `${mb(old.size)} / ${mb(old.used)}` : "-"} | ${mb(sp.large_object_space?.size)} |`,
    );
  }
  return out.join("\n");
}

function machineLine(m: MachineInfo): string {
  const gib = (m.totalMemoryBytes / 2 ** 30).toFixed(1);
  return `${m.cpuModel}, ${m.cores} cores, ${gib} GiB, ${m.platform} ${m.release} ${m.arch}, node ${m.node}, redis ${m.redis}`;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function parseOptions(argv: string[], repoRoot: string): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      cases: { type: "string" },
      targets: { type: "string" },
      n: { type: "string" },
      batch: { type: "string" },
      settle: { type: "string" },
      idle: { type: "string" },
      "redis-server": { type: "string" },
      "redis-benchmark": { type: "string" },
      shardis: { type: "string" },
      "node-args": { type: "string" },
      notes: { type: "string" },
      out: { type: "string" },
      "no-save": { type: "boolean" },
      floor: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return undefined;
  }
  const cases = (values.cases ?? ALL_CASES.join(",")).split(",").map((s) => s.trim());
  for (const c of cases) if (!(ALL_CASES as readonly string[]).includes(c)) throw new Error(`unknown case ${c}`);
  const targets = (values.targets ?? "redis,default,0").split(",").map((s) => s.trim());
  for (const t of targets)
    if (t !== "redis" && t !== "default" && !/^\d+$/.test(t)) throw new Error(`unknown target ${t}`);
  const int = (v: string | undefined, d: number) => {
    const n = v === undefined ? d : Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`bad number ${v}`);
    return n;
  };
  return {
    cases: cases as CaseName[],
    targets,
    n: int(values.n, 1_000_000),
    batch: Math.max(1, int(values.batch, 1000)),
    settle: int(values.settle, 3),
    idle: int(values.idle, 10),
    redisServer: values["redis-server"] ?? "redis-server",
    redisBenchmark: values["redis-benchmark"] ?? "redis-benchmark",
    shardis: path.resolve(values.shardis ?? path.join(repoRoot, "dist", "src", "main.js")),
    notes: values.notes,
    // by default as run.sh starts it
    nodeArgs:
      values["node-args"] === undefined ? SHARDIS_NODE_ARGS : values["node-args"].split(" ").filter((x) => x !== ""),
    outDir: path.resolve(values.out ?? path.join(repoRoot, "bench", "results")),
    save: !values["no-save"],
    floor: values.floor ?? false,
  };
}

async function main(): Promise<number> {
  const childAt = process.argv.indexOf("--floor-child");
  if (childAt >= 0) {
    runFloorChild(process.argv[childAt + 1] ?? "");
    return 0;
  }
  const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
  let o: Options | undefined;
  try {
    o = parseOptions(process.argv.slice(2), repoRoot);
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (o === undefined) return 0;
  installCleanupHandlers((signal) => log(`${signal}: stopping every server started`));
  const started = new Date();
  const sha = gitSha(repoRoot);
  const machine = machineInfo(o.redisServer);
  if (!o.floor && !existsSync(o.shardis)) {
    console.error(`${o.shardis} not found: run \`npm run build\` first`);
    return 1;
  }
  log(`${machineLine(machine)}; git ${sha}; load average ${machine.loadavgAtStart.map((x) => x.toFixed(2)).join(" ")}`);

  const ms: Measurement[] = [];
  let floor: FloorResult[] = [];
  if (o.floor) floor = await runFloor();
  else for (const c of o.cases) for (const t of o.targets) ms.push(await measureOne(o, c, t));
  const loadEnd = (await import("node:os")).loadavg();

  const title = o.floor
    ? `# V8 memory floor experiments: ${started.toISOString()} (${sha})`
    : `# shardis vs redis-server ${machine.redis}: memory, ${started.toISOString()} (${sha})`;
  const body = o.floor ? floorMarkdown(floor) : reportMarkdown(o, ms);
  console.log(`\n${title}\n\n${machineLine(machine)}\n\n${body}\n`);
  if (o.save) {
    mkdirSync(o.outDir, { recursive: true });
    const stamp = started
      .toISOString()
      .replace(/\.\d+Z$/, "Z")
      .replaceAll(":", "-");
    const base = path.join(o.outDir, `memory${o.floor ? "-floor" : ""}-${stamp}-${sha}`);
    const json = {
      kind: o.floor ? "memory-floor" : "memory",
      date: started.toISOString(),
      finished: new Date().toISOString(),
      gitSha: sha,
      machine,
      loadavgAtEnd: loadEnd,
      settings: { ...o, argv: process.argv.slice(2) },
      cases: Object.fromEntries(o.cases.map((c) => [c, CASES[c].what(o)])),
      measurements: ms,
      floor,
    };
    writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
    const md = [
      title,
      "",
      `- machine: ${machineLine(machine)}`,
      `- load average at start ${machine.loadavgAtStart.map((x) => x.toFixed(2)).join(" ")}, at end ${loadEnd.map((x) => x.toFixed(2)).join(" ")} (shared machine)`,
      `- invoked as: \`${shellLine("node", ["dist/bench/memory.js", ...process.argv.slice(2)])}\``,
      ...(o.floor ? [] : o.cases.map((c) => `- ${c}: ${CASES[c].what(o)}`)),
      "",
      body,
      "",
      ...(o.floor
        ? []
        : [
            "## Load notes",
            "",
            ...ms.map(
              (m) =>
                `- ${m.case} / ${m.target}: ${m.loadNote ?? "-"}${m.failure ? ` — ${m.failure.split("\n")[0]}` : ""}`,
            ),
            "",
            "## Idle RSS after loading, one sample a second (MB)",
            "",
            ...ms.map((m) => `- ${m.case} / ${m.target}: ${m.idleSeries.map((x) => mb(x)).join(" ")}`),
            "",
          ]),
      ...(o.notes !== undefined ? [readFileSync(o.notes, "utf8")] : []),
    ].join("\n");
    writeFileSync(`${base}.md`, md);
    log(`wrote ${path.relative(process.cwd(), base)}.{json,md}`);
  }
  return ms.some((m) => m.failure !== undefined && !m.failure.startsWith("not measurable")) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
