/*
 * Random bitmap commands (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO) and LCS
 * over the shared key set: mostly valid, some malformed. Every reply is deterministic.
 */
import type { Rand, RandomCommand, RandomGenerator } from "./rand.js";

/** A bit offset: mostly within a few bytes, sometimes further, rarely invalid. */
function bitOffset(r: Rand): string {
  const k = r.int(20);
  if (k < 14) return String(r.range(0, 64));
  if (k < 18) return String(r.range(0, 2000));
  return r.pick(["-1", "abc", "1.5", "", "#1", "4294967296", "99999999999999999999"]);
}

/** A BITCOUNT/BITPOS index: small, negative, or int64 edges. */
function index(r: Rand): string {
  const k = r.int(20);
  if (k < 15) return String(r.range(-12, 12));
  if (k < 18) return String(r.range(-100, 100));
  return r.pick(["9223372036854775807", "-9223372036854775808", "x", "1.0"]);
}

function unit(r: Rand): string {
  return r.pick(["BIT", "BYTE", "bit", "byte", "Bit", "bits"]);
}

function bitfieldType(r: Rand): string {
  const k = r.int(20);
  if (k < 9) return `i${r.range(1, 64)}`;
  if (k < 18) return `u${r.range(1, 63)}`;
  return r.pick(["u64", "i0", "i65", "x8", "I8", "i", ""]);
}

/** A field offset: plain bits or `#n` (n times the width). */
function fieldOffset(r: Rand): string {
  const k = r.int(20);
  if (k < 12) return String(r.range(0, 100));
  if (k < 18) return `#${r.range(0, 12)}`;
  return r.pick(["-1", "#-1", "a", "#", "1.5"]);
}

/** An int64 SET value or INCRBY increment, edges included. */
function fieldValue(r: Rand): string {
  const k = r.int(20);
  if (k < 10) return String(r.range(-300, 300));
  if (k < 14) return String(r.range(-2147483648, 2147483647));
  if (k < 19) {
    return r.pick([
      "9223372036854775807",
      "-9223372036854775808",
      "9223372036854775806",
      "-9223372036854775807",
      "4611686018427387904",
      "-4611686018427387905",
      "18446744073709551615",
      "255",
      "-128",
      "65536",
    ]);
  }
  return r.pick(["x", "1.5", ""]);
}

function bitfieldArgs(r: Rand, readonly: boolean): string[] {
  const out: string[] = [];
  const n = r.range(0, 4);
  for (let i = 0; i < n; i++) {
    // BITFIELD_RO: mostly GETs, with the odd write that it refuses
    const k = readonly ? r.pick([0, 0, 0, 0, 0, 0, 4, 8, 10]) : r.int(11);
    if (k < 4) out.push(r.pick(["GET", "get"]), bitfieldType(r), fieldOffset(r));
    else if (k < 6) out.push(r.pick(["SET", "set"]), bitfieldType(r), fieldOffset(r), fieldValue(r));
    else if (k < 8) out.push(r.pick(["INCRBY", "incrby"]), bitfieldType(r), fieldOffset(r), fieldValue(r));
    else if (k < 10) out.push("OVERFLOW", r.pick(["WRAP", "SAT", "FAIL", "sat", "fail", "bad"]));
    else out.push(r.pick(["SET", "INCRBY", "FOO", "GET"]), bitfieldType(r));
  }
  return out;
}

export const bitmapGenerator: RandomGenerator = (r: Rand): RandomCommand => {
  const k = r.int(100);
  if (k < 20) {
    const v = r.chance(0.95) ? r.pick(["0", "1"]) : r.pick(["2", "-1", "x"]);
    return { argv: ["SETBIT", r.key(), bitOffset(r), v] };
  }
  if (k < 32) return { argv: ["GETBIT", r.key(), bitOffset(r)] };
  if (k < 44) {
    const argv = ["BITCOUNT", r.key()];
    const n = r.int(10);
    if (n < 6) argv.push(index(r), index(r));
    if (n < 3) argv.push(unit(r));
    if (n === 9) argv.push(index(r));
    return { argv };
  }
  if (k < 56) {
    const argv = ["BITPOS", r.key(), r.chance(0.95) ? r.pick(["0", "1"]) : r.pick(["2", "-1", "x"])];
    const n = r.int(10);
    if (n < 7) argv.push(index(r));
    if (n < 5) argv.push(index(r));
    if (n < 3) argv.push(unit(r));
    return { argv };
  }
  if (k < 68) {
    const op = r.chance(0.95) ? r.pick(["AND", "OR", "XOR", "NOT", "and", "xor"]) : "NAND";
    const argv = ["BITOP", op, r.key()];
    const n = op === "NOT" && r.chance(0.9) ? 1 : r.range(1, 4);
    for (let i = 0; i < n; i++) argv.push(r.key());
    return { argv };
  }
  if (k < 82) return { argv: ["BITFIELD", r.key(), ...bitfieldArgs(r, false)] };
  if (k < 88) return { argv: ["BITFIELD_RO", r.key(), ...bitfieldArgs(r, true)] };
  const argv = ["LCS", r.key(), r.key()];
  const opts = r.int(8);
  if (opts === 1) argv.push("LEN");
  else if (opts === 2) argv.push("IDX");
  else if (opts === 3) argv.push("IDX", "WITHMATCHLEN");
  else if (opts === 4) argv.push("IDX", "MINMATCHLEN", String(r.range(-1, 4)), "WITHMATCHLEN");
  else if (opts === 5) argv.push(r.pick(["LEN", "IDX"]), "MINMATCHLEN", String(r.range(0, 3)));
  else if (opts === 6)
    argv.push(...r.pick([["LEN", "IDX"], ["FOO"], ["MINMATCHLEN"], ["IDX", "LEN"], ["MINMATCHLEN", "x"]]));
  return { argv };
};
