/*
 * SORT and SORT_RO (sort.c).
 *
 * The algorithm is one function over a source value and a key lookup, so that it runs the
 * same in a shard (all keys local: one shard, or no BY/GET pattern to resolve) and in the
 * coordinator's `sort` job (src/shards/jobs.ts), which holds every shard and fetches the
 * keys the patterns name from wherever they live. STORE writes a list (or deletes the
 * destination when the result is empty) and answers the count.
 */
import { NOTIFY_GENERIC, NOTIFY_LIST } from "../config/keyspace-events.js";
import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE } from "../resp/errors.js";
import { arrayHeader, bulk, error, nullBulk, type Proto } from "../resp/reply.js";
import type { Value } from "../shards/engine.js";
import { HashValue } from "../types/hash.js";
import { ListValue } from "../types/list.js";
import { SetValue } from "../types/set.js";
import { ZSetValue } from "../types/zset.js";
import { parseInteger } from "../util/numbers.js";
import { cmd, keySpec } from "./define.js";
import { valueToString } from "./string.js";
import type { CommandSpec, KeySpec, ShardCtx } from "./types.js";

const ERR_NOT_DOUBLE = error("ERR One or more scores can't be converted into double");

export interface SortOptions {
  desc: boolean;
  alpha: boolean;
  /** BY pattern; undefined: sort by the elements */
  by: string | undefined;
  /** BY a pattern without '*': keep the source's order */
  dontsort: boolean;
  limitStart: number;
  limitCount: number;
  get: string[];
  store: string | undefined;
}

/** sortCommandGeneric's option loop. */
export function parseSortOptions(argv: readonly string[], readonly: boolean): SortOptions | string {
  const o: SortOptions = {
    desc: false,
    alpha: false,
    by: undefined,
    dontsort: false,
    limitStart: 0,
    limitCount: -1,
    get: [],
    store: undefined,
  };
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    const left = argv.length - j - 1;
    if (opt === "asc") o.desc = false;
    else if (opt === "desc") o.desc = true;
    else if (opt === "alpha") o.alpha = true;
    else if (opt === "limit" && left >= 2) {
      const a = parseInteger(argv[j + 1]);
      const b = parseInteger(argv[j + 2]);
      if (a === undefined || b === undefined) return ERR_NOT_INTEGER;
      o.limitStart = clampLong(a);
      o.limitCount = clampLong(b);
      j += 2;
    } else if (opt === "store" && left >= 1 && !readonly) {
      o.store = argv[++j];
    } else if (opt === "by" && left >= 1) {
      o.by = argv[++j];
      // a pattern without '*' names one key for all elements: nothing to sort by
      if (!o.by.includes("*")) o.dontsort = true;
    } else if (opt === "get" && left >= 1) {
      o.get.push(argv[++j]);
    } else return ERR_SYNTAX;
  }
  return o;
}

function clampLong(n: number | bigint): number {
  return typeof n === "bigint" ? (n < 0n ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER) : n;
}

/** Whether resolving this SORT reads keys other than its own (BY/GET patterns). */
export function sortNeedsLookups(argv: readonly string[]): boolean {
  const o = parseSortOptions(argv, false);
  if (typeof o === "string") return false;
  return (o.by !== undefined && !o.dontsort) || o.get.some((g) => g !== "#");
}

/**
 * lookupKeyByPattern: `#` is the element itself; otherwise the first '*' is replaced by
 * the element, and `key->field` reads a hash field. A missing key, a wrong type or a
 * pattern without '*' gives undefined.
 */
function lookupByPattern(
  pattern: string,
  elem: string,
  lookup: (key: string) => Value | undefined,
): string | undefined {
  if (pattern === "#") return elem;
  const star = pattern.indexOf("*");
  if (star < 0) return undefined;
  const arrow = pattern.indexOf("->", star + 1);
  let keyPattern = pattern;
  let field: string | undefined;
  if (arrow >= 0 && arrow + 2 < pattern.length) {
    keyPattern = pattern.slice(0, arrow);
    field = pattern.slice(arrow + 2);
  }
  const key = keyPattern.slice(0, star) + elem + keyPattern.slice(star + 1);
  const v = lookup(key);
  if (v === undefined) return undefined;
  if (field !== undefined) return v instanceof HashValue ? v.get(field) : undefined;
  return typeof v === "object" ? undefined : valueToString(v);
}

/** strtod as sort.c uses it: leading spaces, no trailing junk, no NaN, no overflow. */
function parseSortScore(s: string): number | undefined {
  if (/^\s*[+-]?0[xX][0-9a-fA-F]+$/.test(s)) return Number.parseInt(s.trim(), 16);
  if (!/^\s*([+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf(inity)?))?$/i.test(s)) return undefined;
  const t = s.trim().toLowerCase();
  if (t === "") return 0;
  const v = t.endsWith("inf") || t.endsWith("infinity") ? (t.startsWith("-") ? -Infinity : Infinity) : Number(t);
  if (!Number.isFinite(v) && !t.includes("inf")) return undefined;
  return v;
}

/** Byte order of latin1 strings (compareStringObjects). */
function cmpBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The elements of the source in the order SORT reads them. */
function sourceElements(v: Value | undefined): string[] | string {
  if (v === undefined) return [];
  if (v instanceof ListValue) return v.slice(0, v.length - 1);
  if (v instanceof SetValue) return v.toArray();
  if (v instanceof ZSetValue) {
    const out: string[] = [];
    v.forEach((m) => {
      out.push(m);
    });
    return out;
  }
  return ERR_WRONGTYPE;
}

export interface SortResult {
  reply: string;
  /** with STORE: the list to store (empty: delete the destination) */
  stored?: string[];
}

/** SORT's body over a source value; `lookup` resolves BY/GET pattern keys. */
export function sortGeneric(
  o: SortOptions,
  source: Value | undefined,
  lookup: (key: string) => Value | undefined,
  proto: Proto,
): SortResult {
  if (source !== undefined && typeof source !== "object") return { reply: ERR_WRONGTYPE };
  if (
    source !== undefined &&
    !(source instanceof ListValue || source instanceof SetValue || source instanceof ZSetValue)
  )
    return { reply: ERR_WRONGTYPE };
  // a set has no order of its own: with STORE it is sorted alphabetically, so the
  // stored result does not depend on the hash order
  let { dontsort, alpha, by } = o;
  if (dontsort && source instanceof SetValue && o.store !== undefined) {
    dontsort = false;
    alpha = true;
    by = undefined;
  }
  const elems = sourceElements(source);
  if (typeof elems === "string") return { reply: elems };
  const n = elems.length;
  let start = o.limitStart < 0 ? 0 : o.limitStart;
  let end = o.limitCount < 0 ? n - 1 : start + o.limitCount - 1;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  if (end >= n) end = n - 1;

  let order = elems;
  // with nothing to sort by, DESC reads the source backwards
  if (dontsort && o.desc) order = elems.reverse();
  if (!dontsort) {
    const items = elems.map((e) => ({ e, score: 0, cmp: undefined as string | undefined }));
    for (const it of items) {
      let byval: string | undefined;
      if (by !== undefined) {
        byval = lookupByPattern(by, it.e, lookup);
        if (byval === undefined) continue;
      }
      if (alpha) {
        if (by !== undefined) it.cmp = byval;
      } else {
        const s = parseSortScore(by !== undefined ? (byval as string) : it.e);
        if (s === undefined) return { reply: ERR_NOT_DOUBLE };
        it.score = s;
      }
    }
    const sign = o.desc ? -1 : 1;
    items.sort((a, b) => {
      let c: number;
      if (!alpha) c = a.score > b.score ? 1 : a.score < b.score ? -1 : cmpBytes(a.e, b.e);
      else if (by !== undefined) {
        if (a.cmp === undefined || b.cmp === undefined) c = a.cmp === b.cmp ? 0 : a.cmp === undefined ? -1 : 1;
        else c = cmpBytes(a.cmp, b.cmp);
      } else c = cmpBytes(a.e, b.e);
      return sign * c;
    });
    order = items.map((it) => it.e);
  }

  const out: (string | undefined)[] = [];
  for (let i = start; i <= end; i++) {
    const e = order[i];
    if (o.get.length === 0) out.push(e);
    else for (const g of o.get) out.push(lookupByPattern(g, e, lookup));
  }
  if (o.store !== undefined) {
    const stored = out.map((x) => x ?? "");
    return { reply: `:${stored.length}\r\n`, stored };
  }
  let reply = arrayHeader(out.length);
  for (const x of out) reply += x === undefined ? nullBulk(proto) : bulk(x);
  return { reply };
}

/** Stores SORT's result in the shard that owns the destination. */
export function storeSorted(ctx: ShardCtx, key: string, stored: string[]): void {
  const { engine, db } = ctx;
  if (stored.length === 0) {
    if (engine.lookupWrite(db, key) !== undefined) {
      engine.deleteKey(db, key);
      engine.notify(NOTIFY_GENERIC, "del", key, ctx.dbIndex);
    }
    return;
  }
  const l = ListValue.from(stored);
  l.setFill(engine.settings["list-max-listpack-size"]);
  engine.setKey(db, key, l);
  engine.notify(NOTIFY_LIST, "sortstore", key, ctx.dbIndex);
}

function sortCommand(ctx: ShardCtx, argv: string[], readonly: boolean): string {
  const o = parseSortOptions(argv, readonly);
  if (typeof o === "string") return o;
  const { engine, db } = ctx;
  const source = engine.lookupRead(db, argv[1]);
  const r = sortGeneric(o, source, (k) => engine.lookupRead(db, k), ctx.proto);
  if (r.stored !== undefined && o.store !== undefined) storeSorted(ctx, o.store, r.stored);
  return r.reply;
}

/** SORT's keys: the sorted key, and the STORE destination when there is one. */
function sortKeys(argv: string[]): number[] {
  const keys = [1];
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    if (opt === "limit") j += 2;
    else if (opt === "by" || opt === "get") j++;
    else if (opt === "store" && j + 1 < argv.length) {
      keys.push(j + 1);
      j++;
    }
  }
  return keys;
}

const UNKNOWN_KEYS: KeySpec = {
  notes:
    "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
  flags: ["RO", "access"],
  beginSearch: { unknown: true },
  findKeys: { unknown: true },
};

export const sortCommands: CommandSpec[] = [
  cmd(
    "sort",
    -2,
    ["write", "denyoom", "movablekeys"],
    { first: 1, last: 1, step: 1 },
    "generic",
    "1.0.0",
    "Sorts the elements in a list, a set, or a sorted set, optionally storing the result.",
    "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
    {
      shard: (ctx, argv) => sortCommand(ctx, argv, false),
      getKeys: sortKeys,
      cross: "sort",
      crossAll: sortNeedsLookups,
      acl: ["-keyspace", "write", "set", "sortedset", "list", "dangerous"],
      keySpecs: [
        keySpec(["RO", "access"], 1),
        UNKNOWN_KEYS,
        {
          notes:
            "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array",
          flags: ["OW", "update"],
          beginSearch: { unknown: true },
          findKeys: { unknown: true },
        },
      ],
    },
  ),
  cmd(
    "sort_ro",
    -2,
    ["readonly", "movablekeys"],
    { first: 1, last: 1, step: 1 },
    "generic",
    "7.0.0",
    "Returns the sorted elements of a list, a set, or a sorted set.",
    "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
    {
      shard: (ctx, argv) => sortCommand(ctx, argv, true),
      getKeys: () => [1],
      cross: "sort",
      crossAll: sortNeedsLookups,
      acl: ["-keyspace", "set", "sortedset", "list", "dangerous"],
      keySpecs: [keySpec(["RO", "access"], 1), UNKNOWN_KEYS],
    },
  ),
];
