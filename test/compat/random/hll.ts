/*
 * Random HyperLogLog commands: PFADD / PFCOUNT / PFMERGE over the shared keys (so they
 * meet strings and other types: WRONGTYPE and "not a valid HyperLogLog" paths), GET to
 * compare the stored bytes, PFDEBUG, and now and then a SETRANGE/APPEND that corrupts an
 * HLL. Every reply is deterministic (HLLs are deterministic functions of their inputs).
 */
import type { Rand, RandomCommand, RandomGenerator } from "./rand.js";

function elements(r: Rand, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(r.chance(0.3) ? `e${r.int(5000)}` : r.value());
  return out;
}

function keys(r: Rand, min: number, max: number): string[] {
  const out: string[] = [];
  for (let i = r.range(min, max); i > 0; i--) out.push(r.key());
  return out;
}

export const hllGenerator: RandomGenerator = (r: Rand): RandomCommand => {
  const k = r.int(100);
  if (k < 35) {
    // mostly a few elements, sometimes a batch large enough to promote to dense
    const n = r.chance(0.05) ? r.range(200, 1500) : r.range(0, 8);
    return { argv: ["PFADD", r.key(), ...elements(r, n)] };
  }
  if (k < 50) return { argv: ["PFCOUNT", r.key()] };
  if (k < 60) return { argv: ["PFCOUNT", ...keys(r, 2, 4)] };
  if (k < 72) return { argv: ["PFMERGE", r.key(), ...keys(r, 0, 3)] };
  if (k < 84) return { argv: ["GET", r.key()] };
  if (k < 90) {
    const sub = r.pick(["ENCODING", "DECODE", "TODENSE", "GETREG", "encoding", "nosuch"]);
    return { argv: ["PFDEBUG", sub, r.key()] };
  }
  if (k < 93) return { argv: ["SETRANGE", r.key(), String(r.int(40)), String.fromCharCode(r.int(256))] };
  if (k < 95) return { argv: ["APPEND", r.key(), String.fromCharCode(r.int(256))] };
  // invalid: wrong arity
  const bad = r.pick<string[]>([["PFADD"], ["PFCOUNT"], ["PFMERGE"], ["PFDEBUG", "ENCODING"], ["PFSELFTEST", "x"]]);
  return { argv: bad };
};
