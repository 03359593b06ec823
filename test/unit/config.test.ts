import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Config,
  ConfigError,
  DIRECTIVES,
  defaultShards,
  FatalConfigError,
  fatalConfigText,
  isSensitiveConfig,
  loadConfig,
  NOTIFY_KEYEVENT,
  NOTIFY_KEYSPACE,
  parseCommandLine,
  SHUTDOWN_FORCE,
  SHUTDOWN_NOSAVE,
  VERSION_TEXT,
} from "../../src/config/index.js";

/* ---------------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------------- */

function fatalOf(args: string[]): FatalConfigError {
  try {
    loadConfig(args);
  } catch (e) {
    if (e instanceof FatalConfigError) return e;
    throw e;
  }
  throw new Error(`no fatal error for ${JSON.stringify(args)}`);
}

/** The reply of CONFIG SET on our side: "OK" or the error text. */
function setReply(c: Config, args: string[]): string {
  try {
    c.set(args);
    return "OK";
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
}

function tmpDir(): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "shardis-config-")));
}

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});
function newTmpDir(): string {
  const d = tmpDir();
  tmpDirs.push(d);
  return d;
}

/* ---------------------------------------------------------------------------------------------
 * Defaults and typed access
 * ------------------------------------------------------------------------------------------- */

describe("defaults", () => {
  const c = new Config();

  it("prints Redis 7.0's defaults", () => {
    const expected: Record<string, string> = {
      port: "6379",
      bind: "* -::*",
      "protected-mode": "yes",
      "tcp-backlog": "511",
      timeout: "0",
      "tcp-keepalive": "300",
      daemonize: "no",
      pidfile: "",
      loglevel: "notice",
      logfile: "",
      databases: "16",
      save: "3600 1 300 100 60 10000",
      dbfilename: "dump.rdb",
      appendonly: "no",
      appendfilename: "appendonly.aof",
      appenddirname: "appendonlydir",
      appendfsync: "everysec",
      requirepass: "",
      replicaof: "",
      "replica-read-only": "yes",
      maxclients: "10000",
      maxmemory: "0",
      "maxmemory-policy": "noeviction",
      "maxmemory-samples": "5",
      hz: "10",
      "notify-keyspace-events": "",
      "hash-max-listpack-entries": "512",
      "hash-max-listpack-value": "64",
      "list-max-listpack-size": "-2",
      "list-compress-depth": "0",
      "set-max-intset-entries": "512",
      "zset-max-listpack-entries": "128",
      "zset-max-listpack-value": "64",
      "stream-node-max-bytes": "4096",
      "stream-node-max-entries": "100",
      "slowlog-log-slower-than": "10000",
      "slowlog-max-len": "128",
      "latency-monitor-threshold": "0",
      "busy-reply-threshold": "5000",
      "lua-time-limit": "5000",
      "client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
      "proto-max-bulk-len": "536870912",
      "client-query-buffer-limit": "1073741824",
      "active-expire-effort": "1",
      activedefrag: "no",
      "io-threads": "1",
      rdbcompression: "yes",
      rdbchecksum: "yes",
      "stop-writes-on-bgsave-error": "yes",
      "aof-use-rdb-preamble": "yes",
      "min-replicas-to-write": "0",
      "min-replicas-max-lag": "10",
      "repl-backlog-size": "1048576",
      "repl-diskless-sync": "yes",
      "repl-diskless-sync-delay": "5",
      "cluster-enabled": "no",
      "lazyfree-lazy-eviction": "no",
      "latency-tracking-info-percentiles": "50 99 99.9",
      "shutdown-on-sigint": "default",
      "maxmemory-clients": "0",
      unixsocketperm: "0",
    };
    for (const [name, value] of Object.entries(expected)) expect([name, c.getString(name)]).toEqual([name, value]);
    expect(c.getString("dir")).toBe(process.cwd());
    expect(c.getString("shards")).toBe(String(defaultShards()));
    expect(defaultShards()).toBe(Math.max(1, os.availableParallelism() - 1));
  });

  it("has typed getters", () => {
    expect(c.getNumber("port")).toBe(6379);
    expect(c.getNumber("proto-max-bulk-len")).toBe(512 * 1024 * 1024);
    expect(c.getNumber("shards")).toBe(defaultShards());
    expect(c.getBool("protected-mode")).toBe(true);
    expect(c.getBool("slave-read-only")).toBe(true);
    expect(c.getSave()).toEqual([
      [3600, 1],
      [300, 100],
      [60, 10000],
    ]);
    expect(c.getReplicaOf()).toBeUndefined();
    expect(c.getBind()).toEqual(["*", "-::*"]);
    expect(c.getClientOutputBufferLimits().replica).toEqual({ hard: 268435456, soft: 67108864, seconds: 60 });
    expect(c.getPercentiles()).toEqual([50, 99, 99.9]);
    expect(() => c.getNumber("appendfsync")).toThrow(TypeError);
    expect(() => c.getBool("port")).toThrow(TypeError);
    expect(() => c.getString("no-such-thing")).toThrow();
  });

  it("describes every directive in one table", () => {
    const names = new Set<string>();
    for (const d of DIRECTIVES) {
      expect(d.name).toBe(d.name.toLowerCase());
      expect(names.has(d.name)).toBe(false);
      names.add(d.name);
      if (d.alias) names.add(d.alias);
      expect(["bool", "int", "memory", "string", "enum", "special"]).toContain(d.type);
      expect(typeof d.defaultValue).toBe("string");
    }
    const byName = (n: string) => DIRECTIVES.find((d) => d.name === n);
    expect(byName("replicaof")).toMatchObject({ alias: "slaveof", mutable: false, type: "special" });
    expect(byName("hash-max-listpack-entries")).toMatchObject({ alias: "hash-max-ziplist-entries", type: "int" });
    expect(byName("maxmemory")).toMatchObject({ type: "memory", mutable: true, defaultValue: "0" });
    expect(byName("daemonize")).toMatchObject({ type: "bool", mutable: false });
    expect(byName("appendfsync")).toMatchObject({ type: "enum", defaultValue: "everysec" });
    expect(byName("shards")).toMatchObject({ type: "int", mutable: false });
    expect(isSensitiveConfig("requirepass")).toBe(true);
    expect(isSensitiveConfig("MASTERAUTH")).toBe(true);
    expect(isSensitiveConfig("port")).toBe(false);
  });
});

/* ---------------------------------------------------------------------------------------------
 * Values: memory units, quoting, special directives
 * ------------------------------------------------------------------------------------------- */

describe("values", () => {
  it("parses memory units as Redis does", () => {
    const cases: Array<[string, string]> = [
      ["1", "1"],
      ["1b", "1"],
      ["1k", "1000"],
      ["1K", "1000"],
      ["1kb", "1024"],
      ["1KB", "1024"],
      ["1m", "1000000"],
      ["1mb", "1048576"],
      ["1g", "1000000000"],
      ["1gb", "1073741824"],
      ["1Gb", "1073741824"],
      ["100mb", "104857600"],
      ["00012", "12"],
      ["", "0"],
      ["kb", "0"],
      ["18446744073709551615", "18446744073709551615"],
      ["99999999999999999999999", "18446744073709551615"], // saturates
      ["20000000000gb", "3028092406290448384"], // and the multiplication wraps, as in C
    ];
    const c = new Config();
    for (const [input, printed] of cases) {
      c.set(["maxmemory", input]);
      expect([input, c.getString("maxmemory")]).toEqual([input, printed]);
    }
    for (const bad of ["-1", "+5", " 5", "1.5mb", "0x10", "1tb", "1kbb", "5 mb"]) {
      expect(setReply(c, ["maxmemory", bad])).toBe(
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
      );
    }
    expect(loadConfig(["--maxmemory", "100mb"]).getNumber("maxmemory")).toBe(104857600);
  });

  it("parses integers strictly", () => {
    const c = new Config();
    for (const bad of ["", "00", "-0", "+1", " 1", "1.0", "1k", "0x1"]) {
      expect(setReply(c, ["hz", bad])).toBe(
        "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer",
      );
    }
    expect(setReply(c, ["hz", "2147483648"])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be between 0 and 2147483647 inclusive",
    );
    // hz is a hint: accepted out of range, clamped to 1..500
    c.set(["hz", "2147483647"]);
    expect(c.getString("hz")).toBe("500");
    c.set(["hz", "0"]);
    expect(c.getString("hz")).toBe("1");
    expect(loadConfig(["--hz", "1000"]).getNumber("hz")).toBe(500);
  });

  it("handles percentages for maxmemory-clients", () => {
    const c = new Config();
    c.set(["maxmemory-clients", "50%"]);
    expect(c.getString("maxmemory-clients")).toBe("50%");
    expect(c.getNumber("maxmemory-clients")).toBe(-50);
    c.set(["maxmemory-clients", "0%"]);
    expect(c.getString("maxmemory-clients")).toBe("0");
    expect(setReply(c, ["maxmemory-clients", "101%"])).toMatch(/percentage argument must be less or equal to 100$/);
    expect(setReply(c, ["maxmemory-clients", "-5%"])).toMatch(/argument must be a memory or percent value$/);
  });

  it("splits config lines like sdssplitargs", () => {
    const dir = newTmpDir();
    const file = path.join(dir, "q.conf");
    fs.writeFileSync(
      file,
      [
        'requirepass "a b\\x41\\n\\"c"',
        "masterauth 'it\\'s'",
        "masteruser   spaced   ",
        'bind 1.2.3.4 "5.6.7.8"',
        "\tlogfile ''",
        "   # an indented comment",
        "",
        "MAXMEMORY 1mb",
      ].join("\r\n"),
    );
    const c = loadConfig([file]);
    expect(c.getString("requirepass")).toBe('a bA\n"c');
    expect(c.getString("masterauth")).toBe("it's");
    expect(c.getString("masteruser")).toBe("spaced");
    expect(c.getBind()).toEqual(["1.2.3.4", "5.6.7.8"]);
    expect(c.getString("maxmemory")).toBe("1048576");
    expect(c.configFile).toBe(file);
  });

  it("reads save points", () => {
    expect(loadConfig(["--save", "900", "1", "--save", "300 10"]).getSave()).toEqual([
      [900, 1],
      [300, 10],
    ]);
    // bare --save, --save "" and --save followed by another flag disable saving
    expect(loadConfig(["--save"]).getString("save")).toBe("");
    expect(loadConfig(["--save", ""]).getString("save")).toBe("");
    expect(loadConfig(["--save", "--port", "7000"]).getSave()).toEqual([]);
    expect(loadConfig(["--save", "--port", "7000"]).getNumber("port")).toBe(7000);
    // a later save line after save "" appends
    expect(loadConfig(["--save", "", "--save", "60 1"]).getString("save")).toBe("60 1");
    const c = new Config();
    c.set(["save", "10 5 20 6"]);
    expect(c.getString("save")).toBe("10 5 20 6");
    c.set(["save", ""]);
    expect(c.getSave()).toEqual([]);
    c.set(["save", "1 99999999999"]); // changes is a C int
    expect(c.getString("save")).toBe("1 1215752191");
    for (const bad of ["100 10 200", "0 1", "1 -1", "  ", "100  10", "1x 1"]) {
      expect(setReply(c, ["save", bad])).toBe(
        "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
      );
    }
  });

  it("reads replicaof as host port or 'no one'", () => {
    expect(loadConfig(["--replicaof", "127.0.0.1", "6380"]).getReplicaOf()).toEqual({ host: "127.0.0.1", port: 6380 });
    expect(loadConfig(["--replicaof", "127.0.0.1 6380"]).getReplicaOf()).toEqual({ host: "127.0.0.1", port: 6380 });
    expect(loadConfig(["--slaveof", "h", "1", "--replicaof", "NO", "One"]).getReplicaOf()).toBeUndefined();
    expect(loadConfig(["--replicaof", "h", "7"]).getString("slaveof")).toBe("h 7");
  });

  it("keeps notify-keyspace-events and bit-flag enums as Redis prints them", () => {
    const c = new Config();
    const cases: Array<[string, string]> = [
      ["KEA", "AKE"],
      ["Ex", "xE"],
      ["gA", "A"],
      ["Kg$lshzxetdn", "AK"],
      ["g$lshzxetd", "A"],
      ["lsh", "lsh"],
      ["m", "m"],
      ["", ""],
    ];
    for (const [input, printed] of cases) {
      c.set(["notify-keyspace-events", input]);
      expect([input, c.getString("notify-keyspace-events")]).toEqual([input, printed]);
    }
    c.set(["notify-keyspace-events", "KE"]);
    expect(c.getNumber("notify-keyspace-events")).toBe(NOTIFY_KEYSPACE | NOTIFY_KEYEVENT);
    c.set(["shutdown-on-sigint", "force NOW nosave"]);
    expect(c.getString("shutdown-on-sigint")).toBe("nosave now force");
    expect(c.getEnum("shutdown-on-sigint") & (SHUTDOWN_NOSAVE | SHUTDOWN_FORCE)).toBe(SHUTDOWN_NOSAVE | SHUTDOWN_FORCE);
    c.set(["oom-score-adj", "relative"]);
    expect(c.getString("oom-score-adj")).toBe("yes");
    c.set(["latency-tracking-info-percentiles", "1e1 0.5 99.99999999"]);
    expect(c.getString("latency-tracking-info-percentiles")).toBe("10 0.5 100");
  });
});

/* ---------------------------------------------------------------------------------------------
 * Command line and FATAL errors
 * ------------------------------------------------------------------------------------------- */

describe("command line", () => {
  it("applies flags after the config file, last value wins", () => {
    const dir = newTmpDir();
    const file = path.join(dir, "a.conf");
    fs.writeFileSync(file, "port 7001\nmaxmemory 1mb\nhz 20\n");
    const c = loadConfig([file, "--port", "7002", "--maxmemory", "2mb", "--port", "7003"]);
    expect(c.getNumber("port")).toBe(7003);
    expect(c.getNumber("maxmemory")).toBe(2 * 1024 * 1024);
    expect(c.getNumber("hz")).toBe(20);
    expect(c.configFile).toBe(file);
    expect(loadConfig(["--port 6380"]).getNumber("port")).toBe(6380); // name and value in one argument
    expect(loadConfig([]).configFile).toBeUndefined();
  });

  it("reads the config from stdin with '-'", () => {
    const c = loadConfig(["-", "--hz", "7"], () => "port 7100\nmaxmemory-policy allkeys-lru\n");
    expect(c.getNumber("port")).toBe(7100);
    expect(c.getString("maxmemory-policy")).toBe("allkeys-lru");
    expect(c.getNumber("hz")).toBe(7);
    expect(loadConfig(["--hz", "7", "-"], () => "hz 8").getNumber("hz")).toBe(7);
  });

  it("formats FATAL errors exactly like redis-server", () => {
    expect(fatalOf(["--foo", "bar"]).message).toBe(
      "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n" +
        "Reading the configuration file, at line 2\n" +
        ">>> 'foo \"bar\"'\n" +
        "Bad directive or wrong number of arguments\n",
    );
    expect(fatalOf(["--port", "abc"]).message).toBe(
      fatalConfigText("argument couldn't be parsed into an integer", { line: 2, text: 'port "abc"' }),
    );
    expect(fatalOf(["--port"]).message).toBe(fatalConfigText("wrong number of arguments", { line: 2, text: "port" }));
    expect(fatalOf(["-x"]).message).toBe(
      fatalConfigText("Bad directive or wrong number of arguments", { line: 2, text: '"-x"' }),
    );
    expect(fatalOf(["--port", "1", "--save", "--hz"]).message).toBe(
      fatalConfigText("wrong number of arguments", { line: 4, text: "hz" }),
    );
    expect(fatalOf(["--port", '"1']).message).toBe(
      fatalConfigText("argument couldn't be parsed into an integer", { line: 2, text: 'port "\\"1"' }),
    );
    expect(fatalOf(["--cluster-enabled", "yes", "--replicaof", "h", "1"]).message).toBe(
      "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode\n",
    );
    const missing = fatalOf(["/nonexistent/shardis.conf"]);
    expect(missing.viaLog).toBe(true);
    expect(missing.message).toBe(
      "Fatal error, can't open config file '/nonexistent/shardis.conf': No such file or directory",
    );
  });

  it("reports the line of a bad config file line, and of included files", () => {
    const dir = newTmpDir();
    const inc = path.join(dir, "inc.conf");
    fs.writeFileSync(inc, "hz 5\n\nmaxmemory lots\n");
    const file = path.join(dir, "main.conf");
    fs.writeFileSync(file, `# top\nport 7000\ninclude ${inc}\n`);
    expect(fatalOf([file]).message).toBe(
      fatalConfigText("argument must be a memory value", { line: 3, text: "maxmemory lots" }),
    );
    fs.writeFileSync(file, 'port 1\nrequirepass "abc\n');
    expect(fatalOf([file]).message).toBe(
      fatalConfigText("Unbalanced quotes in configuration line", { line: 2, text: 'requirepass "abc' }),
    );
    // the flags follow the file after a newline
    fs.writeFileSync(file, "port 1\n");
    expect(fatalOf([file, "--hz", "x"]).message).toBe(
      fatalConfigText("argument couldn't be parsed into an integer", { line: 3, text: 'hz "x"' }),
    );
    fs.writeFileSync(inc, "hz 9\n");
    fs.writeFileSync(file, `include ${path.join(dir, "i*.conf")}\ninclude ${path.join(dir, "none*.conf")}\n`);
    expect(loadConfig([file]).getNumber("hz")).toBe(9);
  });

  it("keeps file-only directives for the server", () => {
    const c = loadConfig([
      "--rename-command",
      "flushall",
      "",
      "--user",
      "bob",
      "on",
      ">pw",
      "--list-max-ziplist-entries",
      "5",
    ]);
    expect(c.renameCommands.map((d) => d.args)).toEqual([["flushall", ""]]);
    expect(c.renameCommands[0].line).toBe(2);
    expect(c.users.map((d) => d.args)).toEqual([["bob", "on", ">pw"]]);
    // module configs with no module to take them stop the server (as a log line)
    const e = fatalOf(["--mymod.opt", "1", "2"]);
    expect(e.viaLog).toBe(true);
    expect(e.message).toBe(
      "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting",
    );
  });

  it("answers --help and --version", () => {
    expect(parseCommandLine(["-v"])).toEqual({ kind: "version", text: VERSION_TEXT });
    expect(parseCommandLine(["--version"])).toEqual({
      kind: "version",
      text: "Redis server v=7.0.15 sha=00000000:0 malloc=libc bits=64 build=shardis-0.1.0",
    });
    for (const flag of ["-h", "--help"]) {
      const r = parseCommandLine([flag]);
      expect(r.kind).toBe("help");
      if (r.kind !== "help") continue;
      expect(r.text).toContain("Usage: shardis [/path/to/redis.conf] [options] [-]");
      expect(r.text).toContain("--shards <n>");
      expect(r.text).toContain("echo 'maxmemory 128mb' | shardis -");
    }
    const run = parseCommandLine(["--port", "7777", "--shards", "3"]);
    expect(run.kind).toBe("run");
    if (run.kind === "run") {
      expect(run.config.getNumber("port")).toBe(7777);
      expect(run.config.getNumber("shards")).toBe(3);
    }
    // only the first argument can ask for help or the version
    expect(() => parseCommandLine(["--port", "1", "-v"])).toThrow(FatalConfigError);
    expect(() => parseCommandLine(["--shards", "-1"])).toThrow(/argument must be between 0 and 2147483647 inclusive/);
  });
});

/* ---------------------------------------------------------------------------------------------
 * CONFIG GET / SET / REWRITE (pure)
 * ------------------------------------------------------------------------------------------- */

describe("CONFIG GET", () => {
  const c = new Config();
  it("globs case-insensitively over names and aliases", () => {
    expect(new Set(c.get(["MAXMEM*"]).map(([k]) => k))).toEqual(
      new Set([
        "maxmemory-samples",
        "maxmemory-eviction-tenacity",
        "maxmemory",
        "maxmemory-clients",
        "maxmemory-policy",
      ]),
    );
    expect(new Set(c.get(["*ziplist*"]).map(([k]) => k))).toEqual(
      new Set([
        "hash-max-ziplist-entries",
        "hash-max-ziplist-value",
        "zset-max-ziplist-entries",
        "zset-max-ziplist-value",
        "list-max-ziplist-size",
      ]),
    );
  });
  it("answers exact names under the spelling asked, once", () => {
    expect(c.get(["MAXMEMORY"])).toEqual([["MAXMEMORY", "0"]]);
    expect(c.get(["maxmemory", "maxmemory", "MAXMEMORY"])).toEqual([["maxmemory", "0"]]);
    expect(c.get(["slaveof", "replicaof"])).toEqual([
      ["replicaof", ""],
      ["slaveof", ""],
    ]);
    expect(c.get(["nonexistent"])).toEqual([]);
    expect(c.get([""])).toEqual([]);
    expect(c.get(["save", "*appendonly*"])).toEqual([
      ["appendonly", "no"],
      ["save", "3600 1 300 100 60 10000"],
    ]);
  });
  it("shows hidden configs only by exact name", () => {
    expect(c.get(["use-exit-on-panic"])).toEqual([["use-exit-on-panic", "no"]]);
    expect(c.get(["use-exit-on-pani?"])).toEqual([]);
    expect(c.get(["*"]).some(([k]) => k === "key-load-delay")).toBe(false);
  });
});

describe("CONFIG SET", () => {
  it("reports errors with Redis's texts and precedence", () => {
    const c = new Config();
    const cases: Array<[string[], string]> = [
      [["foo", "bar"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"],
      [
        ["daemonize", "yes"],
        "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config",
      ],
      [
        ["DAEMONIZE", "yes"],
        "ERR CONFIG SET failed (possibly related to argument 'DAEMONIZE') - can't set immutable config",
      ],
      [["dir", "/tmp"], "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"],
      [
        ["MAXMEMORY", "abc"],
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
      ],
      [
        ["Lua-Time-Limit", "x"],
        "ERR CONFIG SET failed (possibly related to argument 'lua-time-limit') - argument couldn't be parsed into an integer",
      ],
      [
        ["maxmemory", "1", "MAXMEMORY", "2"],
        "ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter",
      ],
      [["foo", "1", "daemonize", "yes"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"],
      [
        ["daemonize", "yes", "foo", "1"],
        "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config",
      ],
      [["maxmemory", "x", "foo", "1"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"],
      [
        ["hz", "x", "maxmemory", "y"],
        "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer",
      ],
      [["maxmemory", "1", "hz"], "ERR syntax error"],
      [["maxmemory"], "ERR wrong number of arguments for 'config|set' command"],
      [
        ["appendfsync", "maybe"],
        "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no",
      ],
      [
        ["replica-read-only", "1"],
        "ERR CONFIG SET failed (possibly related to argument 'replica-read-only') - argument must be 'yes' or 'no'",
      ],
      [
        ["client-output-buffer-limit", "normal 1 2"],
        "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration.",
      ],
      [
        ["client-output-buffer-limit", "master 1 2 3"],
        "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration.",
      ],
      [
        ["notify-keyspace-events", "AAq"],
        "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
      ],
      [
        ["shutdown-on-sigint", "save nosave"],
        "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - shutdown options SAVE and NOSAVE can't be used simultaneously",
      ],
      [["shards", "2"], "ERR CONFIG SET failed (possibly related to argument 'shards') - can't set immutable config"],
      [
        ["slaveof", "a 1"],
        "ERR CONFIG SET failed (possibly related to argument 'slaveof') - can't set immutable config",
      ],
    ];
    for (const [args, reply] of cases) expect([args, setReply(c, args)]).toEqual([args, reply]);
  });

  it("is all or nothing", () => {
    const c = new Config();
    expect(setReply(c, ["maxmemory", "1", "hz", "2", "maxmemory-policy", "abc"])).toMatch(/maxmemory-policy/);
    expect(c.getString("maxmemory")).toBe("0");
    expect(c.getString("hz")).toBe("10");
    expect(setReply(c, ["save", "1 1", "hz", "x"])).toMatch(/'hz'/);
    expect(c.getString("save")).toBe("3600 1 300 100 60 10000");
    expect(setReply(c, ["maxmemory", "1", "hz", "2"])).toBe("OK");
    expect([c.getString("maxmemory"), c.getString("hz")]).toEqual(["1", "2"]);
    // alias and primary are different names, not duplicates
    expect(setReply(c, ["lua-time-limit", "100", "busy-reply-threshold", "200"])).toBe("OK");
    expect(c.getString("lua-time-limit")).toBe("200");
  });

  it("honours enable-protected-configs and the loading state", () => {
    const dir = newTmpDir();
    expect(setReply(loadConfig(["--enable-protected-configs", "yes"]), ["dir", dir])).toBe("OK");
    const local = loadConfig(["--enable-protected-configs", "local"]);
    expect(setReply(local, ["dbfilename", "x.rdb"])).toMatch(/can't set protected config/);
    local.set(["dbfilename", "x.rdb"], { local: true });
    expect(local.getString("dbfilename")).toBe("x.rdb");
    expect(() => local.set(["appendonly", "yes"], { loading: true })).toThrow(
      "LOADING Redis is loading the dataset in memory",
    );
    const c = loadConfig(["--enable-protected-configs", "yes"]);
    c.set(["dir", dir]);
    expect(c.getString("dir")).toBe(dir);
    expect(setReply(c, ["dir", path.join(dir, "nope")])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory",
    );
    expect(setReply(c, ["dbfilename", "a/b"])).toMatch(/dbfilename can't be a path, just a filename$/);
  });

  it("calls onChange listeners after a successful set, and rolls back when one throws", () => {
    const c = new Config();
    const seen: string[] = [];
    c.onChange("maxmemory", (v) => seen.push(`maxmemory=${v}`));
    c.onChange("slave-read-only", (v) => seen.push(`ro=${v}`));
    c.set(["maxmemory", "1kb", "replica-read-only", "no"]);
    expect(seen).toEqual(["maxmemory=1024", "ro=no"]);
    c.set(["maxmemory", "1024"]); // unchanged: no call
    expect(seen.length).toBe(2);

    c.onChange("port", (v) => {
      if (v === "1") throw new Error("Unable to listen on this port. Check server logs.");
      seen.push(`port=${v}`);
    });
    expect(setReply(c, ["maxmemory", "2kb", "port", "1"])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.",
    );
    expect(c.getString("maxmemory")).toBe("1024");
    expect(c.getString("port")).toBe("6379");
    // the listener already told about maxmemory=2048 hears the restored value
    expect(seen.slice(2)).toEqual(["maxmemory=2048", "maxmemory=1024", "port=6379"]);
    expect(() => loadConfig(["--maxmemory", "1"])).not.toThrow(); // never called while loading
  });
});

describe("CONFIG REWRITE", () => {
  it("needs a config file", () => {
    expect(() => new Config().rewrite()).toThrow(new ConfigError("ERR The server is running without a config file"));
  });

  it("updates lines in place, appends new ones, blanks duplicates, keeps comments", () => {
    const dir = newTmpDir();
    const file = path.join(dir, "r.conf");
    fs.writeFileSync(
      file,
      [
        "# my comment",
        "port 7000",
        `dir ${dir}`,
        "save 900 1",
        "save 300 10",
        "",
        "bind 127.0.0.1",
        "",
        "",
        "slave-read-only yes",
        "hash-max-ziplist-entries 100",
        "maxmemory 1gb",
        "maxmemory 2gb",
        "rename-command FLUSHALL ''",
        'masterauth "a b"',
        "   # indented comment",
        "appendonly no",
        "",
      ].join("\n"),
    );
    const c = loadConfig([file]);
    c.set(["maxmemory", "100mb", "hz", "20", "replica-read-only", "no", "save", "60 5"]);
    c.set(["notify-keyspace-events", "KEA", "client-output-buffer-limit", "replica 1mb 2mb 3"]);
    c.rewrite();
    expect(fs.readFileSync(file, "utf8")).toBe(
      [
        "# my comment",
        "port 7000",
        `dir "${dir}"`,
        "save 60 5",
        "",
        "bind 127.0.0.1",
        "",
        "replica-read-only no",
        "hash-max-listpack-entries 100",
        "maxmemory 100mb",
        "",
        "rename-command FLUSHALL ''",
        'masterauth "a b"',
        "# indented comment",
        "appendonly no",
        "",
        "# Generated by CONFIG REWRITE",
        "hz 20",
        "client-output-buffer-limit replica 1mb 2mb 3",
        'notify-keyspace-events "AKE"',
        "latency-tracking-info-percentiles 50 99 99.9",
        "",
      ].join("\n"),
    );
    // rewriting again is stable, and the file loads back to the same values
    c.rewrite();
    const again = loadConfig([file]);
    expect(again.get(["*"])).toEqual(c.get(["*"]));
    c.set(["masterauth", ""]); // NULL strings disappear from the file
    c.rewrite();
    expect(fs.readFileSync(file, "utf8")).not.toContain("masterauth");
  });
});

/* ---------------------------------------------------------------------------------------------
 * Comparisons with the real redis-server
 * ------------------------------------------------------------------------------------------- */

const HAVE_REDIS = spawnSync("redis-server", ["--version"], { encoding: "utf8" }).stdout?.includes("v=7.");
if (!HAVE_REDIS) {
  console.warn("config.test.ts: redis-server 7 is not on PATH: SKIPPING the comparisons with the real server");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address() as net.AddressInfo;
      srv.close(() => resolve(addr.port));
    });
  });
}

interface RealServer {
  proc: ChildProcess;
  client: Redis;
}

async function startReal(args: string[], cwd: string): Promise<RealServer> {
  const proc = spawn("redis-server", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    proc.once("exit", () => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited:\n${out}`));
    });
  });
  const port =
    Number(args[args.indexOf("--port") + 1]) || Number(/port (\d+)/.exec(fs.readFileSync(args[0], "utf8"))?.[1]);
  const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
  await client.connect();
  return { proc, client };
}

async function stopReal(s: RealServer | undefined): Promise<void> {
  if (!s) return;
  s.client.disconnect();
  if (s.proc.exitCode === null && s.proc.signalCode === null) {
    const exited = new Promise((r) => s.proc.once("exit", r));
    s.proc.kill("SIGKILL");
    await exited;
  }
}

async function realSet(client: Redis, args: string[]): Promise<string> {
  try {
    return String(await client.call("CONFIG", "SET", ...args));
  } catch (e) {
    return (e as Error).message;
  }
}

async function realGet(client: Redis, patterns: string[]): Promise<Array<[string, string]>> {
  const flat = (await client.call("CONFIG", "GET", ...patterns)) as string[];
  const out: Array<[string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

const sorted = (pairs: Array<[string, string]>) => [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe.skipIf(!HAVE_REDIS)("against redis-server 7.0", () => {
  let real: RealServer | undefined;
  let ours: Config;
  let dir: string;

  beforeAll(async () => {
    dir = newTmpDir();
    const port = await freePort();
    const args = [
      ...["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--daemonize", "no"],
      ...["--logfile", "", "--save", "", "--appendonly", "no"],
    ];
    real = await startReal(args, dir);
    ours = loadConfig(args);
  });
  afterAll(async () => {
    await stopReal(real);
  });

  it("CONFIG GET * prints the same names and values", async () => {
    const theirs = sorted(await realGet(real!.client, ["*"]));
    const mine = sorted(ours.get(["*"]).filter(([k]) => k !== "shards"));
    expect(mine).toEqual(theirs);
  });

  it("CONFIG GET patterns select the same names", async () => {
    const patterns = [
      ["MAXMEM*"],
      ["*max*"],
      ["[a-c]*"],
      ["*-[lz]*"],
      ["slaveof"],
      ["SLAVEOF", "replicaof"],
      ["maxmemory", "MAXMEMORY", "max*"],
      ["use-exit-on-panic", "rdb-key-save-delay", "key-load-delay", "watchdog-period"],
      ["loading-process-events-interval-bytes"],
      ["*panic*"],
      ["nonexistent"],
      [""],
      ["?"],
      ["*ZIPLIST*"],
      ["lua*", "busy*"],
    ];
    for (const p of patterns) {
      expect([p, sorted(ours.get(p))]).toEqual([p, sorted(await realGet(real!.client, p))]);
    }
  });

  it("CONFIG SET answers and changes values alike", async () => {
    const cases: string[][] = [
      ["foo", "bar"],
      ["maxmemory", "abc"],
      ["maxmemory", "1gb"],
      ["maxmemory", "1.5mb"],
      ["maxmemory", "99999999999999999999999"],
      ["maxmemory", "20000000000gb"],
      ["maxmemory", "0"],
      ["proto-max-bulk-len", ""],
      ["proto-max-bulk-len", "9223372036854775808"],
      ["proto-max-bulk-len", "1024kb"],
      ["proto-max-bulk-len", "512mb"],
      ["hz", "-1"],
      ["hz", "00"],
      ["hz", "2147483647"],
      ["hz", "0"],
      ["hz", "10"],
      ["maxmemory-clients", "50%"],
      ["maxmemory-clients", "101%"],
      ["maxmemory-clients", "-5%"],
      ["maxmemory-clients", "%"],
      ["maxmemory-clients", "1mb"],
      ["maxmemory-clients", "0"],
      ["daemonize", "yes"],
      ["databases", "3"],
      ["port", "abc"],
      ["port", "70000"],
      ["dir", "/tmp"],
      ["dbfilename", "x.rdb"],
      ["unixsocketperm", "777"],
      ["socket-mark-id", "1"],
      ["appendfsync", "maybe"],
      ["appendfsync", "ALWAYS"],
      ["appendfsync", "everysec"],
      ["loglevel", ""],
      ["loglevel", "Verbose"],
      ["loglevel", "notice"],
      ["maxmemory-policy", "x"],
      ["maxmemory-policy", "allkeys-lru"],
      ["save", "100 x"],
      ["save", "100 10 200"],
      ["save", "  "],
      ["save", "1 0"],
      ["save", "99999999999 1"],
      ["save", "1 99999999999"],
      ["save", "-5 1"],
      ["save", ""],
      ["replica-read-only", "1"],
      ["replica-read-only", "YES"],
      ["slave-read-only", "no"],
      ["notify-keyspace-events", "KEA"],
      ["notify-keyspace-events", "Kg$lshzxetdn"],
      ["notify-keyspace-events", "AAq"],
      ["notify-keyspace-events", "Ex"],
      ["notify-keyspace-events", ""],
      ["client-output-buffer-limit", "normal 1mb 2mb 3"],
      ["client-output-buffer-limit", "REPLICA 1 2 3"],
      ["client-output-buffer-limit", "pubsub 1k 2kb 0"],
      ["client-output-buffer-limit", "master 1 2 3"],
      ["client-output-buffer-limit", "normal -1 2 3"],
      ["client-output-buffer-limit", "normal 1 2 +3"],
      ["client-output-buffer-limit", "normal 1 2 99999999999999999999"],
      ["client-output-buffer-limit", "normal 1 2"],
      ["client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"],
      ["shutdown-on-sigint", "force now nosave"],
      ["shutdown-on-sigint", "save default"],
      ["shutdown-on-sigint", ""],
      ["shutdown-on-sigint", "now  force"],
      ["shutdown-on-sigterm", "nosave save"],
      ["shutdown-on-sigint", "default"],
      ["propagation-error-behavior", "x"],
      ["propagation-error-behavior", "panic-on-replicas"],
      ["latency-tracking-info-percentiles", "1e1 0.5"],
      ["latency-tracking-info-percentiles", "0.0000001"],
      ["latency-tracking-info-percentiles", "99.99999999"],
      ["latency-tracking-info-percentiles", "nan"],
      ["latency-tracking-info-percentiles", "inf"],
      ["latency-tracking-info-percentiles", " 5"],
      ["latency-tracking-info-percentiles", "0x10"],
      ["latency-tracking-info-percentiles", ""],
      ["latency-tracking-info-percentiles", "50 99 99.9"],
      ["oom-score-adj-values", "1 2"],
      ["oom-score-adj-values", "1 2 3000"],
      ["proc-title-template", "{foo}"],
      ["proc-title-template", "{title}"],
      ["cluster-announce-hostname", "a_b"],
      ["appendfilename", "x"],
      ["maxmemory-samples", "0"],
      ["maxmemory-samples", "7"],
      ["slowlog-log-slower-than", "-2"],
      ["slowlog-log-slower-than", "-1"],
      ["slowlog-max-len", "-1"],
      ["list-max-listpack-size", "99999999999"],
      ["list-max-ziplist-size", "-3"],
      ["hash-max-ziplist-entries", "100"],
      ["hash-max-listpack-value", "1kb"],
      ["tracking-table-max-keys", "-1"],
      ["active-defrag-ignore-bytes", "0"],
      ["repl-backlog-size", "0"],
      ["repl-backlog-size", "2mb"],
      ["lua-time-limit", "100"],
      ["busy-reply-threshold", "x"],
      ["active-expire-effort", "11"],
      ["io-threads", "2"],
      ["replicaof", "no one"],
      ["masterauth", "a b"],
      ["masterauth", ""],
      ["ignore-warnings", "ARM64-COW-BUG"],
      ["maxmemory", "1", "hz", "2", "maxmemory-policy", "abc"],
      ["maxmemory", "1", "MAXMEMORY", "2"],
      ["foo", "1", "daemonize", "yes"],
      ["daemonize", "yes", "foo", "1"],
      ["maxmemory", "x", "foo", "1"],
      ["hz", "x", "maxmemory", "y"],
      ["save", "1 1", "hz", "x"],
      ["lua-time-limit", "1", "busy-reply-threshold", "2"],
      ["timeout", "5", "tcp-keepalive", "60"],
      ["maxmemory", "1", "hz"],
    ];
    for (const args of cases) {
      const theirs = await realSet(real!.client, args);
      const mine = setReply(ours, args);
      expect([args, mine]).toEqual([args, theirs]);
      for (let i = 0; i + 1 < args.length; i += 2) {
        const p = [args[i]];
        expect([args, sorted(ours.get(p))]).toEqual([args, sorted(await realGet(real!.client, p))]);
      }
    }
    expect(sorted(ours.get(["*"]).filter(([k]) => k !== "shards"))).toEqual(sorted(await realGet(real!.client, ["*"])));
  });

  it("fails to start with the same FATAL report", () => {
    const prefix = ["--port", "0", "--bind", "127.0.0.1", "--daemonize", "no"];
    const cases: string[][] = [
      ["--foo", "bar"],
      ["--port", "abc"],
      ["--maxmemory", "1", "2"],
      ["--save", "10"],
      ["--save", "", "10"],
      ["--appendfsync", "x"],
      ["--replicaof", "a"],
      ["--replicaof", "a b"],
      ["--daemonize", "maybe"],
      ["--bind", ..."1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17".split(" ")],
      ["--port"],
      ["--hz", "1", "2", "--port"],
      ["--port 1 2"],
      ["--port", '"1'],
      ["--loglevel", "Verbose", "--port", "-1"],
      ["--port", "1", "--save", "--hz"],
      ["--unixsocketperm", "8"],
      ["--unixsocketperm", "1000"],
      ["--oom-score-adj-values", "1 2"],
      ["--oom-score-adj-values", "1", "2", "x"],
      ["--dir", "/nonexistent"],
      ["--dir", "/etc/passwd"],
      ["--dbfilename", "a/b"],
      ["--appendfilename", ""],
      ["--appenddirname", "a/b"],
      ["--cluster-enabled", "yes", "--replicaof", "1.2.3.4", "5"],
      ["--logfile", "/nonexistent/x"],
      ["--shutdown-on-sigint", "save nosave"],
      ["--propagation-error-behavior", "x"],
      ["--socket-mark-id", "-1"],
      ["--proc-title-template", "{x"],
      ["--proc-title-template", ""],
      ["--io-threads", "0"],
      ["--maxmemory-clients", "200%"],
      ["--client-output-buffer-limit", "master 1 2 3"],
      ["--notify-keyspace-events", "q"],
      ["--notify-keyspace-events", "a", "b"],
      ["--latency-tracking-info-percentiles", "101"],
      ["--list-max-ziplist-entries", "5", "--hz", "x"],
      ["--lua-replicate-commands", "x", "--hz", "x"],
      ["--list-max-ziplist-value"],
      ["--include"],
      ["--tcp-backlog", "5", "6"],
      ["--requirepass"],
      ["--port", "1", "extra"],
    ];
    for (const c of cases) {
      const args = [...prefix, ...c];
      const r = spawnSync("redis-server", args, { cwd: dir, encoding: "latin1", timeout: 10_000 });
      expect([c, r.status]).toEqual([c, 1]);
      expect([c, fatalOf(args).message]).toEqual([c, r.stderr]);
    }
  });

  it("reports a bad config file line alike", () => {
    const file = path.join(dir, "bad.conf");
    const lines = ["port 0", "# comment", "", "   maxmemory 1gb  ", "save 900 1", "foo bar", "hz 10"];
    const variants = [
      lines.join("\n"),
      lines.join("\r\n"),
      'port 0\nrequirepass "abc\n',
      "port 0\nbind 'a'b\n",
      "port 0\nsave 900 1\nsave 300 x\n",
      `port 0\ninclude ${path.join(dir, "missing.conf")}\n`,
    ];
    for (const text of variants) {
      fs.writeFileSync(file, text);
      const r = spawnSync("redis-server", [file], { cwd: dir, encoding: "latin1", timeout: 10_000 });
      expect(r.status).toBe(1);
      const e = fatalOf([file]);
      if (e.viaLog) expect(r.stdout.trimEnd().endsWith(` # ${e.message}`)).toBe(true);
      else expect([text, e.message]).toEqual([text, r.stderr]);
    }
  });

  it("CONFIG REWRITE keeps and updates the file alike", async () => {
    const port = await freePort();
    const text = [
      "# my comment",
      `port ${port}`,
      "bind 127.0.0.1",
      `dir ${dir}`,
      "save 900 1",
      "save 300 10",
      "",
      "",
      "",
      "slave-read-only yes",
      "hash-max-ziplist-entries 100",
      "maxmemory 1gb",
      "maxmemory 2gb",
      "rename-command FLUSHALL ''",
      'masterauth "a b"',
      "   # indented comment",
      "appendonly no",
      "timeout 0",
      "",
    ].join("\n");
    const theirsFile = path.join(dir, "theirs.conf");
    const oursFile = path.join(dir, "ours.conf");
    fs.writeFileSync(theirsFile, text);
    fs.writeFileSync(oursFile, text);
    let server: RealServer | undefined;
    try {
      server = await startReal([theirsFile], dir);
      const mine = loadConfig([oursFile]);
      const sets = [
        ["maxmemory", "100mb", "hz", "20", "replica-read-only", "no", "save", "60 5"],
        ["notify-keyspace-events", "KEA", "client-output-buffer-limit", "replica 1mb 2mb 3"],
        ["loglevel", "warning", "masterauth", "", "maxmemory-clients", "10%", "list-max-ziplist-size", "5"],
        ["shutdown-on-sigterm", "nosave now", "latency-tracking-info-percentiles", "50 99.5"],
      ];
      for (const s of sets) {
        expect(await realSet(server.client, s)).toBe("OK");
        mine.set(s);
      }
      expect(await server.client.call("CONFIG", "REWRITE")).toBe("OK");
      mine.rewrite();
      const split = (t: string) => {
        const at = t.indexOf("# Generated by CONFIG REWRITE");
        return at < 0 ? { kept: t, added: [] } : { kept: t.slice(0, at), added: t.slice(at).split("\n").sort() };
      };
      const theirs = split(fs.readFileSync(theirsFile, "latin1"));
      const ours = split(fs.readFileSync(oursFile, "latin1"));
      expect(ours.kept).toBe(theirs.kept);
      // Redis appends in hash order and always adds its ACL `user` line.
      expect(ours.added).toEqual(theirs.added.filter((l) => !l.startsWith("user ")));
    } finally {
      await stopReal(server);
    }
  });
});
