/*
 * Process and network helpers shared by the benchmarks: free ports, spawning servers that are
 * always reaped (normal end, error, SIGINT/SIGTERM), waiting until a server answers PING, a tiny
 * RESP client for probes, and the facts we record next to every result (git sha, machine).
 *
 * Only node: built-ins, so a benchmark never depends on the code it measures.
 */

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

// ---------------------------------------------------------------------------------------------
// Child registry: every process we spawn is tracked here until it exits, so that one place can
// kill them all whatever way the benchmark ends.
// ---------------------------------------------------------------------------------------------

const live = new Set<ChildProcess>();
/** Temp dirs of servers not stopped yet: removed by the exit handler if we leave abruptly. */
const tempDirs = new Set<string>();

function track(child: ChildProcess): void {
  live.add(child);
  child.once("exit", () => live.delete(child));
}

/**
 * SIGKILL every child still alive and remove server temp dirs. Synchronous, so it is safe inside
 * an 'exit' handler.
 */
export function killAllChildren(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  live.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

let handlersInstalled = false;

/**
 * Reap children on every way out: normal exit, an uncaught error, Ctrl-C, SIGTERM. `onSignal`
 * runs before the children are killed (to print a note); the process then exits with 128+n.
 */
export function installCleanupHandlers(onSignal?: (signal: NodeJS.Signals) => void): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", killAllChildren);
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    process.on(signal, () => {
      onSignal?.(signal);
      // Reap before exiting (no zombies left to whatever init the machine has), but never wait
      // more than a second for it.
      const exits = [...live].map((c) => new Promise((r) => c.once("exit", r)));
      killAllChildren();
      void Promise.race([Promise.all(exits), sleep(1000)]).then(() => process.exit(code));
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------------

const handedOut = new Set<number>();

/**
 * An ephemeral port that was free a moment ago on 127.0.0.1. Never returns the same port twice
 * in one process, so servers started back to back cannot be given the same one.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const addr = srv.address();
        const p = typeof addr === "object" && addr !== null ? addr.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Tiny RESP client: enough to PING and to probe that a command is implemented.
// ---------------------------------------------------------------------------------------------

export interface RespReply {
  /** '+', '-', ':', '$', '*', or '_' etc. for RESP3 types we do not decode further. */
  type: string;
  /** Simple string / error / integer / bulk text; element count for arrays; "" for nil. */
  text: string;
}

/** Parse one reply at `pos`; returns [reply, nextPos] or undefined if more bytes are needed. */
function parseReply(buf: Buffer, pos: number): [RespReply, number] | undefined {
  const eol = buf.indexOf("\r\n", pos);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[pos] ?? 0);
  const line = buf.toString("utf8", pos + 1, eol);
  let next = eol + 2;
  switch (type) {
    case "$": {
      const len = Number(line);
      if (len < 0) return [{ type, text: "" }, next];
      if (buf.length < next + len + 2) return undefined;
      return [{ type, text: buf.toString("utf8", next, next + len) }, next + len + 2];
    }
    case "*": {
      const n = Number(line);
      for (let i = 0; i < n; i++) {
        const sub = parseReply(buf, next);
        if (sub === undefined) return undefined;
        next = sub[1];
      }
      return [{ type, text: line }, next];
    }
    default:
      return [{ type, text: line }, next];
  }
}

/**
 * Send raw request bytes (one or more commands, already RESP- or inline-encoded) and collect
 * `expected` top-level replies. Rejects on connection error, early close or timeout.
 */
export function rawRequest(
  port: number,
  payload: string | Buffer,
  expected: number,
  timeoutMs = 2000,
): Promise<RespReply[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: "127.0.0.1", port });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (err: Error | undefined, replies?: RespReply[]) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(replies ?? []);
    };
    const timer = setTimeout(() => finish(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    sock.once("connect", () => sock.write(payload));
    sock.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const replies: RespReply[] = [];
      let pos = 0;
      while (replies.length < expected) {
        const r = parseReply(buf, pos);
        if (r === undefined) return;
        replies.push(r[0]);
        pos = r[1];
      }
      finish(undefined, replies);
    });
    sock.once("error", (e) => finish(e));
    sock.once("close", () => finish(new Error("connection closed before all replies arrived")));
  });
}

/** RESP multibulk encoding of one command. */
export function encodeCommand(argv: readonly string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const a of argv) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------------------

/** The node flags run.sh starts shardis with; benches start it the same way. */
export const SHARDIS_NODE_ARGS = ["--max-semi-space-size=2"];

export interface ServerSpec {
  /** Label used in logs and results, e.g. "redis" or "shardis-s1". */
  name: string;
  command: string;
  args: string[];
  port: number;
  /** How long to wait for the first +PONG. */
  readyTimeoutMs?: number;
}

export interface RunningServer {
  name: string;
  port: number;
  pid: number;
  /** The command line, for the record. */
  commandLine: string;
  /** Fresh temporary working directory (also holds the server's log file). */
  dir: string;
  child: ChildProcess;
  /** True while the process has not exited. */
  alive(): boolean;
  /** How the process ended, if it did ("code 1", "signal SIGSEGV"). */
  exitInfo(): string | undefined;
  /** The last `lines` lines the server wrote to stdout/stderr. */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; removes the temp dir. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/** Quote a command line for humans (and for copy-paste into a shell). */
export function shellLine(command: string, args: readonly string[]): string {
  const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
  return [command, ...args].map(q).join(" ");
}

/**
 * Start a server in a fresh temp dir with stdout/stderr going to a log file there (a file, not a
 * pipe: a chatty server must never block on a pipe we forgot to drain, and reading it costs the
 * benchmark process no CPU), then wait until it answers PING on its port.
 */
export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `shardis-bench-${spec.name}-`));
  tempDirs.add(dir);
  const logPath = path.join(dir, "server.log");
  const logFd = openSync(logPath, "a");
  let child: ChildProcess;
  try {
    child = spawn(spec.command, spec.args, { cwd: dir, stdio: ["ignore", logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  track(child);
  let spawnError: Error | undefined;
  child.once("error", (e) => {
    spawnError = e;
  });

  let stopped: Promise<void> | undefined;
  const server: RunningServer = {
    name: spec.name,
    port: spec.port,
    pid: child.pid ?? -1,
    commandLine: shellLine(spec.command, spec.args),
    dir,
    child,
    alive: () => child.exitCode === null && child.signalCode === null && spawnError === undefined,
    exitInfo: () => {
      if (spawnError) return `spawn error: ${spawnError.message}`;
      if (child.signalCode !== null) return `signal ${child.signalCode}`;
      if (child.exitCode !== null) return `exit code ${child.exitCode}`;
      return undefined;
    },
    logTail: (lines = 30) => {
      try {
        const text = readFileSync(logPath, "utf8");
        return text
          .split("\n")
          .slice(-lines - 1)
          .join("\n");
      } catch {
        return "";
      }
    },
    stop: (graceMs = 3000) => {
      stopped ??= (async () => {
        if (server.alive()) {
          const exited = new Promise<void>((r) => child.once("exit", () => r()));
          child.kill("SIGTERM");
          const timer = setTimeout(() => {
            if (server.alive()) child.kill("SIGKILL");
          }, graceMs);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
        tempDirs.delete(dir);
      })();
      return stopped;
    },
  };

  const deadline = Date.now() + (spec.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (!server.alive()) {
      const info = server.exitInfo();
      const tail = server.logTail();
      await server.stop();
      throw new Error(`${spec.name} exited before it was ready (${info})\n${tail}`);
    }
    if (await answersPing(spec.port, 500)) return server;
    if (Date.now() > deadline) {
      const tail = server.logTail();
      await server.stop();
      throw new Error(`${spec.name} did not answer PING on port ${spec.port} in time\n${tail}`);
    }
    await sleep(50);
  }
}

/** True when the server answers PING with +PONG within `timeoutMs`. */
export async function answersPing(port: number, timeoutMs = 2000): Promise<boolean> {
  try {
    const [reply] = await rawRequest(port, encodeCommand(["PING"]), 1, timeoutMs);
    return reply?.type === "+" && reply.text === "PONG";
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The fields of a /proc/<pid>/stat line after the command name, starting with the state
 * (field 3 overall). The name (field 2) may hold spaces and parens: split after its
 * closing paren.
 */
export function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** redis-benchmark's arguments for one run against 127.0.0.1, CSV output. */
export function redisBenchmarkArgs(
  port: number,
  clients: number,
  requests: number,
  pipeline: number,
  tests: string,
): string[] {
  const args = ["-h", "127.0.0.1", "-p", String(port), "-c", String(clients), "-n", String(requests)];
  args.push("-P", String(pipeline), "-t", tests, "--csv", "-q");
  return args;
}

/**
 * CPU seconds (user+system, all threads) a process has used, from /proc/<pid>/stat. Undefined
 * where /proc is not available. Used to notice a server that spins while idle, which on a small
 * machine would steal the core the other server is being measured on.
 */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const fields = statFields(readFileSync(`/proc/${pid}/stat`, "utf8"));
    // utime and stime are fields 14 and 15 overall, i.e. 11 and 12 after comm and state.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100; // USER_HZ is 100 on every Linux we care about
  } catch {
    return undefined;
  }
}

export interface ProcMemory {
  /** resident set size now (all threads), bytes */
  rss: number;
  /** peak resident set size, bytes */
  hwm: number;
  /** resident anonymous / file-backed / shared memory, bytes */
  anon: number;
  file: number;
  shmem: number;
  /** thread count */
  threads: number;
}

/**
 * Memory of a process from /proc/<pid>/status (VmRSS, VmHWM, RssAnon, RssFile, RssShmem,
 * Threads). Undefined where /proc is not available or the process is gone.
 */
export function procMemory(pid: number): ProcMemory | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const field = (name: string, scale: number): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text);
    return m ? Number(m[1]) * scale : 0;
  };
  return {
    rss: field("VmRSS", 1024),
    hwm: field("VmHWM", 1024),
    anon: field("RssAnon", 1024),
    file: field("RssFile", 1024),
    shmem: field("RssShmem", 1024),
    threads: field("Threads", 1),
  };
}

// ---------------------------------------------------------------------------------------------
// Running a command to completion
// ---------------------------------------------------------------------------------------------

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Killed because `signal` aborted. */
  aborted: boolean;
  ms: number;
}

/**
 * Run a command, capture its output, SIGKILL it after `timeoutMs` or when `signal` aborts.
 * Never rejects on exit code.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    track(child);
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      child.kill("SIGKILL");
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout?.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    child.stderr?.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    child.once("error", (e) => {
      cleanup();
      reject(e);
    });
    child.once("close", (code, sig) => {
      cleanup();
      resolve({ code, signal: sig, stdout, stderr, timedOut, aborted, ms: performance.now() - start });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Facts recorded with every result
// ---------------------------------------------------------------------------------------------

/**
 * The repository root: the nearest ancestor of `from` holding a package.json named "shardis"
 * (works from bench/ and from dist/bench/), else the current directory.
 */
export function findRepoRoot(from: string): string {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "shardis") return dir;
      } catch {
        // keep looking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** Short sha of HEAD plus "-dirty" when the tree has changes; "nogit" without a commit. */
export function gitSha(cwd: string): string {
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  let sha: string;
  try {
    sha = git("rev-parse", "--short", "HEAD");
  } catch {
    return "nogit";
  }
  try {
    if (git("status", "--porcelain", "--untracked-files=no") !== "") sha += "-dirty";
  } catch {
    // leave it clean
  }
  return sha;
}

/** "7.0.15" from `redis-server --version`, or "unknown". */
export function redisVersion(redisServer: string): string {
  try {
    const out = execFileSync(redisServer, ["--version"], { encoding: "utf8" });
    return /v=(\S+)/.exec(out)?.[1] ?? out.trim();
  } catch {
    return "unknown";
  }
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  availableParallelism: number;
  totalMemoryBytes: number;
  platform: string;
  release: string;
  arch: string;
  node: string;
  redis: string;
  loadavgAtStart: number[];
}

export function machineInfo(redisServer: string): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    node: process.version,
    redis: redisVersion(redisServer),
    loadavgAtStart: os.loadavg(),
  };
}
