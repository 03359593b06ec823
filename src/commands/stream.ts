/*
 * Stream commands (t_stream.c): XADD XRANGE XREVRANGE XLEN XDEL XTRIM XSETID, consumer
 * groups (XGROUP XREADGROUP XACK XPENDING XCLAIM XAUTOCLAIM), XINFO and XREAD.
 *
 * XREAD/XREADGROUP with BLOCK are "one attempt" handlers: when Redis would block they
 * answer WOULD_BLOCK (with `$` resolved to the stream's last id, so that a retry does not
 * miss what arrived in between); the main thread parks the client and retries.
 */
import { NOTIFY_STREAM } from "../config/keyspace-events.js";
import { ERR_NO_SUCH_KEY, ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE } from "../resp/errors.js";
import { arrayHeader, bulk, error, mapHeader, nullArray, nullBulk, OK, type Proto } from "../resp/reply.js";
import type { Value } from "../shards/engine.js";
import {
  cmpId,
  decrId,
  idKey,
  idString,
  incrId,
  isZeroId,
  keyId,
  SortedPel,
  type StreamConsumer,
  StreamGroup,
  type StreamId,
  type StreamNack,
  StreamValue,
  TRIM_MAXLEN,
  TRIM_MINID,
  TRIM_NONE,
  type TrimArgs,
} from "../types/stream.js";
import { INT64_MAX, parseInteger } from "../util/numbers.js";
import { cString } from "../util/sds.js";
import { cmd, container, keySpec, mainCmd } from "./define.js";
import type { CommandSpec, KeySpec, ShardCtx } from "./types.js";
import { WOULD_BLOCK, wouldBlockWith } from "./types.js";

const ERR_INVALID_ID = error("ERR Invalid stream ID specified as stream command argument");
const ERR_XADD_SMALL = error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
const ERR_XADD_ZERO = error("ERR The ID specified in XADD must be greater than 0-0");
const ERR_EXHAUSTED = error("ERR The stream has exhausted the last possible ID, unable to add more items");
const ERR_START = error("ERR invalid start ID for the interval");
const ERR_END = error("ERR invalid end ID for the interval");
const NULL_ID: StreamId = { ms: 0n, seq: 0n };
// not imported: this module may be evaluated before ../types/stream.js (import cycle via the table)
const UINT64_MAX = 0xffffffffffffffffn;

// ---------------------------------------------------------------- parsing

/** string2ull: string2ll for non-negatives, else strtoull(s, 10) over the whole string. */
function string2ull(s: string): bigint | undefined {
  const v = parseInteger(s);
  if (v !== undefined) return v < 0 ? undefined : BigInt(v);
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) i++;
    else break;
  }
  let neg = false;
  if (i < n && (s[i] === "+" || s[i] === "-")) {
    neg = s[i] === "-";
    i++;
  }
  const start = i;
  while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === start || i !== n) return undefined;
  let r = BigInt(s.slice(start, n));
  if (r > UINT64_MAX) return undefined;
  if (neg) r = (0x10000000000000000n - r) & UINT64_MAX;
  return r;
}

interface ParsedId extends StreamId {
  seqGiven: boolean;
}

/** streamGenericParseIDOrReply: undefined when invalid. */
function parseId(arg: string, missingSeq: bigint, strict: boolean, allowStar = false): ParsedId | undefined {
  if (arg.length > 127) return undefined;
  const buf = cString(arg);
  if (strict && (buf === "-" || buf === "+")) return undefined;
  if (buf === "-") return { ms: 0n, seq: 0n, seqGiven: true };
  if (buf === "+") return { ms: UINT64_MAX, seq: UINT64_MAX, seqGiven: true };
  const dot = buf.indexOf("-");
  const ms = string2ull(dot === -1 ? buf : buf.slice(0, dot));
  if (ms === undefined) return undefined;
  let seq = missingSeq;
  let seqGiven = true;
  if (dot !== -1) {
    const rest = buf.slice(dot + 1);
    if (allowStar && rest === "*") {
      seq = 0n;
      seqGiven = false;
    } else {
      const s = string2ull(rest);
      if (s === undefined) return undefined;
      seq = s;
    }
  }
  return { ms, seq, seqGiven };
}

function strictId(arg: string): StreamId | undefined {
  return parseId(arg, 0n, true);
}

/** streamParseIntervalIDOrReply: `(id` excludes; returns the id and whether excluded. */
function intervalId(arg: string, missingSeq: bigint): [StreamId, boolean] | undefined {
  if (arg.length > 1 && arg[0] === "(") {
    const id = parseId(arg.slice(1), missingSeq, true);
    return id === undefined ? undefined : [id, true];
  }
  const id = parseId(arg, missingSeq, false);
  return id === undefined ? undefined : [id, false];
}

/** getLongLongFromObjectOrReply: a bigint in int64, or undefined. */
function parseLL(s: string): bigint | undefined {
  const v = parseInteger(s);
  return v === undefined ? undefined : BigInt(v);
}

function eq(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b;
}

// ---------------------------------------------------------------- lookups

function isStream(v: Value | undefined): v is StreamValue {
  return v instanceof StreamValue;
}

/** a stream for reading; `null` for a wrong type */
function readStream(ctx: ShardCtx, key: string): StreamValue | undefined | null {
  const v = ctx.engine.lookupRead(ctx.db, key);
  if (v === undefined) return undefined;
  return isStream(v) ? v : null;
}

function writeStream(ctx: ShardCtx, key: string): StreamValue | undefined | null {
  const v = ctx.engine.lookupWrite(ctx.db, key);
  if (v === undefined) return undefined;
  return isStream(v) ? v : null;
}

// ---------------------------------------------------------------- replies

function replyId(id: StreamId): string {
  return bulk(idString(id));
}

function replyFields(fv: string[]): string {
  let out = arrayHeader(fv.length);
  for (const s of fv) out += `$${s.length}\r\n${s}\r\n`;
  return out;
}

function replyEntry(id: StreamId, fv: string[]): string {
  return `*2\r\n${replyId(id)}${replyFields(fv)}`;
}

/** streamReplyWithRange without a group: the entries between start and end. */
function replyRange(s: StreamValue, start: StreamId, end: StreamId, count: number, rev: boolean): string {
  const parts: string[] = [];
  s.range(start, end, count, rev, (node, i) => {
    parts.push(replyEntry(node.id(i), node.fieldsOf(i)));
    return true;
  });
  return arrayHeader(parts.length) + parts.join("");
}

// ---------------------------------------------------------------- lag and counters

const INVALID_READ = -1;

/** streamRangeHasTombstones(s, start, +inf) */
function hasTombstonesFrom(s: StreamValue, start: StreamId): boolean {
  if (s.length === 0 || isZeroId(s.maxDeletedId)) return false;
  if (cmpId(s.firstId(), s.maxDeletedId) > 0) return false;
  return cmpId(start, s.maxDeletedId) <= 0;
}

/** streamEstimateDistanceFromFirstEverEntry */
function estimateDistance(s: StreamValue, id: StreamId): number {
  if (!s.entriesAdded) return 0;
  if (!s.length && cmpId(id, s.lastId) < 1) return s.entriesAdded;
  const cmpLast = cmpId(id, s.lastId);
  if (cmpLast === 0) return s.entriesAdded;
  if (cmpLast > 0) return INVALID_READ;
  const first = s.firstId();
  const cmpFirst = cmpId(id, first);
  if (isZeroId(s.maxDeletedId) || cmpId(s.maxDeletedId, first) < 0) {
    if (cmpFirst < 0) return s.entriesAdded - s.length;
    if (cmpFirst === 0) return s.entriesAdded - s.length + 1;
  }
  return INVALID_READ;
}

function replyLag(s: StreamValue, g: StreamGroup, proto: Proto): string {
  if (!s.entriesAdded) return ":0\r\n";
  if (g.entriesRead !== INVALID_READ && !hasTombstonesFrom(s, g.lastId))
    return `:${s.entriesAdded - g.entriesRead}\r\n`;
  const read = estimateDistance(s, g.lastId);
  if (read !== INVALID_READ) return `:${s.entriesAdded - read}\r\n`;
  return nullBulk(proto);
}

// ---------------------------------------------------------------- XADD / XTRIM

interface AddTrimArgs extends TrimArgs {
  id: StreamId | undefined;
  seqGiven: boolean;
  noMkstream: boolean;
}

/** streamParseAddOrTrimArgsOrReply: the index of the id (XADD), or an error reply. */
function parseAddTrim(ctx: ShardCtx, argv: string[], xadd: boolean): [AddTrimArgs, number] | string {
  const a: AddTrimArgs = {
    strategy: TRIM_NONE,
    maxlen: 0,
    minid: { ms: 0n, seq: 0n },
    approx: false,
    limit: -1,
    id: undefined,
    seqGiven: true,
    noMkstream: false,
  };
  let limitGiven = false;
  let limit = 0n;
  const argc = argv.length;
  let i = 2;
  for (; i < argc; i++) {
    const moreargs = argc - 1 - i;
    const opt = argv[i];
    if (xadd && opt === "*") break;
    const maxlen = eq(opt, "maxlen");
    if ((maxlen || eq(opt, "minid")) && moreargs) {
      if (a.strategy !== TRIM_NONE)
        return error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
      a.approx = false;
      const next = argv[i + 1];
      if (moreargs >= 2 && next === "~") {
        a.approx = true;
        i++;
      } else if (moreargs >= 2 && next === "=") i++;
      if (maxlen) {
        const v = parseLL(argv[i + 1]);
        if (v === undefined) return ERR_NOT_INTEGER;
        if (v < 0n) return error("ERR The MAXLEN argument must be >= 0.");
        a.maxlen = Number(v);
        a.strategy = TRIM_MAXLEN;
      } else {
        const id = strictId(argv[i + 1]);
        if (id === undefined) return ERR_INVALID_ID;
        a.minid = id;
        a.strategy = TRIM_MINID;
      }
      i++;
    } else if (eq(opt, "limit") && moreargs) {
      const v = parseLL(argv[i + 1]);
      if (v === undefined) return ERR_NOT_INTEGER;
      if (v < 0n) return error("ERR The LIMIT argument must be >= 0.");
      limit = v;
      limitGiven = true;
      i++;
    } else if (xadd && eq(opt, "nomkstream")) {
      a.noMkstream = true;
    } else if (xadd) {
      const id = parseId(opt, 0n, true, true);
      if (id === undefined) return ERR_INVALID_ID;
      a.id = { ms: id.ms, seq: id.seq };
      a.seqGiven = id.seqGiven;
      break;
    } else return ERR_SYNTAX;
  }
  if (limit !== 0n && a.strategy === TRIM_NONE)
    return error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
  if (!xadd && a.strategy === TRIM_NONE)
    return error("ERR syntax error, XTRIM must be called with a trimming strategy");
  if (limitGiven) {
    if (!a.approx) return error("ERR syntax error, LIMIT cannot be used without the special ~ option");
    a.limit = limit > 1000000000000n ? 1e12 : Number(limit);
  } else if (a.approx) {
    let l = 100 * ctx.engine.settings["stream-node-max-entries"];
    if (l <= 0 || l > 10000) l = 10000;
    a.limit = l;
  } else a.limit = 0;
  return [a, i];
}

/* XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...] */
function xaddCommand(ctx: ShardCtx, argv: string[]): string {
  const p = parseAddTrim(ctx, argv, true);
  if (typeof p === "string") return p;
  const [a, idpos] = p;
  const fieldPos = idpos + 1;
  if (argv.length - fieldPos < 2 || (argv.length - fieldPos) % 2 === 1)
    return error("ERR wrong number of arguments for 'xadd' command");
  if (a.id !== undefined && a.seqGiven && isZeroId(a.id)) return ERR_XADD_ZERO;
  let s = writeStream(ctx, argv[1]);
  if (s === null) return ERR_WRONGTYPE;
  let created = false;
  if (s === undefined) {
    if (a.noMkstream) return nullBulk(ctx.proto);
    s = new StreamValue();
    ctx.engine.setKey(ctx.db, argv[1], s);
    created = true;
  }
  if (s.lastId.ms === UINT64_MAX && s.lastId.seq === UINT64_MAX) return ERR_EXHAUSTED;
  let id: StreamId;
  if (a.id !== undefined) {
    if (a.seqGiven) id = a.id;
    else if (s.lastId.ms === a.id.ms) {
      if (s.lastId.seq === UINT64_MAX) return error("ERR Elements are too large to be stored");
      id = { ms: s.lastId.ms, seq: s.lastId.seq + 1n };
    } else id = a.id;
  } else {
    const now = BigInt(ctx.now);
    if (now > s.lastId.ms) id = { ms: now, seq: 0n };
    else {
      id = { ms: s.lastId.ms, seq: s.lastId.seq };
      incrId(id);
    }
  }
  if (cmpId(id, s.lastId) <= 0) return ERR_XADD_SMALL;
  s.append(id, argv.slice(fieldPos), ctx.engine.settings);
  if (!created) ctx.engine.dirty++; // setKey counted the creation
  ctx.engine.notify(NOTIFY_STREAM, "xadd", argv[1], ctx.dbIndex);
  if (a.strategy !== TRIM_NONE && s.trim(a)) ctx.engine.notify(NOTIFY_STREAM, "xtrim", argv[1], ctx.dbIndex);
  return replyId(id);
}

/* XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] */
function xtrimCommand(ctx: ShardCtx, argv: string[]): string {
  const p = parseAddTrim(ctx, argv, false);
  if (typeof p === "string") return p;
  const s = writeStream(ctx, argv[1]);
  if (s === undefined) return ":0\r\n";
  if (s === null) return ERR_WRONGTYPE;
  const n = s.trim(p[0]);
  if (n) {
    ctx.engine.notify(NOTIFY_STREAM, "xtrim", argv[1], ctx.dbIndex);
    ctx.engine.dirty += n;
  }
  return `:${n}\r\n`;
}

// ---------------------------------------------------------------- XRANGE / XREVRANGE / XLEN

function xrangeGeneric(ctx: ShardCtx, argv: string[], rev: boolean): string {
  const startArg = rev ? argv[3] : argv[2];
  const endArg = rev ? argv[2] : argv[3];
  const st = intervalId(startArg, 0n);
  if (st === undefined) return ERR_INVALID_ID;
  const start = st[0];
  if (st[1] && !incrId(start)) return ERR_START;
  const en = intervalId(endArg, UINT64_MAX);
  if (en === undefined) return ERR_INVALID_ID;
  const end = en[0];
  if (en[1] && !decrId(end)) return ERR_END;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (eq(argv[j], "count") && argv.length - j - 1 >= 1) {
      const v = parseLL(argv[j + 1]);
      if (v === undefined) return ERR_NOT_INTEGER;
      count = v < 0n ? 0 : v > 1000000000000n ? 1e12 : Number(v);
      j++;
    } else return ERR_SYNTAX;
  }
  const s = readStream(ctx, argv[1]);
  if (s === undefined) return "*0\r\n";
  if (s === null) return ERR_WRONGTYPE;
  if (count === 0) return nullArray(ctx.proto);
  return replyRange(s, start, end, count === -1 ? 0 : count, rev);
}

function xlenCommand(ctx: ShardCtx, argv: string[]): string {
  const s = readStream(ctx, argv[1]);
  if (s === undefined) return ":0\r\n";
  if (s === null) return ERR_WRONGTYPE;
  return `:${s.length}\r\n`;
}

// ---------------------------------------------------------------- XDEL / XSETID

function xdelCommand(ctx: ShardCtx, argv: string[]): string {
  const s = writeStream(ctx, argv[1]);
  if (s === undefined) return ":0\r\n";
  if (s === null) return ERR_WRONGTYPE;
  const ids: StreamId[] = [];
  for (let j = 2; j < argv.length; j++) {
    const id = strictId(argv[j]);
    if (id === undefined) return ERR_INVALID_ID;
    ids.push(id);
  }
  let deleted = 0;
  for (const id of ids) {
    if (s.delete(id)) {
      if (cmpId(id, s.maxDeletedId) > 0) s.maxDeletedId = { ms: id.ms, seq: id.seq };
      deleted++;
    }
  }
  if (deleted) {
    ctx.engine.notify(NOTIFY_STREAM, "xdel", argv[1], ctx.dbIndex);
    ctx.engine.dirty += deleted;
  }
  return `:${deleted}\r\n`;
}

/* XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
function xsetidCommand(ctx: ShardCtx, argv: string[]): string {
  const id = strictId(argv[2]);
  if (id === undefined) return ERR_INVALID_ID;
  let entriesAdded = -1n;
  let maxXdel: StreamId = { ms: 0n, seq: 0n };
  let i = 3;
  while (i < argv.length) {
    const moreargs = argv.length - 1 - i;
    const opt = argv[i];
    if (eq(opt, "entriesadded") && moreargs) {
      const v = parseLL(argv[i + 1]);
      if (v === undefined) return ERR_NOT_INTEGER;
      if (v < 0n) return error("ERR entries_added must be positive");
      entriesAdded = v;
      i += 2;
    } else if (eq(opt, "maxdeletedid") && moreargs) {
      const m = strictId(argv[i + 1]);
      if (m === undefined) return ERR_INVALID_ID;
      if (cmpId(id, m) < 0)
        return error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      maxXdel = m;
      i += 2;
    } else return ERR_SYNTAX;
  }
  const s = writeStream(ctx, argv[1]);
  if (s === undefined) return ERR_NO_SUCH_KEY;
  if (s === null) return ERR_WRONGTYPE;
  if (s.length > 0) {
    if (cmpId(id, s.lastValidId()) < 0)
      return error("ERR The ID specified in XSETID is smaller than the target stream top item");
    if (entriesAdded !== -1n && BigInt(s.length) > entriesAdded)
      return error("ERR The entries_added specified in XSETID is smaller than the target stream length");
  }
  s.lastId = id;
  if (entriesAdded !== -1n) s.entriesAdded = Number(entriesAdded);
  if (!isZeroId(maxXdel)) s.maxDeletedId = maxXdel;
  ctx.engine.notify(NOTIFY_STREAM, "xsetid", argv[1], ctx.dbIndex);
  ctx.engine.dirty++;
  return OK;
}

// ---------------------------------------------------------------- consumer groups

function createConsumer(g: StreamGroup, name: string, now: number): StreamConsumer {
  const c: StreamConsumer = { name, seenTime: now, pel: new SortedPel() };
  g.consumers.set(name, c);
  return c;
}

/**
 * streamLookupConsumer with SLC_DEFAULT (refreshes seen-time), creating it if missing
 * (streamCreateConsumer, which raises "xgroup-createconsumer" on the stream's key).
 */
function lookupOrCreateConsumer(ctx: ShardCtx, key: string, g: StreamGroup, name: string): StreamConsumer {
  const c = g.consumers.get(name);
  if (c !== undefined) {
    c.seenTime = ctx.now;
    return c;
  }
  ctx.engine.notify(NOTIFY_STREAM, "xgroup-createconsumer", key, ctx.dbIndex);
  return createConsumer(g, name, ctx.now);
}

function errSubSyntax(argv: string[], cmdName: string): string {
  return error(
    `ERR unknown subcommand or wrong number of arguments for '${cString(argv[1]).slice(0, 128)}'. Try ${cmdName} HELP.`,
  );
}

function errNoGroupForKey(group: string, key: string): string {
  return error(`NOGROUP No such consumer group '${cString(group)}' for key name '${cString(key)}'`);
}

/* XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER ... */
function xgroupCommand(ctx: ShardCtx, argv: string[]): string {
  const opt = argv[1].toLowerCase();
  let mkstream = false;
  let entriesRead = -1n;
  let s: StreamValue | undefined;
  let g: StreamGroup | undefined;
  if (argv.length >= 4) {
    if (opt === "create") {
      let i = 5;
      while (i < argv.length) {
        if (eq(argv[i], "mkstream")) {
          mkstream = true;
          i++;
        } else if (eq(argv[i], "entriesread") && i + 1 < argv.length) {
          const v = parseLL(argv[i + 1]);
          if (v === undefined) return ERR_NOT_INTEGER;
          if (v < 0n && v !== -1n) return error("ERR value for ENTRIESREAD must be positive or -1");
          entriesRead = v;
          i += 2;
        } else return errSubSyntax(argv, "XGROUP");
      }
    }
    if (opt === "setid") {
      if (argv.length === 7) {
        if (eq(argv[5], "entriesread")) {
          const v = parseLL(argv[6]);
          if (v === undefined) return ERR_NOT_INTEGER;
          if (v < 0n && v !== -1n) return error("ERR value for ENTRIESREAD must be positive or -1");
          entriesRead = v;
        } else return errSubSyntax(argv, "XGROUP");
      } else if (argv.length !== 5) return errSubSyntax(argv, "XGROUP");
    }
    const o = ctx.engine.lookupWrite(ctx.db, argv[2]);
    if (o !== undefined) {
      if (!isStream(o)) return ERR_WRONGTYPE;
      s = o;
    }
    if (!mkstream) {
      if (s === undefined)
        return error(
          "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
        );
      g = s.groups.get(argv[3]);
      if (g === undefined && (opt === "setid" || opt === "createconsumer" || opt === "delconsumer"))
        return errNoGroupForKey(argv[3], argv[2]);
    }
  }
  const argc = argv.length;
  if (opt === "create" && argc >= 5 && argc <= 8) {
    let id: StreamId;
    if (argv[4] === "$") id = s !== undefined ? { ...s.lastId } : { ms: 0n, seq: 0n };
    else {
      const p = strictId(argv[4]);
      if (p === undefined) return ERR_INVALID_ID;
      id = p;
    }
    let created = false;
    if (s === undefined) {
      s = new StreamValue();
      ctx.engine.setKey(ctx.db, argv[2], s);
      created = true;
    }
    if (s.groups.has(argv[3])) return error("BUSYGROUP Consumer Group name already exists");
    s.groups.set(argv[3], new StreamGroup(id, Number(entriesRead)));
    if (!created) ctx.engine.dirty++;
    ctx.engine.notify(NOTIFY_STREAM, "xgroup-create", argv[2], ctx.dbIndex);
    return OK;
  }
  if (opt === "setid" && (argc === 5 || argc === 7)) {
    let id: StreamId;
    const st = s as StreamValue;
    if (argv[4] === "$") id = { ...st.lastId };
    else {
      const p = parseId(argv[4], 0n, false);
      if (p === undefined) return ERR_INVALID_ID;
      id = { ms: p.ms, seq: p.seq };
    }
    const grp = g as StreamGroup;
    grp.lastId = id;
    grp.entriesRead = Number(entriesRead);
    ctx.engine.dirty++;
    ctx.engine.notify(NOTIFY_STREAM, "xgroup-setid", argv[2], ctx.dbIndex);
    return OK;
  }
  if (opt === "destroy" && argc === 4) {
    if (g !== undefined) {
      (s as StreamValue).groups.delete(argv[3]);
      ctx.engine.dirty++;
      ctx.engine.notify(NOTIFY_STREAM, "xgroup-destroy", argv[2], ctx.dbIndex);
      return ":1\r\n";
    }
    return ":0\r\n";
  }
  if (opt === "createconsumer" && argc === 5) {
    const grp = g as StreamGroup;
    if (grp.consumers.has(argv[4])) return ":0\r\n";
    createConsumer(grp, argv[4], ctx.now);
    ctx.engine.dirty++;
    ctx.engine.notify(NOTIFY_STREAM, "xgroup-createconsumer", argv[2], ctx.dbIndex);
    return ":1\r\n";
  }
  if (opt === "delconsumer" && argc === 5) {
    const grp = g as StreamGroup;
    const c = grp.consumers.get(argv[4]);
    let pending = 0;
    if (c !== undefined) {
      pending = c.pel.size;
      for (const k of c.pel.all()) grp.pel.delete(k);
      grp.consumers.delete(argv[4]);
      ctx.engine.dirty++;
      ctx.engine.notify(NOTIFY_STREAM, "xgroup-delconsumer", argv[2], ctx.dbIndex);
    }
    return `:${pending}\r\n`;
  }
  return errSubSyntax(argv, "XGROUP");
}

const XGROUP_HELP = [
  "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CREATE <key> <groupname> <id|$> [option]",
  "    Create a new consumer group. Options are:",
  "    * MKSTREAM",
  "      Create the empty stream if it does not exist.",
  "    * ENTRIESREAD entries_read",
  "      Set the group's entries_read counter (internal use).",
  "CREATECONSUMER <key> <groupname> <consumer>",
  "    Create a new consumer in the specified group.",
  "DELCONSUMER <key> <groupname> <consumer>",
  "    Remove the specified consumer.",
  "DESTROY <key> <groupname>",
  "    Remove the specified group.",
  "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
  "    Set the current group ID and entries_read counter.",
  "HELP",
  "    Prints this help.",
];

const XINFO_HELP = [
  "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CONSUMERS <key> <groupname>",
  "    Show consumers of <groupname>.",
  "GROUPS <key>",
  "    Show the stream consumer groups.",
  "STREAM <key> [FULL [COUNT <count>]",
  "    Show information about the stream.",
  "HELP",
  "    Prints this help.",
];

function helpReply(lines: string[]): string {
  let out = arrayHeader(lines.length);
  for (const l of lines) out += `+${l}\r\n`;
  return out;
}

// ---------------------------------------------------------------- XREAD / XREADGROUP

interface XreadOpts {
  timeout: number;
  count: number;
  streamsArg: number;
  streamsCount: number;
  noack: boolean;
  group: string | undefined;
  consumer: string | undefined;
}

/** The option part of xreadCommand (no data needed): the options or an error reply. */
function parseXread(argv: string[]): XreadOpts | string {
  const xreadgroup = argv[0].length === 10;
  const o: XreadOpts = {
    timeout: -1,
    count: 0,
    streamsArg: 0,
    streamsCount: 0,
    noack: false,
    group: undefined,
    consumer: undefined,
  };
  for (let i = 1; i < argv.length; i++) {
    const moreargs = argv.length - i - 1;
    const a = argv[i];
    if (eq(a, "block") && moreargs) {
      i++;
      const v = parseLL(argv[i]);
      if (v === undefined) return error("ERR timeout is not an integer or out of range");
      if (v < 0n) return error("ERR timeout is negative");
      o.timeout = Number(v);
    } else if (eq(a, "count") && moreargs) {
      i++;
      const v = parseLL(argv[i]);
      if (v === undefined) return ERR_NOT_INTEGER;
      o.count = v < 0n ? 0 : v > 1000000000000n ? 1e12 : Number(v);
    } else if (eq(a, "streams") && moreargs) {
      o.streamsArg = i + 1;
      const n = argv.length - o.streamsArg;
      if (n % 2 !== 0) {
        return error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
      }
      o.streamsCount = n / 2;
      break;
    } else if (eq(a, "group") && moreargs >= 2) {
      if (!xreadgroup) return error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
      o.group = argv[i + 1];
      o.consumer = argv[i + 2];
      i += 2;
    } else if (eq(a, "noack")) {
      if (!xreadgroup) return error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
      o.noack = true;
    } else return ERR_SYNTAX;
  }
  if (o.streamsArg === 0) return ERR_SYNTAX;
  if (xreadgroup && o.group === undefined) return error("ERR Missing GROUP option for XREADGROUP");
  return o;
}

/** xreadGetKeys: the keys after STREAMS (none when the arguments are malformed). */
function xreadKeys(argv: string[]): number[] {
  let pos = -1;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if (a === "block" || a === "count") i++;
    else if (a === "group") i += 2;
    else if (a === "noack") {
    } else if (a === "streams") {
      pos = i;
      break;
    } else break;
  }
  const num = argv.length - pos - 1;
  if (pos === -1 || num === 0 || num % 2 !== 0) return [];
  const out: number[] = [];
  for (let i = pos + 1; i < pos + 1 + num / 2; i++) out.push(i);
  return out;
}

/** For the main thread: the error of an XREAD whose keys cannot even be located. */
function xreadCheck(argv: string[]): string | undefined {
  if (xreadKeys(argv).length > 0) return undefined;
  const r = parseXread(argv);
  return typeof r === "string" ? r : ERR_SYNTAX;
}

const GREATEST: StreamId = { ms: UINT64_MAX, seq: UINT64_MAX };

/** Updates a group's last id and read counter as streamReplyWithRange does. */
function advanceGroup(s: StreamValue, g: StreamGroup, id: StreamId): void {
  if (cmpId(id, g.lastId) > 0) {
    if (g.entriesRead !== INVALID_READ && !hasTombstonesFrom(s, id)) g.entriesRead++;
    else if (s.entriesAdded) g.entriesRead = estimateDistance(s, id);
    g.lastId = { ms: id.ms, seq: id.seq };
  }
}

/** Serves new entries (`>`) to a consumer, creating/moving NACKs. */
function serveGroup(
  ctx: ShardCtx,
  s: StreamValue,
  g: StreamGroup,
  c: StreamConsumer,
  start: StreamId,
  count: number,
  noack: boolean,
): string {
  const parts: string[] = [];
  s.range(start, GREATEST, count, false, (node, i) => {
    const id = node.id(i);
    advanceGroup(s, g, id);
    parts.push(replyEntry(id, node.fieldsOf(i)));
    if (!noack) {
      const k = idKey(id);
      const existing = g.pel.get(k);
      if (existing === undefined) {
        const nack: StreamNack = { deliveryTime: ctx.now, deliveryCount: 1, consumer: c };
        g.pel.set(k, nack);
        c.pel.set(k, nack);
      } else {
        existing.consumer?.pel.delete(k);
        existing.consumer = c;
        existing.deliveryTime = ctx.now;
        existing.deliveryCount = 1;
        c.pel.set(k, existing);
      }
    }
    return true;
  });
  return arrayHeader(parts.length) + parts.join("");
}

/** streamReplyWithRangeFromConsumerPEL */
function serveHistory(ctx: ShardCtx, s: StreamValue, c: StreamConsumer, start: StreamId, count: number): string {
  let out = "";
  let n = 0;
  for (const k of c.pel.from(idKey(start))) {
    if (count && n >= count) break;
    const id = keyId(k);
    const fv = s.get(id);
    if (fv === undefined) out += `*2\r\n${replyId(id)}${nullArray(ctx.proto)}`;
    else {
      out += replyEntry(id, fv);
      const nack = c.pel.get(k) as StreamNack;
      nack.deliveryTime = ctx.now;
      nack.deliveryCount++;
    }
    n++;
  }
  return arrayHeader(n) + out;
}

/**
 * The name a parked XREADGROUP retries under (command lookup ignores case): its retries
 * answer Redis's unblocking errors when the stream or the group was deleted meanwhile.
 */
const RETRY_XREADGROUP = "xREADGROUP";
const ERR_UNBLOCKED_NOKEY = error("UNBLOCKED the stream key no longer exists");
const ERR_UNBLOCKED_NOGROUP = error("NOGROUP the consumer group this client was blocked on no longer exists");

function xreadCommand(ctx: ShardCtx, argv: string[]): string {
  const o = parseXread(argv);
  if (typeof o === "string") return o;
  const xreadgroup = o.group !== undefined;
  const ids: StreamId[] = [];
  const groups: StreamGroup[] = [];
  const rewrite = argv.slice();
  let rewritten = false;
  for (let i = o.streamsArg + o.streamsCount; i < argv.length; i++) {
    const idx = i - o.streamsArg - o.streamsCount;
    const key = argv[i - o.streamsCount];
    const v = ctx.engine.lookupRead(ctx.db, key);
    if (v !== undefined && !isStream(v)) return ERR_WRONGTYPE;
    const s = v as StreamValue | undefined;
    if (xreadgroup) {
      const g = s?.groups.get(o.group as string);
      // a retry of a blocked XREADGROUP (see RETRY_XREADGROUP): what Redis tells the
      // blocked client when its key or group went away
      if (g === undefined && argv[0] === RETRY_XREADGROUP)
        return s === undefined ? ERR_UNBLOCKED_NOKEY : ERR_UNBLOCKED_NOGROUP;
      if (g === undefined)
        return error(
          `NOGROUP No such key '${cString(key)}' or consumer group '${cString(o.group as string)}' in XREADGROUP with GROUP option`,
        );
      groups[idx] = g;
    }
    if (argv[i] === "$") {
      if (xreadgroup)
        return error(
          "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
        );
      ids[idx] = s !== undefined ? { ...s.lastId } : { ms: 0n, seq: 0n };
      rewrite[i] = idString(ids[idx]);
      rewritten = true;
      continue;
    }
    if (argv[i] === ">") {
      if (!xreadgroup)
        return error(
          "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
        );
      ids[idx] = { ...GREATEST };
      continue;
    }
    const id = strictId(argv[i]);
    if (id === undefined) return ERR_INVALID_ID;
    ids[idx] = id;
  }
  const parts: string[] = [];
  for (let i = 0; i < o.streamsCount; i++) {
    const key = argv[o.streamsArg + i];
    const v = ctx.engine.lookupRead(ctx.db, key);
    if (v === undefined) continue;
    const s = v as StreamValue;
    const gt = ids[i];
    let sync = false;
    let history = false;
    if (xreadgroup) {
      if (gt.ms !== UINT64_MAX || gt.seq !== UINT64_MAX) {
        sync = true;
        history = true;
      } else if (s.length) {
        const last = groups[i].lastId;
        if (cmpId(s.lastValidId(), last) > 0) {
          sync = true;
          gt.ms = last.ms;
          gt.seq = last.seq;
        }
      }
    } else if (s.length) {
      if (cmpId(s.lastValidId(), gt) > 0) sync = true;
    }
    if (!sync) continue;
    const start = { ...gt };
    incrId(start);
    let body: string;
    if (xreadgroup) {
      const g = groups[i];
      const c = lookupOrCreateConsumer(ctx, key, g, o.consumer as string);
      body = history ? serveHistory(ctx, s, c, start, o.count) : serveGroup(ctx, s, g, c, start, o.count, o.noack);
      ctx.engine.dirty++;
    } else body = replyRange(s, start, GREATEST, o.count, false);
    parts.push(ctx.proto === 2 ? `*2\r\n${bulk(key)}${body}` : `${bulk(key)}${body}`);
  }
  if (parts.length > 0) return (ctx.proto === 3 ? `%${parts.length}\r\n` : arrayHeader(parts.length)) + parts.join("");
  if (o.timeout !== -1) {
    if (xreadgroup) {
      rewrite[0] = RETRY_XREADGROUP;
      return wouldBlockWith(rewrite);
    }
    return rewritten ? wouldBlockWith(rewrite) : WOULD_BLOCK;
  }
  return nullArray(ctx.proto);
}

// ---------------------------------------------------------------- XACK / XPENDING

function xackCommand(ctx: ShardCtx, argv: string[]): string {
  const v = ctx.engine.lookupRead(ctx.db, argv[1]);
  let g: StreamGroup | undefined;
  if (v !== undefined) {
    if (!isStream(v)) return ERR_WRONGTYPE;
    g = v.groups.get(argv[2]);
  }
  if (g === undefined) return ":0\r\n";
  const keys: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const id = strictId(argv[j]);
    if (id === undefined) return ERR_INVALID_ID;
    keys.push(idKey(id));
  }
  let n = 0;
  for (const k of keys) {
    const nack = g.pel.get(k);
    if (nack !== undefined) {
      g.pel.delete(k);
      nack.consumer?.pel.delete(k);
      n++;
      ctx.engine.dirty++;
    }
  }
  return `:${n}\r\n`;
}

function xpendingCommand(ctx: ShardCtx, argv: string[]): string {
  const argc = argv.length;
  const justinfo = argc === 3;
  let start: StreamId = NULL_ID;
  let end: StreamId = NULL_ID;
  let count = 0;
  let minidle = 0;
  let consumerName: string | undefined;
  if (argc !== 3 && (argc < 6 || argc > 9)) return ERR_SYNTAX;
  if (argc >= 6) {
    let startidx = 3;
    if (eq(argv[3], "idle")) {
      const v = parseLL(argv[4]);
      if (v === undefined) return ERR_NOT_INTEGER;
      minidle = Number(v);
      if (argc < 8) return ERR_SYNTAX;
      startidx += 2;
    }
    const c = parseLL(argv[startidx + 2]);
    if (c === undefined) return ERR_NOT_INTEGER;
    count = c < 0n ? 0 : c > 1000000000000n ? 1e12 : Number(c);
    const st = intervalId(argv[startidx], 0n);
    if (st === undefined) return ERR_INVALID_ID;
    start = st[0];
    if (st[1] && !incrId(start)) return ERR_START;
    const en = intervalId(argv[startidx + 1], UINT64_MAX);
    if (en === undefined) return ERR_INVALID_ID;
    end = en[0];
    if (en[1] && !decrId(end)) return ERR_END;
    if (startidx + 3 < argc) consumerName = argv[startidx + 3];
  }
  const v = ctx.engine.lookupRead(ctx.db, argv[1]);
  if (v !== undefined && !isStream(v)) return ERR_WRONGTYPE;
  const g = v?.groups.get(argv[2]);
  if (g === undefined)
    return error(`NOGROUP No such key '${cString(argv[1])}' or consumer group '${cString(argv[2])}'`);
  if (justinfo) {
    const first = g.pel.first();
    const last = g.pel.last();
    if (first === undefined || last === undefined)
      return `*4\r\n:0\r\n${nullBulk(ctx.proto)}${nullBulk(ctx.proto)}${nullArray(ctx.proto)}`;
    let out = `*4\r\n:${g.pel.size}\r\n${replyId(keyId(first))}${replyId(keyId(last))}`;
    const cs = g.sortedConsumers().filter((c) => c.pel.size > 0);
    out += arrayHeader(cs.length);
    for (const c of cs) out += `*2\r\n${bulk(c.name)}${bulk(String(c.pel.size))}`;
    return out;
  }
  let pel = g.pel;
  if (consumerName !== undefined) {
    const c = g.consumers.get(consumerName);
    if (c === undefined) return "*0\r\n";
    pel = c.pel;
  }
  const endKey = idKey(end);
  let out = "";
  let n = 0;
  if (count) {
    for (const k of pel.from(idKey(start))) {
      if (k > endKey) break;
      const nack = pel.get(k) as StreamNack;
      if (minidle && ctx.now - nack.deliveryTime < minidle) continue;
      n++;
      let elapsed = ctx.now - nack.deliveryTime;
      if (elapsed < 0) elapsed = 0;
      out += `*4\r\n${replyId(keyId(k))}${bulk(nack.consumer?.name ?? "")}:${elapsed}\r\n:${nack.deliveryCount}\r\n`;
      if (--count === 0) break;
    }
  }
  return arrayHeader(n) + out;
}

// ---------------------------------------------------------------- XCLAIM / XAUTOCLAIM

function xclaimCommand(ctx: ShardCtx, argv: string[]): string {
  const v = ctx.engine.lookupRead(ctx.db, argv[1]);
  let g: StreamGroup | undefined;
  if (v !== undefined) {
    if (!isStream(v)) return ERR_WRONGTYPE;
    g = v.groups.get(argv[2]);
  }
  if (g === undefined || v === undefined)
    return error(`NOGROUP No such key '${cString(argv[1])}' or consumer group '${cString(argv[2])}'`);
  const s = v as StreamValue;
  const mi = parseLL(argv[4]);
  if (mi === undefined) return error("ERR Invalid min-idle-time argument for XCLAIM");
  const minidle = mi < 0n ? 0 : Number(mi);
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const id = strictId(argv[j]);
    if (id === undefined) break;
    ids.push(id);
  }
  const now = ctx.now;
  let force = false;
  let justid = false;
  let retrycount = -1;
  let deliverytime = -1;
  let lastId: StreamId = { ms: 0n, seq: 0n };
  for (; j < argv.length; j++) {
    const moreargs = argv.length - 1 - j;
    const opt = argv[j];
    if (eq(opt, "force")) force = true;
    else if (eq(opt, "justid")) justid = true;
    else if (eq(opt, "idle") && moreargs) {
      j++;
      const t = parseLL(argv[j]);
      if (t === undefined) return error("ERR Invalid IDLE option argument for XCLAIM");
      deliverytime = now - Number(t);
    } else if (eq(opt, "time") && moreargs) {
      j++;
      const t = parseLL(argv[j]);
      if (t === undefined) return error("ERR Invalid TIME option argument for XCLAIM");
      deliverytime = Number(t);
    } else if (eq(opt, "retrycount") && moreargs) {
      j++;
      const t = parseLL(argv[j]);
      if (t === undefined) return error("ERR Invalid RETRYCOUNT option argument for XCLAIM");
      retrycount = Number(t);
    } else if (eq(opt, "lastid") && moreargs) {
      j++;
      const id = strictId(argv[j]);
      if (id === undefined) return ERR_INVALID_ID;
      lastId = id;
    } else return error(`ERR Unrecognized XCLAIM option '${cString(opt)}'`);
  }
  if (cmpId(lastId, g.lastId) > 0) {
    g.lastId = lastId;
    ctx.engine.dirty++;
  }
  if (deliverytime !== -1) {
    if (deliverytime < 0 || deliverytime > now) deliverytime = now;
  } else deliverytime = now;
  let consumer: StreamConsumer | undefined;
  const parts: string[] = [];
  for (const id of ids) {
    const k = idKey(id);
    let nack = g.pel.get(k);
    const fv = s.get(id);
    if (fv === undefined) {
      if (nack !== undefined) {
        g.pel.delete(k);
        nack.consumer?.pel.delete(k);
        ctx.engine.dirty++;
      }
      continue;
    }
    if (force && nack === undefined) {
      nack = { deliveryTime: now, deliveryCount: 1, consumer: undefined };
      g.pel.set(k, nack);
    }
    if (nack === undefined) continue;
    if (nack.consumer !== undefined && minidle) {
      if (now - nack.deliveryTime < minidle) continue;
    }
    if (consumer === undefined) consumer = lookupOrCreateConsumer(ctx, argv[1], g, argv[3]);
    if (nack.consumer !== consumer) nack.consumer?.pel.delete(k);
    nack.deliveryTime = deliverytime;
    if (retrycount >= 0) nack.deliveryCount = retrycount;
    else if (!justid) nack.deliveryCount++;
    if (nack.consumer !== consumer) {
      consumer.pel.set(k, nack);
      nack.consumer = consumer;
    }
    parts.push(justid ? replyId(id) : replyEntry(id, fv));
    ctx.engine.dirty++;
  }
  return arrayHeader(parts.length) + parts.join("");
}

function xautoclaimCommand(ctx: ShardCtx, argv: string[]): string {
  const v = ctx.engine.lookupRead(ctx.db, argv[1]);
  const mi = parseLL(argv[4]);
  if (mi === undefined) return error("ERR Invalid min-idle-time argument for XAUTOCLAIM");
  const minidle = mi < 0n ? 0 : Number(mi);
  const st = intervalId(argv[5], 0n);
  if (st === undefined) return ERR_INVALID_ID;
  const start = st[0];
  if (st[1] && !incrId(start)) return ERR_START;
  let count = 100;
  let justid = false;
  let j = 6;
  while (j < argv.length) {
    const moreargs = argv.length - 1 - j;
    const opt = argv[j];
    if (eq(opt, "count") && moreargs) {
      const c = parseLL(argv[j + 1]);
      if (c === undefined || c < 1n || c > INT64_MAX / 16n) return error("ERR COUNT must be > 0");
      count = c > 1000000000000n ? 1e12 : Number(c);
      j++;
    } else if (eq(opt, "justid")) justid = true;
    else return ERR_SYNTAX;
    j++;
  }
  let g: StreamGroup | undefined;
  if (v !== undefined) {
    if (!isStream(v)) return ERR_WRONGTYPE;
    g = v.groups.get(argv[2]);
  }
  if (g === undefined || v === undefined)
    return error(`NOGROUP No such key '${cString(argv[1])}' or consumer group '${cString(argv[2])}'`);
  const s = v as StreamValue;
  let attempts = count * 10;
  const now = ctx.now;
  let consumer: StreamConsumer | undefined;
  const parts: string[] = [];
  const deletedIds: StreamId[] = [];
  const it = g.pel.from(idKey(start));
  let step: IteratorResult<string, undefined> | undefined;
  while (attempts-- && count && !(step = it.next()).done) {
    const k = step.value;
    const nack = g.pel.get(k) as StreamNack;
    const id = keyId(k);
    const fv = s.get(id);
    if (fv === undefined) {
      g.pel.delete(k);
      nack.consumer?.pel.delete(k);
      ctx.engine.dirty++;
      deletedIds.push(id);
      count--;
      continue;
    }
    if (minidle && now - nack.deliveryTime < minidle) continue;
    if (consumer === undefined) consumer = lookupOrCreateConsumer(ctx, argv[1], g, argv[3]);
    if (nack.consumer !== consumer) nack.consumer?.pel.delete(k);
    nack.deliveryTime = now;
    if (!justid) nack.deliveryCount++;
    if (nack.consumer !== consumer) {
      consumer.pel.set(k, nack);
      nack.consumer = consumer;
    }
    parts.push(justid ? replyId(id) : replyEntry(id, fv));
    count--;
    ctx.engine.dirty++;
  }
  // the cursor: what raxNext gives after the loop (0-0 at the end)
  const after = it.next();
  const next: StreamId = after.done ? { ms: 0n, seq: 0n } : keyId(after.value);
  let out = `*3\r\n${replyId(next)}${arrayHeader(parts.length)}${parts.join("")}`;
  out += arrayHeader(deletedIds.length);
  for (const id of deletedIds) out += replyId(id);
  return out;
}

// ---------------------------------------------------------------- XINFO

/**
 * The node count of Redis's radix tree of listpacks (XINFO's radix-tree-nodes), for the
 * tree that inserting the nodes' 16-byte keys builds: the head, a compressed node per
 * shared run, a branching node per fork and a leaf per key.
 */
function radixNodes(s: StreamValue): number {
  const keys = s.nodes.map((n) => idKey({ ms: n.masterMs, seq: n.masterSeq })).sort();
  if (keys.length === 0) return 1;
  const count = (lo: number, hi: number, d: number): number => {
    if (d === 16) return 1;
    if (hi - lo === 1) return 2;
    let l = 0;
    while (d + l < 16 && keys[lo][d + l] === keys[hi - 1][d + l]) l++;
    const p = d + l;
    let n = (l > 0 ? 1 : 0) + 1;
    for (let i = lo; i < hi; ) {
      const c = keys[i][p];
      let j = i;
      while (j < hi && keys[j][p] === c) j++;
      n += count(i, j, p + 1);
      i = j;
    }
    return n;
  };
  return count(0, keys.length, 0);
}

function xinfoStream(ctx: ShardCtx, argv: string[], s: StreamValue): string {
  const proto = ctx.proto;
  let full = false;
  let count = 10;
  if (argv.length > 3) {
    if (argv.length !== 4 && argv.length !== 6) return errSubSyntax(argv, "XINFO");
    if (!eq(argv[3], "full")) return errSubSyntax(argv, "XINFO");
    if (argv.length === 6) {
      if (!eq(argv[4], "count")) return errSubSyntax(argv, "XINFO");
      const c = parseLL(argv[5]);
      if (c === undefined) return ERR_NOT_INTEGER;
      count = c < 0n ? 10 : c > 1000000000000n ? 1e12 : Number(c);
    }
    full = true;
  }
  let out = mapHeader(full ? 9 : 10, proto);
  out += `${bulk("length")}:${s.length}\r\n`;
  out += `${bulk("radix-tree-keys")}:${s.nodes.length}\r\n`;
  out += `${bulk("radix-tree-nodes")}:${radixNodes(s)}\r\n`;
  out += `${bulk("last-generated-id")}${replyId(s.lastId)}`;
  out += `${bulk("max-deleted-entry-id")}${replyId(s.maxDeletedId)}`;
  out += `${bulk("entries-added")}:${s.entriesAdded}\r\n`;
  out += `${bulk("recorded-first-entry-id")}${replyId(s.firstId())}`;
  if (!full) {
    out += `${bulk("groups")}:${s.groups.size}\r\n`;
    let first = "";
    s.range(NULL_ID, GREATEST, 1, false, (node, i) => {
      first = replyEntry(node.id(i), node.fieldsOf(i));
      return false;
    });
    let last = "";
    s.range(NULL_ID, GREATEST, 1, true, (node, i) => {
      last = replyEntry(node.id(i), node.fieldsOf(i));
      return false;
    });
    out += `${bulk("first-entry")}${first || nullBulk(proto)}`;
    out += `${bulk("last-entry")}${last || nullBulk(proto)}`;
    return out;
  }
  out += bulk("entries") + replyRange(s, NULL_ID, GREATEST, count, false);
  const groups = s.sortedGroups();
  out += bulk("groups") + arrayHeader(groups.length);
  for (const [name, g] of groups) {
    out += mapHeader(7, proto);
    out += `${bulk("name")}${bulk(name)}`;
    out += `${bulk("last-delivered-id")}${replyId(g.lastId)}`;
    out += bulk("entries-read") + (g.entriesRead !== INVALID_READ ? `:${g.entriesRead}\r\n` : nullBulk(proto));
    out += bulk("lag") + replyLag(s, g, proto);
    out += `${bulk("pel-count")}:${g.pel.size}\r\n`;
    const keys = g.pel.all();
    const pn = count === 0 ? keys.length : Math.min(count, keys.length);
    out += bulk("pending") + arrayHeader(pn);
    for (let i = 0; i < pn; i++) {
      const nack = g.pel.get(keys[i]) as StreamNack;
      out += `*4\r\n${replyId(keyId(keys[i]))}${bulk(nack.consumer?.name ?? "")}:${nack.deliveryTime}\r\n:${nack.deliveryCount}\r\n`;
    }
    const cs = g.sortedConsumers();
    out += bulk("consumers") + arrayHeader(cs.length);
    for (const c of cs) {
      out += mapHeader(4, proto);
      out += `${bulk("name")}${bulk(c.name)}`;
      out += `${bulk("seen-time")}:${c.seenTime}\r\n`;
      out += `${bulk("pel-count")}:${c.pel.size}\r\n`;
      const ck = c.pel.all();
      const cn = count === 0 ? ck.length : Math.min(count, ck.length);
      out += bulk("pending") + arrayHeader(cn);
      for (let i = 0; i < cn; i++) {
        const nack = c.pel.get(ck[i]) as StreamNack;
        out += `*3\r\n${replyId(keyId(ck[i]))}:${nack.deliveryTime}\r\n:${nack.deliveryCount}\r\n`;
      }
    }
  }
  return out;
}

function xinfoCommand(ctx: ShardCtx, argv: string[]): string {
  const opt = argv[1].toLowerCase();
  const v = ctx.engine.lookupRead(ctx.db, argv[2]);
  if (v === undefined) return ERR_NO_SUCH_KEY;
  if (!isStream(v)) return ERR_WRONGTYPE;
  const s = v;
  const proto = ctx.proto;
  if (opt === "consumers" && argv.length === 4) {
    const g = s.groups.get(argv[3]);
    if (g === undefined) return errNoGroupForKey(argv[3], argv[2]);
    const cs = g.sortedConsumers();
    let out = arrayHeader(cs.length);
    const now = Date.now();
    for (const c of cs) {
      let idle = now - c.seenTime;
      if (idle < 0) idle = 0;
      out += mapHeader(3, proto);
      out += `${bulk("name")}${bulk(c.name)}${bulk("pending")}:${c.pel.size}\r\n${bulk("idle")}:${idle}\r\n`;
    }
    return out;
  }
  if (opt === "groups" && argv.length === 3) {
    const groups = s.sortedGroups();
    let out = arrayHeader(groups.length);
    for (const [name, g] of groups) {
      out += mapHeader(6, proto);
      out += `${bulk("name")}${bulk(name)}`;
      out += `${bulk("consumers")}:${g.consumers.size}\r\n`;
      out += `${bulk("pending")}:${g.pel.size}\r\n`;
      out += `${bulk("last-delivered-id")}${replyId(g.lastId)}`;
      out += bulk("entries-read") + (g.entriesRead !== INVALID_READ ? `:${g.entriesRead}\r\n` : nullBulk(proto));
      out += bulk("lag") + replyLag(s, g, proto);
    }
    return out;
  }
  if (opt === "stream") return xinfoStream(ctx, argv, s);
  return errSubSyntax(argv, "XINFO");
}

// ---------------------------------------------------------------- table

const rw = (f: string[]): KeySpec[] => [keySpec(f, 1)];
const at2 = (f: string[]): KeySpec[] => [keySpec(f, 2)];
const keys2 = { first: 2, last: 2, step: 1 };
const keys1 = { first: 1, last: 1, step: 1 };
const movable = { first: 0, last: 0, step: 0 };

function streamsKeySpec(flags: string[], startfrom: number): KeySpec {
  return {
    flags,
    beginSearch: { keyword: "STREAMS", startfrom },
    findKeys: { range: { lastkey: -1, step: 1, limit: 2 } },
  };
}

function xgroupSub(
  name: string,
  arity: number,
  flags: CommandSpec["flags"],
  summary: string,
  complexity: string,
  keyFlags: string[],
  since = "5.0.0",
): CommandSpec {
  return cmd(`xgroup|${name}`, arity, flags, keys2, "stream", since, summary, complexity, {
    shard: xgroupCommand,
    keySpecs: at2(keyFlags),
  });
}

function xinfoSub(name: string, arity: number, summary: string, complexity: string, tips?: string[]): CommandSpec {
  return cmd(`xinfo|${name}`, arity, ["readonly"], keys2, "stream", "5.0.0", summary, complexity, {
    shard: xinfoCommand,
    keySpecs: at2(["RO", "access"]),
    ...(tips !== undefined ? { tips } : {}),
  });
}

export const streamCommands: CommandSpec[] = [
  cmd(
    "xadd",
    -5,
    ["write", "denyoom", "fast"],
    keys1,
    "stream",
    "5.0.0",
    "Appends a new entry to a stream",
    "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
    {
      shard: xaddCommand,
      tips: ["nondeterministic_output"],
      keySpecs: [
        keySpec(["RW", "update"], 1, 0, 1, "UPDATE instead of INSERT because of the optional trimming feature"),
      ],
    },
  ),
  cmd(
    "xrange",
    -4,
    ["readonly"],
    keys1,
    "stream",
    "5.0.0",
    "Return a range of elements in a stream, with IDs matching the specified IDs interval",
    "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    { shard: (ctx, argv) => xrangeGeneric(ctx, argv, false), keySpecs: rw(["RO", "access"]) },
  ),
  cmd(
    "xrevrange",
    -4,
    ["readonly"],
    keys1,
    "stream",
    "5.0.0",
    "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
    "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    { shard: (ctx, argv) => xrangeGeneric(ctx, argv, true), keySpecs: rw(["RO", "access"]) },
  ),
  cmd("xlen", 2, ["readonly", "fast"], keys1, "stream", "5.0.0", "Return the number of entries in a stream", "O(1)", {
    shard: xlenCommand,
    keySpecs: rw(["RO"]),
  }),
  cmd(
    "xdel",
    -3,
    ["write", "fast"],
    keys1,
    "stream",
    "5.0.0",
    "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
    "O(1) for each single item to delete in the stream, regardless of the stream size.",
    { shard: xdelCommand, keySpecs: rw(["RW", "delete"]) },
  ),
  cmd(
    "xtrim",
    -4,
    ["write"],
    keys1,
    "stream",
    "5.0.0",
    "Trims the stream to (approximately if '~' is passed) a certain size",
    "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
    { shard: xtrimCommand, tips: ["nondeterministic_output"], keySpecs: rw(["RW", "delete"]) },
  ),
  cmd(
    "xsetid",
    -3,
    ["write", "denyoom", "fast"],
    keys1,
    "stream",
    "5.0.0",
    "An internal command for replicating stream values",
    "O(1)",
    { shard: xsetidCommand, keySpecs: rw(["RW", "update"]) },
  ),
  container("xgroup", -2, "stream", "5.0.0", "A container for consumer groups commands", [
    xgroupSub("create", -5, ["write", "denyoom"], "Create a consumer group.", "O(1)", ["RW", "insert"]),
    xgroupSub(
      "createconsumer",
      5,
      ["write", "denyoom"],
      "Create a consumer in a consumer group.",
      "O(1)",
      ["RW", "insert"],
      "6.2.0",
    ),
    xgroupSub("delconsumer", 5, ["write"], "Delete a consumer from a consumer group.", "O(1)", ["RW", "delete"]),
    xgroupSub(
      "destroy",
      4,
      ["write"],
      "Destroy a consumer group.",
      "O(N) where N is the number of entries in the group's pending entries list (PEL).",
      ["RW", "delete"],
    ),
    xgroupSub("setid", -5, ["write"], "Set a consumer group to an arbitrary last delivered ID value.", "O(1)", [
      "RW",
      "update",
    ]),
    mainCmd(
      "xgroup|help",
      2,
      ["loading", "stale"],
      "stream",
      "5.0.0",
      "Show helpful text about the different subcommands",
      "O(1)",
      () => helpReply(XGROUP_HELP),
    ),
  ]),
  cmd(
    "xreadgroup",
    -7,
    ["write", "blocking", "movablekeys"],
    movable,
    "stream",
    "5.0.0",
    "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
    "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
    {
      shard: xreadCommand,
      getKeys: xreadKeys,
      check: xreadCheck,
      cross: "gather",
      runsOn: "shard",
      keySpecs: [streamsKeySpec(["RO", "access"], 4)],
    },
  ),
  cmd(
    "xack",
    -4,
    ["write", "fast"],
    keys1,
    "stream",
    "5.0.0",
    "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
    "O(1) for each message ID processed.",
    { shard: xackCommand, keySpecs: rw(["RW", "update"]) },
  ),
  cmd(
    "xpending",
    -3,
    ["readonly"],
    keys1,
    "stream",
    "5.0.0",
    "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
    "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
    { shard: xpendingCommand, tips: ["nondeterministic_output"], keySpecs: rw(["RO", "access"]) },
  ),
  cmd(
    "xclaim",
    -6,
    ["write", "fast"],
    keys1,
    "stream",
    "5.0.0",
    "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
    "O(log N) with N being the number of messages in the PEL of the consumer group.",
    { shard: xclaimCommand, tips: ["nondeterministic_output"], keySpecs: rw(["RW", "update"]) },
  ),
  cmd(
    "xautoclaim",
    -6,
    ["write", "fast"],
    keys1,
    "stream",
    "6.2.0",
    "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
    "O(1) if COUNT is small.",
    { shard: xautoclaimCommand, tips: ["nondeterministic_output"], keySpecs: rw(["RW", "delete"]) },
  ),
  container("xinfo", -2, "stream", "5.0.0", "A container for stream introspection commands", [
    xinfoSub("consumers", 4, "List the consumers in a consumer group", "O(1)", ["nondeterministic_output"]),
    xinfoSub("groups", 3, "List the consumer groups of a stream", "O(1)"),
    xinfoSub("stream", -3, "Get information about a stream", "O(1)"),
    mainCmd(
      "xinfo|help",
      2,
      ["loading", "stale"],
      "stream",
      "5.0.0",
      "Show helpful text about the different subcommands",
      "O(1)",
      () => helpReply(XINFO_HELP),
    ),
  ]),
  cmd(
    "xread",
    -4,
    ["readonly", "blocking", "movablekeys"],
    movable,
    "stream",
    "5.0.0",
    "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
    "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
    {
      shard: xreadCommand,
      getKeys: xreadKeys,
      check: xreadCheck,
      cross: "gather",
      runsOn: "shard",
      keySpecs: [streamsKeySpec(["RO", "access"], 1)],
    },
  ),
];
