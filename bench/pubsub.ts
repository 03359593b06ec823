/*
 * Pub/Sub fan-out: one publisher, many subscribers on raw sockets, against a real
 * redis-server and shardis side by side.
 *
 *   node dist/bench/pubsub.js [--subscribers 1000] [--messages 2000] [--size 64]
 *                             [--window 16] [--shards K] [--only-redis | --only-shardis]
 *
 * Every subscriber SUBSCRIBEs to one channel; the publisher then PUBLISHes --messages
 * messages with at most --window of them unanswered. Each message carries its send time
 * (performance.now() of this process, which also runs the subscribers), so the delivery
 * latency of every (message, subscriber) pair is measured: receipt time minus send time.
 * Payloads have a fixed size, so every message frame has the same length and subscribers
 * cut frames without a RESP parser (their cost stays small next to the servers').
 *
 * Reported per server: deliveries per second (messages x subscribers over the time from the
 * first PUBLISH to the last delivery), PUBLISH calls per second, and the p50/p99/max
 * delivery latency. Every subscriber must receive every message, in order; a run that loses
 * one fails. Results go to bench/results/pubsub-<date>-<sha>.{md,json}.
 *
 * Caveat: the subscribers live in this one Node process, which competes for the same cores
 * as the server; on a small machine the figures are a lower bound for both servers, and
 * only their ratio means much.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  findRepoRoot,
  freePort,
  gitSha,
  installCleanupHandlers,
  machineInfo,
  type RunningServer,
  startServer,
} from "./lib.js";

const HELP = `Usage: node dist/bench/pubsub.js [options]

  --subscribers N   subscriber connections (default 1000)
  --messages N      messages published (default 2000)
  --size N          payload bytes, at least 32 (default 64)
  --window N        PUBLISH commands in flight at most (default 16)
  --shards K        shardis --shards K (default: shardis's own default)
  --only-redis      run against redis-server only
  --only-shardis    run against shardis only
  --redis-server P  redis-server binary (default redis-server)
  --no-write        print the results without writing bench/results/
`;

const { values: opt } = parseArgs({
  options: {
    subscribers: { type: "string", default: "1000" },
    messages: { type: "string", default: "2000" },
    size: { type: "string", default: "64" },
    window: { type: "string", default: "16" },
    shards: { type: "string" },
    "only-redis": { type: "boolean", default: false },
    "only-shardis": { type: "boolean", default: false },
    "redis-server": { type: "string", default: "redis-server" },
    "no-write": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (opt.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const SUBSCRIBERS = Number(opt.subscribers);
const MESSAGES = Number(opt.messages);
const SIZE = Math.max(32, Number(opt.size));
const WINDOW = Math.max(1, Number(opt.window));
const CHANNEL = "bench:fanout";

const repo = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
const shardisMain = path.join(repo, "dist", "src", "main.js");

function log(msg: string): void {
  process.stderr.write(`[pubsub-bench] ${msg}\n`);
}

function encode(argv: readonly string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${Buffer.byteLength(a, "latin1")}\r\n${a}\r\n`;
  return s;
}

/** A payload of exactly SIZE bytes: the message number, its send time (ms, 3 decimals), padding. */
function payload(seq: number, sentAt: number): string {
  const head = `${String(seq).padStart(10, "0")}:${sentAt.toFixed(3).padStart(16, "0")}:`;
  return head.padEnd(SIZE, "x");
}

/** The bytes of one delivered message: `*3 $7 message $len channel $SIZE payload`. */
const FRAME_HEAD = `*3\r\n$7\r\nmessage\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n$${SIZE}\r\n`;
const FRAME_LEN = FRAME_HEAD.length + SIZE + 2;

interface RunResult {
  server: string;
  subscribers: number;
  messages: number;
  deliveries: number;
  seconds: number;
  deliveriesPerSec: number;
  publishesPerSec: number;
  latencyMs: { p50: number; p99: number; max: number };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection({ port, host: "127.0.0.1" });
    s.setNoDelay(true);
    s.once("error", reject);
    s.once("connect", () => {
      s.off("error", reject);
      resolve(s);
    });
  });
}

/** Reads exactly `n` bytes (a fixed-size reply) from a socket. */
function readBytes(s: net.Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (chunk: Buffer): void => {
      parts.push(chunk);
      got += chunk.length;
      if (got >= n) {
        s.off("data", onData);
        s.off("error", reject);
        resolve(Buffer.concat(parts));
      }
    };
    s.on("data", onData);
    s.once("error", reject);
  });
}

async function runAgainst(name: string, port: number): Promise<RunResult> {
  // ---- subscribers
  const subs: net.Socket[] = [];
  const confirm = `*3\r\n$9\r\nsubscribe\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n:1\r\n`;
  for (let i = 0; i < SUBSCRIBERS; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, SUBSCRIBERS - i) }, async () => {
        const s = await connect(port);
        const reply = readBytes(s, confirm.length);
        s.write(encode(["SUBSCRIBE", CHANNEL]));
        const r = (await reply).toString("latin1");
        if (r !== confirm) throw new Error(`${name}: unexpected SUBSCRIBE reply ${JSON.stringify(r)}`);
        return s;
      }),
    );
    subs.push(...batch);
  }
  log(`${name}: ${SUBSCRIBERS} subscribers ready`);

  const latencies = new Float64Array(MESSAGES * SUBSCRIBERS);
  let recorded = 0;
  let lastDelivery = 0;
  let failure: string | undefined;
  let finishedSubs = 0;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  for (const s of subs) {
    let pending: Buffer = Buffer.alloc(0);
    let expect = 0;
    s.on("data", (chunk: Buffer) => {
      const now = performance.now();
      const buf = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let off = 0;
      while (buf.length - off >= FRAME_LEN) {
        const p = off + FRAME_HEAD.length;
        const seq = Number(buf.toString("latin1", p, p + 10));
        if (seq !== expect && failure === undefined) failure = `${name}: message ${seq} arrived, ${expect} expected`;
        expect++;
        latencies[recorded++] = now - Number(buf.toString("latin1", p + 11, p + 27));
        off += FRAME_LEN;
      }
      pending = off === buf.length ? Buffer.alloc(0) : buf.subarray(off);
      if (expect === MESSAGES) {
        lastDelivery = now;
        if (++finishedSubs === SUBSCRIBERS) resolveDone();
      }
    });
    s.on("close", () => {
      if (expect < MESSAGES && failure === undefined) failure = `${name}: a subscriber was disconnected`;
    });
  }

  // ---- publisher: at most WINDOW PUBLISH in flight
  const pub = await connect(port);
  const want = `:${SUBSCRIBERS}\r\n`;
  let sent = 0;
  let answered = 0;
  let replyBuf = "";
  let firstSend = 0;
  let lastAnswer = 0;
  const published = new Promise<void>((resolve) => {
    const sendMore = (): void => {
      let out = "";
      while (sent < MESSAGES && sent - answered < WINDOW) {
        const t = performance.now();
        if (sent === 0) firstSend = t;
        out += encode(["PUBLISH", CHANNEL, payload(sent, t)]);
        sent++;
      }
      if (out !== "") pub.write(out, "latin1");
    };
    pub.on("data", (chunk: Buffer) => {
      replyBuf += chunk.toString("latin1");
      let i: number;
      while ((i = replyBuf.indexOf("\r\n")) !== -1) {
        const line = replyBuf.slice(0, i + 2);
        replyBuf = replyBuf.slice(i + 2);
        if (line !== want && failure === undefined) failure = `${name}: PUBLISH answered ${JSON.stringify(line)}`;
        answered++;
      }
      if (answered === MESSAGES) {
        lastAnswer = performance.now();
        resolve();
      } else sendMore();
    });
    sendMore();
  });

  const timeout = new Promise<void>((_, reject) =>
    setTimeout(() => reject(new Error(`${name}: not every message arrived within 120 s`)), 120_000).unref(),
  );
  await Promise.race([Promise.all([published, done]), timeout]);
  for (const s of subs) s.destroy();
  pub.destroy();
  if (failure !== undefined) throw new Error(failure);

  const lat = latencies.subarray(0, recorded).sort();
  const pct = (q: number): number => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? Number.NaN;
  const seconds = (lastDelivery - firstSend) / 1000;
  return {
    server: name,
    subscribers: SUBSCRIBERS,
    messages: MESSAGES,
    deliveries: recorded,
    seconds,
    deliveriesPerSec: recorded / seconds,
    publishesPerSec: MESSAGES / ((lastAnswer - firstSend) / 1000),
    latencyMs: { p50: pct(0.5), p99: pct(0.99), max: lat[lat.length - 1] ?? Number.NaN },
  };
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const results: RunResult[] = [];
  const servers: RunningServer[] = [];
  const commandLines: string[] = [];
  try {
    if (!opt["only-shardis"]) {
      const port = await freePort();
      const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
      const srv = await startServer({ name: "redis", command: opt["redis-server"], args, port });
      servers.push(srv);
      commandLines.push(srv.commandLine);
      results.push(await runAgainst("redis-server", port));
      await srv.stop();
    }
    if (!opt["only-redis"]) {
      const port = await freePort();
      const args = [shardisMain, "--port", String(port), "--bind", "127.0.0.1", "--save", ""];
      if (opt.shards !== undefined) args.push("--shards", opt.shards);
      const srv = await startServer({ name: "shardis", command: process.execPath, args, port });
      servers.push(srv);
      commandLines.push(srv.commandLine);
      results.push(await runAgainst("shardis", port));
      await srv.stop();
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }

  const machine = machineInfo(opt["redis-server"]);
  const sha = gitSha(repo);
  const date = new Date()
    .toISOString()
    .replace(/:/g, "-")
    .replace(/\.\d+Z$/, "Z");
  const fmt = (n: number, d = 0): string =>
    n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
  let md = `# Pub/Sub fan-out, ${date} (${sha})\n\n`;
  md += `One publisher, ${SUBSCRIBERS} subscribers on one channel (raw sockets, in the benchmark process), `;
  md += `${MESSAGES} messages of ${SIZE} bytes, at most ${WINDOW} PUBLISH in flight.\n\n`;
  md += `Machine: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, redis ${machine.redis}, `;
  md += `load average at start ${machine.loadavgAtStart.map((l) => l.toFixed(2)).join(" ")}.\n\n`;
  md += "The subscribers run in the benchmark process, on the same cores as the server: on a small or ";
  md += "busy machine (see the load average) both figures are lower bounds and only their ratio is telling.\n\n";
  md += "| server | deliveries/s | PUBLISH/s | p50 latency ms | p99 latency ms | max ms | seconds |\n";
  md += "|---|---:|---:|---:|---:|---:|---:|\n";
  for (const r of results) {
    md += `| ${r.server} | ${fmt(r.deliveriesPerSec)} | ${fmt(r.publishesPerSec)} | ${fmt(r.latencyMs.p50, 2)} | ${fmt(r.latencyMs.p99, 2)} | ${fmt(r.latencyMs.max, 2)} | ${fmt(r.seconds, 2)} |\n`;
  }
  if (results.length === 2) {
    md += `\nshardis / redis-server deliveries/s: ${(results[1].deliveriesPerSec / results[0].deliveriesPerSec).toFixed(2)}\n`;
  }
  md += `\nCommand lines:\n\n${commandLines.map((c) => `    ${c}`).join("\n")}\n`;
  process.stdout.write(md);
  if (!opt["no-write"]) {
    const dir = path.join(repo, "bench", "results");
    mkdirSync(dir, { recursive: true });
    const base = path.join(dir, `pubsub-${date}-${sha}`);
    writeFileSync(`${base}.md`, md);
    writeFileSync(
      `${base}.json`,
      `${JSON.stringify({ date, sha, machine, subscribers: SUBSCRIBERS, messages: MESSAGES, size: SIZE, window: WINDOW, commandLines, results }, null, 2)}\n`,
    );
    log(`wrote ${base}.md and .json`);
  }
}

main().catch((e: unknown) => {
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
