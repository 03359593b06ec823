/*
 * What the main thread observes about commands: per-command stats for the commands it runs
 * itself (shards keep their own, merged by INFO), rejected calls, error stats, the slow
 * log, and the MONITOR feed. Also, for INFO and LATENCY: per-command latency histograms
 * (latency-tracking), the latency monitor (latency-monitor-threshold), the instantaneous
 * metrics sampler (instantaneous_ops_per_sec, ..._kbps) and the memory peak.
 */
import { randomBytes } from "node:crypto";
import type { CommandSpec } from "../commands/types.js";
import type { Client } from "../net/client.js";
import type { Server } from "../net/server.js";
import { isErrorReply } from "../resp/reply.js";
import type { CommandStat, ShardStats } from "../shards/engine.js";
import { repr } from "../util/sds.js";
import { LatencyHistogram, LatencyMonitor } from "./latency.js";
import { type SlowlogEntry, slowlogArgs } from "./slowlog.js";

export interface MainCommandStat extends CommandStat {
  rejected: number;
}

/** STATS_METRIC_SAMPLES: the instantaneous metrics average the last 16 samples. */
const STATS_METRIC_SAMPLES = 16;
/** serverCron samples them with run_with_period(100). */
const STATS_METRIC_PERIOD_MS = 100;

/** One instantaneous metric (trackInstantaneousMetric / getInstantaneousMetric). */
class InstantMetric {
  private readonly samples = new Array<number>(STATS_METRIC_SAMPLES).fill(0);
  private idx = 0;
  private lastTime = Date.now();
  private lastCount = 0;

  track(count: number, now: number): void {
    const t = now - this.lastTime;
    const perSec = t > 0 ? Math.floor(((count - this.lastCount) * 1000) / t) : 0;
    this.samples[this.idx] = perSec;
    this.idx = (this.idx + 1) % STATS_METRIC_SAMPLES;
    this.lastTime = now;
    this.lastCount = count;
  }

  /** Integer average, as Redis divides a long long sum. */
  value(): number {
    let sum = 0;
    for (const v of this.samples) sum += v;
    return Math.floor(sum / STATS_METRIC_SAMPLES);
  }

  reset(count: number): void {
    this.samples.fill(0);
    this.idx = 0;
    this.lastTime = Date.now();
    this.lastCount = count;
  }
}

function randomHex40(): string {
  return randomBytes(20).toString("hex");
}

/**
 * The JSON inside a shard's `stats` control reply (a bulk string). `latency` is optional:
 * a shard that keeps per-command LatencyHistograms can send `h.toSparse()` per command
 * name there, and INFO latencystats / LATENCY HISTOGRAM merge it with the main thread's.
 */
export function parseShardStats(
  reply: string,
): (ShardStats & { latency?: Record<string, Array<[number, number]>> }) | undefined {
  if (reply.charCodeAt(0) !== 36 /* $ */) return undefined;
  try {
    return JSON.parse(reply.slice(reply.indexOf("\r\n") + 2, reply.length - 2)) as ShardStats;
  } catch {
    return undefined;
  }
}

/** The main thread's share of used_memory: its V8 heap plus off-heap buffers. */
export function mainUsedMemory(m: NodeJS.MemoryUsage = process.memoryUsage()): number {
  return m.heapUsed + m.external;
}

export class Observability {
  readonly commands = new Map<string, MainCommandStat>();
  readonly errors = new Map<string, number>();
  totalErrorReplies = 0;
  slowlog: SlowlogEntry[] = [];
  slowlogNextId = 0;
  /** per-command latency histograms of the commands this thread ran (INFO latencystats) */
  readonly histograms = new Map<string, LatencyHistogram>();
  /** LATENCY LATEST/HISTORY/GRAPH/DOCTOR/RESET */
  readonly latency = new LatencyMonitor();
  /** master_replid: a replication id of our own, 40 hex chars (DEBUG CHANGE-REPL-ID renews it) */
  replid = randomHex40();
  /** used_memory_startup: the main thread's memory once the server is set up */
  readonly startupMemory = mainUsedMemory();
  /** the worker shards' heaps before any command reached them (part of used_memory_startup) */
  startupShardHeap = 0;
  /** used_memory_peak (CONFIG RESETSTAT resets it, as resetServerStats does) */
  peakMemory = 0;
  /** the shards' heap as last reported to INFO/MEMORY, so the sampler can track the peak */
  lastShardHeap = 0;
  readonly instOps = new InstantMetric();
  readonly instNetInput = new InstantMetric();
  readonly instNetOutput = new InstantMetric();
  private readonly sampler: ReturnType<typeof setInterval>;
  // hot-path copies of config values, kept current by CONFIG SET
  private latencyThreshold: number;
  private latencyTracking: boolean;
  private slowlogSlowerThan: number;
  private slowlogMaxLen: number;

  constructor(private readonly server: Server) {
    const config = server.config;
    this.latencyThreshold = config.getNumber("latency-monitor-threshold");
    this.latencyTracking = config.getBool("latency-tracking");
    this.slowlogSlowerThan = config.getNumber("slowlog-log-slower-than");
    this.slowlogMaxLen = config.getNumber("slowlog-max-len");
    config.onChange("latency-monitor-threshold", () => {
      this.latencyThreshold = config.getNumber("latency-monitor-threshold");
    });
    config.onChange("latency-tracking", () => {
      this.latencyTracking = config.getBool("latency-tracking");
    });
    config.onChange("slowlog-log-slower-than", () => {
      this.slowlogSlowerThan = config.getNumber("slowlog-log-slower-than");
    });
    config.onChange("slowlog-max-len", () => {
      // as in Redis, a shorter limit trims the log at the next entry
      this.slowlogMaxLen = config.getNumber("slowlog-max-len");
    });
    this.peakMemory = this.startupMemory;
    if (server.router.inline === undefined) {
      // queued ahead of any client command, so the shards answer in their startup state
      void server.router.controlAll(["stats"]).then((replies) => {
        for (const r of replies) this.startupShardHeap += parseShardStats(r)?.heapUsed ?? 0;
      });
    }
    // serverCron's 100 ms metrics; unref'd so that it never keeps the process alive
    this.sampler = setInterval(() => this.sample(), STATS_METRIC_PERIOD_MS);
    this.sampler.unref();
  }

  /** Stops the sampler (server shutdown, in-process tests). */
  stop(): void {
    clearInterval(this.sampler);
  }

  /** One serverCron tick: the instantaneous metrics and the memory peak. */
  private sample(): void {
    const now = Date.now();
    const st = this.server.stats;
    this.instOps.track(st.commandsProcessed, now);
    this.instNetInput.track(st.netInputBytes, now);
    this.instNetOutput.track(st.netOutputBytes, now);
    this.notePeak(mainUsedMemory() + this.lastShardHeap);
  }

  notePeak(used: number): void {
    if (used > this.peakMemory) this.peakMemory = used;
  }

  private stat(name: string): MainCommandStat {
    let st = this.commands.get(name);
    if (st === undefined) {
      st = { calls: 0, usec: 0, failed: 0, rejected: 0 };
      this.commands.set(name, st);
    }
    return st;
  }

  countError(reply: string): void {
    const sp = reply.indexOf(" ");
    const code = reply.slice(1, sp > 0 ? sp : reply.length - 2);
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
    this.totalErrorReplies++;
  }

  /** A command refused before it ran (unknown, arity, auth): rejected_calls. */
  rejected(spec: CommandSpec | undefined, reply: string): void {
    if (spec !== undefined) this.stat(spec.name).rejected++;
    this.countError(reply);
  }

  /** A command the main thread ran. */
  mainCall(spec: CommandSpec, ms: number, reply: string, c?: Client, argv?: string[]): void {
    const st = this.stat(spec.name);
    st.calls++;
    st.usec += ms * 1000;
    if (isErrorReply(reply)) {
      st.failed++;
      this.countError(reply);
    }
    if (c !== undefined && argv !== undefined && !spec.flags.includes("skip_slowlog"))
      this.slowlogPush(c, argv, ms * 1000);
    this.observeLatency(spec, ms);
  }

  /**
   * What call() does with a command's duration besides commandstats: the latency
   * histogram (latency-tracking) and a "command"/"fast-command" latency monitor sample
   * when the whole milliseconds reach latency-monitor-threshold.
   */
  private observeLatency(spec: CommandSpec, ms: number): void {
    if (this.latencyTracking) {
      let h = this.histograms.get(spec.name);
      if (h === undefined) {
        h = new LatencyHistogram();
        this.histograms.set(spec.name, h);
      }
      h.record(ms * 1e6);
    }
    if (this.latencyThreshold > 0) {
      const whole = Math.floor(ms);
      if (whole >= this.latencyThreshold)
        this.latency.addSample(spec.flags.includes("fast") ? "fast-command" : "command", whole);
    }
  }

  /** latencyAddSampleIfNeeded: records `event` when `ms` reaches latency-monitor-threshold. */
  latencySample(event: string, ms: number): void {
    if (this.latencyThreshold > 0 && ms >= this.latencyThreshold) this.latency.addSample(event, Math.floor(ms));
  }

  /**
   * `--shards 0`: a shard command run on this thread, timed for the slow log, the latency
   * histogram and the latency monitor (its calls/usec are counted by the engine itself).
   * With worker shards these commands are timed by the workers, which report only
   * commandstats: they reach neither the slow log nor the latency histograms yet.
   */
  afterInline(c: Client, argv: string[], spec: CommandSpec, ms: number): void {
    if (this.slowlogSlowerThan >= 0 && ms * 1000 >= this.slowlogSlowerThan) this.slowlogPush(c, argv, ms * 1000);
    if (this.latencyTracking || this.latencyThreshold !== 0) this.observeLatency(spec, ms);
  }

  slowlogPush(c: Client, fullArgv: string[], usec: number): void {
    const threshold = this.slowlogSlowerThan;
    if (threshold < 0 || usec < threshold) return;
    const max = this.slowlogMaxLen;
    const args = slowlogArgs(redactedArgv(fullArgv));
    const ms = Date.now();
    this.slowlog.unshift({
      id: this.slowlogNextId++,
      time: Math.floor(ms / 1000),
      ms,
      usec: Math.round(usec),
      argv: args,
      addr: c.addr,
      name: c.name,
    });
    if (this.slowlog.length > max) this.slowlog.length = Math.max(0, max);
  }

  /**
   * replicationFeedMonitors: `+<sec>.<usec> [<db> <addr>] "arg" ...`, the time with
   * microseconds as gettimeofday gives it, passwords redacted.
   */
  feedMonitors(c: Client, argv: string[]): void {
    const now = performance.timeOrigin + performance.now();
    const sec = Math.floor(now / 1000);
    const usec = Math.min(999999, Math.floor((now - sec * 1000) * 1000));
    let line = `+${sec}.${String(usec).padStart(6, "0")} [${c.db} ${c.addr}]`;
    for (const a of redactedArgv(argv)) line += ` ${repr(a)}`;
    line += "\r\n";
    for (const m of this.server.monitors) {
      m.write(line);
      this.server.markDirty(m);
    }
  }

  /** CONFIG RESETSTAT: command, error and latency stats, instantaneous metrics, the peak. */
  reset(): void {
    this.commands.clear();
    this.errors.clear();
    this.totalErrorReplies = 0;
    this.histograms.clear();
    // admin.ts zeroes the counters right after this call
    this.instOps.reset(0);
    this.instNetInput.reset(0);
    this.instNetOutput.reset(0);
    this.peakMemory = mainUsedMemory() + this.lastShardHeap;
  }
}

/**
 * argv as the slow log and MONITOR show it: Redis replaces passwords with "(redacted)"
 * (redactClientCommandArgument) while it runs the command, so:
 *  1. AUTH: every argument after the name, when the form is valid (at most 3 arguments).
 *  2. HELLO: the user and password of each AUTH option, scanning the options as
 *     helloCommand does and stopping where it would stop (a bad version, an unknown
 *     option, a refused name). Redis also stops after a refused password; we do not
 *     check passwords here, so a second AUTH after a refused one is redacted too.
 */
export function redactedArgv(argv: string[]): string[] {
  const name = argv[0].toLowerCase();
  if (name === "auth") {
    if (argv.length > 3) return argv;
    return [argv[0], ...argv.slice(1).map(() => REDACTED)];
  }
  if (name !== "hello" || argv.length < 4) return argv;
  const ver = argv[1];
  if (ver !== "2" && ver !== "3") return argv;
  let out: string[] | undefined;
  for (let j = 2; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j].toLowerCase();
    if (opt === "auth" && more >= 2) {
      out ??= [...argv];
      out[j + 1] = REDACTED;
      out[j + 2] = REDACTED;
      j += 2;
    } else if (opt === "setname" && more >= 1 && /^[!-~]*$/.test(argv[j + 1])) j++;
    else break;
  }
  return out ?? argv;
}

const REDACTED = "(redacted)";
