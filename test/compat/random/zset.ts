/*
 * Random sorted-set commands: ZADD with its options, increments, removals, ranges by
 * rank/score/lex, pops, stores and set operations over the shared keys (so they meet
 * other types: WRONGTYPE), mostly valid with some bad arguments.
 *
 * Lex ranges are only well defined when every score is equal (Redis walks a skiplist by
 * levels that are random), so they run on keys of their own that only ever get score 0.
 */
import type { Rand, RandomCommand, RandomGenerator } from "./rand.js";

const LEX_KEYS = ["zlex:1", "zlex:2"];

function score(r: Rand): string {
  const k = r.int(12);
  if (k < 5) return String(r.range(-5, 10));
  if (k < 8) return r.pick(["0.5", "-1.25", "1e3", "3.0000000000000004", "0.1", "-0", "1e-5", "2.5e10"]);
  if (k === 8) return r.pick(["inf", "-inf", "+inf"]);
  if (k === 9) return r.pick(["nan", "abc", "", "1e400"]);
  return (r.next() * 100 - 50).toFixed(r.range(0, 6));
}

function bound(r: Rand): string {
  const k = r.int(10);
  if (k < 5) return String(r.range(-5, 10));
  if (k < 7) return `(${r.range(-5, 10)}`;
  if (k < 9) return r.pick(["-inf", "+inf", "(-inf", "(inf", "1.5", "(0.5"]);
  return r.pick(["x", "(", "nan"]);
}

function lexBound(r: Rand): string {
  const k = r.int(10);
  if (k < 3) return r.pick(["-", "+"]);
  if (k < 9) return `${r.pick(["[", "("])}${r.pick(["a", "b", "c", "d", "foo", "x1", ""])}`;
  return r.pick(["a", "+x", "-y"]);
}

function rank(r: Rand): string {
  return String(r.chance(0.1) ? r.pick([100, -100, 0]) : r.range(-6, 6));
}

function limit(r: Rand): string[] {
  return r.chance(0.3) ? ["LIMIT", String(r.range(-1, 4)), String(r.range(-1, 5))] : [];
}

function keys(r: Rand, n: number): string[] {
  return Array.from({ length: n }, () => r.key());
}

function zadd(r: Rand): RandomCommand {
  const argv = ["ZADD", r.key()];
  const opts = ["NX", "XX", "GT", "LT", "CH", "INCR"];
  const nopt = r.chance(0.5) ? r.range(1, 2) : 0;
  for (let i = 0; i < nopt; i++) argv.push(r.pick(opts));
  const pairs = argv.includes("INCR") && r.chance(0.9) ? 1 : r.range(1, 4);
  for (let i = 0; i < pairs; i++) argv.push(score(r), r.value());
  if (r.chance(0.03)) argv.pop();
  return { argv };
}

export const zsetGenerator: RandomGenerator = (r) => {
  switch (r.int(26)) {
    case 0:
    case 1:
    case 2:
      return zadd(r);
    case 3:
      return { argv: ["ZINCRBY", r.key(), score(r), r.value()] };
    case 4:
      return { argv: ["ZREM", r.key(), ...Array.from({ length: r.range(1, 3) }, () => r.value())] };
    case 5:
      return { argv: ["ZCARD", r.key()] };
    case 6:
      return { argv: ["ZSCORE", r.key(), r.value()] };
    case 7:
      return { argv: ["ZMSCORE", r.key(), r.value(), r.value()] };
    case 8:
      return { argv: [r.pick(["ZRANK", "ZREVRANK"]), r.key(), r.value()] };
    case 9:
      return { argv: ["ZCOUNT", r.key(), bound(r), bound(r)] };
    case 10: {
      const argv = ["ZRANGE", r.key(), rank(r), rank(r)];
      if (r.chance(0.3)) argv.push("REV");
      if (r.chance(0.5)) argv.push("WITHSCORES");
      return { argv };
    }
    case 11: {
      const argv = ["ZRANGE", r.key(), bound(r), bound(r), "BYSCORE"];
      if (r.chance(0.3)) argv.push("REV");
      if (r.chance(0.5)) argv.push("WITHSCORES");
      return { argv: [...argv, ...limit(r)] };
    }
    case 12: {
      const cmd = r.pick(["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]);
      const argv = [cmd, r.key(), bound(r), bound(r)];
      if (r.chance(0.5)) argv.push("WITHSCORES");
      return { argv: [...argv, ...limit(r)] };
    }
    case 13: {
      // lex keys: members with score 0 only
      const k = r.pick(LEX_KEYS);
      const c = r.int(6);
      if (c === 0) return { argv: ["ZADD", k, "0", r.value(), "0", r.value()] };
      if (c === 1)
        return { argv: [r.pick(["ZRANGEBYLEX", "ZREVRANGEBYLEX"]), k, lexBound(r), lexBound(r), ...limit(r)] };
      if (c === 2) return { argv: ["ZLEXCOUNT", k, lexBound(r), lexBound(r)] };
      if (c === 3) return { argv: ["ZREMRANGEBYLEX", k, lexBound(r), lexBound(r)] };
      if (c === 4)
        return {
          argv: ["ZRANGE", k, lexBound(r), lexBound(r), "BYLEX", ...(r.chance(0.3) ? ["REV"] : []), ...limit(r)],
        };
      return { argv: ["ZRANGESTORE", r.pick(LEX_KEYS), k, lexBound(r), lexBound(r), "BYLEX"] };
    }
    case 14:
      return { argv: ["ZREMRANGEBYRANK", r.key(), rank(r), rank(r)] };
    case 15:
      return { argv: ["ZREMRANGEBYSCORE", r.key(), bound(r), bound(r)] };
    case 16: {
      const argv = [r.pick(["ZPOPMIN", "ZPOPMAX"]), r.key()];
      if (r.chance(0.5)) argv.push(String(r.range(-1, 4)));
      return { argv };
    }
    case 17: {
      const n = r.range(1, 3);
      const argv = ["ZMPOP", String(r.chance(0.05) ? 0 : n), ...keys(r, n), r.pick(["MIN", "MAX", "min", "foo"])];
      if (r.chance(0.5)) argv.push("COUNT", String(r.range(0, 4)));
      return { argv };
    }
    case 18: {
      const n = r.range(1, 3);
      const argv = [r.pick(["ZUNION", "ZINTER"]), String(n), ...keys(r, n)];
      if (r.chance(0.3))
        argv.push("WEIGHTS", ...Array.from({ length: n }, () => r.pick(["1", "2", "-1", "0.5", "0", "x"])));
      if (r.chance(0.3)) argv.push("AGGREGATE", r.pick(["SUM", "MIN", "MAX", "AVG"]));
      if (r.chance(0.5)) argv.push("WITHSCORES");
      return { argv };
    }
    case 19: {
      const n = r.range(1, 3);
      const argv = ["ZDIFF", String(n), ...keys(r, n)];
      if (r.chance(0.5)) argv.push("WITHSCORES");
      return { argv };
    }
    case 20: {
      const n = r.range(1, 3);
      const cmd = r.pick(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]);
      const argv = [cmd, r.key(), String(n), ...keys(r, n)];
      if (cmd !== "ZDIFFSTORE" && r.chance(0.3)) argv.push("AGGREGATE", r.pick(["SUM", "MIN", "MAX"]));
      return { argv };
    }
    case 21: {
      const n = r.range(1, 3);
      const argv = ["ZINTERCARD", String(n), ...keys(r, n)];
      if (r.chance(0.4)) argv.push("LIMIT", String(r.range(-1, 3)));
      return { argv };
    }
    case 22: {
      const argv = ["ZRANGESTORE", r.key(), r.key(), rank(r), rank(r)];
      if (r.chance(0.3)) argv.push("REV");
      return { argv };
    }
    case 23: {
      // random picks: only the count semantics are deterministic
      const n = r.range(-4, 4);
      const argv = ["ZRANDMEMBER", r.key(), String(n)];
      if (r.chance(0.4)) argv.push("WITHSCORES");
      return { argv, check: "shape" };
    }
    case 24:
      // COUNT large enough that both servers answer the whole set in one reply
      return { argv: ["ZSCAN", r.key(), "0", "COUNT", "1000"], check: "shape" };
    default: {
      const argv = [r.pick(["BZPOPMIN", "BZPOPMAX"]), r.key(), r.key(), "0.01"];
      return { argv };
    }
  }
};
