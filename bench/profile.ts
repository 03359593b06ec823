/*
 * Where the time goes: runs redis-benchmark against real redis-server and shardis
 * (--shards 0 and 1), records the CPU each server thread spends per request (from
 * /proc/<pid>/task/<tid>/stat), and the top self-time functions of each shardis thread
 * from V8's --cpu-prof. This is the profile behind the README's "why the threaded path
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
  runCommand,
  startServer,
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

/** CPU ticks per thread of a process. */
function threadTicks(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(`${comm}#${tid}`, Number(f[11]) + Number(f[12]));
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

async function measure(srv: RunningServer, pipeline: number): Promise<string[]> {
  const lines: string[] = [];
  for (const t of tests) {
    const n = pipeline === 1 ? Math.max(10000, Math.floor(requests / 10)) : requests;
    const before = threadTicks(srv.pid);
    const r = await runCommand(
      "redis-benchmark",
      [
        "-h",
        "127.0.0.1",
        "-p",
        String(srv.port),
        "-c",
        "50",
        "-n",
        String(n),
        "-P",
        String(pipeline),
        "-t",
        t,
        "--csv",
        "-q",
      ],
      600000,
    );
    const after = threadTicks(srv.pid);
    const rps = Number(r.stdout.trim().split("\n").pop()?.split(",")[1]?.replaceAll('"', "") ?? 0);
    const perThread: string[] = [];
    let total = 0;
    for (const [k, v] of after) {
      const us = ((v - (before.get(k) ?? 0)) / clk / n) * 1e6;
      total += us;
      if (us >= 0.05) perThread.push(`${k.split("#")[0]}=${us.toFixed(2)}`);
    }
    lines.push(
      `| ${srv.name} | ${t} | ${pipeline} | ${Math.round(rps).toLocaleString("en-US")} | ${total.toFixed(2)} | ${perThread.join(" ")} |`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const info = machineInfo("redis-server");
  const sha = gitSha(root);
  const table = [
    "| server | test | -P | rps | server CPU µs/request | per thread (µs/request) |",
    "|---|---|---|---|---|---|",
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
    const profDir = mkdtempSync(path.join(os.tmpdir(), "shardis-prof-"));
    const srv = await startServerOnFreePort(`shardis-s${shards}`, process.execPath, (p) => [
      "--cpu-prof",
      "--cpu-prof-dir",
      profDir,
      path.join(root, "dist", "src", "main.js"),
      "--port",
      String(p),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--shards",
      String(shards),
    ]);
    for (const p of [16, 1]) table.push(...(await measure(srv, p)));
    await srv.stop(10000);
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
    "Top self time per thread (V8 --cpu-prof over the whole run; `(idle)` is time in epoll_wait,",
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
