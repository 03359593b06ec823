/*
 * Random list commands (t_list.c): pushes and pops at both ends (with counts), reads by
 * index and range, in-place edits, moves between keys and LMPOP, mostly valid, some with
 * bad numbers, options or arity. Every reply is deterministic. The blocking forms are drawn
 * with a 10 ms timeout (a null reply when nothing is there) or with invalid arguments.
 */
import type { Rand, RandomCommand, RandomGenerator } from "./rand.js";

/** An index: mostly small, sometimes past the ends, huge or not a number. */
function index(r: Rand): string {
  const k = r.int(20);
  if (k < 16) return String(r.range(-8, 8));
  if (k === 16) return String(r.range(-100, 100));
  if (k === 17) return r.pick(["9223372036854775807", "-9223372036854775808", "9223372036854775808"]);
  if (k === 18) return r.pick(["x", "1.5", "", " 1", "01"]);
  return "-0";
}

/** A count for pops, LREM, LPOS options: mostly small non-negative, sometimes invalid. */
function count(r: Rand): string {
  const k = r.int(12);
  if (k < 9) return String(r.range(0, 5));
  if (k === 9) return String(r.range(-3, -1));
  if (k === 10) return r.pick(["x", "1.0", "9223372036854775807"]);
  return String(r.range(6, 30));
}

function where(r: Rand): string {
  if (r.chance(0.05)) return r.pick(["up", "", "LEFTX"]);
  return r.pick(["LEFT", "RIGHT", "left", "Right"]);
}

function values(r: Rand, min: number, max: number): string[] {
  return Array.from({ length: r.range(min, max) }, () => r.value());
}

function timeout(r: Rand): string {
  if (r.chance(0.2)) return r.pick(["-1", "x", "nan", "inf", "-0.5", ""]);
  return "0.01";
}

function lpos(r: Rand): string[] {
  const argv = ["LPOS", r.key(), r.value()];
  const opts = r.int(4);
  for (let i = 0; i < opts; i++) {
    const o = r.pick(["RANK", "COUNT", "MAXLEN", "rank", "count", "maxlen"]);
    argv.push(o);
    if (r.chance(0.03)) break; // an option without its value
    if (o.toUpperCase() === "RANK")
      argv.push(r.chance(0.1) ? r.pick(["0", "x", "-9223372036854775808"]) : String(r.range(-4, 4) || 1));
    else argv.push(count(r));
  }
  if (r.chance(0.03)) argv.push("foo");
  return argv;
}

function mpop(r: Rand, blocking: boolean): string[] {
  const argv = blocking ? ["BLMPOP", timeout(r)] : ["LMPOP"];
  const n = r.range(1, 3);
  const bad = r.chance(0.08);
  argv.push(bad ? r.pick(["0", "-1", "x", String(n + 2)]) : String(n));
  for (let i = 0; i < n; i++) argv.push(r.key());
  argv.push(where(r));
  if (r.chance(0.5)) argv.push("COUNT", r.chance(0.1) ? r.pick(["0", "-1", "x"]) : String(r.range(1, 6)));
  if (r.chance(0.03)) argv.push(r.pick(["COUNT", "foo"]));
  return argv;
}

export const listGenerator: RandomGenerator = (r: Rand): RandomCommand => {
  const k = r.int(100);
  // writes that grow lists, so that the rest has something to work on
  if (k < 22) return { argv: [r.pick(["LPUSH", "RPUSH"]), r.key(), ...values(r, 1, 4)] };
  if (k < 27) return { argv: [r.pick(["LPUSHX", "RPUSHX"]), r.key(), ...values(r, 1, 3)] };
  if (k < 35) {
    const argv = [r.pick(["LPOP", "RPOP"]), r.key()];
    if (r.chance(0.4)) argv.push(count(r));
    if (r.chance(0.02)) argv.push("1");
    return { argv };
  }
  if (k < 39) return { argv: ["LLEN", r.key()] };
  if (k < 47) return { argv: ["LRANGE", r.key(), index(r), index(r)] };
  if (k < 51) return { argv: ["LINDEX", r.key(), index(r)] };
  if (k < 55) return { argv: ["LSET", r.key(), index(r), r.value()] };
  if (k < 59) {
    const pos = r.chance(0.05) ? "middle" : r.pick(["BEFORE", "AFTER", "before", "after"]);
    return { argv: ["LINSERT", r.key(), pos, r.value(), r.value()] };
  }
  if (k < 63) return { argv: ["LREM", r.key(), r.chance(0.9) ? String(r.range(-3, 3)) : index(r), r.value()] };
  if (k < 65) return { argv: ["LTRIM", r.key(), index(r), index(r)] };
  if (k < 72) return { argv: lpos(r) };
  if (k < 78) return { argv: ["LMOVE", r.key(), r.key(), where(r), where(r)] };
  if (k < 81) return { argv: ["RPOPLPUSH", r.key(), r.key()] };
  if (k < 87) return { argv: mpop(r, false) };
  if (k < 90) {
    const keys = Array.from({ length: r.range(1, 3) }, () => r.key());
    return { argv: [r.pick(["BLPOP", "BRPOP"]), ...keys, timeout(r)] };
  }
  if (k < 92) return { argv: ["BLMOVE", r.key(), r.key(), where(r), where(r), timeout(r)] };
  if (k < 93) return { argv: ["BRPOPLPUSH", r.key(), r.key(), timeout(r)] };
  if (k < 95) return { argv: mpop(r, true) };
  // arity errors
  return {
    argv: r.pick([
      ["LPUSH", r.key()],
      ["LRANGE", r.key(), "0"],
      ["LINDEX", r.key()],
      ["LSET", r.key(), "0"],
      ["LINSERT", r.key(), "BEFORE", "a"],
      ["LPOS", r.key()],
      ["LMOVE", r.key(), r.key(), "LEFT"],
      ["LMPOP", "1", r.key()],
      ["BLPOP", r.key()],
      ["LLEN"],
    ]),
  };
};
