/*
 * The command table: every family's declarations in one map. Routing, arity checks,
 * COMMAND, ACL categories and INFO commandstats all read it.
 */
import { adminCommands } from "./admin.js";
import { bitmapCommands } from "./bitmap.js";
import { connectionCommands } from "./connection.js";
import { expireCommands } from "./expire.js";
import { hashCommands } from "./hash.js";
import { hllCommands } from "./hll.js";
import { keysCommands } from "./keys.js";
import { keyspaceCommands } from "./keyspace.js";
import { lcsCommands } from "./lcs.js";
import { listCommands } from "./list.js";
import { pubsubCommands } from "./pubsub.js";
import { serverCommands } from "./server.js";
import { setCommands } from "./set.js";
import { sortCommands } from "./sort.js";
import { streamCommands } from "./stream.js";
import { stringCommands } from "./string.js";
import { transactionCommands } from "./transaction.js";
import type { CommandSpec } from "./types.js";
import { zsetCommands } from "./zset.js";

export const commandTable = new Map<string, CommandSpec>();
/** lowercase and UPPERCASE spellings, so that the usual request needs one Map probe */
const byName = new Map<string, CommandSpec>();
for (const spec of [
  ...connectionCommands,
  ...adminCommands,
  ...serverCommands,
  ...stringCommands,
  ...keysCommands,
  ...keyspaceCommands,
  ...expireCommands,
  ...lcsCommands,
  ...bitmapCommands,
  ...hllCommands,
  ...listCommands,
  ...hashCommands,
  ...setCommands,
  ...zsetCommands,
  ...streamCommands,
  ...pubsubCommands,
  ...transactionCommands,
  ...sortCommands,
]) {
  if (commandTable.has(spec.name)) throw new Error(`command '${spec.name}' declared twice`);
  commandTable.set(spec.name, spec);
  byName.set(spec.name, spec);
  byName.set(spec.name.toUpperCase(), spec);
}

/** Looks a command up by name, case-insensitively (the exact spelling is tried first). */
export function lookupCommand(name: string): CommandSpec | undefined {
  return byName.get(name) ?? (name.length <= 32 ? commandTable.get(name.toLowerCase()) : undefined);
}

/** Every spec including subcommands, for COMMAND and INFO. */
export function allSpecs(): CommandSpec[] {
  const out: CommandSpec[] = [];
  for (const spec of commandTable.values()) {
    out.push(spec);
    if (spec.subcommands) for (const s of spec.subcommands.values()) out.push(s);
  }
  return out;
}
