/*
 * Random set commands (t_set.c): SADD/SREM that build sets of integers (intsets) and of
 * words (hashtables), membership reads, SMOVE and the SINTER/SUNION/SDIFF family across
 * keys, SINTERCARD, and the random commands, mostly valid, some with bad numbers, options
 * or arity. Whole-set replies are compared sorted; SRANDMEMBER and SSCAN by shape (SSCAN
 * with a COUNT large enough that Redis answers everything with cursor 0). SPOP is only
 * drawn in forms whose effect is deterministic: a count that takes the whole set, 0, or
 * invalid arguments.
 */
import type { Rand, RandomCommand, RandomGenerator } from "./rand.js";

/** A member: integers (intsets) about half the time, words or any value otherwise. */
function member(r: Rand): string {
  const k = r.int(10);
  if (k < 5) return String(r.range(-5, 20));
  if (k < 8) return r.pick(["a", "b", "c", "d", "m"]);
  return r.value();
}

function members(r: Rand, min: number, max: number): string[] {
  return Array.from({ length: r.range(min, max) }, () => member(r));
}

function keys(r: Rand, min: number, max: number): string[] {
  return Array.from({ length: r.range(min, max) }, () => r.key());
}

function randCount(r: Rand): string {
  const k = r.int(10);
  if (k < 7) return String(r.range(-6, 6));
  if (k === 7) return String(r.range(7, 200));
  if (k === 8) return r.pick(["-9223372036854775808", "9223372036854775807"]);
  return r.pick(["x", "1.5", ""]);
}

function sintercard(r: Rand): string[] {
  const n = r.range(1, 3);
  const argv = ["SINTERCARD", r.chance(0.9) ? String(n) : r.pick(["0", "-1", "x", String(n + 1)]), ...keys(r, n, n)];
  if (r.chance(0.4)) argv.push("LIMIT", r.chance(0.9) ? String(r.range(0, 5)) : r.pick(["-1", "x"]));
  if (r.chance(0.03)) argv.push(r.pick(["LIMIT", "foo"]));
  return argv;
}

export const setGenerator: RandomGenerator = (r: Rand): RandomCommand => {
  const k = r.int(100);
  if (k < 22) return { argv: ["SADD", r.key(), ...members(r, 1, 5)] };
  if (k < 30) return { argv: ["SREM", r.key(), ...members(r, 1, 3)] };
  if (k < 34) return { argv: ["SCARD", r.key()] };
  if (k < 38) return { argv: ["SISMEMBER", r.key(), member(r)] };
  if (k < 41) return { argv: ["SMISMEMBER", r.key(), ...members(r, 1, 4)] };
  if (k < 47) return { argv: ["SMEMBERS", r.key()], check: "sorted" };
  if (k < 52) return { argv: ["SMOVE", r.key(), r.key(), member(r)] };
  if (k < 60) return { argv: [r.pick(["SINTER", "SUNION", "SDIFF"]), ...keys(r, 1, 3)], check: "sorted" };
  if (k < 67) return { argv: [r.pick(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), r.key(), ...keys(r, 1, 3)] };
  if (k < 71) return { argv: sintercard(r) };
  if (k < 75) {
    // only pops whose effect does not depend on chance
    const argv = ["SPOP", r.key(), r.pick(["1000", "0", "-1", "x", "1.5"])];
    if (r.chance(0.03)) argv.push("1");
    return { argv, check: "sorted" };
  }
  if (k < 81) {
    const argv = ["SRANDMEMBER", r.key()];
    if (r.chance(0.8)) argv.push(randCount(r));
    if (r.chance(0.03)) argv.push("1");
    return { argv, check: "shape" };
  }
  if (k < 87) {
    const cursor = r.chance(0.9) ? "0" : r.pick(["abc", "+0", " 0", "", "18446744073709551616"]);
    const argv = ["SSCAN", r.key(), cursor];
    if (r.chance(0.5)) argv.push("MATCH", r.pick(["*", "1*", "[ab]", "?", "-*", "*c*"]));
    argv.push("COUNT", r.chance(0.95) ? "1000" : r.pick(["0", "-1", "x"]));
    if (r.chance(0.03)) argv.push(r.pick(["TYPE", "MATCH", "foo"]));
    return { argv, check: "shape" };
  }
  if (k < 91) return { argv: ["OBJECT", "ENCODING", r.key()] };
  if (k < 93) return { argv: ["TYPE", r.key()] };
  // arity errors
  return {
    argv: r.pick([
      ["SADD", r.key()],
      ["SREM", r.key()],
      ["SCARD"],
      ["SISMEMBER", r.key()],
      ["SMISMEMBER", r.key()],
      ["SMOVE", r.key(), r.key()],
      ["SINTER"],
      ["SINTERSTORE", r.key()],
      ["SINTERCARD", "1"],
      ["SSCAN", r.key()],
      ["SPOP"],
      ["SRANDMEMBER"],
    ]),
  };
};
