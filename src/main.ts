#!/usr/bin/env node
/*
 * shardis entry point: `shardis [configfile] [--directive value ...] [--shards N]`, the same
 * command line as redis-server. Loads the config, starts the shards and the listener, and
 * handles SIGTERM/SIGINT through the SHUTDOWN path.
 */
import { availableParallelism } from "node:os";
import { REDIS_VERSION } from "./commands/connection.js";
import { parseCommandLine } from "./config/cli.js";
import { FatalConfigError } from "./config/errors.js";
import { Server } from "./net/server.js";
import { configureLog, log, logFromSignalHandler } from "./util/log.js";

async function start(): Promise<void> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(process.argv.slice(2));
  } catch (e) {
    if (e instanceof FatalConfigError) {
      // Redis logs some of these as a warning line, and prints the others as a block on stderr
      if (e.viaLog) log("warning", e.message);
      else process.stderr.write(e.message.endsWith("\n") ? e.message : `${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  if (parsed.kind === "help") {
    process.stderr.write(`${parsed.text}\n`);
    process.exit(1);
  }
  if (parsed.kind === "version") {
    process.stdout.write(`${parsed.text}\n`);
    process.exit(0);
  }
  const config = parsed.config;
  // relative file names (dbfilename, logfile, appenddirname) live under `dir`, as in Redis
  const chdir = (dir: string): void => process.chdir(Buffer.from(dir, "latin1").toString());
  try {
    chdir(config.getString("dir"));
  } catch (e) {
    log("warning", `Can't chdir to '${config.getString("dir")}': ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
  config.onChange("dir", chdir);
  configureLog(config.getString("loglevel"), config.getString("logfile"), "C");
  log("warning", "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
  log(
    "warning",
    `Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started`,
  );
  if (config.configFile === undefined) {
    log(
      "warning",
      "Warning: no config file specified, using the default config. In order to specify a config file use shardis /path/to/redis.conf",
    );
  } else log("warning", "Configuration loaded");
  configureLog(config.getString("loglevel"), config.getString("logfile"), "M");
  config.onChange("loglevel", (v) => configureLog(v, config.getString("logfile"), "M"));

  const shards = config.getNumber("shards");
  const server = new Server(config);
  try {
    await server.listen();
  } catch (e) {
    log("warning", e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
  log(
    "notice",
    `Running mode=standalone, port=${server.boundPort()}, shards=${shards === 0 ? "0 (inline)" : `${shards} worker thread(s)`}, cores=${availableParallelism()}.`,
  );
  let stopping = false;
  const shutdown = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    server.shuttingDown = true;
    log("warning", why);
    await server.close();
    log("warning", "Redis is now ready to exit, bye bye...");
    process.exit(0);
  };
  server.onShutdown = () => void shutdown("User requested shutdown...");
  // as Redis: the handler's own line, then the shutdown path's
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    process.on(sig, () => {
      logFromSignalHandler(`Received ${sig} scheduling shutdown...`);
      void shutdown("User requested shutdown...");
    });
  }
  // announced only now: a SIGTERM sent on seeing this line must find its handler in place
  log("warning", "Server initialized");
  log("notice", "Ready to accept connections");
}

void start();
