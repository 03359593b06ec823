/*
 * Every script in test/compat/scripts/*.redis, run against real redis-server and shardis,
 * raw replies compared (see runner.ts for the script syntax). Shardis runs twice: with its
 * default shard count, with `--shards 0` (everything on the main thread) and with three shards.
 *
 * COMPAT_SELFTEST=1 puts redis-server on both sides: a check of the runner and of the
 * scripts themselves (a script that differs between two redis-servers is not deterministic).
 * COMPAT_SCRIPTS=a,b runs only the named scripts (without .redis); COMPAT_TRACE=1 prints
 * every step with both replies.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, it } from "vitest";
import { haveRedis, type ServerHandle, startRedis, startShardis } from "../helpers/servers.js";
import { formatMismatches, parseScript, runScript } from "./runner.js";

const SCRIPTS_DIR = fileURLToPath(new URL("./scripts/", import.meta.url));
const only = process.env.COMPAT_SCRIPTS?.split(",").map((s) => s.trim());
const scripts = readdirSync(SCRIPTS_DIR)
  .filter((f) => f.endsWith(".redis"))
  .filter((f) => only === undefined || only.includes(path.basename(f, ".redis")))
  .sort();

const selftest = process.env.COMPAT_SELFTEST === "1";
const redisMissing = !haveRedis();
// In CI a missing redis-server is a broken machine: let the tests fail instead of skipping.
const skip = redisMissing && !process.env.CI;
if (redisMissing) {
  console.warn(
    [
      "",
      "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
      "!! redis-server is not on PATH: the compat tests against real Redis are SKIPPED.",
      "!! Install it with: apt-get install -y redis-server redis-tools",
      "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
      "",
    ].join("\n"),
  );
}

interface Mode {
  title: string;
  otherName: string;
  start(): Promise<ServerHandle>;
}

const modes: Mode[] = selftest
  ? [{ title: "compat selftest: redis-server vs redis-server", otherName: "redis-server#2", start: () => startRedis() }]
  : [
      { title: "compat vs redis-server: shardis (default shards)", otherName: "shardis", start: () => startShardis() },
      {
        title: "compat vs redis-server: shardis --shards 0",
        otherName: "shardis",
        start: () => startShardis(["--shards", "0"]),
      },
      {
        // more shards than this machine's default: keys spread, multi-key commands split
        // and cross-shard jobs run through the coordinator
        title: "compat vs redis-server: shardis --shards 3",
        otherName: "shardis",
        start: () => startShardis(["--shards", "3"]),
      },
    ];

for (const mode of modes) {
  describe.skipIf(skip)(mode.title, () => {
    let redis: ServerHandle | undefined;
    let other: ServerHandle | undefined;
    /**
     * Why the servers could not be started. Not thrown from beforeAll, where vitest would
     * report every script as skipped: each script fails with it instead.
     */
    let startError: unknown;
    let startErrorShown = false;
    /** Output of an instance of the other server that died, shown by the next failure. */
    let crashReport = "";

    beforeAll(async () => {
      const [r, o] = await Promise.allSettled([startRedis(), mode.start()]);
      if (r.status === "fulfilled") redis = r.value;
      if (o.status === "fulfilled") other = o.value;
      if (r.status === "rejected") startError = r.reason;
      else if (o.status === "rejected") startError = o.reason;
    });

    afterAll(async () => {
      await Promise.all([redis?.stop(), other?.stop()]);
    });

    // A crash in one script must not fail all the following ones: start a new instance.
    beforeEach(async () => {
      crashReport = "";
      if (startError !== undefined) {
        // The whole start error (with the server's output) once, then a pointer to it.
        if (startErrorShown) throw new Error(`the servers did not start: see the first failure in "${mode.title}"`);
        startErrorShown = true;
        throw startError;
      }
      if (other !== undefined && !other.running()) {
        crashReport = `${mode.otherName} exited (${await other.exited}); its last output:\n${other.output().slice(-4000)}`;
        await other.stop();
        other = undefined;
        try {
          other = await mode.start();
        } catch (err) {
          startError = err;
          throw err;
        }
      }
    });

    for (const file of scripts) {
      it(file, async () => {
        const steps = parseScript(readFileSync(path.join(SCRIPTS_DIR, file), "utf8"), file);
        const mismatches = await runScript(
          steps,
          { name: "redis-server", port: redis!.port },
          { name: mode.otherName, port: other!.port },
          { trace: process.env.COMPAT_TRACE === "1" ? (line) => console.log(line) : undefined },
        );
        if (mismatches.length > 0) {
          let message = formatMismatches(file, mismatches);
          if (!other!.running()) {
            message += `\n\n${mode.otherName} exited (${await other!.exited}) during this script; its last output:\n${other!.output().slice(-4000)}`;
          } else if (crashReport !== "") {
            message += `\n\n(an earlier script crashed ${mode.otherName}: ${crashReport})`;
          }
          throw new Error(message);
        }
      });
    }
  });
}
