/*
 * The command line: `shardis [/path/to/redis.conf] [--directive value ...] [-]`.
 *
 * Like redis-server, only the first argument can ask for help or the version; everything else
 * is configuration. commander describes the documented options and renders --help/--version,
 * but cannot express "every config directive is a flag", so the arguments themselves are
 * handed to loadConfig, which validates them against the directive table.
 */

import { Command, CommanderError } from "commander";
import type { Config } from "./config.js";
import { REDIS_VERSION } from "./errors.js";
import { loadConfig } from "./load.js";

export const SHARDIS_VERSION = "0.1.0";

/** What `redis-server -v` prints, with shardis's build in place of Redis's. */
export const VERSION_TEXT = `Redis server v=${REDIS_VERSION} sha=00000000:0 malloc=libc bits=64 build=shardis-${SHARDIS_VERSION}`;

export type CommandLine =
  | { kind: "run"; config: Config }
  | { kind: "help"; text: string }
  | { kind: "version"; text: string };

const EXAMPLES = `
Any redis.conf directive is also a flag (--maxmemory 100mb, --save 900 1 300 10,
--replicaof 127.0.0.1 6380); flags are applied after the config file, so they win.

Examples:
       shardis (run the server with default conf)
       echo 'maxmemory 128mb' | shardis -
       shardis /etc/redis/6379.conf
       shardis --port 7777
       shardis --port 7777 --replicaof 127.0.0.1 8888
       shardis /etc/myredis.conf --loglevel verbose -
       shardis /etc/myredis.conf --loglevel verbose
       shardis --shards 4 --save "" --appendonly no
`;

function program(out: (s: string) => void): Command {
  return new Command("shardis")
    .usage("[/path/to/redis.conf] [options] [-]")
    .description("A Redis-compatible server that uses every core.")
    .argument("[config-file]", "redis.conf-style file, read before the flags")
    .version(VERSION_TEXT, "-v, --version", "print the version and exit")
    .helpOption("-h, --help", "print this help and exit")
    .option("--shards <n>", "shard worker threads; 0 runs the keyspace on the main thread (default: CPUs - 1)")
    .option("--port <port>", "TCP port (default: 6379; 0 disables TCP)")
    .option("--bind <addr...>", 'addresses to listen on (default: "* -::*")')
    .option("--unixsocket <path>", "also listen on a unix socket")
    .option("--requirepass <password>", "password of the default user")
    .option("--dir <dir>", "working directory for RDB and AOF files (default: ./)")
    .option("--dbfilename <file>", "RDB file name (default: dump.rdb)")
    .option("--save <seconds changes...>", 'RDB snapshot points; --save "" disables them')
    .option("--appendonly <yes|no>", "append-only file persistence (default: no)")
    .option("--maxmemory <bytes>", "memory limit, e.g. 100mb (default: 0, no limit)")
    .option("--maxmemory-policy <policy>", "eviction policy (default: noeviction)")
    .option("--databases <n>", "number of databases (default: 16)")
    .option("--loglevel <level>", "debug, verbose, notice or warning (default: notice)")
    .option("--logfile <file>", 'log file; "" logs to stdout')
    .option("--replicaof <host port>", "start as a replica of host:port")
    .option("--cluster-enabled <yes|no>", "run as a cluster node")
    .option("--<directive> <value...>", "any other redis.conf directive")
    .addHelpText("after", EXAMPLES)
    .exitOverride()
    .configureOutput({
      writeOut: out,
      writeErr: out,
      outputError: () => {},
      getOutHelpWidth: () => 100,
      getErrHelpWidth: () => 100,
    });
}

/** What commander prints for `flag` (--help or --version), without the final newline. */
function render(flag: string): string {
  let text = "";
  try {
    program((s) => {
      text += s;
    }).parse([flag], { from: "user" });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
  }
  return text.trimEnd();
}

/** Help as `--help` shows it, without a final newline. */
export function helpText(): string {
  return render("--help");
}

/**
 * Parse shardis's argv (without node and the script). `-h`/`--help` and `-v`/`--version` are
 * recognised as the first argument only (as redis-server does: `--port 1 -v` is a config
 * error). Anything else is configuration; a bad one throws FatalConfigError.
 *
 * Texts come without a final newline. redis-server prints the version on stdout and exits 0,
 * and the help on stderr and exits 1.
 */
export function parseCommandLine(argv: string[]): CommandLine {
  const first = argv[0];
  if (first === "-v" || first === "--version") return { kind: "version", text: render(first) };
  if (first === "-h" || first === "--help") return { kind: "help", text: render(first) };
  return { kind: "run", config: loadConfig(argv) };
}
