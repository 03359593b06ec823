/*
 * redis-benchmark matrix: real redis-server against shardis at several shard counts.
 *
 *   node dist/bench/compare.js [--shards 0,1,2] [--pipelines 1,16] [--rounds 3] [--quick] ...
 *
 * For every round and pipeline depth the targets are ALTERNATED (redis, shardis s0, redis,
 * shardis s1, ...) so that slow drift on the machine (thermal, noisy neighbours) lands on both
 * sides of each ratio. The reported number per (target, test, pipeline) is the median rps over
 * all its runs; the ratio is shardis median / redis median, summarised by a geometric mean over
 * the tests. Everything raw is written to bench/results/compare-<date>-<sha>.{json,md}.
 *
 * See bench/README.md for the method and its caveats.
 */

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  answersPing,
  encodeCommand,
  findRepoRoot,
  freePort,
  gitSha,
  installCleanupHandlers,
  type MachineInfo,
  machineInfo,
  processCpuSeconds,
  type RunningServer,
  rawRequest,
  redisBenchmarkArgs,
  runCommand,
  SHARDIS_NODE_ARGS,
  shellLine,
  sleep,
  startServer,
} from "./lib.js";

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

const DEFAULT_TESTS = "ping_inline,ping_mbulk,set,get,incr,mset";
/** Requests per redis-benchmark test by pipeline depth: full runs, then --quick smoke runs. */
const DEFAULT_REQUESTS = (pipeline: number) => (pipeline > 1 ? 1_000_000 : 100_000);
const QUICK_REQUESTS = (pipeline: number) => (pipeline > 1 ? 100_000 : 10_000);
/** The goals for the threaded default, geomean of ours/redis over the tests, by pipeline. */
const TARGETS: ReadonlyMap<number, number> = new Map([
  [1, 0.85],
  [16, 0.6],
]);
/** A server using more than this share of one core while nobody talks to it is suspicious. */
const IDLE_CPU_WARN_PCT = 5;

const HELP = `Usage: node dist/bench/compare.js [options]

Runs redis-benchmark against a real redis-server and against shardis at each shard count,
alternating targets within each round, and prints median rps, ratios and geometric means.

Options:
  --shards LIST          shard counts to run shardis with (default 0,1,2)
  --default-shards N     the shard count shardis uses by default on this machine; its
                         geomeans are checked against the targets (default max(1, cores-1) = ${defaultShards()})
  --pipelines LIST       redis-benchmark -P values (default 1,16)
  --tests LIST           redis-benchmark -t value (default ${DEFAULT_TESTS})
  --clients N            redis-benchmark -c (default 50)
  --rounds N             rounds of the alternating schedule (default 3; 1 with --quick)
  --requests N           redis-benchmark -n for every pipeline (default 100000 at -P 1,
                         1000000 at -P >1; 10000 / 100000 with --quick)
  --random-keys N        pass -r N to redis-benchmark (spreads keys over shards; default off,
                         i.e. every SET/GET/INCR hits the same key as in a plain run)
  --warmup N             requests per test in one unrecorded -P 16 warm-up run per target
                         (default 20000; 2000 with --quick; 0 disables)
  --quick                small n and 1 round: a smoke run of the harness
  --only-redis           benchmark redis-server only (validates the harness without shardis)
  --timeout S            kill a redis-benchmark invocation after S seconds (default 900)
  --redis-server PATH    (default redis-server)
  --redis-benchmark PATH (default redis-benchmark)
  --shardis PATH         shardis entry point (default <repo>/dist/src/main.js)
  --shardis-args="..."   extra arguments for every shardis instance (split on spaces; use
                         the = form when they start with a dash)
  --out DIR              results directory (default <repo>/bench/results)
  --no-save              do not write result files
  -h, --help             this text

Exit code: 0 when every server and every benchmark run survived (whatever the ratios are),
1 when something crashed, timed out or failed to start, 2 on bad options.`;

function defaultShards(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

interface Options {
  shards: number[];
  defaultShards: number;
  pipelines: number[];
  tests: string;
  clients: number;
  rounds: number;
  requests: (pipeline: number) => number;
  requestsNote: string;
  randomKeys: number | undefined;
  warmup: number;
  quick: boolean;
  onlyRedis: boolean;
  timeoutMs: number;
  redisServer: string;
  redisBenchmark: string;
  shardis: string;
  shardisArgs: string[];
  outDir: string;
  save: boolean;
}

class UsageError extends Error {}

function intList(name: string, value: string, min: number): number[] {
  const out = value.split(",").map((s) => s.trim());
  const nums = out.map(Number);
  if (out.length === 0 || nums.some((n) => !Number.isInteger(n) || n < min)) {
    throw new UsageError(`--${name} wants a comma separated list of integers >= ${min}, got "${value}"`);
  }
  return [...new Set(nums)];
}

function int(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} wants an integer >= ${min}, got "${value}"`);
  return n;
}

function parseOptions(argv: string[], repoRoot: string): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      shards: { type: "string" },
      "default-shards": { type: "string" },
      pipelines: { type: "string" },
      tests: { type: "string" },
      clients: { type: "string" },
      rounds: { type: "string" },
      requests: { type: "string" },
      "random-keys": { type: "string" },
      warmup: { type: "string" },
      quick: { type: "boolean" },
      "only-redis": { type: "boolean" },
      timeout: { type: "string" },
      "redis-server": { type: "string" },
      "redis-benchmark": { type: "string" },
      shardis: { type: "string" },
      "shardis-args": { type: "string" },
      out: { type: "string" },
      "no-save": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return undefined;
  }
  const quick = values.quick ?? false;
  const fixed = values.requests === undefined ? undefined : int("requests", values.requests, 0, 1);
  const requests = fixed !== undefined ? () => fixed : quick ? QUICK_REQUESTS : DEFAULT_REQUESTS;
  const pipelines = intList("pipelines", values.pipelines ?? "1,16", 1);
  const tests = (values.tests ?? DEFAULT_TESTS).replaceAll(" ", "");
  if (!/^[a-z0-9_]+(,[a-z0-9_]+)*$/i.test(tests)) throw new UsageError(`bad --tests "${tests}"`);
  return {
    shards: intList("shards", values.shards ?? "0,1,2", 0),
    defaultShards: int("default-shards", values["default-shards"], defaultShards(), 0),
    pipelines,
    tests: tests.toLowerCase(),
    clients: int("clients", values.clients, 50, 1),
    rounds: int("rounds", values.rounds, quick ? 1 : 3, 1),
    requests,
    requestsNote: pipelines.map((p) => `-P ${p}: -n ${requests(p)}`).join(", "),
    randomKeys: values["random-keys"] === undefined ? undefined : int("random-keys", values["random-keys"], 0, 1),
    warmup: int("warmup", values.warmup, quick ? 2000 : 20_000, 0),
    quick,
    onlyRedis: values["only-redis"] ?? false,
    timeoutMs: int("timeout", values.timeout, 900, 1) * 1000,
    redisServer: values["redis-server"] ?? "redis-server",
    redisBenchmark: values["redis-benchmark"] ?? "redis-benchmark",
    shardis: path.resolve(values.shardis ?? path.join(repoRoot, "dist", "src", "main.js")),
    shardisArgs: (values["shardis-args"] ?? "").split(" ").filter((s) => s !== ""),
    outDir: path.resolve(values.out ?? path.join(repoRoot, "bench", "results")),
    save: !(values["no-save"] ?? false),
  };
}

// ---------------------------------------------------------------------------------------------
// redis-benchmark CSV
// ---------------------------------------------------------------------------------------------

/** One CSV row of redis-benchmark 7.x: rps and latencies in ms. */
export interface TestResult {
  rps: number;
  avgMs: number;
  minMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * The test key of a CSV row: its first word, lower-cased, so "MSET (10 keys)" is "mset" and
 * "LRANGE_100 (first 100 elements)" is "lrange_100", matching the names `-t` takes.
 */
function testKey(csvName: string): string {
  return (csvName.split(" ")[0] ?? csvName).toLowerCase();
}

/**
 * Parse `--csv` output: a header `"test","rps","avg_latency_ms",...` then one row per test.
 * Rows named "... (needed to benchmark ...)" are set-up steps (the LPUSH before LRANGE): skipped.
 */
export function parseBenchmarkCsv(stdout: string): Map<string, TestResult> {
  const out = new Map<string, TestResult>();
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith('"') || line.startsWith('"test"')) continue;
    const cells = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? "");
    const [name, ...nums] = cells;
    if (name === undefined || nums.length < 1 || name.includes("(needed")) continue;
    const n = nums.map(Number);
    const rps = n[0] ?? Number.NaN;
    if (!Number.isFinite(rps)) continue;
    out.set(testKey(name), {
      rps,
      avgMs: n[1] ?? Number.NaN,
      minMs: n[2] ?? Number.NaN,
      p50Ms: n[3] ?? Number.NaN,
      p95Ms: n[4] ?? Number.NaN,
      p99Ms: n[5] ?? Number.NaN,
      maxMs: n[6] ?? Number.NaN,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Probes: redis-benchmark counts error replies as answered requests, so a command shardis does
// not implement yet would show up as a (fast!) success. Before measuring, send each test's
// command once and drop tests whose reply is an error.
// ---------------------------------------------------------------------------------------------

const PROBES: Record<string, string> = {
  ping_inline: "PING\r\n",
  ping_mbulk: encodeCommand(["PING"]),
  set: encodeCommand(["SET", "bench:probe:str", "xxx"]),
  get: encodeCommand(["GET", "bench:probe:str"]),
  incr: encodeCommand(["INCR", "bench:probe:counter"]),
  lpush: encodeCommand(["LPUSH", "bench:probe:list", "xxx"]),
  rpush: encodeCommand(["RPUSH", "bench:probe:list", "xxx"]),
  lpop: encodeCommand(["LPOP", "bench:probe:list"]),
  rpop: encodeCommand(["RPOP", "bench:probe:list"]),
  sadd: encodeCommand(["SADD", "bench:probe:set", "xxx"]),
  spop: encodeCommand(["SPOP", "bench:probe:set"]),
  hset: encodeCommand(["HSET", "bench:probe:hash", "f", "xxx"]),
  zadd: encodeCommand(["ZADD", "bench:probe:zset", "1", "xxx"]),
  zpopmin: encodeCommand(["ZPOPMIN", "bench:probe:zset"]),
  lrange_100: encodeCommand(["LRANGE", "bench:probe:list", "0", "99"]),
  lrange_300: encodeCommand(["LRANGE", "bench:probe:list", "0", "299"]),
  lrange_500: encodeCommand(["LRANGE", "bench:probe:list", "0", "499"]),
  lrange_600: encodeCommand(["LRANGE", "bench:probe:list", "0", "599"]),
  // Keys in different slots, as redis-benchmark's own MSET keys are with -r.
  mset: encodeCommand(["MSET", "bench:probe:a", "1", "bench:probe:b", "2", "bench:probe:c", "3"]),
};

/** The `-t` names a list expands to ("ping" runs both PINGs, "lrange" all four LRANGEs). */
function expandTests(tests: string): string[] {
  const out: string[] = [];
  for (const t of tests.split(",")) {
    if (t === "ping") out.push("ping_inline", "ping_mbulk");
    else if (t === "lrange") out.push("lrange_100", "lrange_300", "lrange_500", "lrange_600");
    else out.push(t);
  }
  return out;
}

/** test -> error text for every probed test the server answers with an error (or not at all). */
async function probe(port: number, tests: string): Promise<Record<string, string>> {
  const failed: Record<string, string> = {};
  for (const t of expandTests(tests)) {
    const payload = PROBES[t];
    if (payload === undefined) continue; // unknown to us: measured unprobed
    try {
      const [reply] = await rawRequest(port, payload, 1, 3000);
      if (reply?.type === "-") failed[t] = reply.text;
    } catch (e) {
      failed[t] = `no reply: ${(e as Error).message}`;
    }
  }
  return failed;
}

// ---------------------------------------------------------------------------------------------
// Targets and runs
// ---------------------------------------------------------------------------------------------

interface Target {
  /** "redis" or "s<K>". */
  id: string;
  /** Shard count for shardis targets. */
  shards?: number;
  server?: RunningServer;
  commandLine: string;
  /** Tests the probe found unimplemented: test -> error reply. */
  unsupported: Record<string, string>;
  /** Share of one core used while idle after warm-up, in percent. */
  idleCpuPct?: number;
  /** Why this target stopped being measured (failed start, crash). */
  failure?: string;
}

interface Run {
  seq: number;
  round: number;
  target: string;
  pipeline: number;
  requests: number;
  commandLine: string;
  elapsedMs: number;
  results: Record<string, TestResult>;
  error?: string;
}

const log = (msg: string) => process.stderr.write(`[compare ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

function benchArgs(opts: Options, port: number, pipeline: number, requests: number, tests = opts.tests): string[] {
  const args = redisBenchmarkArgs(port, opts.clients, requests, pipeline, tests);
  if (opts.randomKeys !== undefined) args.push("-r", String(opts.randomKeys));
  return args;
}

async function benchmarkOnce(
  opts: Options,
  target: Target,
  pipeline: number,
  requests: number,
  tests = opts.tests,
): Promise<{ commandLine: string; elapsedMs: number; results: Map<string, TestResult>; error?: string }> {
  const server = target.server;
  if (server === undefined) throw new Error(`${target.id} has no server`);
  const args = benchArgs(opts, server.port, pipeline, requests, tests);
  const commandLine = shellLine(opts.redisBenchmark, args);
  // redis-benchmark retries forever when its server goes away (7.0 hangs on "Connection
  // refused"), so the server's death ends the run at once instead of at the timeout.
  const ac = new AbortController();
  const onExit = () => ac.abort();
  server.child.once("exit", onExit);
  const res = await runCommand(opts.redisBenchmark, args, opts.timeoutMs, ac.signal).finally(() =>
    server.child.removeListener("exit", onExit),
  );
  const results = parseBenchmarkCsv(res.stdout);
  let error: string | undefined;
  if (res.timedOut) error = `redis-benchmark timed out after ${opts.timeoutMs / 1000} s`;
  else if (res.aborted) error = "the server exited during the run";
  else if (res.code !== 0)
    error = `redis-benchmark exited with ${res.code ?? res.signal}: ${res.stderr.trim().slice(-500)}`;
  else {
    const missing = expandTests(tests).filter((t) => !results.has(t));
    if (missing.length > 0) error = `no CSV row for ${missing.join(",")}: ${res.stderr.trim().slice(-500)}`;
  }
  if (error !== undefined) await sleep(200); // let a dying server's exit event arrive
  if (!server.alive()) error = `${target.id} died during the run (${server.exitInfo()})`;
  return { commandLine, elapsedMs: Math.round(res.ms), results, ...(error ? { error } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting
// ---------------------------------------------------------------------------------------------

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function geomean(xs: number[]): number | undefined {
  if (xs.length === 0 || xs.some((x) => !(x > 0))) return undefined;
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

const fmtRps = (x: number | undefined) => (x === undefined ? "—" : Math.round(x).toLocaleString("en-US"));
const fmtRatio = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(2));

function table(header: string[], rows: string[][], align: ("l" | "r")[]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const sep = `|${align
    .map((a) => (a === "r" ? "---:" : ":---"))
    .map((s) => `${s}|`)
    .join("")}`;
  return [line(header), sep, ...rows.map(line)].join("\n");
}

interface Summary {
  /** target -> pipeline -> test -> median rps */
  medians: Record<string, Record<string, Record<string, number>>>;
  /** "s<K>" -> pipeline -> ratio per test */
  ratios: Record<string, Record<string, Record<string, number>>>;
  /** "s<K>" -> pipeline -> geomean of ratios over the tests measured on both sides */
  geomeans: Record<string, Record<string, { geomean: number | undefined; tests: number; of: number }>>;
  targets: { shards: number; pipeline: number; goal: number; geomean: number | undefined; pass: boolean }[];
}

function summarise(opts: Options, targets: Target[], runs: Run[], testOrder: string[]): Summary {
  const medians: Summary["medians"] = {};
  for (const t of targets) {
    const byP: Record<string, Record<string, number>> = {};
    for (const p of opts.pipelines) {
      const byTest: Record<string, number> = {};
      for (const test of testOrder) {
        if (t.unsupported[test] !== undefined) continue;
        const xs = runs
          .filter((r) => r.target === t.id && r.pipeline === p)
          .map((r) => r.results[test]?.rps)
          .filter((x): x is number => x !== undefined);
        const m = median(xs);
        if (m !== undefined) byTest[test] = m;
      }
      byP[p] = byTest;
    }
    medians[t.id] = byP;
  }
  const ratios: Summary["ratios"] = {};
  const geomeans: Summary["geomeans"] = {};
  for (const t of targets) {
    if (t.shards === undefined) continue;
    ratios[t.id] = {};
    geomeans[t.id] = {};
    for (const p of opts.pipelines) {
      const r: Record<string, number> = {};
      for (const test of testOrder) {
        const ours = medians[t.id]?.[p]?.[test];
        const theirs = medians.redis?.[p]?.[test];
        if (ours !== undefined && theirs !== undefined && theirs > 0) r[test] = ours / theirs;
      }
      const rs = Object.values(r);
      (ratios[t.id] as Record<string, Record<string, number>>)[p] = r;
      (geomeans[t.id] as Summary["geomeans"][string])[p] = {
        geomean: geomean(rs),
        tests: rs.length,
        of: testOrder.length,
      };
    }
  }
  const goals: Summary["targets"] = [];
  const def = targets.find((t) => t.shards === opts.defaultShards);
  if (def !== undefined) {
    for (const p of opts.pipelines) {
      const goal = TARGETS.get(p);
      if (goal === undefined) continue;
      const g = geomeans[def.id]?.[p];
      // A geomean over fewer tests than requested (some unsupported) does not count as met.
      const complete = g !== undefined && g.tests === g.of;
      const value = g?.geomean;
      goals.push({
        shards: def.shards ?? 0,
        pipeline: p,
        goal,
        geomean: value,
        pass: complete && value !== undefined && value >= goal,
      });
    }
  }
  return { medians, ratios, geomeans, targets: goals };
}

function reportMarkdown(opts: Options, targets: Target[], summary: Summary, testOrder: string[]): string {
  const shardTargets = targets.filter((t) => t.shards !== undefined);
  const out: string[] = [];

  out.push("## Throughput (median requests/s)\n");
  const header = ["test", "P", "redis"];
  for (const t of shardTargets) header.push(`shardis s${t.shards}`, `s${t.shards}/redis`);
  const rows: string[][] = [];
  for (const p of opts.pipelines) {
    for (const test of testOrder) {
      const row = [test, String(p), fmtRps(summary.medians.redis?.[p]?.[test])];
      for (const t of shardTargets) {
        const unsupported = t.unsupported[test] !== undefined;
        row.push(unsupported ? "ERR" : fmtRps(summary.medians[t.id]?.[p]?.[test]));
        row.push(unsupported ? "—" : fmtRatio(summary.ratios[t.id]?.[p]?.[test]));
      }
      rows.push(row);
    }
  }
  out.push(
    table(
      header,
      rows,
      header.map((_, i) => (i === 0 ? "l" : "r")),
    ),
  );

  if (shardTargets.length > 0) {
    out.push("\n## Geometric mean of shardis/redis over the tests\n");
    const gh = ["shards", ...opts.pipelines.map((p) => `-P ${p}`)];
    const grows = shardTargets.map((t) => [
      `${t.shards}${t.shards === opts.defaultShards ? " (default)" : ""}`,
      ...opts.pipelines.map((p) => {
        const g = summary.geomeans[t.id]?.[p];
        if (g === undefined || g.geomean === undefined) return "—";
        return g.tests === g.of ? fmtRatio(g.geomean) : `${fmtRatio(g.geomean)} (${g.tests}/${g.of} tests)`;
      }),
    ]);
    out.push(
      table(
        gh,
        grows,
        gh.map((_, i) => (i === 0 ? "l" : "r")),
      ),
    );
  }

  out.push("\n## Targets for the threaded default\n");
  if (opts.onlyRedis) out.push("Not evaluated (--only-redis).");
  else if (summary.targets.length === 0) {
    out.push(`Not evaluated: the default shard count ${opts.defaultShards} was not measured (or no -P 1 / -P 16 run).`);
  } else {
    for (const g of summary.targets) {
      out.push(
        `- shards ${g.shards}, -P ${g.pipeline}: geomean ${fmtRatio(g.geomean)} (goal >= ${g.goal}) ` +
          `**${g.pass ? "PASS" : "MISS"}**`,
      );
    }
  }

  const notes: string[] = [];
  for (const t of targets) {
    if (t.failure !== undefined) notes.push(`- ${t.id}: ${t.failure.split("\n")[0]}`);
    for (const [test, err] of Object.entries(t.unsupported))
      notes.push(`- ${t.id}: ${test} not measured, probe replied: ${err}`);
    if (t.idleCpuPct !== undefined && t.idleCpuPct > IDLE_CPU_WARN_PCT) {
      notes.push(
        `- ${t.id}: used ${t.idleCpuPct.toFixed(0)}% of a core while idle (spinning?): it skews the other targets' numbers`,
      );
    }
  }
  if (notes.length > 0) out.push("\n## Notes\n", ...notes);
  return out.join("\n");
}

function rawRunsMarkdown(runs: Run[], testOrder: string[]): string {
  const header = ["#", "round", "target", "P", "n", ...testOrder, "s", "error"];
  const rows = runs.map((r) => [
    String(r.seq),
    String(r.round),
    r.target,
    String(r.pipeline),
    String(r.requests),
    ...testOrder.map((t) => fmtRps(r.results[t]?.rps)),
    (r.elapsedMs / 1000).toFixed(1),
    r.error ?? "",
  ]);
  return table(
    header,
    rows,
    header.map((h) => (["target", "error"].includes(h) ? "l" : "r")),
  );
}

function machineLine(m: MachineInfo): string {
  const gib = (m.totalMemoryBytes / 2 ** 30).toFixed(1);
  return `${m.cpuModel}, ${m.cores} cores, ${gib} GiB, ${m.platform} ${m.release} ${m.arch}, node ${m.node}, redis ${m.redis}`;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
  let opts: Options | undefined;
  try {
    opts = parseOptions(process.argv.slice(2), repoRoot);
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (opts === undefined) return 0;

  installCleanupHandlers((signal) => log(`${signal}: stopping every server started`));
  const started = new Date();
  const sha = gitSha(repoRoot);
  const machine = machineInfo(opts.redisServer);
  if (machine.redis === "unknown") {
    console.error(`cannot run ${opts.redisServer} --version: is redis-server installed?`);
    return 1;
  }
  if (!opts.onlyRedis && !existsSync(opts.shardis)) {
    console.error(`${opts.shardis} not found: run \`npm run build\` first (or pass --shardis / --only-redis)`);
    return 1;
  }
  log(`${machineLine(machine)}; git ${sha}`);
  log(`tests ${opts.tests}; pipelines ${opts.pipelines.join(",")}; ${opts.requestsNote}; rounds ${opts.rounds}`);

  const targets: Target[] = [];
  const runs: Run[] = [];
  let crashed = false;
  try {
    // ---- start everything -------------------------------------------------------------------
    {
      const port = await freePort();
      const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
      const server = await startServer({ name: "redis", command: opts.redisServer, args, port });
      targets.push({ id: "redis", server, commandLine: server.commandLine, unsupported: {} });
      log(`redis-server on ${port} (pid ${server.pid})`);
    }
    if (!opts.onlyRedis) {
      for (const k of opts.shards) {
        const port = await freePort();
        const args = [
          ...SHARDIS_NODE_ARGS,
          opts.shardis,
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--shards",
          String(k),
        ];
        args.push(...opts.shardisArgs);
        const target: Target = {
          id: `s${k}`,
          shards: k,
          commandLine: shellLine(process.execPath, args),
          unsupported: {},
        };
        targets.push(target);
        try {
          target.server = await startServer({ name: `shardis-s${k}`, command: process.execPath, args, port });
          log(`shardis --shards ${k} on ${port} (pid ${target.server.pid})`);
        } catch (e) {
          target.failure = `failed to start: ${(e as Error).message}`;
          crashed = true;
          log(`shardis --shards ${k}: ${target.failure}`);
        }
      }
    }

    // ---- probe, warm up, check idle CPU --------------------------------------------------------
    for (const t of targets) {
      if (t.server === undefined) continue;
      t.unsupported = await probe(t.server.port, opts.tests);
      for (const [test, err] of Object.entries(t.unsupported))
        log(`${t.id}: ${test} unsupported (${err}), not measured`);
      if (opts.warmup > 0) {
        const supported = expandTests(opts.tests).filter((x) => t.unsupported[x] === undefined);
        if (supported.length === 0) continue;
        const w = await benchmarkOnce(opts, t, 16, opts.warmup, supported.join(","));
        if (w.error !== undefined) log(`${t.id}: warm-up: ${w.error}`);
      }
    }
    await sleep(300); // let connection teardown and GC settle before sampling idle CPU
    const cpu0 = targets.map((t) => (t.server ? processCpuSeconds(t.server.pid) : undefined));
    const t0 = performance.now();
    await sleep(1000);
    const wall = (performance.now() - t0) / 1000;
    targets.forEach((t, i) => {
      const before = cpu0[i];
      const after = t.server ? processCpuSeconds(t.server.pid) : undefined;
      if (before === undefined || after === undefined) return;
      t.idleCpuPct = ((after - before) / wall) * 100;
      if (t.idleCpuPct > IDLE_CPU_WARN_PCT)
        log(`WARNING ${t.id} uses ${t.idleCpuPct.toFixed(0)}% of a core while idle`);
    });

    // ---- the alternating schedule ----------------------------------------------------------
    const redis = targets[0] as Target;
    let seq = 0;
    const measure = async (t: Target, round: number, pipeline: number) => {
      if (t.server === undefined || t.failure !== undefined) return;
      // A crashed or wedged server would make redis-benchmark wait until the timeout.
      if (!t.server.alive() || !(await answersPing(t.server.port))) {
        t.failure = `${t.server.alive() ? "stopped answering PING" : `died: ${t.server.exitInfo()}`}\n${t.server.logTail()}`;
        crashed = true;
        log(`${t.id} ${t.failure}`);
        return;
      }
      const requests = opts.requests(pipeline);
      const tests = expandTests(opts.tests).filter((x) => t.unsupported[x] === undefined);
      if (tests.length === 0) return;
      log(`round ${round} -P ${pipeline} ${t.id} ...`);
      const r = await benchmarkOnce(opts, t, pipeline, requests, tests.join(","));
      const run: Run = {
        seq: ++seq,
        round,
        target: t.id,
        pipeline,
        requests,
        commandLine: r.commandLine,
        elapsedMs: r.elapsedMs,
        results: Object.fromEntries(r.results),
        ...(r.error !== undefined ? { error: r.error } : {}),
      };
      runs.push(run);
      const brief = tests.map((x) => `${x}=${fmtRps(r.results.get(x)?.rps)}`).join(" ");
      log(`  ${brief} (${(r.elapsedMs / 1000).toFixed(1)} s)${r.error ? ` ERROR ${r.error}` : ""}`);
      if (r.error !== undefined) crashed = true;
      if (!t.server.alive()) {
        t.failure = `died: ${t.server.exitInfo()}\n${t.server.logTail()}`;
        crashed = true;
        log(`${t.id} ${t.failure}`);
      }
    };
    const shardTargets = targets.filter((t) => t.shards !== undefined);
    for (let round = 1; round <= opts.rounds; round++) {
      for (const p of opts.pipelines) {
        if (shardTargets.length === 0) await measure(redis, round, p);
        for (const t of shardTargets) {
          if (t.server === undefined || t.failure !== undefined) continue;
          await measure(redis, round, p);
          await measure(t, round, p);
        }
      }
      if (redis.failure !== undefined) throw new Error(`redis-server ${redis.failure}`);
    }
  } catch (e) {
    crashed = true;
    log(`ERROR ${(e as Error).stack ?? e}`);
  } finally {
    await Promise.all(targets.map((t) => t.server?.stop()));
  }

  // ---- report --------------------------------------------------------------------------------
  // Test order: as redis-benchmark ran them, i.e. as --tests expanded.
  const testOrder = expandTests(opts.tests);
  const summary = summarise(opts, targets, runs, testOrder);
  const report = reportMarkdown(opts, targets, summary, testOrder);
  const title = `# shardis vs redis-server ${machine.redis}: ${started.toISOString()} (${sha})`;
  const settings =
    `clients ${opts.clients}, ${opts.requestsNote}, rounds ${opts.rounds}` +
    `${opts.randomKeys !== undefined ? `, -r ${opts.randomKeys}` : ""}${opts.quick ? ", QUICK (smoke run)" : ""}`;
  console.log(`\n${title}\n\n${machineLine(machine)}\n${settings}\n\n${report}\n`);

  if (opts.save && runs.length > 0) {
    mkdirSync(opts.outDir, { recursive: true });
    const stamp = started
      .toISOString()
      .replace(/\.\d+Z$/, "Z")
      .replaceAll(":", "-");
    const base = path.join(opts.outDir, `compare-${stamp}-${sha}`);
    const json = {
      kind: "compare",
      date: started.toISOString(),
      finished: new Date().toISOString(),
      gitSha: sha,
      machine,
      settings: {
        tests: testOrder,
        pipelines: opts.pipelines,
        shards: opts.onlyRedis ? [] : opts.shards,
        defaultShards: opts.defaultShards,
        clients: opts.clients,
        requests: Object.fromEntries(opts.pipelines.map((p) => [p, opts.requests(p)])),
        rounds: opts.rounds,
        randomKeys: opts.randomKeys ?? null,
        warmup: opts.warmup,
        quick: opts.quick,
        onlyRedis: opts.onlyRedis,
        argv: process.argv.slice(2),
      },
      servers: targets.map((t) => ({
        id: t.id,
        shards: t.shards ?? null,
        commandLine: t.commandLine,
        unsupported: t.unsupported,
        idleCpuPct: t.idleCpuPct ?? null,
        failure: t.failure ?? null,
      })),
      summary,
      runs,
      crashed,
    };
    writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
    const md = [
      title,
      "",
      `- machine: ${machineLine(machine)}`,
      `- settings: ${settings}`,
      `- invoked as: \`${shellLine("node", ["dist/bench/compare.js", ...process.argv.slice(2)])}\``,
      "",
      report,
      "",
      "## Command lines",
      "",
      ...targets.map((t) => `- ${t.id}: \`${t.commandLine}\``),
      ...[...new Set(runs.map((r) => r.commandLine.replace(/-p \d+/, "-p PORT")))].map((c) => `- \`${c}\``),
      "",
      "## Raw runs (requests/s per test)",
      "",
      rawRunsMarkdown(runs, testOrder),
      "",
    ].join("\n");
    writeFileSync(`${base}.md`, md);
    log(`wrote ${path.relative(process.cwd(), base)}.{json,md}`);
  }
  return crashed ? 1 : 0;
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
