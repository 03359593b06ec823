/*
 * Start and stop servers for tests: the real redis-server (the oracle) and shardis (built
 * to dist/ by `npm run build`). Both listen on 127.0.0.1 on an ephemeral port with a fresh
 * temporary --dir, and both are always killed: stop() is idempotent (SIGTERM, then SIGKILL
 * after a grace period), and a process 'exit' hook SIGKILLs whatever a crashed or forgotten
 * test left behind.
 *
 * Readiness is the `Ready to accept connections` log line on stdout, the line Redis test
 * harnesses wait for. A server that exits or stays silent fails the start with everything
 * it printed, so a broken build or a bad flag shows up as a readable test failure.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (this file is test/helpers/servers.ts). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The built shardis entry point (SHARDIS_MAIN overrides it, e.g. to test another build). */
export const SHARDIS_MAIN = process.env.SHARDIS_MAIN ?? path.join(REPO_ROOT, "dist", "src", "main.js");

const READY = "Ready to accept connections";
const OUTPUT_LIMIT = 256 * 1024;

export interface ServerHandle {
  /** TCP port on 127.0.0.1. */
  port: number;
  /** The server's --dir (a fresh temp dir, removed by stop() unless it was passed in). */
  dir: string;
  pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after the grace period). Idempotent. */
  stop(): Promise<void>;
  /** Everything the server printed so far (stdout and stderr interleaved, tail-capped). */
  output(): string;
  /** Resolves with the exit code (or the signal name) when the process has exited. */
  exited: Promise<number | string>;
  /** True while the process has not exited. */
  running(): boolean;
}

export interface StartOptions {
  /** Use this --dir instead of a fresh temp dir; it is then left in place by stop(). */
  dir?: string;
  /** Keep the fresh temp dir after stop() (for inspecting files after a restart test). */
  keepDir?: boolean;
  /** Milliseconds to wait for the ready line. Default 20000. */
  startTimeoutMs?: number;
  /** Milliseconds between SIGTERM and SIGKILL in stop(). Default 5000. */
  stopGraceMs?: number;
  /** Extra environment variables. */
  env?: NodeJS.ProcessEnv;
}

// ---------------------------------------------------------------- leftovers
const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

/** SIGKILL every server still alive and remove the temp dirs (synchronous: runs in 'exit'). */
function killLeftovers(): void {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  tempDirs.clear();
}

/**
 * Kill leftovers however this process ends: a normal exit or an uncaught error ('exit'),
 * a signal (whose default action would skip 'exit'; it is re-raised when nobody else
 * handles it), or the test runner that forked us going away ('disconnect').
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", killLeftovers);
  process.on("disconnect", killLeftovers);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = (): void => {
      killLeftovers();
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

// ---------------------------------------------------------------- ports, tools
/**
 * An ephemeral port that was free a moment ago (bind :0 and release). Another process may
 * take it before the server binds; startServer retries on "Address already in use".
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      if (addr === null || typeof addr === "string") {
        srv.close();
        reject(new Error("freePort: no address"));
        return;
      }
      const { port } = addr;
      srv.close(() => resolve(port));
    });
  });
}

let redisAvailable: boolean | undefined;

/** True when `redis-server` runs from PATH. */
export function haveRedis(): boolean {
  if (redisAvailable === undefined) {
    const r = spawnSync("redis-server", ["--version"], { stdio: "pipe", timeout: 10_000 });
    redisAvailable = r.status === 0 && r.stdout.toString().includes("Redis server");
  }
  return redisAvailable;
}

/** True when `npm run build` has produced dist/src/main.js. */
export function haveShardisBuild(): boolean {
  return existsSync(SHARDIS_MAIN);
}

// ---------------------------------------------------------------- start / stop
interface SpawnSpec {
  name: string;
  command: string;
  /** Builds the argv for a given port and dir. */
  args(port: number, dir: string): string[];
}

/** Start a real redis-server. Defaults: `--save "" --appendonly no`; extraArgs come after. */
export function startRedis(extraArgs: string[] = [], opts: StartOptions = {}): Promise<ServerHandle> {
  if (!haveRedis()) {
    return Promise.reject(new Error("redis-server is not on PATH (apt-get install -y redis-server redis-tools)"));
  }
  return startServer(
    {
      name: "redis-server",
      command: "redis-server",
      args: (port, dir) => [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--daemonize",
        "no",
        "--logfile",
        "",
        "--save",
        "",
        "--appendonly",
        "no",
        ...extraArgs,
      ],
    },
    opts,
  );
}

/**
 * Start shardis from dist/ (run `npm run build` first). Gets the same defaults as
 * startRedis (`--save "" --appendonly no`) so both sides of a comparison are configured
 * alike; extraArgs come after, and the last value of a directive wins.
 */
export function startShardis(extraArgs: string[] = [], opts: StartOptions = {}): Promise<ServerHandle> {
  if (!haveShardisBuild()) {
    return Promise.reject(new Error(`${SHARDIS_MAIN} does not exist: run \`npm run build\` first`));
  }
  return startServer(
    {
      name: "shardis",
      command: process.execPath,
      args: (port, dir) => [
        SHARDIS_MAIN,
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
        ...extraArgs,
      ],
    },
    opts,
  );
}

async function startServer(spec: SpawnSpec, opts: StartOptions): Promise<ServerHandle> {
  const attempts = 3;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await startOnce(spec, opts);
    } catch (err) {
      lastError = err;
      // Only a lost race for the port is worth another try.
      if (!(err instanceof Error && /address already in use|EADDRINUSE/i.test(err.message))) throw err;
    }
  }
  throw lastError;
}

async function startOnce(spec: SpawnSpec, opts: StartOptions): Promise<ServerHandle> {
  installExitHook();
  const port = await freePort();
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), `${spec.name}-test-`));
  if (ownDir && !opts.keepDir) tempDirs.add(dir);
  const args = spec.args(port, dir);
  const startTimeoutMs = opts.startTimeoutMs ?? 20_000;
  const stopGraceMs = opts.stopGraceMs ?? 5_000;

  const child = spawn(spec.command, args, {
    cwd: dir,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);

  let out = "";
  const append = (chunk: Buffer): void => {
    out += chunk.toString("utf8");
    if (out.length > OUTPUT_LIMIT) out = `[...]\n${out.slice(out.length - OUTPUT_LIMIT)}`;
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);

  const exited = new Promise<number | string>((resolve) => {
    // 'close' rather than 'exit': it comes after stdout/stderr are drained, so a failure
    // message has all the output.
    child.once("close", (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? "unknown");
    });
    // A process that never started emits 'error' and no 'exit'.
    child.once("error", () => {
      if (child.pid === undefined) {
        live.delete(child);
        resolve("spawn-error");
      }
    });
  });
  const describe = (): string =>
    `${spec.name} (${[spec.command, ...args].map((a) => JSON.stringify(a)).join(" ")})\n--- output ---\n${out}--- end ---`;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        }, stopGraceMs);
        await exited;
        clearTimeout(timer);
      }
      if (ownDir && !opts.keepDir) {
        await rm(dir, { recursive: true, force: true }).catch(() => undefined);
        tempDirs.delete(dir);
      }
    })();
    return stopping;
  };

  // Wait for the ready line, an early exit, a spawn error or the timeout.
  await new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      if (err) reject(err);
      else resolve();
    };
    let seen = "";
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString("utf8");
      if (seen.includes(READY)) finish();
    };
    child.stdout!.on("data", onData);
    child.once("error", (e) => finish(new Error(`${spec.name} failed to spawn: ${e.message}\n${describe()}`)));
    void exited.then((code) => finish(new Error(`${spec.name} exited (${code}) before it was ready\n${describe()}`)));
    const timer = setTimeout(
      () => finish(new Error(`${spec.name} not ready after ${startTimeoutMs} ms\n${describe()}`)),
      startTimeoutMs,
    );
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });

  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return { port, dir, pid: child.pid!, stop, output: () => out, exited, running };
}
