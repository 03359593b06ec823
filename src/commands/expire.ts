/*
 * Expiry commands (expire.c): setting a TTL (EXPIRE PEXPIRE EXPIREAT PEXPIREAT with NX XX
 * GT LT), dropping it (PERSIST) and reading it (TTL PTTL EXPIRETIME PEXPIRETIME). TTLs are
 * absolute ms times in the shard's `expires` map; expired keys vanish on access and in the
 * shard's active expiry cycle (src/shards/engine.ts).
 */
import { NOTIFY_GENERIC } from "../config/keyspace-events.js";
import { ERR_NOT_INTEGER, errExpireTime } from "../resp/errors.js";
import { error, ONE, ZERO } from "../resp/reply.js";
import { INT64_MAX, INT64_MIN, parseInteger } from "../util/numbers.js";
import { cmd, keySpec, keys1 } from "./define.js";
import type { CommandSpec, ShardCtx } from "./types.js";

// ---------------------------------------------------------------- setting a TTL

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

/**
 * parseExtendedExpireArgumentsOrReply: the options after the time, any order, repeatable;
 * NX excludes XX, GT and LT; GT excludes LT. Checked before the time is parsed.
 */
function parseExpireFlags(argv: string[]): number | string {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    if (opt === "nx") flags |= EXPIRE_NX;
    else if (opt === "xx") flags |= EXPIRE_XX;
    else if (opt === "gt") flags |= EXPIRE_GT;
    else if (opt === "lt") flags |= EXPIRE_LT;
    else return error(`ERR Unsupported option ${argv[j]}`);
  }
  if (flags & EXPIRE_NX && flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) {
    return error("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (flags & EXPIRE_GT && flags & EXPIRE_LT) return error("ERR GT and LT options at the same time are not compatible");
  return flags;
}

/*
 * expireGenericCommand: EXPIRE/PEXPIRE (relative: basetime is the command's time snapshot)
 * and EXPIREAT/PEXPIREAT (absolute: basetime 0), in seconds or milliseconds.
 *  1. negative times are allowed; only int64 overflow in the unit conversion or in the
 *     addition of basetime is an error ("invalid expire time in '<cmd>' command");
 *  2. a missing key answers 0, whatever the options;
 *  3. NX: only without a TTL; XX: only with one; GT: only later than the current TTL (no TTL
 *     counts as infinite, so GT fails); LT: only earlier (no TTL: LT passes);
 *  4. a time already past deletes the key and answers 1.
 */
function expireGeneric(ctx: ShardCtx, argv: string[], relative: boolean, seconds: boolean, name: string): string {
  const flags = parseExpireFlags(argv);
  if (typeof flags === "string") return flags;
  const v = parseInteger(argv[2]);
  if (v === undefined) return ERR_NOT_INTEGER;
  let when = BigInt(v);
  if (seconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) return errExpireTime(name);
    when *= 1000n;
  }
  const base = relative ? BigInt(ctx.now) : 0n;
  if (when > INT64_MAX - base) return errExpireTime(name);
  when += base;
  const { engine, db } = ctx;
  const key = argv[1];
  if (engine.lookupWrite(db, key) === undefined) return ZERO;
  if (flags !== 0) {
    const cur = db.expires.get(key);
    if (flags & EXPIRE_NX && cur !== undefined) return ZERO;
    if (flags & EXPIRE_XX && cur === undefined) return ZERO;
    if (flags & EXPIRE_GT && (cur === undefined || when <= BigInt(cur))) return ZERO;
    if (flags & EXPIRE_LT && cur !== undefined && when >= BigInt(cur)) return ZERO;
  }
  if (when <= BigInt(ctx.now)) {
    engine.deleteKey(db, key);
    engine.notify(NOTIFY_GENERIC, "del", key, ctx.dbIndex);
    return ONE;
  }
  engine.setExpire(db, key, Number(when));
  engine.dirty++;
  engine.notify(NOTIFY_GENERIC, "expire", key, ctx.dbIndex);
  return ONE;
}

/* PERSIST key */
function persistCommand(ctx: ShardCtx, argv: string[]): string {
  const { engine, db } = ctx;
  if (engine.lookupWrite(db, argv[1]) === undefined || !db.expires.delete(argv[1])) return ZERO;
  engine.dirty++;
  engine.notify(NOTIFY_GENERIC, "persist", argv[1], ctx.dbIndex);
  return ONE;
}

/**
 * ttlGenericCommand: -2 when the key is missing, -1 when it has no TTL, otherwise the time
 * left (never negative), in ms or rounded to the nearest second.
 */
function ttlGeneric(ctx: ShardCtx, key: string, ms: boolean, absolute = false): string {
  if (ctx.engine.lookupRead(ctx.db, key) === undefined) return ":-2\r\n";
  const when = ctx.db.expires.get(key);
  if (when === undefined) return ":-1\r\n";
  const ttl = Math.max(0, absolute ? when : when - ctx.now);
  return `:${ms ? ttl : Math.floor((ttl + 500) / 1000)}\r\n`;
}

/** EXPIRE and its three siblings: one declaration shape, one handler. */
function expireCmd(name: string, since: string, summary: string, relative: boolean, seconds: boolean): CommandSpec {
  return cmd(name, -3, ["write", "fast"], keys1, "generic", since, summary, "O(1)", {
    shard: (ctx, argv) => expireGeneric(ctx, argv, relative, seconds, name),
    keySpecs: [keySpec(["RW", "update"], 1)],
  });
}

/** EXPIRETIME and PEXPIRETIME: the absolute expire time. */
function expiretimeCmd(name: string, summary: string, ms: boolean): CommandSpec {
  return cmd(name, 2, ["readonly", "fast"], keys1, "generic", "7.0.0", summary, "O(1)", {
    shard: (ctx, argv) => ttlGeneric(ctx, argv[1], ms, true),
    keySpecs: [keySpec(["RO", "access"], 1)],
  });
}

export const expireCommands = [
  expireCmd("expire", "1.0.0", "Sets the expiration time of a key in seconds.", true, true),
  expireCmd("pexpire", "2.6.0", "Sets the expiration time of a key in milliseconds.", true, false),
  expireCmd("expireat", "1.2.0", "Sets the expiration time of a key to a Unix timestamp.", false, true),
  expireCmd("pexpireat", "2.6.0", "Sets the expiration time of a key to a Unix milliseconds timestamp.", false, false),
  expiretimeCmd("expiretime", "Returns the expiration time of a key as a Unix timestamp.", false),
  expiretimeCmd("pexpiretime", "Returns the expiration time of a key as a Unix milliseconds timestamp.", true),
  cmd("persist", 2, ["write", "fast"], keys1, "generic", "2.2.0", "Removes the expiration time of a key.", "O(1)", {
    shard: persistCommand,
    keySpecs: [keySpec(["RW", "update"], 1)],
  }),
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
