/*
 * Where the time goes: runs redis-benchmark against real redis-server and shardis
 * (--shards 0 and 1), records the CPU and context switches each server thread spends per
 * request (from /proc/<pid>/task/<tid>), redis-benchmark's own CPU per request, and the top
 * self-time functions of each shardis thread from V8's --cpu-prof (in a second run). This is the profile behind the README's "why the threaded path
 * loses on two cores".
 *
 *   npm run build && node dist/bench/profile.js [--requests N] [--tests set,get]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  findRepoRoot,
  freePort,
  gitSha,
  installCleanupHandlers,
  machineInfo,
  type RunningServer,
  redisBenchmarkArgs,
  runCommand,
  startServer,
  statFields,
} from "./lib.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
};
const requests = Number(opt("requests", "1000000"));
const tests = opt("tests", "set,get").split(",");
const root = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
const clk = 100; // USER_HZ on Linux

interface ThreadStat {
  /** user + system CPU, in clock ticks */
  ticks: number;
  /** context switches, voluntary (it slept) and not (it was preempted) */
  voluntary: number;
  preempted: number;
}

/** CPU ticks and context switches per thread of a process. */
function threadStats(pid: number): Map<string, ThreadStat> {
  const out = new Map<string, ThreadStat>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const dir = `/proc/${pid}/task/${tid}`;
      const stat = readFileSync(`${dir}/stat`, "utf8");
      const comm = readFileSync(`${dir}/comm`, "utf8").trim();
      const status = readFileSync(`${dir}/status`, "utf8");
      const field = (name: string): number => Number(new RegExp(`^${name}:\\s*(\\d+)`, "m").exec(status)?.[1] ?? 0);
      const f = statFields(stat);
      out.set(`${comm}#${tid}`, {
        ticks: Number(f[11]) + Number(f[12]),
        voluntary: field("voluntary_ctxt_switches"),
        preempted: field("nonvoluntary_ctxt_switches"),
      });
    } catch {
      // the thread ended
    }
  }
  return out;
}

function topFunctions(file: string, n: number): string[] {
  const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]);
    if (node === undefined) continue;
    const f = node.callFrame;
    const where = f.url === "" ? "" : ` ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
    const key = `${f.functionName || "(anonymous)"}${where}`;
    self.set(key, (self.get(key) ?? 0) + p.timeDeltas[i]);
    total += p.timeDeltas[i];
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, t]) => `${((t / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
}

/**
 * redis-benchmark's own CPU per request: it shares the two cores with the server. It runs
 * under a shell that reports its waited-for children's CPU (/proc/self/stat cutime, cstime).
 */
const BENCH_SHELL = 'redis-benchmark "$@"; read -r s < /proc/$$/stat; echo "children-stat $s" >&2';

async function measure(srv: RunningServer, pipeline: number): Promise<string[]> {
  const lines: string[] = [];
  for (const t of tests) {
    const n = pipeline === 1 ? Math.max(10000, Math.floor(requests / 10)) : requests;
    const before = threadStats(srv.pid);
    const benchArgs = redisBenchmarkArgs(srv.port, 50, n, pipeline, t);
    const r = await runCommand("bash", ["-c", BENCH_SHELL, "bash", ...benchArgs], 600000);
    const after = threadStats(srv.pid);
    const rps = Number(r.stdout.trim().split("\n").pop()?.split(",")[1]?.replaceAll('"', "") ?? 0);
    // fields after the command name: cutime and cstime are the 14th and 15th
    const stat = /children-stat (.*)/.exec(r.stderr)?.[1] ?? "";
    const children = statFields(stat);
    const clientUs = ((Number(children[13]) + Number(children[14])) / clk / n) * 1e6;
    const perThread: string[] = [];
    let total = 0;
    for (const [k, v] of after) {
      const b = before.get(k) ?? { ticks: 0, voluntary: 0, preempted: 0 };
      const us = ((v.ticks - b.ticks) / clk / n) * 1e6;
      total += us;
      if (us < 0.05) continue;
      const sleeps = (v.voluntary - b.voluntary) / n;
      const preempted = (v.preempted - b.preempted) / n;
      perThread.push(`${k.split("#")[0]}=${us.toFixed(2)} (${sleeps.toFixed(3)}/${preempted.toFixed(3)})`);
    }
    lines.push(
      `| ${srv.name} | ${t} | ${pipeline} | ${Math.round(rps).toLocaleString("en-US")} | ${total.toFixed(2)} | ${clientUs.toFixed(2)} | ${perThread.join(" ")} |`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const info = machineInfo("redis-server");
  const sha = gitSha(root);
  const table = [
    "| server | test | -P | rps | server CPU µs/request | redis-benchmark CPU µs/request | per thread: µs/request (sleeps/preemptions per request) |",
    "|---|---|---|---|---|---|---|",
  ];
  const profiles: string[] = [];

  const redis = await startServerOnFreePort("redis", "redis-server", (p) => [
    "--port",
    String(p),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
  ]);
  for (const p of [16, 1]) table.push(...(await measure(redis, p)));
  await redis.stop();

  for (const shards of [0, 1]) {
    const serverArgs = (p: number): string[] => {
      const a = [path.join(root, "dist", "src", "main.js"), "--port", String(p), "--bind", "127.0.0.1"];
      return [...a, "--save", "", "--shards", String(shards)];
    };
    // the figures come from a run without the profiler, which slows the threads it samples
    const srv = await startServerOnFreePort(`shardis-s${shards}`, process.execPath, serverArgs);
    for (const p of [16, 1]) table.push(...(await measure(srv, p)));
    await srv.stop(10000);
    // then the same load again under --cpu-prof, for where the time goes
    const profDir = mkdtempSync(path.join(os.tmpdir(), "shardis-prof-"));
    const profiled = await startServerOnFreePort(`shardis-s${shards}-profiled`, process.execPath, (p) => [
      "--cpu-prof",
      "--cpu-prof-dir",
      profDir,
      ...serverArgs(p),
    ]);
    for (const p of [16, 1]) await measure(profiled, p);
    await profiled.stop(10000);
    for (const f of readdirSync(profDir).sort()) {
      const thread = f.includes(".0.001.") ? "main thread" : "worker thread";
      profiles.push(
        `### --shards ${shards}, ${thread} (${f})`,
        "",
        "```",
        ...topFunctions(path.join(profDir, f), 18),
        "```",
        "",
      );
    }
    rmSync(profDir, { recursive: true, force: true });
  }

  const md = [
    `# shardis profile, ${new Date().toISOString()}`,
    "",
    `git ${sha}; ${info.cpuModel}, ${info.cores} cores; node ${info.node}; redis ${info.redis}`,
    `redis-benchmark -c 50 -n ${requests} (-P 1: n/10), tests ${tests.join(",")}`,
    "",
    ...table,
    "",
    "Server CPU and the per-thread figures come from /proc (clock ticks, 10 ms each) over each",
    "redis-benchmark run; sleeps and preemptions are the thread's voluntary and involuntary",
    "context switches. redis-benchmark's CPU is its own (it shares the machine's cores).",
    "",
    "Top self time per thread, from a second run of the same load under V8's --cpu-prof",
    "(the profiler slows the threads it samples, so its run's figures are not in the table;",
    "`(idle)` is time in epoll_wait,",
    "a worker's own loop function is mostly its Atomics.wait):",
    "",
    ...profiles,
  ].join("\n");
  const out = path.join(root, "bench", "results", `profile-${new Date().toISOString().slice(0, 10)}-${sha}.md`);
  writeFileSync(out, `${md}\n`);
  process.stdout.write(`${md}\n\nwritten to ${out}\n`);
}

async function startServerOnFreePort(
  name: string,
  command: string,
  argsFor: (port: number) => string[],
): Promise<RunningServer> {
  const port = await freePort();
  return startServer({ name, command, args: argsFor(port), port });
}

void main();
