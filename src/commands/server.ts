/*
 * Server introspection commands: INFO, COMMAND, SLOWLOG, LATENCY, MEMORY, DEBUG.
 *
 * They run on the main thread (MEMORY USAGE excepted: it runs on the shard owning the
 * key). Figures that live in the shards (keyspace, their command stats, their heap) are
 * fetched with one `stats` control request per shard (src/observe/info.ts).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { getHeapSpaceStatistics, getHeapStatistics } from "node:v8";
import { stringMatch } from "../keyspace/glob.js";
import type { Client } from "../net/client.js";
import type { Server } from "../net/server.js";
import {
  gatherShardStats,
  genInfoString,
  memoryOverhead,
  mergedHistograms,
  selectionNeedsShards,
  selectSections,
} from "../observe/info.js";
import type { LatencyHistogram } from "../observe/latency.js";
import type { ShardSlowlogEntry, SlowlogEntry } from "../observe/slowlog.js";
import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../resp/errors.js";
import {
  arrayHeader,
  bool,
  bulk,
  double,
  error,
  integer,
  mapHeader,
  nullBulk,
  OK,
  type Proto,
  pushHeader,
  setHeader,
  verbatim,
} from "../resp/reply.js";
import { decodeBulkArray } from "../resp/scan.js";
import type { Value } from "../shards/engine.js";
import { log } from "../util/log.js";
import { parseInteger } from "../util/numbers.js";
import { helpReply } from "./connection.js";
import { cmd, container, keyPositions, keySpec, mainCmd, wrongArity } from "./define.js";
import { allSpecs, commandTable, lookupCommand } from "./table.js";
import type { CommandFlag, CommandSpec, KeySpec, MainHandler, ShardCtx } from "./types.js";

// ---------------------------------------------------------------- helpers

/** A server-group command on the main thread. */
function main(
  name: string,
  arity: number,
  flags: CommandFlag[],
  since: string,
  summary: string,
  complexity: string,
  h: MainHandler,
  acl?: string[],
): CommandSpec {
  return mainCmd(name, arity, flags, "server", since, summary, complexity, h, acl);
}

/** addReplySubcommandSyntaxError */
function subcommandSyntaxError(argv: readonly string[]): string {
  return error(
    `ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`,
  );
}

/** %.17g, as Redis prints doubles (addReplyDouble). */
export function formatG17(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mant, expText] = x.toExponential(16).split("e");
  const e = Number(expText);
  const strip = (s: string): string => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (e < -4 || e >= 17) return `${strip(mant)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  return strip(x.toFixed(16 - e));
}

/** A float field of Redis's (mh->dataset_perc ...) replied as a double. */
function floatReply(x: number, proto: Proto): string {
  return double(formatG17(Math.fround(x)), proto);
}

/** islocalClient: loopback peers (Redis also counts unix sockets). */
function isLocalClient(c: Client): boolean {
  const host = c.addr.slice(0, c.addr.lastIndexOf(":"));
  return host.startsWith("127.") || host === "::1" || host.startsWith("::ffff:127.");
}

// ---------------------------------------------------------------- INFO

/* INFO [section [section ...]] */
function infoCommand(c: Client, argv: string[]): string | Promise<string> {
  const sel = selectSections(argv.slice(1));
  const reply = (s: string): string => verbatim(s, c.proto);
  if (!selectionNeedsShards(sel)) return reply(genInfoString(c.server, sel, undefined));
  return gatherShardStats(c.server).then((shards) => reply(genInfoString(c.server, sel, shards)));
}

// ---------------------------------------------------------------- COMMAND

/** ACLCommandCategories, in the order COMMAND INFO lists them. */
export const ACL_CATEGORIES = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
] as const;

/** The category a command's group implies (Redis declares these in each command's JSON). */
const GROUP_CATEGORY: Record<string, string> = {
  generic: "keyspace",
  string: "string",
  list: "list",
  set: "set",
  sorted_set: "sortedset",
  hash: "hash",
  bitmap: "bitmap",
  hyperloglog: "hyperloglog",
  geo: "geo",
  stream: "stream",
  pubsub: "pubsub",
  connection: "connection",
  transactions: "transaction",
  scripting: "scripting",
};

/**
 * A command's ACL categories, as Redis computes them:
 *  1. the group's category (not for containers, which Redis leaves uncategorised),
 *  2. `spec.acl` (with or without '@'; a leading '-' removes a category the group
 *     implied, e.g. SORT is in the generic group but not in @keyspace),
 *  3. setImplicitACLCategories: write -> @write, readonly -> @read (not for scripting),
 *     admin -> @admin @dangerous, pubsub -> @pubsub, fast -> @fast, blocking ->
 *     @blocking, and @slow for whatever is not @fast.
 */
export function aclCategories(spec: CommandSpec): string[] {
  const cats = new Set<string>();
  if (spec.subcommands === undefined) {
    const g = GROUP_CATEGORY[spec.group];
    if (g !== undefined) cats.add(g);
  }
  for (const a of spec.acl ?? []) {
    if (a.startsWith("-")) cats.delete(a.slice(1).replace(/^@/, "").toLowerCase());
    else cats.add(a.replace(/^@/, "").toLowerCase());
  }
  for (const f of spec.flags) {
    if (f === "write") cats.add("write");
    else if (f === "readonly" && !cats.has("scripting")) cats.add("read");
    else if (f === "admin") {
      cats.add("admin");
      cats.add("dangerous");
    } else if (f === "pubsub") cats.add("pubsub");
    else if (f === "fast") cats.add("fast");
    else if (f === "blocking") cats.add("blocking");
  }
  if (!cats.has("fast")) cats.add("slow");
  return ACL_CATEGORIES.filter((c) => cats.has(c));
}

/** addReplyFlagsForCommand's order; may_replicate, sentinel, only_sentinel, protected are hidden. */
const FLAG_ORDER: CommandFlag[] = [
  "write",
  "readonly",
  "denyoom",
  "module",
  "admin",
  "pubsub",
  "noscript",
  "blocking",
  "loading",
  "stale",
  "skip_monitor",
  "skip_slowlog",
  "asking",
  "fast",
  "no_auth",
  "no_mandatory_keys",
  "no_async_loading",
  "no_multi",
  "movablekeys",
  "allow_busy",
];

function commandFlags(spec: CommandSpec): string[] {
  const have = new Set<string>(spec.flags);
  if (spec.getKeys !== undefined) have.add("movablekeys");
  return FLAG_ORDER.filter((f) => have.has(f));
}

/**
 * Key-spec flags, approximated from the command's flags for a spec without declared key
 * specs: a write command's keys are RW/access/update, as Redis assumes for keys it cannot
 * classify; other commands' keys are RO/access.
 */
function keyFlags(spec: CommandSpec): string[] {
  return spec.flags.includes("write") ? ["RW", "access", "update"] : ["RO", "access"];
}

function statusSet(items: readonly string[], proto: Proto): string {
  let out = setHeader(items.length, proto);
  for (const s of items) out += `+${s}\r\n`;
  return out;
}

/** addReplyCommandTips: the tips are bulk strings, unlike flags and categories. */
function bulkSet(items: readonly string[], proto: Proto): string {
  let out = setHeader(items.length, proto);
  for (const s of items) out += bulk(s);
  return out;
}

/**
 * The key specs COMMAND INFO shows: the declared ones, or else the one a legacy
 * `{first, last, step}` range stands for (begin_search index `first`, find_keys range with
 * lastkey relative to it) with approximated flags. Commands with movable keys (getKeys) and
 * no declared specs have none we can state.
 */
function effectiveKeySpecs(spec: CommandSpec): KeySpec[] {
  if (spec.keySpecs !== undefined) return spec.keySpecs;
  const { first, last, step } = spec.keys;
  if (spec.getKeys !== undefined || first <= 0) return [];
  return [
    {
      flags: keyFlags(spec),
      beginSearch: { index: first },
      findKeys: { range: { lastkey: last < 0 ? last : last - first, step, limit: 0 } },
    },
  ];
}

/** addReplyCommandKeySpecs: one map per spec, `notes` first when there are any. */
function keySpecsReply(spec: CommandSpec, proto: Proto): string {
  const specs = effectiveKeySpecs(spec);
  let out = setHeader(specs.length, proto);
  for (const ks of specs) {
    out += mapHeader(ks.notes === undefined ? 3 : 4, proto);
    if (ks.notes !== undefined) out += bulk("notes") + bulk(ks.notes);
    out += bulk("flags") + statusSet(ks.flags, proto);
    const bs = ks.beginSearch;
    out += bulk("begin_search") + mapHeader(2, proto) + bulk("type");
    if ("index" in bs) out += bulk("index") + bulk("spec") + mapHeader(1, proto) + bulk("index") + integer(bs.index);
    else if ("unknown" in bs) out += bulk("unknown") + bulk("spec") + mapHeader(0, proto);
    else {
      out +=
        bulk("keyword") +
        bulk("spec") +
        mapHeader(2, proto) +
        bulk("keyword") +
        bulk(bs.keyword) +
        bulk("startfrom") +
        integer(bs.startfrom);
    }
    const fk = ks.findKeys;
    out += bulk("find_keys") + mapHeader(2, proto) + bulk("type");
    if ("unknown" in fk) out += bulk("unknown") + bulk("spec") + mapHeader(0, proto);
    else if ("range" in fk) {
      const r = fk.range;
      out +=
        bulk("range") +
        bulk("spec") +
        mapHeader(3, proto) +
        bulk("lastkey") +
        integer(r.lastkey) +
        bulk("keystep") +
        integer(r.step) +
        bulk("limit") +
        integer(r.limit);
    } else {
      const k = fk.keynum;
      out +=
        bulk("keynum") +
        bulk("spec") +
        mapHeader(3, proto) +
        bulk("keynumidx") +
        integer(k.keynumidx) +
        bulk("firstkey") +
        integer(k.firstkey) +
        bulk("keystep") +
        integer(k.step);
    }
  }
  return out;
}

interface KeyRef {
  pos: number;
  flags: string[];
}

/**
 * getKeysUsingKeySpecs: the keys every spec finds in argv, each with its spec's flags, or
 * undefined when a spec does not fit argv (Redis's invalid_spec: the caller falls back).
 *  1. `keyword` searches from `startfrom` (negative: from the end, backwards) and keys
 *     begin right after the word; a spec whose word is absent finds nothing.
 *  2. `range` with a negative lastkey counts from the end of argv (or, with a limit, takes
 *     1/limit of the remaining arguments).
 *  3. `keynum` reads the key count at `keynumidx` after the begin index.
 *  4. Positions past argv are skipped for variadic commands (the command itself reports
 *     the arity or syntax error).
 */
function keysFromSpecs(specs: readonly KeySpec[], argv: readonly string[]): KeyRef[] | undefined {
  const argc = argv.length;
  const out: KeyRef[] = [];
  for (const ks of specs) {
    if (ks.flags.includes("not_key")) continue;
    let first = 0;
    const bs = ks.beginSearch;
    const fk = ks.findKeys;
    if ("unknown" in bs || "unknown" in fk) continue;
    if ("index" in bs) first = bs.index;
    else {
      const start = bs.startfrom > 0 ? bs.startfrom : argc + bs.startfrom;
      const end = bs.startfrom > 0 ? argc - 1 : 1;
      const word = bs.keyword.toLowerCase();
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i].toLowerCase() === word) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    }
    let last: number;
    let step: number;
    if ("range" in fk) {
      const r = fk.range;
      step = r.step;
      if (r.lastkey >= 0) last = first + r.lastkey;
      else if (r.limit === 0) last = argc + r.lastkey;
      else last = first + (Math.trunc((argc - first) / r.limit) + r.lastkey);
    } else {
      const k = fk.keynum;
      step = k.step;
      const idx = first + k.keynumidx;
      if (idx >= argc) return undefined;
      const n = parseInteger(argv[idx]);
      if (n === undefined || n < 0) return undefined;
      first += k.firstkey;
      last = first + Number(n) - 1;
    }
    if (last >= argc || last < first || first >= argc) return undefined;
    for (let i = first; i <= last; i += step) {
      if (i >= argc) continue;
      out.push({ pos: i, flags: ks.flags });
    }
    if (ks.flags.includes("incomplete")) return undefined;
  }
  return out;
}

/**
 * getKeysFromCommandWithSpecs: key specs when they are reliable (no `variable_flags`),
 * else the command's own key finder (getKeysWithFlags, getKeys), else the legacy range.
 */
function keysWithFlags(spec: CommandSpec, argv: readonly string[]): KeyRef[] {
  const specs = spec.keySpecs;
  if (specs !== undefined) {
    const reliable = !specs.some((ks) => ks.flags.includes("variable_flags"));
    if (reliable && specs.some((ks) => !ks.flags.includes("not_key"))) {
      const found = keysFromSpecs(specs, argv);
      if (found !== undefined) return found;
    }
    if (spec.getKeysWithFlags !== undefined) return spec.getKeysWithFlags(argv);
    if (spec.getKeys === undefined) return [];
  }
  const flags = keyFlags(spec);
  return keyPositions(spec, argv).map((pos) => ({ pos, flags }));
}

/** addReplyCommandInfo: the 10-element description of a command. */
function commandInfoReply(spec: CommandSpec | undefined, proto: Proto): string {
  if (spec === undefined) return nullBulk(proto);
  // the legacy key range, as declared (Redis shows it for movable-keys commands too:
  // ZUNIONSTORE 1 1 1 for its destination)
  let out =
    arrayHeader(10) +
    bulk(spec.name) +
    integer(spec.arity) +
    statusSet(commandFlags(spec), proto) +
    integer(spec.keys.first) +
    integer(spec.keys.last) +
    integer(spec.keys.step) +
    statusSet(
      aclCategories(spec).map((a) => `@${a}`),
      proto,
    ) +
    bulkSet(spec.tips ?? [], proto) +
    keySpecsReply(spec, proto);
  if (spec.subcommands === undefined) return out + setHeader(0, proto);
  out += arrayHeader(spec.subcommands.size);
  for (const sub of spec.subcommands.values()) out += commandInfoReply(sub, proto);
  return out;
}

/** addReplyCommandDocs: summary, since, group, complexity, subcommands. */
function commandDocsReply(spec: CommandSpec, proto: Proto): string {
  const fields: Array<[string, string]> = [];
  if (spec.summary !== "") fields.push(["summary", bulk(spec.summary)]);
  if (spec.since !== "") fields.push(["since", bulk(spec.since)]);
  fields.push(["group", bulk(spec.group)]);
  if (spec.complexity !== "") fields.push(["complexity", bulk(spec.complexity)]);
  if (spec.subcommands !== undefined) {
    let subs = mapHeader(spec.subcommands.size, proto);
    for (const sub of spec.subcommands.values()) subs += bulk(sub.name) + commandDocsReply(sub, proto);
    fields.push(["subcommands", subs]);
  }
  let out = mapHeader(fields.length, proto);
  for (const [k, v] of fields) out += bulk(k) + v;
  return out;
}

/** lookupCommandBySds: `name` or `container|sub`, case-insensitively; one level only. */
export function lookupCommandByFullName(name: string): CommandSpec | undefined {
  const parts = name.split("|");
  if (parts.length === 1) return lookupCommand(name);
  if (parts.length !== 2) return undefined;
  return lookupCommand(parts[0])?.subcommands?.get(parts[1].toLowerCase());
}

/** lookupCommand(argv, argc): the base command, or its subcommand when it has any. */
function lookupCommandArgv(argv: readonly string[]): CommandSpec | undefined {
  const base = lookupCommand(argv[0]);
  if (argv.length === 1 || base?.subcommands === undefined) return base;
  return base.subcommands.get(argv[1].toLowerCase());
}

/* COMMAND */
function commandCommand(c: Client): string {
  let out = arrayHeader(commandTable.size);
  for (const spec of commandTable.values()) out += commandInfoReply(spec, c.proto);
  return out;
}

/* COMMAND COUNT */
function commandCountCommand(): string {
  return integer(commandTable.size);
}

/* COMMAND INFO [command-name ...] */
function commandInfoCommand(c: Client, argv: string[]): string {
  if (argv.length === 2) return commandCommand(c);
  let out = arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) out += commandInfoReply(lookupCommandByFullName(argv[i]), c.proto);
  return out;
}

/* COMMAND DOCS [command-name ...]: unknown names are left out. */
function commandDocsCommand(c: Client, argv: string[]): string {
  const specs: CommandSpec[] = [];
  if (argv.length === 2) specs.push(...commandTable.values());
  else {
    for (let i = 2; i < argv.length; i++) {
      const spec = lookupCommandByFullName(argv[i]);
      if (spec !== undefined) specs.push(spec);
    }
  }
  let out = mapHeader(specs.length, c.proto);
  for (const spec of specs) out += bulk(spec.name) + commandDocsReply(spec, c.proto);
  return out;
}

/* COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern] */
function commandListCommand(_c: Client, argv: string[]): string {
  let filter: ((spec: CommandSpec) => boolean) | undefined;
  for (let i = 2; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    if (argv[i].toLowerCase() === "filterby" && more === 2) {
      const type = argv[i + 1].toLowerCase();
      const arg = argv[i + 2];
      if (type === "module")
        filter = () => false; // no modules: nothing matches
      else if (type === "aclcat") {
        const cat = arg.toLowerCase();
        const known = (ACL_CATEGORIES as readonly string[]).includes(cat);
        filter = (spec) => known && aclCategories(spec).includes(cat);
      } else if (type === "pattern") filter = (spec) => stringMatch(arg, spec.name, true);
      else return ERR_SYNTAX;
      i += 2;
    } else return ERR_SYNTAX;
  }
  const names: string[] = [];
  for (const spec of allSpecs()) if (filter === undefined || filter(spec)) names.push(spec.name);
  let out = arrayHeader(names.length);
  for (const n of names) out += bulk(n);
  return out;
}

/* COMMAND GETKEYS command [arg ...] / COMMAND GETKEYSANDFLAGS command [arg ...] */
function getKeysGeneric(c: Client, argv: string[], withFlags: boolean): string {
  const args = argv.slice(2);
  const spec = lookupCommandArgv(args);
  if (spec === undefined) return error("ERR Invalid command specified");
  // doesCommandHaveKeys: a key finder, or a key spec that is not `not_key`
  const hasKeys =
    spec.getKeys !== undefined ||
    spec.getKeysWithFlags !== undefined ||
    effectiveKeySpecs(spec).some((ks) => !ks.flags.includes("not_key"));
  if (!hasKeys) return error("ERR The command has no key arguments");
  if (wrongArity(spec, args.length)) {
    return error("ERR Invalid number of arguments specified for command");
  }
  const found = keysWithFlags(spec, args);
  if (found.length === 0) {
    return spec.flags.includes("no_mandatory_keys")
      ? arrayHeader(0)
      : error("ERR Invalid arguments specified for command");
  }
  let out = arrayHeader(found.length);
  for (const k of found) {
    out += withFlags ? arrayHeader(2) + bulk(args[k.pos]) + statusSet(k.flags, c.proto) : bulk(args[k.pos]);
  }
  return out;
}

const COMMAND_HELP = [
  "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "(no subcommand)",
  "    Return details about all Redis commands.",
  "COUNT",
  "    Return the total number of commands in this Redis server.",
  "LIST",
  "    Return a list of all commands in this Redis server.",
  "INFO [<command-name> ...]",
  "    Return details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "DOCS [<command-name> ...]",
  "    Return documentation details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "GETKEYS <full-command>",
  "    Return the keys from a full Redis command.",
  "GETKEYSANDFLAGS <full-command>",
  "    Return the keys and the access flags from a full Redis command.",
  "HELP",
  "    Prints this help.",
];

// ---------------------------------------------------------------- SLOWLOG

/*
 * The slow log holds the main thread's commands and the shards' (inline ones are timed by
 * the main thread; worker shards keep their own entries, merged by gatherSlowlog).
 */

/**
 * Every slow-log entry, newest first: the main thread's and each worker shard's. Ids are
 * unique across sources (main: id*(N+1), shard i: id*(N+1)+i+1) and stable between calls.
 * A shard records the client's id; its address and name are those of the connection now,
 * or empty when it has gone (Redis keeps them from when the command ran).
 */
async function gatherSlowlog(server: Server): Promise<SlowlogEntry[]> {
  const main = server.observe.slowlog;
  if (server.router.inline !== undefined) return main;
  const k = server.router.count + 1;
  const all: SlowlogEntry[] = main.map((e) => ({ ...e, id: e.id * k }));
  const replies = await server.router.controlAll(["slowlog-get"]);
  replies.forEach((r, shard) => {
    const json = decodeBulkArray(`*1\r\n${r}`)?.[0];
    if (json === undefined) return;
    for (const e of JSON.parse(json) as ShardSlowlogEntry[]) {
      const c = server.clients.get(e.client);
      all.push({
        id: e.id * k + shard + 1,
        time: Math.floor(e.ms / 1000),
        ms: e.ms,
        usec: e.usec,
        argv: e.argv,
        addr: c?.addr ?? "",
        name: c?.name ?? "",
      });
    }
  });
  return all.sort((a, b) => b.ms - a.ms || b.id - a.id);
}

/* SLOWLOG GET [count] */
async function slowlogGetCommand(c: Client, argv: string[]): Promise<string> {
  if (argv.length > 3) return subcommandSyntaxError(argv);
  let count = 10;
  if (argv.length === 3) {
    const n = parseInteger(argv[2]);
    if (n === undefined || n < -1) return error("ERR count should be greater than or equal to -1");
    count = n === -1 ? Number.MAX_SAFE_INTEGER : Number(n);
  }
  const log = await gatherSlowlog(c.server);
  const n = Math.min(count, log.length);
  let out = arrayHeader(n);
  for (let i = 0; i < n; i++) {
    const e = log[i];
    out += `${arrayHeader(6)}${integer(e.id)}${integer(e.time)}${integer(e.usec)}${arrayHeader(e.argv.length)}`;
    for (const a of e.argv) out += bulk(a);
    out += bulk(e.addr) + bulk(e.name);
  }
  return out;
}

const SLOWLOG_HELP = [
  "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GET [<count>]",
  "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
  "    Entries are made of:",
  "    id, timestamp, time in microseconds, arguments array, client IP and port,",
  "    client name",
  "LEN",
  "    Return the length of the slowlog.",
  "RESET",
  "    Reset the slowlog.",
  "HELP",
  "    Prints this help.",
];

// ---------------------------------------------------------------- LATENCY

/* LATENCY LATEST */
function latencyLatestCommand(c: Client): string {
  const rows = c.server.observe.latency.latest();
  let out = arrayHeader(rows.length);
  for (const [event, time, latency, max] of rows)
    out += arrayHeader(4) + bulk(event) + integer(time) + integer(latency) + integer(max);
  return out;
}

/* LATENCY HISTORY event */
function latencyHistoryCommand(c: Client, argv: string[]): string {
  const samples = c.server.observe.latency.history(argv[2]) ?? [];
  let out = arrayHeader(samples.length);
  for (const [time, latency] of samples) out += arrayHeader(2) + integer(time) + integer(latency);
  return out;
}

/* LATENCY GRAPH event */
function latencyGraphCommand(c: Client, argv: string[]): string {
  const graph = c.server.observe.latency.graph(argv[2]);
  if (graph === undefined) return error(`ERR No samples available for event '${argv[2]}'`);
  return verbatim(graph, c.proto);
}

/* LATENCY RESET [event ...] */
function latencyResetCommand(c: Client, argv: string[]): string {
  const monitor = c.server.observe.latency;
  if (argv.length === 2) return integer(monitor.reset());
  let n = 0;
  for (let i = 2; i < argv.length; i++) n += monitor.reset(argv[i]);
  return integer(n);
}

/** THPGetAnonHugePagesSize: AnonHugePages of the process, in bytes (0 where unknown). */
function anonHugePages(): number {
  try {
    const m = /AnonHugePages:\s+(\d+) kB/.exec(readFileSync("/proc/self/smaps_rollup", "latin1"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/* LATENCY DOCTOR */
function latencyDoctorCommand(c: Client): string {
  const config = c.server.config;
  const report = c.server.observe.latency.doctor({
    threshold: config.getNumber("latency-monitor-threshold"),
    slowlogLogSlowerThan: config.getNumber("slowlog-log-slower-than"),
    hz: config.getNumber("hz"),
    appendfsyncAlways: config.getString("appendfsync") === "always",
    anonHugePages: anonHugePages(),
  });
  return verbatim(report, c.proto);
}

/** fillCommandCDF */
function commandCdfReply(h: LatencyHistogram, proto: Proto): string {
  const cdf = h.cdf();
  let out =
    mapHeader(2, proto) + bulk("calls") + integer(h.total) + bulk("histogram_usec") + mapHeader(cdf.length, proto);
  for (const [usec, n] of cdf) out += integer(usec) + integer(n);
  return out;
}

/* LATENCY HISTOGRAM [command ...] */
async function latencyHistogramCommand(c: Client, argv: string[]): Promise<string> {
  const hists = mergedHistograms(c.server, await gatherShardStats(c.server));
  const picked: CommandSpec[] = [];
  if (argv.length === 2) {
    for (const spec of allSpecs()) if (hists.has(spec.name)) picked.push(spec);
  } else {
    for (let i = 2; i < argv.length; i++) {
      const spec = lookupCommandByFullName(argv[i]);
      if (spec === undefined) continue;
      if (hists.has(spec.name)) picked.push(spec);
      if (spec.subcommands !== undefined)
        for (const sub of spec.subcommands.values()) if (hists.has(sub.name)) picked.push(sub);
    }
  }
  let out = mapHeader(picked.length, c.proto);
  for (const spec of picked)
    out += bulk(spec.name) + commandCdfReply(hists.get(spec.name) as LatencyHistogram, c.proto);
  return out;
}

const LATENCY_HELP = [
  "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return a human readable latency analysis report.",
  "GRAPH <event>",
  "    Return an ASCII latency graph for the <event> class.",
  "HISTORY <event>",
  "    Return time-latency samples for the <event> class.",
  "LATEST",
  "    Return the latest latency samples for all events.",
  "RESET [<event> ...]",
  "    Reset latency data of one or more <event> classes.",
  "    (default: reset all data for all event classes)",
  "HISTOGRAM [COMMAND ...]",
  "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
  "    If no commands are specified then all histograms are replied.",
  "HELP",
  "    Prints this help.",
];

// ---------------------------------------------------------------- MEMORY

/*
 * Sizes as Redis (jemalloc) would report them, so that MEMORY USAGE of a string matches
 * redis-server: jemalloc's size classes (8, 16, then 16-byte steps to 128, then four
 * classes per power of two), sds headers by length, robj 16 bytes, dictEntry 24 bytes.
 */
function jemallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  const k = Math.floor(Math.log2(n - 1));
  const spacing = 2 ** (k - 2);
  return Math.ceil(n / spacing) * spacing;
}

/** sdsReqType's header size; `allowType5` for sdsnewlen (keys), not for embedded strings. */
function sdsHeader(len: number, allowType5: boolean): number {
  if (len < 32 && allowType5 && len > 0) return 1;
  if (len < 256) return 3;
  if (len < 65536) return 5;
  if (len < 2 ** 32) return 9;
  return 17;
}

const ROBJ_SIZE = 16;
const DICT_ENTRY_SIZE = 24;
/** OBJ_ENCODING_EMBSTR_SIZE_LIMIT */
const EMBSTR_LIMIT = 44;

/** A string Redis would store with the int encoding (tryObjectEncoding). */
function isIntEncodable(s: string): boolean {
  return s.length <= 20 && parseInteger(s) !== undefined;
}

/**
 * objectComputeSize for the value types the engine stores: strings (int, embstr or raw
 * encoding) and numbers (int). Aggregate types may provide `memoryUsage(samples)`.
 */
function objectComputeSize(v: Value, samples: number): number {
  if (typeof v === "number") return ROBJ_SIZE;
  if (typeof v === "string") {
    if (isIntEncodable(v)) return ROBJ_SIZE;
    if (v.length <= EMBSTR_LIMIT) return jemallocSize(ROBJ_SIZE + 3 + v.length + 1);
    return jemallocSize(sdsHeader(v.length, false) + v.length + 1) + ROBJ_SIZE;
  }
  const obj = v as unknown as { memoryUsage?: (samples: number) => number };
  return ROBJ_SIZE + (typeof obj.memoryUsage === "function" ? obj.memoryUsage(samples) : 0);
}

/** OBJ_COMPUTE_SIZE_DEF_SAMPLES */
const DEFAULT_SAMPLES = 5;

/* MEMORY USAGE key [SAMPLES count] — runs on the key's shard; no expiry check, as Redis. */
function memoryUsageCommand(ctx: ShardCtx, argv: string[]): string {
  let samples = DEFAULT_SAMPLES;
  for (let j = 3; j < argv.length; j++) {
    if (argv[j].toLowerCase() === "samples" && j + 1 < argv.length) {
      const n = parseInteger(argv[j + 1]);
      if (n === undefined) return ERR_NOT_INTEGER;
      if (n < 0) return ERR_SYNTAX;
      samples = n === 0 ? Number.MAX_SAFE_INTEGER : Number(n);
      j++;
    } else return ERR_SYNTAX;
  }
  const key = argv[2];
  const v = ctx.db.dict.get(key);
  if (v === undefined) return nullBulk(ctx.proto);
  const keySize = jemallocSize(sdsHeader(key.length, true) + key.length + 1);
  return integer(objectComputeSize(v, samples) + keySize + DICT_ENTRY_SIZE);
}

/* MEMORY STATS */
async function memoryStatsCommand(c: Client): Promise<string> {
  const p = c.proto;
  const mh = memoryOverhead(c.server, await gatherShardStats(c.server));
  const fields: string[] = [];
  const int = (k: string, v: number): void => {
    fields.push(bulk(k) + integer(Math.round(v)));
  };
  const flt = (k: string, v: number): void => {
    fields.push(bulk(k) + floatReply(v, p));
  };
  int("peak.allocated", mh.peak);
  int("total.allocated", mh.used);
  int("startup.allocated", mh.startup);
  int("replication.backlog", 0);
  int("clients.slaves", 0);
  int("clients.normal", mh.clientsNormal);
  int("cluster.links", 0);
  int("aof.buffer", 0);
  int("lua.caches", 0);
  int("functions.caches", 0);
  for (const db of mh.dbs) {
    fields.push(
      bulk(`db.${db.index}`) +
        mapHeader(3, p) +
        bulk("overhead.hashtable.main") +
        integer(db.main) +
        bulk("overhead.hashtable.expires") +
        integer(db.expires) +
        bulk("overhead.hashtable.slot-to-keys") +
        integer(0),
    );
  }
  int("overhead.total", mh.overheadTotal);
  int("keys.count", mh.totalKeys);
  int("keys.bytes-per-key", mh.bytesPerKey);
  int("dataset.bytes", mh.dataset);
  flt("dataset.percentage", mh.datasetPerc);
  flt("peak.percentage", mh.peakPerc);
  int("allocator.allocated", mh.allocatorAllocated);
  int("allocator.active", mh.allocatorActive);
  int("allocator.resident", mh.allocatorResident);
  flt("allocator-fragmentation.ratio", mh.allocatorActive / mh.allocatorAllocated);
  int("allocator-fragmentation.bytes", mh.allocatorActive - mh.allocatorAllocated);
  flt("allocator-rss.ratio", mh.allocatorResident / mh.allocatorActive);
  int("allocator-rss.bytes", mh.allocatorResident - mh.allocatorActive);
  flt("rss-overhead.ratio", mh.rss / mh.allocatorResident);
  int("rss-overhead.bytes", mh.rss - mh.allocatorResident);
  flt("fragmentation", mh.rss / mh.used);
  int("fragmentation.bytes", mh.rss - mh.used);
  return mapHeader(fields.length, p) + fields.join("");
}

/*
 * MEMORY DOCTOR (getMemoryDoctorReport). The checks that read jemalloc's view of the
 * process (allocator fragmentation, allocator and process RSS overhead, total RSS over
 * used memory) are left out: a Node process's RSS is mostly the runtime itself, which
 * would make every report complain. Kept: the empty instance, the memory peak, big
 * client output buffers.
 */
async function memoryDoctorCommand(c: Client): Promise<string> {
  const mh = memoryOverhead(c.server, await gatherShardStats(c.server));
  let empty = false;
  let bigPeak = false;
  let bigClientBuf = false;
  let reports = 0;
  if (mh.used < 1024 * 1024 * 5) {
    empty = true;
    reports++;
  } else {
    if (Math.fround(mh.peak / mh.used) > 1.5) {
      bigPeak = true;
      reports++;
    }
    if (mh.clientsNormal / Math.max(1, c.server.clients.size) > 1024 * 200) {
      bigClientBuf = true;
      reports++;
    }
  }
  let s: string;
  if (reports === 0) {
    s = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
  } else if (empty) {
    s =
      "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
  } else {
    s = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
    if (bigPeak) {
      s +=
        " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n";
    }
    if (bigClientBuf) {
      s +=
        " * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n";
    }
    s += "I'm here to keep you safe, Sam. I want to help you.\n";
  }
  return verbatim(s, c.proto);
}

/* MEMORY MALLOC-STATS: there is no jemalloc; the main thread's V8 heap statistics instead. */
function memoryMallocStatsCommand(c: Client): string {
  let s = "___ Begin V8 heap statistics (main thread) ___\n";
  for (const [k, v] of Object.entries(getHeapStatistics())) s += `${k}: ${v}\n`;
  for (const sp of getHeapSpaceStatistics()) {
    s += `space ${sp.space_name}: size ${sp.space_size}, used ${sp.space_used_size}, available ${sp.space_available_size}, physical ${sp.physical_space_size}\n`;
  }
  s += "--- End V8 heap statistics ---\n";
  return verbatim(s, c.proto);
}

const MEMORY_HELP = [
  "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return memory problems reports.",
  "MALLOC-STATS",
  "    Return internal statistics report from the memory allocator.",
  "PURGE",
  "    Attempt to purge dirty pages for reclamation by the allocator.",
  "STATS",
  "    Return information about the memory usage of the server.",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
  "HELP",
  "    Prints this help.",
];

// ---------------------------------------------------------------- DEBUG

/** strtod's leading number ("0.5x" -> 0.5, garbage -> 0). */
function strtod(s: string): number {
  const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(s);
  return m ? Number(m[0]) : 0;
}

/** atoi */
function atoi(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m ? Number.parseInt(m[0], 10) : 0;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** DEBUG PROTOCOL <type> */
function debugProtocolReply(type: string, proto: Proto): string {
  switch (type) {
    case "string":
      return bulk("Hello World");
    case "integer":
      return integer(12345);
    case "double":
      return double("3.141", proto);
    case "bignum":
      return proto === 3 ? "(1234567999999999999999999999999999999\r\n" : bulk("1234567999999999999999999999999999999");
    case "null":
      return nullBulk(proto);
    case "array":
      return `${arrayHeader(3)}${integer(0)}${integer(1)}${integer(2)}`;
    case "set":
      return `${setHeader(3, proto)}${integer(0)}${integer(1)}${integer(2)}`;
    case "map": {
      let out = mapHeader(3, proto);
      for (let j = 0; j < 3; j++) out += integer(j) + bool(j === 1, proto);
      return out;
    }
    case "attrib": {
      const attr =
        proto === 3 ? `|1\r\n${bulk("key-popularity")}${arrayHeader(2)}${bulk("key:123")}${integer(90)}` : "";
      return attr + bulk("Some real reply following the attribute");
    }
    case "push":
      if (proto < 3) return error("ERR RESP2 is not supported by this command");
      return `${pushHeader(2, proto)}${bulk("server-cpu-usage")}${integer(42)}${bulk("Some real reply following the push reply")}`;
    case "true":
      return bool(true, proto);
    case "false":
      return bool(false, proto);
    case "verbatim":
      return verbatim("This is a verbatim\nstring", proto);
    default:
      return error(
        "ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
      );
  }
}

const DEBUG_HELP = [
  "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CHANGE-REPL-ID",
  "    Change the replication IDs of the instance.",
  "    Dangerous: should be used only for testing the replication subsystem.",
  "ERROR <string>",
  "    Return a Redis protocol error with <string> as message. Useful for clients",
  "    unit tests to simulate Redis errors.",
  "LOG <message>",
  "    Write <message> to the server log.",
  "PROTOCOL <type>",
  "    Reply with a test value of the specified type. <type> can be: string,",
  "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
  "    true, false.",
  "SET-ACTIVE-EXPIRE <0|1>",
  "    Setting it to 0 disables expiring keys in background when they are not",
  "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
  "    default.",
  "SLEEP <seconds>",
  "    Stop the server for <seconds>. Decimals allowed.",
  "HELP",
  "    Prints this help.",
];

/*
 * DEBUG <subcommand> [arg ...]: one command handling its subcommands, as in Redis.
 * Allowed per `enable-debug-command` (no by default, as Redis 7). Redis refuses it in
 * processCommand (a rejected call); here the handler refuses it (a failed call).
 */
function debugCommand(c: Client, argv: string[]): string | Promise<string> {
  const mode = c.server.config.getString("enable-debug-command");
  if (mode !== "yes" && !(mode === "local" && isLocalClient(c))) {
    return error(
      'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
    );
  }
  const sub = argv[1].toLowerCase();
  const argc = argv.length;
  if (sub === "help" && argc === 2) return helpReply(DEBUG_HELP);
  if (sub === "sleep" && argc === 3) {
    // blocks the main thread, as Redis blocks its event loop; the shards keep running
    const usec = Math.trunc(strtod(argv[2]) * 1e6);
    if (usec > 0) Atomics.wait(sleepCell, 0, 0, usec / 1000);
    return OK;
  }
  if (sub === "log" && argc === 3) {
    log("warning", `DEBUG LOG: ${argv[2]}`);
    return OK;
  }
  if (sub === "set-active-expire" && argc === 3) {
    return c.server.router.controlAll(["active-expire", atoi(argv[2]) !== 0 ? "1" : "0"]).then(() => OK);
  }
  if (sub === "error" && argc === 3) return error(argv[2]);
  if (sub === "protocol" && argc === 3) return debugProtocolReply(argv[2].toLowerCase(), c.proto);
  if (sub === "change-repl-id" && argc === 2) {
    c.server.observe.replid = randomBytes(20).toString("hex");
    log("warning", "Changing replication IDs after receiving DEBUG change-repl-id");
    return OK;
  }
  return subcommandSyntaxError(argv);
}

// ---------------------------------------------------------------- table

const LOADING_STALE: CommandFlag[] = ["loading", "stale"];

// Command tips, as Redis 7.0 declares them in each command's JSON.
const ORDER_TIPS = ["nondeterministic_output_order"];
const SHARDS_SPECIAL = ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"];
const NODES_SPECIAL = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"];
const NODES_ALL_SUCCEEDED = ["request_policy:all_nodes", "response_policy:all_succeeded"];
const ADMIN_LS: CommandFlag[] = ["admin", "noscript", "loading", "stale"];

/** COMMAND is a container that also answers by itself (no subcommand: every command). */
const commandContainer: CommandSpec = {
  ...container("command", -1, "server", "2.8.13", "Get array of Redis command details", [
    main(
      "command|count",
      2,
      LOADING_STALE,
      "2.8.13",
      "Get total number of Redis commands",
      "O(1)",
      commandCountCommand,
      ["connection"],
    ),
    {
      ...main(
        "command|docs",
        -2,
        LOADING_STALE,
        "7.0.0",
        "Get array of specific Redis command documentation",
        "O(N) where N is the number of commands to look up",
        commandDocsCommand,
        ["connection"],
      ),
      tips: ORDER_TIPS,
    },
    main(
      "command|getkeys",
      -4,
      LOADING_STALE,
      "2.8.13",
      "Extract keys given a full Redis command",
      "O(N) where N is the number of arguments to the command",
      (c, argv) => getKeysGeneric(c, argv, false),
      ["connection"],
    ),
    main(
      "command|getkeysandflags",
      -4,
      LOADING_STALE,
      "7.0.0",
      "Extract keys and access flags given a full Redis command",
      "O(N) where N is the number of arguments to the command",
      (c, argv) => getKeysGeneric(c, argv, true),
      ["connection"],
    ),
    main(
      "command|help",
      2,
      LOADING_STALE,
      "5.0.0",
      "Show helpful text about the different subcommands",
      "O(1)",
      () => helpReply(COMMAND_HELP),
      ["connection"],
    ),
    {
      ...main(
        "command|info",
        -2,
        LOADING_STALE,
        "2.8.13",
        "Get array of specific Redis command details, or all when no argument is given.",
        "O(N) where N is the number of commands to look up",
        commandInfoCommand,
        ["connection"],
      ),
      tips: ORDER_TIPS,
    },
    {
      ...main(
        "command|list",
        -2,
        LOADING_STALE,
        "7.0.0",
        "Get an array of Redis command names",
        "O(N) where N is the total number of Redis commands",
        commandListCommand,
        ["connection"],
      ),
      tips: ORDER_TIPS,
    },
  ]),
  flags: LOADING_STALE,
  acl: ["connection"],
  complexity: "O(N) where N is the total number of Redis commands",
  tips: ORDER_TIPS,
  main: commandCommand,
};

export const serverCommands: CommandSpec[] = [
  {
    ...main(
      "info",
      -1,
      LOADING_STALE,
      "1.0.0",
      "Get information and statistics about the server",
      "O(1)",
      infoCommand,
      ["dangerous"],
    ),
    tips: SHARDS_SPECIAL,
  },
  commandContainer,
  container("slowlog", -2, "server", "2.2.12", "A container for slow log commands", [
    {
      ...main(
        "slowlog|get",
        -2,
        ["admin", "loading", "stale"],
        "2.2.12",
        "Get the slow log's entries",
        "O(N) where N is the number of entries returned",
        slowlogGetCommand,
      ),
      tips: ["request_policy:all_nodes", "nondeterministic_output"],
    },
    {
      ...main(
        "slowlog|len",
        2,
        ["admin", "loading", "stale"],
        "2.2.12",
        "Get the slow log's length",
        "O(1)",
        async (c) => integer((await gatherSlowlog(c.server)).length),
      ),
      tips: ["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
    },
    {
      ...main(
        "slowlog|reset",
        2,
        ["admin", "loading", "stale"],
        "2.2.12",
        "Clear all entries from the slow log",
        "O(N) where N is the number of entries in the slowlog",
        async (c) => {
          c.server.observe.slowlog.length = 0;
          if (c.server.router.inline === undefined) await c.server.router.controlAll(["slowlog-reset"]);
          return OK;
        },
      ),
      tips: NODES_ALL_SUCCEEDED,
    },
    main("slowlog|help", 2, LOADING_STALE, "6.2.0", "Show helpful text about the different subcommands", "O(1)", () =>
      helpReply(SLOWLOG_HELP),
    ),
  ]),
  container("latency", -2, "server", "2.8.13", "A container for latency diagnostics commands", [
    {
      ...main(
        "latency|doctor",
        2,
        ADMIN_LS,
        "2.8.13",
        "Return a human readable latency analysis report.",
        "O(1)",
        latencyDoctorCommand,
      ),
      tips: NODES_SPECIAL,
    },
    {
      ...main(
        "latency|graph",
        3,
        ADMIN_LS,
        "2.8.13",
        "Return a latency graph for the event.",
        "O(1)",
        latencyGraphCommand,
      ),
      tips: NODES_SPECIAL,
    },
    {
      ...main(
        "latency|history",
        3,
        ADMIN_LS,
        "2.8.13",
        "Return timestamp-latency samples for the event.",
        "O(1)",
        latencyHistoryCommand,
      ),
      tips: NODES_SPECIAL,
    },
    {
      ...main(
        "latency|histogram",
        -2,
        ADMIN_LS,
        "7.0.0",
        "Return the cumulative distribution of latencies of a subset of commands or all.",
        "O(N) where N is the number of commands with latency information being retrieved.",
        latencyHistogramCommand,
      ),
      tips: NODES_SPECIAL,
    },
    {
      ...main(
        "latency|latest",
        2,
        ADMIN_LS,
        "2.8.13",
        "Return the latest latency samples for all events.",
        "O(1)",
        latencyLatestCommand,
      ),
      tips: NODES_SPECIAL,
    },
    {
      ...main(
        "latency|reset",
        -2,
        ADMIN_LS,
        "2.8.13",
        "Reset latency data for one or more events.",
        "O(1)",
        latencyResetCommand,
      ),
      tips: NODES_ALL_SUCCEEDED,
    },
    main("latency|help", 2, LOADING_STALE, "2.8.13", "Show helpful text about the different subcommands.", "O(1)", () =>
      helpReply(LATENCY_HELP),
    ),
  ]),
  container("memory", -2, "server", "4.0.0", "A container for memory diagnostics commands", [
    {
      ...main("memory|doctor", 2, [], "4.0.0", "Outputs memory problems report", "O(1)", memoryDoctorCommand),
      tips: SHARDS_SPECIAL,
    },
    {
      ...main(
        "memory|malloc-stats",
        2,
        [],
        "4.0.0",
        "Show allocator internal stats",
        "Depends on how much memory is allocated, could be slow",
        memoryMallocStatsCommand,
      ),
      tips: SHARDS_SPECIAL,
    },
    {
      ...main(
        "memory|purge",
        2,
        [],
        "4.0.0",
        "Ask the allocator to release memory",
        "Depends on how much memory is allocated, could be slow",
        () => OK,
      ),
      tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    },
    {
      ...main("memory|stats", 2, [], "4.0.0", "Show memory usage details", "O(1)", memoryStatsCommand),
      tips: SHARDS_SPECIAL,
    },
    cmd(
      "memory|usage",
      -3,
      ["readonly"],
      { first: 2, last: 2, step: 1 },
      "server",
      "4.0.0",
      "Estimate the memory usage of a key",
      "O(N) where N is the number of samples.",
      {
        runsOn: "shard",
        shard: memoryUsageCommand,
        keySpecs: [keySpec(["RO"], 2)],
      },
    ),
    main("memory|help", 2, LOADING_STALE, "4.0.0", "Show helpful text about the different subcommands", "O(1)", () =>
      helpReply(MEMORY_HELP),
    ),
  ]),
  main(
    "debug",
    -2,
    ["admin", "noscript", "loading", "stale"],
    "1.0.0",
    "A container for debugging commands",
    "Depends on subcommand.",
    debugCommand,
  ),
];
