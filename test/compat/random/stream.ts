/*
 * Random stream commands (t_stream.c) over the shared key set: XADD with explicit ids
 * (never `*`, whose ids depend on the clock), ranges, XDEL/XTRIM (exact and `~`), XSETID,
 * consumer groups (XGROUP, XREADGROUP without BLOCK, XACK, XPENDING, XCLAIM, XAUTOCLAIM)
 * and XINFO, mostly valid, some malformed. Replies that carry idle or delivery times are
 * compared by shape; min-idle times are 0 or huge so claims are exact.
 *
 * Ids grow with a module counter (one step per generated command), so most XADDs succeed
 * while some go below the top item on purpose.
 */
import type { Rand, RandomCommand, RandomGenerator } from "./rand.js";

let tick = 0;

function group(r: Rand): string {
  return r.pick(["g1", "g1", "g2", "nogroup"]);
}

function consumer(r: Rand): string {
  return r.pick(["c1", "c2", "c3"]);
}

/** An id near the current tick: mostly valid, some below the top item, some malformed. */
function newId(r: Rand): string {
  const k = r.int(20);
  const ms = tick;
  if (k < 10) return `${ms}-*`;
  if (k < 15) return `${ms}-${r.int(4)}`;
  if (k < 17) return String(ms);
  if (k < 19) return `${r.range(0, ms)}-${r.int(3)}`;
  return r.pick(["0-0", "x", "-", "1-x", "18446744073709551615-18446744073709551615"]);
}

/** An id for reading/deleting: somewhere in what was added so far. */
function someId(r: Rand): string {
  const k = r.int(20);
  if (k < 12) return `${r.range(0, tick)}-${r.int(3)}`;
  if (k < 16) return String(r.range(0, tick));
  if (k < 19) return r.pick(["0", "0-0", "18446744073709551615-18446744073709551615"]);
  return r.pick(["x", "-1", "1-", ""]);
}

function rangeStart(r: Rand): string {
  const k = r.int(10);
  if (k < 3) return "-";
  if (k < 4) return `(${someId(r)}`;
  return someId(r);
}

function rangeEnd(r: Rand): string {
  const k = r.int(10);
  if (k < 3) return "+";
  if (k < 4) return `(${someId(r)}`;
  return someId(r);
}

function fieldValues(r: Rand): string[] {
  const out: string[] = [];
  for (let i = r.range(1, 3); i > 0; i--) out.push(r.pick(["f", "g", "h", "name"]), r.value());
  if (r.chance(0.03)) out.pop();
  return out;
}

function countArg(r: Rand): string {
  const k = r.int(10);
  if (k < 8) return String(r.range(0, 5));
  return r.pick(["-1", "x", "100"]);
}

function trimArgs(r: Rand): string[] {
  const out: string[] = [];
  const strategy = r.chance(0.6) ? "MAXLEN" : "MINID";
  out.push(strategy);
  const approx = r.pick(["", "=", "~", "~"]);
  if (approx !== "") out.push(approx);
  out.push(strategy === "MAXLEN" ? String(r.range(0, 20)) : someId(r));
  if (approx === "~" && r.chance(0.3)) out.push("LIMIT", String(r.range(0, 30)));
  if (r.chance(0.03)) out.push("LIMIT", "5");
  return out;
}

export const streamGenerator: RandomGenerator = (r: Rand): RandomCommand => {
  tick++;
  const key = r.key();
  const k = r.int(100);
  if (k < 30) {
    const argv = ["XADD", key];
    if (r.chance(0.1)) argv.push("NOMKSTREAM");
    if (r.chance(0.2)) argv.push(...trimArgs(r));
    argv.push(newId(r), ...fieldValues(r));
    return { argv };
  }
  if (k < 38) {
    const argv = [r.chance(0.7) ? "XRANGE" : "XREVRANGE", key];
    if (argv[0] === "XRANGE") argv.push(rangeStart(r), rangeEnd(r));
    else argv.push(rangeEnd(r), rangeStart(r));
    if (r.chance(0.4)) argv.push("COUNT", countArg(r));
    return { argv };
  }
  if (k < 41) return { argv: ["XLEN", key] };
  if (k < 45) {
    const argv = ["XDEL", key];
    for (let i = r.range(1, 3); i > 0; i--) argv.push(someId(r));
    return { argv };
  }
  if (k < 49) return { argv: ["XTRIM", key, ...trimArgs(r)] };
  if (k < 51) {
    const argv = ["XSETID", key, someId(r)];
    if (r.chance(0.3)) argv.push("ENTRIESADDED", String(r.range(-1, 40)));
    if (r.chance(0.3)) argv.push("MAXDELETEDID", someId(r));
    return { argv };
  }
  if (k < 57) {
    const sub = r.int(10);
    if (sub < 4) {
      const argv = ["XGROUP", "CREATE", key, group(r), r.pick(["$", "0", someId(r)])];
      if (r.chance(0.4)) argv.push("MKSTREAM");
      if (r.chance(0.2)) argv.push("ENTRIESREAD", String(r.range(-2, 10)));
      return { argv };
    }
    if (sub < 6) {
      const argv = ["XGROUP", "SETID", key, group(r), r.pick(["$", "0", someId(r)])];
      if (r.chance(0.2)) argv.push("ENTRIESREAD", String(r.range(-2, 10)));
      return { argv };
    }
    if (sub < 7) return { argv: ["XGROUP", "DESTROY", key, group(r)] };
    if (sub < 8) return { argv: ["XGROUP", "CREATECONSUMER", key, group(r), consumer(r)] };
    return { argv: ["XGROUP", "DELCONSUMER", key, group(r), consumer(r)] };
  }
  if (k < 68) {
    const argv = ["XREADGROUP", "GROUP", group(r), consumer(r)];
    if (r.chance(0.5)) argv.push("COUNT", countArg(r));
    if (r.chance(0.15)) argv.push("NOACK");
    argv.push("STREAMS", key);
    argv.push(r.chance(0.7) ? ">" : someId(r));
    return { argv };
  }
  if (k < 73) {
    const argv = ["XACK", key, group(r)];
    for (let i = r.range(1, 3); i > 0; i--) argv.push(someId(r));
    return { argv };
  }
  if (k < 79) {
    if (r.chance(0.5)) return { argv: ["XPENDING", key, group(r)] };
    const argv = ["XPENDING", key, group(r), rangeStart(r), rangeEnd(r), countArg(r)];
    if (r.chance(0.4)) argv.push(consumer(r));
    return { argv, check: "shape" };
  }
  if (k < 84) {
    const argv = ["XCLAIM", key, group(r), consumer(r), r.pick(["0", "0", "99999999", "x"])];
    for (let i = r.range(1, 3); i > 0; i--) argv.push(someId(r));
    if (r.chance(0.2)) argv.push("RETRYCOUNT", String(r.range(0, 5)));
    if (r.chance(0.2)) argv.push("FORCE");
    if (r.chance(0.3)) argv.push("JUSTID");
    if (r.chance(0.1)) argv.push("LASTID", someId(r));
    return { argv };
  }
  if (k < 88) {
    const argv = ["XAUTOCLAIM", key, group(r), consumer(r), r.pick(["0", "0", "99999999"]), rangeStart(r)];
    if (r.chance(0.5)) argv.push("COUNT", r.pick(["1", "2", "10", "0"]));
    if (r.chance(0.3)) argv.push("JUSTID");
    return { argv };
  }
  if (k < 92) {
    const sub = r.int(4);
    if (sub === 0) return { argv: ["XINFO", "GROUPS", key] };
    if (sub === 1) return { argv: ["XINFO", "CONSUMERS", key, group(r)], check: "shape" };
    if (sub === 2) return { argv: ["XINFO", "STREAM", key] };
    return { argv: ["XINFO", "STREAM", key, "FULL", "COUNT", countArg(r)], check: "shape" };
  }
  // XREAD without BLOCK, one or two streams
  const argv = ["XREAD"];
  if (r.chance(0.5)) argv.push("COUNT", countArg(r));
  if (r.chance(0.5)) {
    const other = r.key();
    argv.push("STREAMS", key, other, someId(r), r.chance(0.3) ? "$" : someId(r));
  } else argv.push("STREAMS", key, r.chance(0.2) ? "$" : someId(r));
  return { argv };
};
