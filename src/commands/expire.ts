/*
 * Expiry commands (expire.c). This file starts with the read side, TTL and PTTL; the
 * EXPIRE family follows with the keyspace work.
 */
import { cmd, keySpec, keys1 } from "./define.js";
import type { ShardCtx } from "./types.js";

/**
 * ttlGenericCommand: -2 when the key is missing, -1 when it has no TTL, otherwise the time
 * left (never negative), in ms or rounded to the nearest second.
 */
function ttlGeneric(ctx: ShardCtx, key: string, ms: boolean): string {
  if (ctx.engine.lookupRead(ctx.db, key) === undefined) return ":-2\r\n";
  const when = ctx.db.expires.get(key);
  if (when === undefined) return ":-1\r\n";
  const ttl = Math.max(0, when - ctx.now);
  return `:${ms ? ttl : Math.floor((ttl + 500) / 1000)}\r\n`;
}

export const expireCommands = [
  cmd(
    "ttl",
    2,
    ["readonly", "fast"],
    keys1,
    "generic",
    "1.0.0",
    "Returns the expiration time in seconds of a key.",
    "O(1)",
    {
      shard: (ctx, argv) => ttlGeneric(ctx, argv[1], false),
      tips: ["nondeterministic_output"],
      keySpecs: [keySpec(["RO", "access"], 1)],
    },
  ),
  cmd(
    "pttl",
    2,
    ["readonly", "fast"],
    keys1,
    "generic",
    "2.6.0",
    "Returns the expiration time in milliseconds of a key.",
    "O(1)",
    {
      shard: (ctx, argv) => ttlGeneric(ctx, argv[1], true),
      tips: ["nondeterministic_output"],
      keySpecs: [keySpec(["RO", "access"], 1)],
    },
  ),
];
