/*
 * Connection and server-lifecycle behaviour that the compat scripts cannot cover, against a
 * spawned shardis: what needs several connections (MONITOR, CLIENT KILL, CLIENT PAUSE), the
 * 7.2 commands that clients send but Redis 7.0.15 refuses (CLIENT SETINFO, CLIENT NO-TOUCH:
 * a compat script would only compare "unknown subcommand" errors), the process's own exit
 * (SHUTDOWN, SIGTERM) and its command line (bad flags, --version, --help), compared with
 * redis-server's where it is installed.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawClient } from "../helpers/resp.js";
import { haveRedis, type ServerHandle, SHARDIS_MAIN, startShardis } from "../helpers/servers.js";

/** One command, its raw reply as a latin1 string. */
async function raw(c: RawClient, ...args: Array<string | number>): Promise<string> {
  return (await c.command(...args)).toString("latin1");
}

/** The text of a bulk or verbatim reply (CLIENT INFO, CLIENT LIST). */
function text(reply: string): string {
  const body = reply.slice(reply.indexOf("\r\n") + 2, -2);
  return reply.startsWith("=") ? body.slice(4) : body;
}

/** `field=value` pairs of one CLIENT LIST line. */
function fields(line: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const kv of line.trim().split(" ")) {
    const i = kv.indexOf("=");
    out.set(kv.slice(0, i), kv.slice(i + 1));
  }
  return out;
}

/** Resolves to "replied" with the reply, or "pending" if nothing came within ms. */
async function within(p: Promise<Buffer>, ms: number): Promise<string> {
  const timeout = sleep(ms).then(() => "pending");
  return Promise.race([p.then((b) => `replied ${b.toString("latin1")}`), timeout]);
}

const redisMissing = !haveRedis();
const skipRedis = redisMissing && !process.env.CI;

for (const shards of ["0", "2"]) {
  describe(`connection commands with --shards ${shards}`, () => {
    let srv: ServerHandle;
    const open: RawClient[] = [];
    const connect = async (): Promise<RawClient> => {
      const c = await RawClient.connect(srv.port);
      open.push(c);
      return c;
    };

    beforeAll(async () => {
      srv = await startShardis(["--shards", shards]);
    });
    afterAll(async () => {
      for (const c of open) await c.close().catch(() => undefined);
      await srv?.stop();
    });

    // CLIENT SETINFO is Redis 7.2; ioredis and node-redis send it right after connecting
    // (and ignore an error), and tools show the library in CLIENT LIST.
    it("CLIENT SETINFO lib-name / lib-ver show in CLIENT INFO and in everyone's CLIENT LIST", async () => {
      const a = await connect();
      const b = await connect();
      expect(await raw(a, "CLIENT", "SETINFO", "LIB-NAME", "mylib")).toBe("+OK\r\n");
      expect(await raw(a, "CLIENT", "SETINFO", "lib-ver", "1.2.3")).toBe("+OK\r\n");
      const own = fields(text(await raw(a, "CLIENT", "INFO")));
      expect(own.get("lib-name")).toBe("mylib");
      expect(own.get("lib-ver")).toBe("1.2.3");

      const id = own.get("id")!;
      const seen = fields(text(await raw(b, "CLIENT", "LIST", "ID", id)));
      expect(seen.get("id")).toBe(id);
      expect(seen.get("lib-name")).toBe("mylib");
      expect(seen.get("lib-ver")).toBe("1.2.3");
      const all = text(await raw(b, "CLIENT", "LIST"))
        .split("\n")
        .filter(Boolean)
        .map(fields);
      expect(all.find((f) => f.get("id") === id)?.get("lib-name")).toBe("mylib");
      expect(fields(text(await raw(b, "CLIENT", "INFO"))).get("lib-name")).toBe("");

      // "" clears; a refused value keeps the old one
      expect(await raw(a, "CLIENT", "SETINFO", "lib-ver", "")).toBe("+OK\r\n");
      expect(await raw(a, "CLIENT", "SETINFO", "lib-name", "a b")).toBe(
        "-ERR lib-name cannot contain spaces, newlines or special characters.\r\n",
      );
      expect(await raw(a, "CLIENT", "SETINFO", "LIB-NAME", "a\nb")).toBe(
        "-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n",
      );
      const after = fields(text(await raw(a, "CLIENT", "INFO")));
      expect(after.get("lib-name")).toBe("mylib");
      expect(after.get("lib-ver")).toBe("");
      // the attribute is checked before the value
      expect(await raw(a, "CLIENT", "SETINFO", "bogus", "a b")).toBe("-ERR Unrecognized option 'bogus'\r\n");
      expect(await raw(a, "CLIENT", "SETINFO", "lib-name")).toBe(
        "-ERR wrong number of arguments for 'client|setinfo' command\r\n",
      );
      expect(await raw(a, "CLIENT", "SETINFO", "lib-name", "x", "y")).toBe(
        "-ERR wrong number of arguments for 'client|setinfo' command\r\n",
      );
    });

    // CLIENT NO-TOUCH is Redis 7.2: the T flag in CLIENT LIST, cleared by OFF and by RESET.
    it("CLIENT NO-TOUCH on/off sets the T flag; RESET clears it", async () => {
      const a = await connect();
      const flags = async (): Promise<string | undefined> => fields(text(await raw(a, "CLIENT", "INFO"))).get("flags");
      expect(await flags()).toBe("N");
      expect(await raw(a, "CLIENT", "NO-TOUCH", "on")).toBe("+OK\r\n");
      expect(await flags()).toBe("T");
      expect(await raw(a, "CLIENT", "NO-TOUCH", "OFF")).toBe("+OK\r\n");
      expect(await flags()).toBe("N");
      expect(await raw(a, "CLIENT", "NO-TOUCH", "maybe")).toBe("-ERR syntax error\r\n");
      expect(await raw(a, "CLIENT", "NO-TOUCH")).toBe(
        "-ERR wrong number of arguments for 'client|no-touch' command\r\n",
      );
      expect(await raw(a, "CLIENT", "NO-TOUCH", "ON")).toBe("+OK\r\n");
      expect(await raw(a, "RESET")).toBe("+RESET\r\n");
      expect(await flags()).toBe("N");
      // NO-EVICT shows as e, and both together as eT... in Redis's flag order
      expect(await raw(a, "CLIENT", "NO-EVICT", "on")).toBe("+OK\r\n");
      expect(await flags()).toBe("e");
      expect(await raw(a, "CLIENT", "NO-EVICT", "off")).toBe("+OK\r\n");
    });

    it("MONITOR shows other clients' commands in Redis's format, passwords redacted, admin commands hidden", async () => {
      const m = await connect();
      const c = await connect();
      const addr = fields(text(await raw(c, "CLIENT", "INFO"))).get("addr")!;
      expect(await raw(m, "MONITOR")).toBe("+OK\r\n");
      const before = Date.now() / 1000;
      expect(await raw(c, "SET", "k", "v")).toBe("+OK\r\n");
      expect(await raw(c, "CONFIG", "GET", "hz")).toMatch(/^\*2\r\n/); // admin: not shown
      expect(await raw(c, "AUTH", "secret")).toMatch(/^-ERR AUTH <password> called without/);
      expect(await raw(c, "ECHO", 'q"\x00\n')).toBe('$4\r\nq"\x00\n\r\n');
      expect(await raw(c, "get", "k")).toBe("$1\r\nv\r\n");
      expect(await raw(c, "NOSUCH")).toMatch(/^-ERR unknown command/); // rejected: not shown
      const lines: string[] = [];
      for (let i = 0; i < 4; i++) lines.push((await m.readReply()).toString("latin1"));
      const esc = addr.replace(/[.]/g, "\\.");
      expect(lines[0]).toMatch(new RegExp(`^\\+\\d+\\.\\d{6} \\[0 ${esc}\\] "SET" "k" "v"\\r\\n$`));
      expect(lines[1]).toMatch(new RegExp(`^\\+\\d+\\.\\d{6} \\[0 ${esc}\\] "AUTH" "\\(redacted\\)"\\r\\n$`));
      expect(lines[2]).toMatch(new RegExp(`^\\+\\d+\\.\\d{6} \\[0 ${esc}\\] "ECHO" "q\\\\"\\\\x00\\\\n"\\r\\n$`));
      expect(lines[3]).toMatch(new RegExp(`^\\+\\d+\\.\\d{6} \\[0 ${esc}\\] "get" "k"\\r\\n$`));
      const t = Number(lines[0].slice(1, lines[0].indexOf(" ")));
      expect(t).toBeGreaterThanOrEqual(Math.floor(before));
      expect(t).toBeLessThan(before + 10);
      // nothing else arrived (the rejected and the admin commands were not fed)
      expect((await m.readUntilIdle(100)).data.toString("latin1")).toBe("");
      // MONITOR again: no reply at all
      m.send("MONITOR\r\n");
      expect((await m.readUntilIdle(100)).data.toString("latin1")).toBe("");
      // RESET leaves monitor mode. Redis feeds monitors after a command ran, so the
      // monitor's own RESET is not echoed to it; shardis feeds before (src/net/server.ts)
      // and still shows it, so only the end of what arrives is checked here.
      m.send("RESET\r\n");
      expect((await m.readUntilIdle(100)).data.toString("latin1")).toMatch(/\+RESET\r\n$/);
      expect(await raw(c, "SET", "k", "w")).toBe("+OK\r\n");
      expect((await m.readUntilIdle(100)).data.toString("latin1")).toBe("");
      expect(await raw(m, "PING")).toBe("+PONG\r\n");
    });

    it("CLIENT KILL ID closes another connection; the old address form too", async () => {
      const a = await connect();
      const b = await connect();
      const d = await connect();
      const bid = (await raw(b, "CLIENT", "ID")).slice(1, -2);
      expect(await raw(a, "CLIENT", "KILL", "ID", bid)).toBe(":1\r\n");
      await b.closed;
      expect(b.isClosed).toBe(true);
      expect(await raw(a, "CLIENT", "KILL", "ID", bid)).toBe(":0\r\n");
      expect(await raw(a, "CLIENT", "LIST", "ID", bid)).toBe("$0\r\n\r\n");

      const daddr = fields(text(await raw(d, "CLIENT", "INFO"))).get("addr")!;
      expect(await raw(a, "CLIENT", "KILL", daddr)).toBe("+OK\r\n");
      await d.closed;
      expect(await raw(a, "CLIENT", "KILL", daddr)).toBe("-ERR No such client\r\n");
      expect(await raw(a, "PING")).toBe("+PONG\r\n");
    });

    it("CLIENT PAUSE WRITE holds a SET but not a GET; CLIENT UNPAUSE releases it", async () => {
      const admin = await connect();
      const writer = await connect();
      const reader = await connect();
      expect(await raw(writer, "SET", "pk", "old")).toBe("+OK\r\n");
      expect(await raw(admin, "CLIENT", "PAUSE", "20000", "WRITE")).toBe("+OK\r\n");
      const set = writer.command("SET", "pk", "new");
      expect(await within(set, 300)).toBe("pending");
      // reads go on, and see the value from before the held write
      expect(await raw(reader, "GET", "pk")).toBe("$3\r\nold\r\n");
      expect(await raw(reader, "PING")).toBe("+PONG\r\n");
      expect(await raw(admin, "CLIENT", "UNPAUSE")).toBe("+OK\r\n");
      expect((await set).toString("latin1")).toBe("+OK\r\n");
      expect(await raw(reader, "GET", "pk")).toBe("$3\r\nnew\r\n");
    });

    it("CLIENT PAUSE ALL holds every command until it times out", async () => {
      const admin = await connect();
      const other = await connect();
      const t0 = Date.now();
      expect(await raw(admin, "CLIENT", "PAUSE", "400")).toBe("+OK\r\n");
      const ping = other.command("PING");
      expect(await within(ping, 100)).toBe("pending");
      expect((await ping).toString("latin1")).toBe("+PONG\r\n");
      expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    });

    it("CLIENT REPLY OFF / SKIP / ON over a raw socket: only the allowed replies arrive", async () => {
      const c = await connect();
      c.send("CLIENT REPLY OFF\r\nSET r 1\r\nGET r\r\nPING\r\nCLIENT REPLY ON\r\nGET r\r\n");
      expect((await c.readUntilIdle(200)).data.toString("latin1")).toBe("+OK\r\n$1\r\n1\r\n");
      c.send("CLIENT REPLY SKIP\r\nINCR r\r\nGET r\r\n");
      expect((await c.readUntilIdle(200)).data.toString("latin1")).toBe("$1\r\n2\r\n");
      // the keyless and the keyed replies keep their order when replies are dropped
      c.send("CLIENT REPLY OFF\r\nMSET r1 a r2 b r3 c\r\nCLIENT REPLY ON\r\nMGET r1 r2 r3\r\nPING\r\n");
      expect((await c.readUntilIdle(200)).data.toString("latin1")).toBe(
        "+OK\r\n*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n+PONG\r\n",
      );
    });

    it("WAIT numreplicas > 0 waits for its timeout and answers 0 (there are no replicas)", async () => {
      const c = await connect();
      const t0 = Date.now();
      expect(await raw(c, "WAIT", "1", "200")).toBe(":0\r\n");
      expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
      expect(await raw(c, "WAIT", "0", "0")).toBe(":0\r\n");
    });
  });
}

// ---------------------------------------------------------------- process lifecycle

describe("shutdown", () => {
  let srv: ServerHandle | undefined;
  afterAll(async () => {
    await srv?.stop();
  });

  it("SHUTDOWN closes the connection without a reply; the process logs bye bye and exits 0", async () => {
    srv = await startShardis(["--shards", "1"]);
    const c = await RawClient.connect(srv.port);
    expect(await raw(c, "SHUTDOWN", "bogus")).toBe("-ERR syntax error\r\n");
    expect(await raw(c, "SHUTDOWN", "ABORT")).toBe("-ERR No shutdown in progress.\r\n");
    expect(await raw(c, "PING")).toBe("+PONG\r\n");
    c.send("SHUTDOWN\r\n");
    const { data, closed } = await c.readUntilIdle(5000, 10_000);
    expect(data.toString("latin1")).toBe("");
    expect(closed).toBe(true);
    expect(await srv.exited).toBe(0);
    expect(srv.output()).toContain("# User requested shutdown...");
    expect(srv.output()).toMatch(/# Redis is now ready to exit, bye bye\.\.\.\n$/);
  });

  it("SIGTERM runs the same shutdown: bye bye, exit 0", async () => {
    srv = await startShardis(["--shards", "1"]);
    process.kill(srv.pid, "SIGTERM");
    expect(await srv.exited).toBe(0);
    expect(srv.output()).toContain("Received SIGTERM scheduling shutdown...");
    expect(srv.output()).toMatch(/# Redis is now ready to exit, bye bye\.\.\.\n$/);
  });
});

// ---------------------------------------------------------------- command line

interface Run {
  code: number | string;
  stdout: string;
  stderr: string;
}

/** Runs a server binary with args in a scratch directory and collects its output. */
function run(command: string, args: string[]): Promise<Run> {
  const cwd = mkdtempSync(path.join(os.tmpdir(), "shardis-cli-"));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString("utf8");
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString("utf8");
    });
    // none of these may start a server: kill it if it does
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("error", (e) => {
      clearTimeout(timer);
      rmSync(cwd, { recursive: true, force: true });
      reject(e);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code: code ?? signal ?? "unknown", stdout, stderr });
    });
  });
}

const shardis = (args: string[]): Promise<Run> => run(process.execPath, [SHARDIS_MAIN, ...args]);
const redisServer = (args: string[]): Promise<Run> => run("redis-server", args);

describe("command line", () => {
  const bad: Array<[string[], string]> = [
    [["--foo", "bar"], ">>> 'foo \"bar\"'\nBad directive or wrong number of arguments\n"],
    [["--port", "abc"], ">>> 'port \"abc\"'\nargument couldn't be parsed into an integer\n"],
    [["--port", "99999"], ">>> 'port \"99999\"'\nargument must be between 0 and 65535 inclusive\n"],
    [["--maxmemory", "abc"], ">>> 'maxmemory \"abc\"'\nargument must be a memory value\n"],
    [["--appendonly", "maybe"], ">>> 'appendonly \"maybe\"'\nargument must be 'yes' or 'no'\n"],
  ];
  for (const [args, tail] of bad) {
    it(`${args.join(" ")}: FATAL CONFIG FILE ERROR on stderr, exit 1, as redis-server`, async () => {
      const s = await shardis(args);
      const expected = `\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n${tail}`;
      expect(s.code).toBe(1);
      expect(s.stdout).toBe("");
      expect(s.stderr).toBe(expected);
      if (!skipRedis) {
        const r = await redisServer(args);
        expect(r).toEqual({ code: 1, stdout: "", stderr: expected });
      }
    });
  }

  it("--version / -v: one line on stdout, exit 0, in redis-server's format", async () => {
    const format = /^Redis server v=7\.0\.15 sha=[0-9a-f]+:\d malloc=\S+ bits=64 build=\S+\n$/;
    for (const flag of ["--version", "-v"]) {
      const s = await shardis([flag]);
      expect(s.code).toBe(0);
      expect(s.stderr).toBe("");
      expect(s.stdout).toMatch(format);
      if (!skipRedis) {
        const r = await redisServer([flag]);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(format);
      }
    }
  });

  it("--help / -h: usage on stderr, exit 1, as redis-server", async () => {
    for (const flag of ["--help", "-h"]) {
      const s = await shardis([flag]);
      expect(s.code).toBe(1);
      expect(s.stdout).toBe("");
      expect(s.stderr).toMatch(/^Usage: shardis \[\/path\/to\/redis\.conf\] \[options\] \[-\]\n/);
      expect(s.stderr).toContain("--port");
      if (!skipRedis) {
        const r = await redisServer([flag]);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(/^Usage: \S*redis-server \[\/path\/to\/redis\.conf\] \[options\] \[-\]\n/);
      }
    }
  });

  it("the version flag counts only as the first argument (a config error otherwise)", async () => {
    const s = await shardis(["--port", "1", "--version"]);
    const expected =
      "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'version'\nBad directive or wrong number of arguments\n";
    expect(s.code).toBe(1);
    expect(s.stderr).toBe(expected);
    if (!skipRedis) {
      const r = await redisServer(["--port", "1", "--version"]);
      expect(r).toEqual({ code: 1, stdout: "", stderr: expected });
    }
  });
});
