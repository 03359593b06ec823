/*
 * Random hash commands (t_hash.c): writes that build hashes (long values from r.value()
 * turn some into hashtables), reads, increments, HRANDFIELD and HSCAN, mostly valid, some
 * with bad numbers, options or arity. Whole-hash replies are compared sorted (a hashtable
 * answers in Redis's hash order); random picks and scans by shape (HSCAN with a COUNT
 * large enough that Redis answers everything with cursor 0).
 */
import type { Rand, RandomCommand, RandomGenerator } from "./rand.js";

/** A field: mostly from a small set so that writes collide, sometimes any value. */
function field(r: Rand): string {
  return r.chance(0.8) ? r.pick(["f1", "f2", "f3", "f4", "n", "x", ""]) : r.value();
}

function pairs(r: Rand, min: number, max: number): string[] {
  const out: string[] = [];
  for (let i = r.range(min, max); i > 0; i--) out.push(field(r), r.value());
  return out;
}

function fields(r: Rand, min: number, max: number): string[] {
  return Array.from({ length: r.range(min, max) }, () => field(r));
}

/** An integer increment: mostly small, sometimes at the int64 edges or not a number. */
function incr(r: Rand): string {
  const k = r.int(12);
  if (k < 9) return String(r.range(-10, 10));
  if (k === 9) return r.pick(["9223372036854775807", "-9223372036854775808", "9223372036854775808"]);
  return r.pick(["x", "1.5", "", " 1", "01"]);
}

function floatIncr(r: Rand): string {
  const k = r.int(12);
  if (k < 8) return r.pick(["1.5", "-0.25", "0.1", "3", "-2", "1e2", "0"]);
  if (k < 10) return String(r.range(-100, 100));
  return r.pick(["x", "inf", "-inf", "nan", "", "1e5000", " 1"]);
}

function randCount(r: Rand): string {
  const k = r.int(10);
  if (k < 7) return String(r.range(-6, 6));
  if (k === 7) return String(r.range(7, 200));
  if (k === 8) return r.pick(["-9223372036854775808", "9223372036854775807", "4611686018427387904"]);
  return r.pick(["x", "1.5", ""]);
}

export const hashGenerator: RandomGenerator = (r: Rand): RandomCommand => {
  const k = r.int(100);
  if (k < 20) return { argv: ["HSET", r.key(), ...pairs(r, 1, 4)] };
  if (k < 23) return { argv: ["HMSET", r.key(), ...pairs(r, 1, 3)] };
  if (k < 27) return { argv: ["HSETNX", r.key(), field(r), r.value()] };
  if (k < 33) return { argv: ["HGET", r.key(), field(r)] };
  if (k < 37) return { argv: ["HMGET", r.key(), ...fields(r, 1, 4)] };
  if (k < 43) return { argv: [r.pick(["HGETALL", "HKEYS", "HVALS"]), r.key()], check: "sorted" };
  if (k < 49) return { argv: ["HDEL", r.key(), ...fields(r, 1, 3)] };
  if (k < 52) return { argv: ["HLEN", r.key()] };
  if (k < 55) return { argv: ["HEXISTS", r.key(), field(r)] };
  if (k < 58) return { argv: ["HSTRLEN", r.key(), field(r)] };
  if (k < 65) return { argv: ["HINCRBY", r.key(), field(r), incr(r)] };
  if (k < 71) return { argv: ["HINCRBYFLOAT", r.key(), field(r), floatIncr(r)] };
  if (k < 78) {
    const argv = ["HRANDFIELD", r.key()];
    if (r.chance(0.8)) {
      argv.push(randCount(r));
      if (r.chance(0.4)) argv.push(r.chance(0.9) ? r.pick(["WITHVALUES", "withvalues"]) : "WITHVALUE");
      if (r.chance(0.03)) argv.push("extra");
    }
    return { argv, check: "shape" };
  }
  if (k < 85) {
    const cursor = r.chance(0.9) ? "0" : r.pick(["abc", "+0", " 0", "", "18446744073709551616"]);
    const argv = ["HSCAN", r.key(), cursor];
    if (r.chance(0.5)) argv.push("MATCH", r.pick(["*", "f*", "f[12]", "?", "n", "*x*"]));
    argv.push("COUNT", r.chance(0.95) ? "1000" : r.pick(["0", "-1", "x"]));
    if (r.chance(0.03)) argv.push(r.pick(["TYPE", "MATCH", "foo"]));
    return { argv, check: "shape" };
  }
  if (k < 88) return { argv: ["OBJECT", "ENCODING", r.key()] };
  if (k < 90) return { argv: ["TYPE", r.key()] };
  // arity errors
  return {
    argv: r.pick([
      ["HSET", r.key(), "f"],
      ["HSET", r.key(), "f", "v", "g"],
      ["HMSET", r.key(), "f"],
      ["HGET", r.key()],
      ["HMGET", r.key()],
      ["HGETALL"],
      ["HDEL", r.key()],
      ["HINCRBY", r.key(), "f"],
      ["HINCRBYFLOAT", r.key(), "f"],
      ["HSETNX", r.key(), "f"],
      ["HSCAN", r.key()],
      ["HRANDFIELD"],
    ]),
  };
};
