/*
 * What a MULTI/EXEC costs when its keys live in one shard versus in every shard.
 *
 *   node dist/bench/transactions.js [--shards 3] [--clients 20] [--seconds 5]
 *
 * Each client loops MULTI, INCR x4, EXEC (pipelined as one write, as client libraries send
 * it) over either four keys with one hash tag ({t}a..{t}d: one shard) or four keys that the
 * slot table spreads over the shards (a, b, c, d with --shards 3: three shards), against
 * shardis and, for scale, the real redis-server (where the two cases cost the same).
 * Prints transactions per second for each case and writes bench/results/transactions-*.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import {
  findRepoRoot,
  freePort,
  gitSha,
  installCleanupHandlers,
  machineInfo,
  type RunningServer,
  SHARDIS_NODE_ARGS,
  startServer,
} from "./lib.js";

const { values } = parseArgs({
  options: {
    shards: { type: "string", default: "3" },
    clients: { type: "string", default: "20" },
    seconds: { type: "string", default: "5" },
    "redis-server": { type: "string", default: "redis-server" },
  },
});
const shards = Number(values.shards);
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const redisServer = values["redis-server"] as string;

const ONE_SHARD = ["{t}a", "{t}b", "{t}c", "{t}d"];
const SPREAD = ["a", "b", "c", "d"];

async function measure(port: number, keys: string[]): Promise<number> {
  const conns = Array.from({ length: clients }, () => new Redis({ port, host: "127.0.0.1" }));
  await conns[0].del(...keys);
  let done = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    conns.map(async (c) => {
      while (Date.now() < end) {
        const m = c.multi();
        for (const k of keys) m.incr(k);
        await m.exec();
        done++;
      }
    }),
  );
  for (const c of conns) c.disconnect();
  return done / seconds;
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const root = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
  const servers: RunningServer[] = [];
  const rows: string[] = [];
  try {
    const rport = await freePort();
    const redis = await startServer({
      name: "redis",
      command: redisServer,
      args: ["--port", String(rport), "--save", "", "--appendonly", "no"],
      port: rport,
    }).catch(() => undefined);
    const targets: Array<[string, RunningServer | undefined]> = [["redis-server", redis]];
    for (const s of [shards, 0]) {
      const port = await freePort();
      const srv = await startServer({
        name: `shardis-s${s}`,
        command: process.execPath,
        args: [
          ...SHARDIS_NODE_ARGS,
          path.join(root, "dist", "src", "main.js"),
          "--port",
          String(port),
          "--shards",
          String(s),
          "--save",
          "",
        ],
        port,
      });
      servers.push(srv);
      targets.push([`shardis --shards ${s}`, srv]);
    }
    if (redis !== undefined) servers.push(redis);
    for (const [name, srv] of targets) {
      if (srv === undefined) continue;
      const one = await measure(srv.port, ONE_SHARD);
      const spread = await measure(srv.port, SPREAD);
      const line = `| ${name} | ${Math.round(one).toLocaleString("en-US")} | ${Math.round(spread).toLocaleString("en-US")} | ${(spread / one).toFixed(2)} |`;
      console.log(line);
      rows.push(line);
    }
  } finally {
    for (const s of servers) await s.stop();
  }
  const m = machineInfo(redisServer);
  const date = new Date().toISOString().slice(0, 10);
  const sha = gitSha(root);
  const md = [
    `# MULTI/EXEC: one shard vs all shards (${date}, ${sha})`,
    "",
    `Machine: ${JSON.stringify(m)}`,
    "",
    `${clients} clients, ${seconds} s per case, each transaction MULTI + 4 INCR + EXEC. With`,
    `--shards ${shards} the spread keys a b c d fall in three shards.`,
    "",
    "| server | one shard ({t}a..{t}d) tx/s | spread (a b c d) tx/s | spread/one |",
    "|:---|---:|---:|---:|",
    ...rows,
    "",
  ].join("\n");
  const dir = path.join(root, "bench", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `transactions-${date}-${sha}.md`), md);
  console.log(md);
}

await main();
