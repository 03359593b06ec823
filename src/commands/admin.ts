/*
 * Administration commands that act on the server as a whole: CONFIG, SHUTDOWN, MONITOR,
 * WAIT, TIME, LASTSAVE. They run on the main thread; CONFIG RESETSTAT also reaches every
 * shard.
 */
import { ConfigError } from "../config/errors.js";
import type { Client } from "../net/client.js";
import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_TIMEOUT_NEGATIVE } from "../resp/errors.js";
import { bulk, error, integer, mapHeader, OK } from "../resp/reply.js";
import { INT64_MAX, parseInteger } from "../util/numbers.js";
import { helpReply } from "./connection.js";
import { container, mainCmd } from "./define.js";
import type { CommandSpec } from "./types.js";

const main = mainCmd;

const CONFIG_FLAGS: CommandSpec["flags"] = ["admin", "noscript", "loading", "stale"];

/* CONFIG GET parameter [parameter ...] */
function configGetCommand(c: Client, argv: string[]): string {
  const pairs = c.server.config.get(argv.slice(2));
  let out = mapHeader(pairs.length, c.proto);
  for (const [k, v] of pairs) out += bulk(k) + bulk(v);
  return out;
}

/* CONFIG SET parameter value [parameter value ...] */
function configSetCommand(c: Client, argv: string[]): string {
  // an odd number of arguments (a name without its value) is a plain syntax error in 7.0
  if (argv.length % 2 !== 0) return ERR_SYNTAX;
  try {
    c.server.config.set(argv.slice(2));
    return OK;
  } catch (e) {
    if (e instanceof ConfigError) return error(e.message);
    throw e;
  }
}

/* CONFIG RESETSTAT */
async function configResetstatCommand(c: Client): Promise<string> {
  const server = c.server;
  server.observe.reset();
  server.stats.connectionsReceived = 0;
  server.stats.rejectedConnections = 0;
  server.stats.commandsProcessed = 0;
  server.stats.netInputBytes = 0;
  server.stats.netOutputBytes = 0;
  await server.router.controlAll(["resetstat"]);
  return OK;
}

/* CONFIG REWRITE */
function configRewriteCommand(c: Client): string {
  try {
    c.server.config.rewrite();
    return OK;
  } catch (e) {
    if (e instanceof ConfigError) return error(e.message);
    return error(`ERR Rewriting config file: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const CONFIG_HELP = [
  "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GET <pattern>",
  "    Return parameters matching the glob-like <pattern> and their values.",
  "SET <directive> <value>",
  "    Set the configuration <directive> to <value>.",
  "RESETSTAT",
  "    Reset statistics reported by the INFO command.",
  "REWRITE",
  "    Rewrite the configuration file.",
  "HELP",
  "    Prints this help.",
];

/* SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT] */
function shutdownCommand(c: Client, argv: string[]): string | undefined {
  let nosave = false;
  let save = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const o = argv[i].toLowerCase();
    if (o === "nosave") nosave = true;
    else if (o === "save") save = true;
    else if (o === "now" || o === "force") continue;
    else if (o === "abort") abort = true;
    else return ERR_SYNTAX;
  }
  if ((abort && argv.length !== 2) || (nosave && save)) return ERR_SYNTAX;
  if (abort) return error("ERR No shutdown in progress.");
  c.server.onShutdown(argv);
  // no reply: the connection closes with the server
  return undefined;
}

/* MONITOR: a connection already monitoring gets no reply at all (Redis returns early). */
function monitorCommand(c: Client): string | undefined {
  if (c.monitor) return undefined;
  c.monitor = true;
  c.server.monitors.add(c);
  return OK;
}

/*
 * WAIT numreplicas timeout
 *
 * There are never replicas, so the count is always 0. As replicationCountAcksByOffset
 * and waitCommand do it:
 *  1. numreplicas is a long, the timeout (milliseconds) an int64 >= 0.
 *  2. When numreplicas <= 0 the 0 acknowledgements already suffice: answer at once.
 *  3. Otherwise the client blocks until the timeout and gets 0 then; a timeout of 0
 *     blocks forever, as in Redis without replicas. A timeout that overflows Redis's
 *     absolute end time lands in the past, which Redis reads as "no timeout": forever too.
 */
function waitCommand(_c: Client, argv: string[]): string | Promise<string> {
  const n = parseInteger(argv[1]);
  if (n === undefined) return ERR_NOT_INTEGER;
  const t = parseInteger(argv[2]);
  if (t === undefined) return error("ERR timeout is not an integer or out of range");
  if (t < 0) return ERR_TIMEOUT_NEGATIVE;
  if (n <= 0) return integer(0);
  const ms = Number(t);
  if (ms === 0 || BigInt(t) > INT64_MAX - BigInt(Date.now())) return new Promise<string>(() => {});
  return new Promise<string>((resolve) => {
    const wake = (left: number): void => {
      setTimeout(
        () => {
          const rest = left - MAX_TIMER_MS;
          if (rest > 0) wake(rest);
          else resolve(integer(0));
        },
        Math.min(left, MAX_TIMER_MS),
      );
    };
    wake(ms);
  });
}

/** Node timers take at most 2^31-1 ms; longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/* TIME */
function timeCommand(): string {
  const now = performance.timeOrigin + performance.now();
  const sec = Math.floor(now / 1000);
  const usec = Math.floor((now - sec * 1000) * 1000);
  return `*2\r\n${bulk(String(sec))}${bulk(String(Math.min(999999, Math.max(0, usec))))}`;
}

export const adminCommands: CommandSpec[] = [
  container("config", -2, "server", "2.0.0", "A container for server configuration commands.", [
    main(
      "config|get",
      -3,
      CONFIG_FLAGS,
      "server",
      "2.0.0",
      "Returns the effective values of configuration parameters.",
      "O(N) when N is the number of configuration parameters provided",
      configGetCommand,
    ),
    {
      ...main(
        "config|set",
        -4,
        CONFIG_FLAGS,
        "server",
        "2.0.0",
        "Sets configuration parameters in-flight.",
        "O(N) when N is the number of configuration parameters provided",
        configSetCommand,
      ),
      tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
    },
    main(
      "config|resetstat",
      2,
      CONFIG_FLAGS,
      "server",
      "2.0.0",
      "Resets the server's statistics.",
      "O(1)",
      configResetstatCommand,
    ),
    main(
      "config|rewrite",
      2,
      CONFIG_FLAGS,
      "server",
      "2.8.0",
      "Persists the effective configuration to file.",
      "O(1)",
      configRewriteCommand,
    ),
    main(
      "config|help",
      2,
      ["loading", "stale"],
      "server",
      "5.0.0",
      "Returns helpful text about the different subcommands.",
      "O(1)",
      () => helpReply(CONFIG_HELP),
    ),
  ]),
  main(
    "shutdown",
    -1,
    ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
    "server",
    "1.0.0",
    "Synchronously saves the database(s) to disk and shuts down the Redis server.",
    "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
    shutdownCommand,
  ),
  main(
    "monitor",
    1,
    ["admin", "noscript", "loading", "stale"],
    "server",
    "1.0.0",
    "Listens for all requests received by the server in real-time.",
    "",
    monitorCommand,
  ),
  {
    ...main(
      "wait",
      3,
      ["noscript"],
      "generic",
      "3.0.0",
      "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.",
      "O(1)",
      waitCommand,
      ["-keyspace", "connection"],
    ),
    tips: ["request_policy:all_shards", "response_policy:agg_min"],
  },
  {
    ...main(
      "time",
      1,
      ["loading", "stale", "fast"],
      "server",
      "2.6.0",
      "Returns the server time.",
      "O(1)",
      timeCommand,
    ),
    tips: ["nondeterministic_output"],
  },
  {
    ...main(
      "lastsave",
      1,
      ["loading", "stale", "fast"],
      "server",
      "1.0.0",
      "Returns the Unix timestamp of the last successful save to disk.",
      "O(1)",
      (c) => integer(c.server.lastSave),
      ["admin", "dangerous"],
    ),
    tips: ["nondeterministic_output"],
  },
];
