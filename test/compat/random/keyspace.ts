/*
 * Random string and keyspace commands (t_string.c, db.c, expire.c) over the shared key set:
 * reads and writes of strings (int/embstr/raw encodings), counters, ranges, multi-key
 * commands across shards, renames and copies (which move other families' values between
 * shards), expiry with its options, and some invalid arguments, arities and overflows.
 *
 * Time: every TTL is long (>= 1000 s) or an absolute time far in the future, so nothing
 * expires during a run; EXPIREAT/GETEX also get times in the past, which delete the key at
 * once (SET ... EXAT does not: see unixSeconds). Reads of the remaining
 * time (TTL PTTL EXPIRETIME PEXPIRETIME) depend on when each server ran the command: they
 * are marked "shape" (random.test.ts compares them within a tolerance). GT/LT compare
 * expiry times, and two relative TTLs set a few ms apart compare differently on two servers,
 * so GT/LT are only drawn with absolute times, whose comparisons are exact.
 */
import type { Rand, RandomCommand, RandomGenerator } from "./rand.js";

function keys(r: Rand, min: number, max: number): string[] {
  return Array.from({ length: r.range(min, max) }, () => r.key());
}

/**
 * Any key of the shared set, uniformly, for the commands that work on every type (DEL,
 * RENAME, COPY, TYPE, EXPIRE, OBJECT...): r.key() may prefer the string families' keys
 * (random.test.ts), and these commands are the ones that must meet the other types.
 */
function anyKey(r: Rand): string {
  return r.pick(r.keys);
}

function anyKeys(r: Rand, min: number, max: number): string[] {
  return Array.from({ length: r.range(min, max) }, () => anyKey(r));
}

/** A string value: mostly r.value(), sometimes a number for the counters or a long value. */
function value(r: Rand): string {
  const k = r.int(10);
  if (k < 7) return r.value();
  if (k < 9) return String(r.range(-1000, 1000));
  return r.pick(["9223372036854775807", "-9223372036854775808", "3.5", "1e10", "12345678901234567890"]);
}

/** A relative TTL in seconds: long, from a few fixed values; rarely invalid. */
function seconds(r: Rand): string {
  if (r.chance(0.06)) return r.pick(["0", "-1", "x", "1.5", "", "9223372036854775807", "9223372036854776"]);
  return r.pick(["1000", "5000", "86400", "100000", "3000000"]);
}

function millis(r: Rand): string {
  if (r.chance(0.06)) return r.pick(["0", "-5", "x", "9223372036854775807", "9223372036854775"]);
  return r.pick(["1000000", "7200000", "86400000", "500000000"]);
}

/**
 * An absolute unix time in seconds: far in the future (mostly), or in the past when `past`.
 * A time in the past deletes the key at once in EXPIREAT and GETEX, but SET ... EXAT stores
 * a key that is already expired, and DBSIZE counts it until each server's active expiry
 * reclaims it: SET, SETEX... only get future times.
 */
function unixSeconds(r: Rand, past: boolean): string {
  const k = r.int(20);
  if (k < 15 || (k < 18 && !past)) return r.pick(["4000000000", "4100000000", "4200000000", "5000000000"]);
  if (k < 18) return r.pick(["1", "1000000000", "100"]);
  return r.pick(["0", "-1", "x", "9223372036854775807"]);
}

function unixMillis(r: Rand, past: boolean): string {
  const k = r.int(20);
  if (k < 15 || (k < 18 && !past)) return r.pick(["4000000000000", "4100000000123", "4200000000000", "5000000000000"]);
  if (k < 18) return r.pick(["1", "1000000000000"]);
  return r.pick(["0", "-1", "x", "9223372036854775807"]);
}

function integer(r: Rand): string {
  const k = r.int(20);
  if (k < 14) return String(r.range(-50, 50));
  if (k < 17) return r.pick(["9223372036854775807", "-9223372036854775808", "4611686018427387904", "-1000000"]);
  return r.pick(["x", "1.5", "", " 1", "01", "9223372036854775808", "-0"]);
}

function float(r: Rand): string {
  const k = r.int(20);
  if (k < 10) return r.pick(["1.5", "-0.25", "0.1", "3", "-2", "1e2", "0", "10.5", "5.0e3", "-1.1"]);
  if (k < 15) return String(r.range(-100, 100));
  if (k < 17) return r.pick(["1e308", "-1e308", "1.7976931348623157e308", "0.000001", "123456789012345678"]);
  return r.pick(["x", "inf", "-inf", "nan", "", "1e5000", " 1", "1.5x"]);
}

/** A GETRANGE/SETRANGE index: small, negative, or huge. */
function index(r: Rand): string {
  const k = r.int(20);
  if (k < 15) return String(r.range(-10, 30));
  if (k < 18) return String(r.range(-200, 200));
  return r.pick(["9223372036854775807", "-9223372036854775808", "x", "1.0"]);
}

/** SET's options: mostly valid combinations, sometimes conflicting or malformed ones. */
function setOptions(r: Rand): string[] {
  const out: string[] = [];
  if (r.chance(0.3)) out.push(r.pick(["NX", "XX", "nx", "xx"]));
  if (r.chance(0.2)) out.push("GET");
  const k = r.int(14);
  if (k === 0) out.push("EX", seconds(r));
  else if (k === 1) out.push("PX", millis(r));
  else if (k === 2) out.push("EXAT", unixSeconds(r, false));
  else if (k === 3) out.push("PXAT", unixMillis(r, false));
  else if (k === 4) out.push("KEEPTTL");
  if (r.chance(0.06)) {
    // conflicting or malformed options
    out.push(
      ...r.pick([["NX", "XX"], ["EX", "10", "PX", "10000"], ["KEEPTTL", "EX", "100"], ["EX"], ["FOO"], ["GET", "GET"]]),
    );
  }
  // options in any order
  if (out.length > 2 && r.chance(0.3)) out.reverse();
  return out;
}

function getexOptions(r: Rand): string[] {
  const k = r.int(10);
  if (k < 3) return [];
  if (k === 3) return ["EX", seconds(r)];
  if (k === 4) return ["PX", millis(r)];
  if (k === 5) return ["EXAT", unixSeconds(r, true)];
  if (k === 6) return ["PXAT", unixMillis(r, true)];
  if (k === 7) return ["PERSIST"];
  if (k === 8) return r.pick([["PERSIST", "EX", "100"], ["EX"], ["KEEPTTL"], ["EX", "100", "PX", "100"], ["FOO"]]);
  return ["persist"];
}

/** EXPIRE's NX/XX options; GT/LT only for absolute times (see the header). */
function expireOptions(r: Rand, absolute: boolean): string[] {
  if (!r.chance(0.4)) return [];
  const options = absolute ? ["NX", "XX", "GT", "LT", "gt", "lt"] : ["NX", "XX", "nx"];
  const out = [r.pick(options)];
  if (r.chance(0.1)) out.push(r.pick(options)); // NX with XX/GT/LT is an error; GT LT too
  if (r.chance(0.02)) out.push("FOO");
  return out;
}

function pairs(r: Rand, min: number, max: number): string[] {
  const out: string[] = [];
  for (let i = r.range(min, max); i > 0; i--) out.push(r.key(), value(r));
  return out;
}

export const keyspaceGenerator: RandomGenerator = (r: Rand): RandomCommand => {
  const k = r.int(200);
  // strings: writes
  if (k < 16) return { argv: ["SET", r.key(), value(r), ...setOptions(r)] };
  if (k < 19) return { argv: ["SETNX", r.key(), value(r)] };
  if (k < 22) return { argv: ["GETSET", r.key(), value(r)] };
  if (k < 25) return { argv: ["GETDEL", r.key()] };
  if (k < 30) return { argv: ["GETEX", r.key(), ...getexOptions(r)] };
  if (k < 36) return { argv: ["APPEND", r.key(), r.chance(0.2) ? "v".repeat(r.range(30, 60)) : r.value()] };
  if (k < 38) return { argv: ["STRLEN", r.key()] };
  if (k < 42) return { argv: [r.pick(["INCR", "DECR"]), r.key()] };
  if (k < 47) return { argv: [r.pick(["INCRBY", "DECRBY"]), r.key(), integer(r)] };
  if (k < 51) return { argv: ["INCRBYFLOAT", r.key(), float(r)] };
  if (k < 56) return { argv: [r.pick(["GETRANGE", "SUBSTR"]), r.key(), index(r), index(r)] };
  if (k < 61) {
    const offset = r.chance(0.9) ? String(r.range(0, 60)) : r.pick(["-1", "x", "536870912", "536870911", "1000"]);
    // 536870911 with a non-empty value is past the 512 MB limit: an error, nothing allocated
    const v = offset === "536870911" ? "ab" : r.value();
    return { argv: ["SETRANGE", r.key(), offset, v] };
  }
  // strings: reads, multi-key reads and writes (keys in several shards)
  if (k < 72) return { argv: ["GET", r.key()] };
  if (k < 77) return { argv: ["MGET", ...keys(r, 1, 5)] };
  if (k < 81) return { argv: ["MSET", ...pairs(r, 1, 4)] };
  if (k < 84) return { argv: ["MSETNX", ...pairs(r, 1, 3)] };
  // keyspace
  if (k < 96) return { argv: [r.pick(["DEL", "DEL", "UNLINK"]), ...anyKeys(r, 1, 3)] };
  if (k < 101) return { argv: ["EXISTS", ...anyKeys(r, 1, 4)] };
  if (k < 103) return { argv: ["TOUCH", ...anyKeys(r, 1, 3)] };
  if (k < 110) return { argv: ["TYPE", anyKey(r)] };
  if (k < 116) return { argv: [r.pick(["RENAME", "RENAME", "RENAMENX"]), anyKey(r), anyKey(r)] };
  if (k < 122) {
    const argv = ["COPY", anyKey(r), anyKey(r)];
    if (r.chance(0.4)) argv.push("REPLACE");
    if (r.chance(0.05)) argv.push(...r.pick([["DB", "0"], ["DB", "x"], ["DB", "-1"], ["FOO"], ["DB"]]));
    return { argv };
  }
  if (k < 128) return { argv: ["OBJECT", "ENCODING", anyKey(r)] };
  if (k < 129) {
    // known difference: OBJECT FREQ of a missing key is a null in Redis (the key is looked up
    // before the maxmemory policy is checked), the LFU-policy error in shardis: not drawn
    return { argv: ["OBJECT", r.pick(["encoding", "FOO", "REFCOUNT", "IDLETIME"]), r.key()], check: "shape" };
  }
  if (k < 131) return { argv: ["DBSIZE"] };
  if (k < 133) return { argv: ["KEYS", r.pick(["*", "?", "{t}*", "[a-c]", "*1", "z*"])], check: "sorted" };
  if (k < 134) return { argv: ["RANDOMKEY"], check: "shape" };
  // expiry
  if (k < 141) return { argv: ["EXPIRE", anyKey(r), seconds(r), ...expireOptions(r, false)] };
  if (k < 143) return { argv: ["PEXPIRE", anyKey(r), millis(r), ...expireOptions(r, false)] };
  if (k < 148) return { argv: ["EXPIREAT", anyKey(r), unixSeconds(r, true), ...expireOptions(r, true)] };
  if (k < 151) return { argv: ["PEXPIREAT", anyKey(r), unixMillis(r, true), ...expireOptions(r, true)] };
  if (k < 157) return { argv: ["PERSIST", anyKey(r)] };
  if (k < 163) return { argv: [r.pick(["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]), anyKey(r)], check: "shape" };
  if (k < 166) return { argv: ["SETEX", r.key(), seconds(r), value(r)] };
  if (k < 168) return { argv: ["PSETEX", r.key(), millis(r), value(r)] };
  // invalid arities and forms
  return {
    argv: r.pick([
      ["GET"],
      ["GET", r.key(), r.key()],
      ["SET", r.key()],
      ["SETNX", r.key()],
      ["GETSET", r.key()],
      ["GETDEL"],
      ["GETEX"],
      ["APPEND", r.key()],
      ["STRLEN"],
      ["INCR"],
      ["INCRBY", r.key()],
      ["INCRBYFLOAT", r.key()],
      ["GETRANGE", r.key(), "0"],
      ["SETRANGE", r.key(), "0"],
      ["MGET"],
      ["MSET"],
      ["MSET", r.key(), "v", r.key()],
      ["MSETNX", r.key()],
      ["DEL"],
      ["UNLINK"],
      ["EXISTS"],
      ["TOUCH"],
      ["TYPE"],
      ["RENAME", r.key()],
      ["RENAMENX", r.key()],
      ["COPY", r.key()],
      ["OBJECT"],
      ["OBJECT", "ENCODING"],
      ["DBSIZE", "x"],
      ["EXPIRE", r.key()],
      ["PEXPIREAT", r.key()],
      ["PERSIST"],
      ["TTL"],
      ["SETEX", r.key(), "10"],
      ["KEYS"],
    ]),
  };
};
