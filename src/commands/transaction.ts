/*
 * MULTI EXEC DISCARD WATCH UNWATCH (multi.c). The state and EXEC's execution live on the
 * main thread: src/net/transaction.ts and Server.exec.
 */
import type { Client } from "../net/client.js";
import { ERR_DISCARD_WITHOUT_MULTI, ERR_MULTI_NESTED, ERR_WATCH_IN_MULTI } from "../net/transaction.js";
import { OK } from "../resp/reply.js";
import { cmd, keySpec, keysAll, mainCmd } from "./define.js";
import type { CommandFlag, CommandSpec } from "./types.js";

const TXN_FLAGS: CommandFlag[] = ["noscript", "loading", "stale", "fast", "allow_busy"];

/* MULTI */
function multiCommand(c: Client): string {
  if (c.multi !== undefined) return ERR_MULTI_NESTED;
  c.multi = [];
  return OK;
}

/* DISCARD */
function discardCommand(c: Client): string {
  if (c.multi === undefined) return ERR_DISCARD_WITHOUT_MULTI;
  c.server.discardTransaction(c);
  return OK;
}

/*
 * WATCH key [key ...]: watched from this point of the order on (writes sequenced after it
 * invalidate the EXEC); each key's expire time is fetched from its shard so that EXEC can
 * tell a key that expired meanwhile (isWatchedKeyExpired).
 */
async function watchCommand(c: Client, argv: string[]): Promise<string> {
  if (c.multi !== undefined) return ERR_WATCH_IN_MULTI;
  const { router, watches } = c.server;
  const db = c.db;
  const pending: Promise<void>[] = [];
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i];
    watches.watch(c, db, key, -1);
    pending.push(
      router.controlOne(router.shardOfKey(key), ["expireat", String(db), key]).then((r) => {
        const at = Number(r.slice(1, -2));
        const id = `${db}\0${key}`;
        if (at >= 0 && c.watching?.has(id)) c.watching.set(id, at);
      }),
    );
  }
  await Promise.all(pending);
  return OK;
}

/* UNWATCH */
function unwatchCommand(c: Client): string {
  c.server.watches.unwatchAll(c);
  return OK;
}

export const transactionCommands: CommandSpec[] = [
  mainCmd("multi", 1, TXN_FLAGS, "transactions", "1.2.0", "Starts a transaction.", "O(1)", multiCommand),
  mainCmd(
    "exec",
    1,
    ["noscript", "loading", "stale", "skip_slowlog"],
    "transactions",
    "1.2.0",
    "Executes all commands in a transaction.",
    "Depends on commands in the transaction",
    (c) => c.server.exec(c),
  ),
  mainCmd(
    "discard",
    1,
    TXN_FLAGS,
    "transactions",
    "2.0.0",
    "Discards a transaction.",
    "O(N), when N is the number of queued commands",
    discardCommand,
  ),
  cmd(
    "watch",
    -2,
    TXN_FLAGS,
    keysAll,
    "transactions",
    "2.2.0",
    "Monitors changes to keys to determine the execution of a transaction.",
    "O(1) for every key.",
    {
      main: watchCommand,
      runsOn: "main",
      keySpecs: [keySpec(["RO"], 1, -1)],
    },
  ),
  mainCmd(
    "unwatch",
    1,
    TXN_FLAGS,
    "transactions",
    "2.2.0",
    "Forgets about watched keys of a transaction.",
    "O(1)",
    unwatchCommand,
  ),
];
