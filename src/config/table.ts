/*
 * The one table of configuration directives (config.c, static_configs[] of Redis 7.0.15), plus
 * shardis's own `shards`. Each entry knows how to parse its arguments (config file, command
 * line and CONFIG SET share that code), print itself for CONFIG GET, and rewrite itself for
 * CONFIG REWRITE. The factories mirror Redis's createBoolConfig/createIntConfig/... so that a
 * row here reads like the corresponding row there.
 *
 * Values are held in the C variable's own domain: bool, bigint for numbers (int32, uint32,
 * int64 or uint64 as the C type is), string | null for strings (null is C's NULL, printed as
 * ""), number for enums (bit flags for multi-value enums), and a structured value for specials.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { keyspaceEventsFlagsToString, keyspaceEventsStringToFlags } from "./keyspace-events.js";
import {
  asciiLower,
  bytesToPath,
  formatMemory,
  formatPercentile,
  memtoull,
  repr,
  strerror,
  string2d,
  string2ll,
  strtollFull,
  strtollStrict,
  toByteString,
} from "./parse.js";
import type { RewriteState } from "./rewrite.js";

/* ---------------------------------------------------------------------------------------------
 * Types
 * ------------------------------------------------------------------------------------------- */

export type DirectiveType = "bool" | "int" | "memory" | "string" | "enum" | "special";

/** A rejected value; `message` is Redis's reason text ("argument must be 'yes' or 'no'"). */
export class SetFailure extends Error {}

/** State shared by all the lines of one config load (the file, stdin, the flags). */
export interface LoadSession {
  /** The first `save` line of a load replaces the defaults; the following ones append. */
  saveLoaded: boolean;
}

export interface SetContext {
  /** Present while loading the config file / command line, absent for CONFIG SET. */
  readonly loading: LoadSession | undefined;
  /** The current `dir`, against which a relative `dir` resolves (Redis chdir()s). */
  readonly dir: string;
}

export interface Directive {
  /** Primary name, lowercase, as Redis spells it. */
  readonly name: string;
  /** The legacy alias (`slaveof` for `replicaof`), if any. */
  readonly alias: string | undefined;
  readonly type: DirectiveType;
  /** Settable with CONFIG SET. */
  readonly mutable: boolean;
  /** CONFIG SET allowed only per `enable-protected-configs` (dir, dbfilename). */
  readonly protected: boolean;
  /** CONFIG SET refused with -LOADING while the dataset loads. */
  readonly denyLoading: boolean;
  /** Its CONFIG SET value must be redacted in SLOWLOG/MONITOR. */
  readonly sensitive: boolean;
  /** Matched by CONFIG GET only when named exactly. */
  readonly hidden: boolean;
  /** Takes several arguments (`save 900 1 300 10`); CONFIG SET splits its value on spaces. */
  readonly multiArg: boolean;
  /** The default as CONFIG GET prints it. */
  readonly defaultValue: string;
  init(): unknown;
  /** Parse arguments into a new value, or throw SetFailure with Redis's reason. */
  set(args: string[], current: unknown, ctx: SetContext): unknown;
  format(value: unknown): string;
  rewrite(state: RewriteState, value: unknown): void;
  /** Post-set adjustment (Redis's apply hook changing the value, e.g. hz clamping). */
  normalize?(value: unknown): unknown;
  /** For numeric directives: the value as a JS number. */
  toNumber?(value: unknown): number;
}

interface Flags {
  alias?: string;
  immutable?: boolean;
  protected?: boolean;
  denyLoading?: boolean;
  sensitive?: boolean;
  hidden?: boolean;
}

interface Spec<V> {
  name: string;
  type: DirectiveType;
  multiArg?: boolean;
  flags: Flags;
  init: () => V;
  set: (args: string[], current: V, ctx: SetContext) => V;
  format: (v: V) => string;
  rewrite: (state: RewriteState, v: V, name: string) => void;
  normalize?: (v: V) => V;
  toNumber?: (v: V) => number;
}

function define<V>(spec: Spec<V>): Directive {
  const f = spec.flags;
  const d: Directive = {
    name: spec.name,
    alias: f.alias,
    type: spec.type,
    mutable: !f.immutable,
    protected: f.protected === true,
    denyLoading: f.denyLoading === true,
    sensitive: f.sensitive === true,
    hidden: f.hidden === true,
    multiArg: spec.multiArg === true,
    get defaultValue(): string {
      return spec.format(spec.init());
    },
    init: spec.init,
    set: (args, current, ctx) => spec.set(args, current as V, ctx),
    format: (v) => spec.format(v as V),
    rewrite: (state, v) => spec.rewrite(state, v as V, spec.name),
  };
  const normalize = spec.normalize;
  if (normalize) d.normalize = (v) => normalize(v as V);
  const toNumber = spec.toNumber;
  if (toNumber) d.toNumber = (v) => toNumber(v as V);
  return d;
}

/* ---------------------------------------------------------------------------------------------
 * Bool configs
 * ------------------------------------------------------------------------------------------- */

function yesnotoi(s: string): boolean | undefined {
  const l = asciiLower(s);
  return l === "yes" ? true : l === "no" ? false : undefined;
}

function bool(name: string, def: boolean, flags: Flags = {}): Directive {
  return define<boolean>({
    name,
    type: "bool",
    flags,
    init: () => def,
    set: (args) => {
      const yn = yesnotoi(args[0]);
      if (yn === undefined) throw new SetFailure("argument must be 'yes' or 'no'");
      return yn;
    },
    format: (v) => (v ? "yes" : "no"),
    rewrite: (state, v, n) => state.rewriteLine(n, `${n} ${v ? "yes" : "no"}`, v !== def),
  });
}

/* ---------------------------------------------------------------------------------------------
 * String configs (createStringConfig / createSDSConfig)
 * ------------------------------------------------------------------------------------------- */

type Validator = (v: string) => string | undefined;

function str(
  name: string,
  def: string | null,
  emptyIsNull: boolean,
  flags: Flags = {},
  validate?: Validator,
): Directive {
  return define<string | null>({
    name,
    type: "string",
    flags,
    init: () => def,
    set: (args) => {
      const err = validate?.(args[0]);
      if (err !== undefined) throw new SetFailure(err);
      return emptyIsNull && args[0] === "" ? null : args[0];
    },
    format: (v) => v ?? "",
    rewrite: (state, v, n) => {
      // A NULL string must not appear in the file at all, to be NULL again after a restart.
      if (v === null) {
        state.markProcessed(n);
        return;
      }
      state.rewriteLine(n, `${n} ${repr(v)}`, !(def !== null && v === def));
    },
  });
}

function pathIsBaseName(v: string): boolean {
  return !v.includes("/") && !v.includes("\\");
}

const isValidDBfilename: Validator = (v) =>
  pathIsBaseName(v) ? undefined : "dbfilename can't be a path, just a filename";

const isValidAOFfilename: Validator = (v) =>
  v === ""
    ? "appendfilename can't be empty"
    : pathIsBaseName(v)
      ? undefined
      : "appendfilename can't be a path, just a filename";

const isValidAOFdirname: Validator = (v) =>
  v === ""
    ? "appenddirname can't be empty"
    : pathIsBaseName(v)
      ? undefined
      : "appenddirname can't be a path, just a dirname";

const NET_HOST_STR_LEN = 256;
const isValidAnnouncedHostname: Validator = (v) => {
  if (v.length >= NET_HOST_STR_LEN) return `Hostnames must be less than ${NET_HOST_STR_LEN} characters`;
  if (!/^[A-Za-z0-9.-]*$/.test(v)) return "Hostnames may only contain alphanumeric characters, hyphens or dots";
  return undefined;
};

/**
 * validateProcTitleTemplate: sdstemplate syntax (`{var}`, `{{` for a literal brace) with the
 * variables Redis knows, and a result that is not empty once trimmed (it is expanded with an
 * empty title, so `{title}` alone is refused, as Redis does).
 */
const PROC_TITLE_VARS: Record<string, string> = {
  title: "",
  "listen-addr": "*:6379",
  "server-mode": "",
  port: "6379",
  "tls-port": "0",
  unixsocket: "",
  "config-file": "",
};
const isValidProcTitleTemplate: Validator = (v) => {
  const bad = "template format is invalid or contains unknown variables";
  let res = "";
  let p = 0;
  while (p < v.length) {
    const sv = v.indexOf("{", p);
    if (sv < 0) {
      res += v.slice(p);
      break;
    }
    res += v.slice(p, sv);
    if (sv + 1 >= v.length) return bad;
    if (v[sv + 1] === "{") {
      res += "{";
      p = sv + 2;
      continue;
    }
    const ev = v.indexOf("}", sv + 1);
    if (ev < 0) return bad;
    const value = PROC_TITLE_VARS[v.slice(sv + 1, ev)];
    if (value === undefined) return bad;
    res += value;
    p = ev + 1;
  }
  return res.trim().length === 0 ? bad : undefined;
};

/* ---------------------------------------------------------------------------------------------
 * Enum configs
 * ------------------------------------------------------------------------------------------- */

type EnumEntries = ReadonlyArray<readonly [string, number]>;

/** configEnumGetName: a perfect match first; for bit flags, the covering names in table order. */
function enumName(entries: EnumEntries, value: number, bitflags: boolean): string {
  const names: string[] = [];
  let unmatched = value;
  for (const [name, val] of entries) {
    if (value === val) return name;
    if (bitflags && val !== 0 && val === (unmatched & val)) {
      names.push(name);
      unmatched &= ~val;
    }
  }
  return names.length === 0 || unmatched !== 0 ? "unknown" : names.join(" ");
}

function enumd(
  name: string,
  entries: EnumEntries,
  def: number,
  flags: Flags = {},
  opts: { bitflags?: boolean; validate?: (v: number) => string | undefined } = {},
): Directive {
  const bitflags = opts.bitflags === true;
  return define<number>({
    name,
    type: "enum",
    multiArg: bitflags,
    flags,
    init: () => def,
    set: (args) => {
      let value = 0;
      let ok = args.length > 0 && (bitflags || args.length === 1);
      for (const a of args) {
        if (!ok) break;
        const l = asciiLower(a);
        const hit = entries.filter(([n]) => n === l);
        if (hit.length === 0) ok = false;
        for (const [, v] of hit) value |= v;
      }
      if (!ok) {
        throw new SetFailure(`argument(s) must be one of the following: ${entries.map(([n]) => n).join(", ")}`);
      }
      const err = opts.validate?.(value);
      if (err !== undefined) throw new SetFailure(err);
      return value;
    },
    format: (v) => enumName(entries, v, bitflags),
    rewrite: (state, v, n) => state.rewriteLine(n, `${n} ${enumName(entries, v, bitflags)}`, v !== def),
  });
}

const MAXMEMORY_POLICIES: EnumEntries = [
  ["volatile-lru", 1],
  ["volatile-lfu", 2],
  ["volatile-random", 3],
  ["volatile-ttl", 4],
  ["allkeys-lru", 5],
  ["allkeys-lfu", 6],
  ["allkeys-random", 7],
  ["noeviction", 0],
];
const SYSLOG_FACILITIES: EnumEntries = [
  ["user", 8],
  ["local0", 128],
  ["local1", 136],
  ["local2", 144],
  ["local3", 152],
  ["local4", 160],
  ["local5", 168],
  ["local6", 176],
  ["local7", 184],
];
const LOGLEVELS: EnumEntries = [
  ["debug", 0],
  ["verbose", 1],
  ["notice", 2],
  ["warning", 3],
];
const SUPERVISED: EnumEntries = [
  ["upstart", 1],
  ["systemd", 2],
  ["auto", 3],
  ["no", 0],
];
const AOF_FSYNC: EnumEntries = [
  ["everysec", 2],
  ["always", 1],
  ["no", 0],
];
const REPL_DISKLESS_LOAD: EnumEntries = [
  ["disabled", 0],
  ["on-empty-db", 1],
  ["swapdb", 2],
];
const TLS_AUTH_CLIENTS: EnumEntries = [
  ["no", 0],
  ["yes", 1],
  ["optional", 2],
];
const OOM_SCORE_ADJ: EnumEntries = [
  ["no", 0],
  ["yes", 1],
  ["relative", 1],
  ["absolute", 2],
];
const ACL_PUBSUB_DEFAULT: EnumEntries = [
  ["allchannels", 1],
  ["resetchannels", 0],
];
const SANITIZE_DUMP_PAYLOAD: EnumEntries = [
  ["no", 0],
  ["yes", 1],
  ["clients", 2],
];
const PROTECTED_ACTION: EnumEntries = [
  ["no", 0],
  ["yes", 1],
  ["local", 2],
];
const CLUSTER_PREFERRED_ENDPOINT_TYPE: EnumEntries = [
  ["ip", 0],
  ["hostname", 1],
  ["unknown-endpoint", 2],
];
const PROPAGATION_ERROR_BEHAVIOR: EnumEntries = [
  ["ignore", 0],
  ["panic", 1],
  ["panic-on-replicas", 2],
];
/** SHUTDOWN_* flags of SHUTDOWN/SIGINT/SIGTERM handling. */
export const SHUTDOWN_SAVE = 1;
export const SHUTDOWN_NOSAVE = 2;
export const SHUTDOWN_NOW = 4;
export const SHUTDOWN_FORCE = 8;
const SHUTDOWN_ON_SIG: EnumEntries = [
  ["default", 0],
  ["save", SHUTDOWN_SAVE],
  ["nosave", SHUTDOWN_NOSAVE],
  ["now", SHUTDOWN_NOW],
  ["force", SHUTDOWN_FORCE],
];
const isValidShutdownOnSigFlags = (v: number): string | undefined =>
  v & SHUTDOWN_SAVE && v & SHUTDOWN_NOSAVE
    ? "shutdown options SAVE and NOSAVE can't be used simultaneously"
    : undefined;

/* ---------------------------------------------------------------------------------------------
 * Numeric configs
 * ------------------------------------------------------------------------------------------- */

/** The C type of the variable: decides the storage width and how bounds are compared. */
type CType = "int" | "uint" | "long" | "ulong" | "ll" | "ull" | "size_t" | "ssize_t" | "time_t" | "off_t";
/** INTEGER_CONFIG, MEMORY_CONFIG, MEMORY_CONFIG|PERCENT_CONFIG, OCTAL_CONFIG. */
type NumKind = "integer" | "memory" | "memory-percent" | "octal";

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const UINT_MAX = 2n ** 32n - 1n;
const LONG_MAX = 2n ** 63n - 1n;
const LLONG_MAX = LONG_MAX;
const ULLONG_MAX = 2n ** 64n - 1n;
const SSIZE_MAX = LONG_MAX;
const MB = 1024n * 1024n;

function store(ctype: CType, ll: bigint): bigint {
  switch (ctype) {
    case "int":
      return BigInt.asIntN(32, ll);
    case "uint":
      return BigInt.asUintN(32, ll);
    case "ulong":
    case "ull":
    case "size_t":
      return BigInt.asUintN(64, ll);
    default:
      return BigInt.asIntN(64, ll);
  }
}

function num(
  name: string,
  ctype: CType,
  lower: bigint,
  upper: bigint,
  def: bigint,
  kind: NumKind = "integer",
  flags: Flags = {},
  normalize?: (v: bigint) => bigint,
): Directive {
  const memory = kind === "memory" || kind === "memory-percent";
  const percent = kind === "memory-percent";
  const octal = kind === "octal";
  const unsigned = ctype === "ull" || ctype === "uint" || ctype === "size_t";

  // numericParseString
  const parse = (value: string): bigint => {
    if (memory) {
      const m = memtoull(value);
      if (m !== undefined) return BigInt.asIntN(64, m);
    }
    if (percent && value.length > 1 && value.endsWith("%")) {
      const p = string2ll(value.slice(0, -1));
      if (p !== undefined && p >= 0n) return -p;
    }
    if (octal) {
      const o = strtollStrict(value, 8);
      if (o !== undefined) return o;
    }
    if (kind === "integer") {
      const i = string2ll(value);
      if (i !== undefined) return i;
    }
    if (percent) throw new SetFailure("argument must be a memory or percent value");
    if (memory) throw new SetFailure("argument must be a memory value");
    if (octal) throw new SetFailure("argument couldn't be parsed as an octal number");
    throw new SetFailure("argument couldn't be parsed into an integer");
  };

  // numericBoundaryCheck
  const check = (ll: bigint): void => {
    if (unsigned) {
      const ull = BigInt.asUintN(64, ll);
      const lo = BigInt.asUintN(64, lower);
      const hi = BigInt.asUintN(64, upper);
      if (ull > hi || ull < lo) {
        const f = (b: bigint) => (octal ? b.toString(8) : b.toString());
        throw new SetFailure(`argument must be between ${f(lo)} and ${f(hi)} inclusive`);
      }
    } else if (percent && ll < 0n) {
      if (ll < lower) throw new SetFailure(`percentage argument must be less or equal to ${-lower}`);
    } else if (ll > upper || ll < lower) {
      throw new SetFailure(`argument must be between ${lower} and ${upper} inclusive`);
    }
  };

  const asLL = (v: bigint) => BigInt.asIntN(64, v);
  const format = (v: bigint): string => {
    if (percent && v < 0n) return `${-v}%`;
    if (memory) return BigInt.asUintN(64, v).toString();
    if (octal) return asLL(v).toString(8);
    return asLL(v).toString();
  };

  return define<bigint>({
    name,
    type: memory ? "memory" : "int",
    flags,
    init: () => def,
    set: (args) => {
      const ll = parse(args[0]);
      check(ll);
      return store(ctype, ll);
    },
    format,
    rewrite: (state, v, n) => {
      const value = asLL(v);
      const force = value !== asLL(def);
      if (percent && value < 0n) state.rewriteLine(n, `${n} ${-value}%`, force);
      else if (memory) state.rewriteLine(n, `${n} ${formatMemory(value)}`, force);
      else if (octal) state.rewriteLine(n, `${n} ${value.toString(8)}`, force);
      else state.rewriteLine(n, `${n} ${value}`, force);
    },
    normalize,
    toNumber: (v) => Number(v),
  });
}

/** Hz is a hint: out-of-range values are accepted and clamped (updateHZ). */
const CONFIG_MIN_HZ = 1n;
const CONFIG_MAX_HZ = 500n;
const clampHz = (v: bigint): bigint => (v < CONFIG_MIN_HZ ? CONFIG_MIN_HZ : v > CONFIG_MAX_HZ ? CONFIG_MAX_HZ : v);

/* ---------------------------------------------------------------------------------------------
 * Special configs
 * ------------------------------------------------------------------------------------------- */

export type SaveParams = Array<[seconds: bigint, changes: number]>;

const DEFAULT_SAVE: SaveParams = [
  [3600n, 1],
  [300n, 100],
  [60n, 10000],
];

const save = define<SaveParams>({
  name: "save",
  type: "special",
  multiArg: true,
  flags: {},
  init: () => DEFAULT_SAVE.map(([s, c]) => [s, c]),
  set: (argsIn, current, ctx) => {
    // A single "" means no save points at all.
    const args = argsIn.length === 1 && argsIn[0] === "" ? [] : argsIn;
    if (args.length % 2 !== 0) throw new SetFailure("Invalid save parameters");
    const vals: bigint[] = [];
    for (let j = 0; j < args.length; j++) {
      const v = strtollFull(args[j]);
      if (v === undefined || (j % 2 === 0 && v < 1n) || (j % 2 === 1 && v < 0n)) {
        throw new SetFailure("Invalid save parameters");
      }
      vals.push(v);
    }
    // While loading, save lines accumulate, but the first one drops the defaults.
    let out: SaveParams = [];
    if (ctx.loading) {
      if (ctx.loading.saveLoaded) out = current.map(([s, c]) => [s, c]);
      ctx.loading.saveLoaded = true;
    }
    for (let j = 0; j < vals.length; j += 2) out.push([vals[j], Number(BigInt.asIntN(32, vals[j + 1]))]);
    return out;
  },
  format: (v) => v.map(([s, c]) => `${s} ${c}`).join(" "),
  rewrite: (state, v, n) => {
    if (v.length === 0) state.rewriteLine(n, 'save ""', true);
    else for (const [s, c] of v) state.rewriteLine(n, `save ${s} ${c}`, true);
    state.markProcessed(n);
  },
});

export interface ObufLimit {
  hard: bigint;
  soft: bigint;
  seconds: number;
}
/** normal, replica (Redis prints "slave"), pubsub */
export type ObufLimits = [normal: ObufLimit, replica: ObufLimit, pubsub: ObufLimit];

const OBUF_DEFAULTS: ObufLimits = [
  { hard: 0n, soft: 0n, seconds: 0 },
  { hard: 256n * MB, soft: 64n * MB, seconds: 60 },
  { hard: 32n * MB, soft: 8n * MB, seconds: 60 },
];
const OBUF_GET_NAMES = ["normal", "slave", "pubsub"];
const OBUF_REWRITE_NAMES = ["normal", "replica", "pubsub"];

/** getClientTypeByName; master is a valid type but has no output buffer limit. */
function obufClass(name: string): number | "master" | undefined {
  switch (asciiLower(name)) {
    case "normal":
      return 0;
    case "slave":
    case "replica":
      return 1;
    case "pubsub":
      return 2;
    case "master":
      return "master";
    default:
      return undefined;
  }
}

const clientOutputBufferLimit = define<ObufLimits>({
  name: "client-output-buffer-limit",
  type: "special",
  multiArg: true,
  flags: {},
  init: () => OBUF_DEFAULTS.map((l) => ({ ...l })) as ObufLimits,
  set: (args, current) => {
    if (args.length % 4 !== 0) throw new SetFailure("Wrong number of arguments in buffer limit configuration.");
    const out = current.map((l) => ({ ...l })) as ObufLimits;
    const next: Array<[number, ObufLimit]> = [];
    for (let j = 0; j < args.length; j += 4) {
      const cls = obufClass(args[j]);
      if (cls === undefined || cls === "master") {
        throw new SetFailure("Invalid client class specified in buffer limit configuration.");
      }
      const hard = memtoull(args[j + 1]);
      const soft = memtoull(args[j + 2]);
      const secs = strtollFull(args[j + 3]);
      const seconds = secs === undefined ? -1 : Number(BigInt.asIntN(32, secs));
      if (hard === undefined || soft === undefined || secs === undefined || seconds < 0) {
        throw new SetFailure("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
      }
      next.push([cls, { hard, soft, seconds }]);
    }
    for (const [cls, l] of next) out[cls] = l;
    return out;
  },
  format: (v) => v.map((l, i) => `${OBUF_GET_NAMES[i]} ${l.hard} ${l.soft} ${l.seconds}`).join(" "),
  rewrite: (state, v, n) => {
    v.forEach((l, i) => {
      const d = OBUF_DEFAULTS[i];
      const force = l.hard !== d.hard || l.soft !== d.soft || l.seconds !== d.seconds;
      const line = `${n} ${OBUF_REWRITE_NAMES[i]} ${formatMemory(l.hard)} ${formatMemory(l.soft)} ${l.seconds}`;
      state.rewriteLine(n, line, force);
    });
  },
});

const OOM_DEFAULTS = [0, 200, 800];
const oomScoreAdjValues = define<number[]>({
  name: "oom-score-adj-values",
  type: "special",
  multiArg: true,
  flags: {},
  init: () => [...OOM_DEFAULTS],
  set: (args) => {
    if (args.length !== 3) throw new SetFailure("wrong number of arguments");
    return args.map((a) => {
      const v = strtollFull(a);
      if (v === undefined || v < -2000n || v > 2000n) {
        throw new SetFailure("Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
      }
      return Number(v);
    });
  },
  format: (v) => v.join(" "),
  rewrite: (state, v, n) =>
    state.rewriteLine(
      n,
      `${n} ${v.join(" ")}`,
      v.some((x, i) => x !== OOM_DEFAULTS[i]),
    ),
});

const notifyKeyspaceEvents = define<number>({
  name: "notify-keyspace-events",
  type: "special",
  flags: {},
  init: () => 0,
  set: (args) => {
    if (args.length !== 1) throw new SetFailure("wrong number of arguments");
    const flags = keyspaceEventsStringToFlags(args[0]);
    if (flags === -1) throw new SetFailure("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    return flags;
  },
  format: (v) => keyspaceEventsFlagsToString(v),
  rewrite: (state, v, n) => state.rewriteLine(n, `${n} ${repr(keyspaceEventsFlagsToString(v))}`, v !== 0),
  toNumber: (v) => v,
});

const CONFIG_BINDADDR_MAX = 16;
const DEFAULT_BIND = ["*", "-::*"];
const bind = define<string[]>({
  name: "bind",
  type: "special",
  multiArg: true,
  flags: {},
  init: () => [...DEFAULT_BIND],
  set: (args) => {
    if (args.length > CONFIG_BINDADDR_MAX) throw new SetFailure("Too many bind addresses specified.");
    return args.length === 1 && args[0] === "" ? [] : [...args];
  },
  format: (v) => v.join(" "),
  rewrite: (state, v, n) => {
    if (v.length === DEFAULT_BIND.length && v.every((a, i) => a === DEFAULT_BIND[i])) {
      state.markProcessed(n);
      return;
    }
    state.rewriteLine(n, `${n} ${v.length > 0 ? v.join(" ") : '""'}`, true);
  },
});

export interface ReplicaOf {
  host: string;
  port: number;
}

/** strtol + `*end == '\0'` as setConfigReplicaOfOption parses the port. */
function parsePort(s: string): number | undefined {
  const v = strtollFull(s);
  if (v === undefined || v < 0n || v > 65535n) return undefined;
  return Number(v);
}

const replicaof = define<ReplicaOf | null>({
  name: "replicaof",
  type: "special",
  multiArg: true,
  flags: { alias: "slaveof", immutable: true },
  init: () => null,
  set: (args) => {
    if (args.length !== 2) throw new SetFailure("wrong number of arguments");
    if (asciiLower(args[0]) === "no" && asciiLower(args[1]) === "one") return null;
    const port = parsePort(args[1]);
    if (port === undefined) throw new SetFailure("Invalid master port");
    return { host: args[0], port };
  },
  format: (v) => (v ? `${v.host} ${v.port}` : ""),
  rewrite: (state, v, n) => {
    // A master (or a cluster node) has no replicaof line.
    if (v === null) state.markProcessed(n);
    else state.rewriteLine(n, `${n} ${v.host} ${v.port}`, true);
  },
});

const DEFAULT_PERCENTILES = [50, 99, 99.9];
const latencyTrackingInfoPercentiles = define<number[]>({
  name: "latency-tracking-info-percentiles",
  type: "special",
  multiArg: true,
  flags: {},
  init: () => [...DEFAULT_PERCENTILES],
  set: (args) => {
    if (args.length === 1 && args[0] === "") return [];
    return args.map((a) => {
      const p = string2d(a);
      if (p === undefined) throw new SetFailure("Invalid latency-tracking-info-percentiles parameters");
      if (p > 100 || p < 0) {
        throw new SetFailure("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
      }
      return p;
    });
  },
  format: (v) => v.map(formatPercentile).join(" "),
  rewrite: (state, v, n) => {
    const line = v.length === 0 ? `${n} ""` : `${n} ${v.map(formatPercentile).join(" ")}`;
    state.rewriteLine(n, line, true);
  },
});

/**
 * `dir`: Redis chdir()s and prints getcwd(). Shardis keeps the absolute, symlink-resolved path
 * instead of changing the process's directory (the lead may chdir to it on the main thread).
 */
const dir = define<string>({
  name: "dir",
  type: "special",
  flags: { protected: true, denyLoading: true },
  init: () => toByteString(process.cwd()),
  set: (args, _current, ctx) => {
    if (args.length !== 1) throw new SetFailure("wrong number of arguments");
    if (args[0] === "") throw new SetFailure(strerror({ code: "ENOENT" }));
    const target = path.resolve(bytesToPath(ctx.dir), bytesToPath(args[0]));
    try {
      if (!fs.statSync(target).isDirectory()) throw new SetFailure(strerror({ code: "ENOTDIR" }));
      fs.accessSync(target, fs.constants.X_OK);
      return toByteString(fs.realpathSync(target));
    } catch (e) {
      if (e instanceof SetFailure) throw e;
      throw new SetFailure(strerror(e));
    }
  },
  format: (v) => v,
  rewrite: (state, v, n) => state.rewriteLine(n, `${n} ${repr(v)}`, true),
});

/* ---------------------------------------------------------------------------------------------
 * The table (same order as Redis's static_configs[])
 * ------------------------------------------------------------------------------------------- */

const IMM: Flags = { immutable: true };

/** shardis: worker threads owning keyspace shards; 0 runs the shards on the main thread. */
export function defaultShards(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

export const DIRECTIVES: readonly Directive[] = [
  /* Bool configs */
  bool("rdbchecksum", true, IMM),
  bool("daemonize", false, IMM),
  bool("io-threads-do-reads", false, IMM),
  bool("always-show-logo", false, IMM),
  bool("protected-mode", true),
  bool("rdbcompression", true),
  bool("rdb-del-sync-files", false),
  bool("activerehashing", true),
  bool("stop-writes-on-bgsave-error", true),
  bool("set-proc-title", true, IMM),
  bool("dynamic-hz", true),
  bool("lazyfree-lazy-eviction", false),
  bool("lazyfree-lazy-expire", false),
  bool("lazyfree-lazy-server-del", false),
  bool("lazyfree-lazy-user-del", false),
  bool("lazyfree-lazy-user-flush", false),
  bool("repl-disable-tcp-nodelay", false),
  bool("repl-diskless-sync", true),
  bool("aof-rewrite-incremental-fsync", true),
  bool("no-appendfsync-on-rewrite", false),
  bool("cluster-require-full-coverage", true),
  bool("rdb-save-incremental-fsync", true),
  bool("aof-load-truncated", true),
  bool("aof-use-rdb-preamble", true),
  bool("aof-timestamp-enabled", false),
  bool("cluster-replica-no-failover", false, { alias: "cluster-slave-no-failover" }),
  bool("replica-lazy-flush", false, { alias: "slave-lazy-flush" }),
  bool("replica-serve-stale-data", true, { alias: "slave-serve-stale-data" }),
  bool("replica-read-only", true, { alias: "slave-read-only" }),
  bool("replica-ignore-maxmemory", true, { alias: "slave-ignore-maxmemory" }),
  bool("jemalloc-bg-thread", true),
  // Accepted either way: shardis has no defragmenter (a libc-malloc Redis refuses "yes").
  bool("activedefrag", false),
  bool("syslog-enabled", false, IMM),
  bool("cluster-enabled", false, IMM),
  bool("appendonly", false, { denyLoading: true }),
  bool("cluster-allow-reads-when-down", false),
  bool("cluster-allow-pubsubshard-when-down", true),
  bool("crash-log-enabled", true),
  bool("crash-memcheck-enabled", true),
  bool("use-exit-on-panic", false, { hidden: true }),
  bool("disable-thp", true, IMM),
  bool("cluster-allow-replica-migration", true),
  bool("replica-announced", true),
  bool("latency-tracking", true),
  bool("aof-disable-auto-gc", false),
  bool("replica-ignore-disk-write-errors", false),

  /* String configs */
  str("aclfile", "", false, IMM),
  str("unixsocket", null, true, IMM),
  str("pidfile", null, true, IMM),
  str("replica-announce-ip", null, true, { alias: "slave-announce-ip" }),
  str("masteruser", null, true, { sensitive: true }),
  str("cluster-announce-ip", null, true),
  str("cluster-config-file", "nodes.conf", false, IMM),
  str("cluster-announce-hostname", null, true, {}, isValidAnnouncedHostname),
  str("syslog-ident", "redis", false, IMM),
  str("dbfilename", "dump.rdb", false, { protected: true }, isValidDBfilename),
  str("appendfilename", "appendonly.aof", false, IMM, isValidAOFfilename),
  str("appenddirname", "appendonlydir", false, IMM, isValidAOFdirname),
  str("server_cpulist", null, true, IMM),
  str("bio_cpulist", null, true, IMM),
  str("aof_rewrite_cpulist", null, true, IMM),
  str("bgsave_cpulist", null, true, IMM),
  str("ignore-warnings", "", false),
  str("proc-title-template", "{title} {listen-addr} {server-mode}", false, {}, isValidProcTitleTemplate),
  str("bind-source-addr", null, true),
  str("logfile", "", false, IMM),

  /* SDS configs */
  str("masterauth", null, true, { sensitive: true }),
  str("requirepass", null, true, { sensitive: true }),

  /* Enum configs */
  enumd("supervised", SUPERVISED, 0, IMM),
  enumd("syslog-facility", SYSLOG_FACILITIES, 128, IMM),
  enumd("repl-diskless-load", REPL_DISKLESS_LOAD, 0, { denyLoading: true }),
  enumd("loglevel", LOGLEVELS, 2),
  enumd("maxmemory-policy", MAXMEMORY_POLICIES, 0),
  enumd("appendfsync", AOF_FSYNC, 2),
  enumd("oom-score-adj", OOM_SCORE_ADJ, 0),
  enumd("acl-pubsub-default", ACL_PUBSUB_DEFAULT, 0),
  enumd("sanitize-dump-payload", SANITIZE_DUMP_PAYLOAD, 0),
  enumd("enable-protected-configs", PROTECTED_ACTION, 0, IMM),
  enumd("enable-debug-command", PROTECTED_ACTION, 0, IMM),
  enumd("enable-module-command", PROTECTED_ACTION, 0, IMM),
  enumd("cluster-preferred-endpoint-type", CLUSTER_PREFERRED_ENDPOINT_TYPE, 0),
  enumd("propagation-error-behavior", PROPAGATION_ERROR_BEHAVIOR, 0),
  enumd("shutdown-on-sigint", SHUTDOWN_ON_SIG, 0, {}, { bitflags: true, validate: isValidShutdownOnSigFlags }),
  enumd("shutdown-on-sigterm", SHUTDOWN_ON_SIG, 0, {}, { bitflags: true, validate: isValidShutdownOnSigFlags }),

  /* Integer configs */
  num("databases", "int", 1n, INT_MAX, 16n, "integer", IMM),
  num("port", "int", 0n, 65535n, 6379n),
  num("io-threads", "int", 1n, 128n, 1n, "integer", IMM),
  num("auto-aof-rewrite-percentage", "int", 0n, INT_MAX, 100n),
  num("cluster-replica-validity-factor", "int", 0n, INT_MAX, 10n, "integer", {
    alias: "cluster-slave-validity-factor",
  }),
  num("list-max-listpack-size", "int", INT_MIN, INT_MAX, -2n, "integer", { alias: "list-max-ziplist-size" }),
  num("tcp-keepalive", "int", 0n, INT_MAX, 300n),
  num("cluster-migration-barrier", "int", 0n, INT_MAX, 1n),
  num("active-defrag-cycle-min", "int", 1n, 99n, 1n),
  num("active-defrag-cycle-max", "int", 1n, 99n, 25n),
  num("active-defrag-threshold-lower", "int", 0n, 1000n, 10n),
  num("active-defrag-threshold-upper", "int", 0n, 1000n, 100n),
  num("lfu-log-factor", "int", 0n, INT_MAX, 10n),
  num("lfu-decay-time", "int", 0n, INT_MAX, 1n),
  num("replica-priority", "int", 0n, INT_MAX, 100n, "integer", { alias: "slave-priority" }),
  num("repl-diskless-sync-delay", "int", 0n, INT_MAX, 5n),
  num("maxmemory-samples", "int", 1n, INT_MAX, 5n),
  num("maxmemory-eviction-tenacity", "int", 0n, 100n, 10n),
  num("timeout", "int", 0n, INT_MAX, 0n),
  num("replica-announce-port", "int", 0n, 65535n, 0n, "integer", { alias: "slave-announce-port" }),
  num("tcp-backlog", "int", 0n, INT_MAX, 511n, "integer", IMM),
  num("cluster-port", "int", 0n, 65535n, 0n, "integer", IMM),
  num("cluster-announce-bus-port", "int", 0n, 65535n, 0n),
  num("cluster-announce-port", "int", 0n, 65535n, 0n),
  num("cluster-announce-tls-port", "int", 0n, 65535n, 0n),
  num("repl-timeout", "int", 1n, INT_MAX, 60n),
  num("repl-ping-replica-period", "int", 1n, INT_MAX, 10n, "integer", { alias: "repl-ping-slave-period" }),
  num("list-compress-depth", "int", 0n, INT_MAX, 0n),
  num("rdb-key-save-delay", "int", INT_MIN, INT_MAX, 0n, "integer", { hidden: true }),
  num("key-load-delay", "int", INT_MIN, INT_MAX, 0n, "integer", { hidden: true }),
  num("active-expire-effort", "int", 1n, 10n, 1n),
  num("hz", "int", 0n, INT_MAX, 10n, "integer", {}, clampHz),
  num("min-replicas-to-write", "int", 0n, INT_MAX, 0n, "integer", { alias: "min-slaves-to-write" }),
  num("min-replicas-max-lag", "int", 0n, INT_MAX, 10n, "integer", { alias: "min-slaves-max-lag" }),
  num("watchdog-period", "int", 0n, INT_MAX, 0n, "integer", { hidden: true }),
  num("shutdown-timeout", "int", 0n, INT_MAX, 10n),
  num("repl-diskless-sync-max-replicas", "int", 0n, INT_MAX, 0n),

  /* Unsigned int configs */
  num("maxclients", "uint", 1n, UINT_MAX, 10000n),
  num("unixsocketperm", "uint", 0n, 0o777n, 0n, "octal", IMM),
  num("socket-mark-id", "uint", 0n, UINT_MAX, 0n, "integer", IMM),

  /* Unsigned long configs */
  num("active-defrag-max-scan-fields", "ulong", 1n, LONG_MAX, 1000n),
  num("slowlog-max-len", "ulong", 0n, LONG_MAX, 128n),
  num("acllog-max-len", "ulong", 0n, LONG_MAX, 128n),

  /* Long long configs */
  num("busy-reply-threshold", "ll", 0n, LONG_MAX, 5000n, "integer", { alias: "lua-time-limit" }),
  num("cluster-node-timeout", "ll", 0n, LLONG_MAX, 15000n),
  num("slowlog-log-slower-than", "ll", -1n, LLONG_MAX, 10000n),
  num("latency-monitor-threshold", "ll", 0n, LLONG_MAX, 0n),
  num("proto-max-bulk-len", "ll", MB, LONG_MAX, 512n * MB, "memory"),
  num("stream-node-max-entries", "ll", 0n, LLONG_MAX, 100n),
  num("repl-backlog-size", "ll", 1n, LLONG_MAX, MB, "memory"),

  /* Unsigned long long configs */
  num("maxmemory", "ull", 0n, ULLONG_MAX, 0n, "memory"),
  num("cluster-link-sendbuf-limit", "ull", 0n, ULLONG_MAX, 0n, "memory"),

  /* Size_t configs */
  num("hash-max-listpack-entries", "size_t", 0n, LONG_MAX, 512n, "integer", { alias: "hash-max-ziplist-entries" }),
  num("set-max-intset-entries", "size_t", 0n, LONG_MAX, 512n),
  num("zset-max-listpack-entries", "size_t", 0n, LONG_MAX, 128n, "integer", { alias: "zset-max-ziplist-entries" }),
  num("active-defrag-ignore-bytes", "size_t", 1n, LLONG_MAX, 100n * MB, "memory"),
  num("hash-max-listpack-value", "size_t", 0n, LONG_MAX, 64n, "memory", { alias: "hash-max-ziplist-value" }),
  num("stream-node-max-bytes", "size_t", 0n, LONG_MAX, 4096n, "memory"),
  num("zset-max-listpack-value", "size_t", 0n, LONG_MAX, 64n, "memory", { alias: "zset-max-ziplist-value" }),
  num("hll-sparse-max-bytes", "size_t", 0n, LONG_MAX, 3000n, "memory"),
  num("tracking-table-max-keys", "size_t", 0n, LONG_MAX, 1000000n),
  num("client-query-buffer-limit", "size_t", MB, LONG_MAX, 1024n * MB, "memory"),
  num("maxmemory-clients", "ssize_t", -100n, SSIZE_MAX, 0n, "memory-percent"),

  /* Other configs */
  num("repl-backlog-ttl", "time_t", 0n, LONG_MAX, 3600n),
  num("auto-aof-rewrite-min-size", "off_t", 0n, LLONG_MAX, 64n * MB, "memory"),
  num("loading-process-events-interval-bytes", "off_t", 1024n, INT_MAX, 2n * MB, "integer", { hidden: true }),

  /* TLS configs (present in a TLS-enabled build such as Debian's; shardis has no TLS) */
  num("tls-port", "int", 0n, 65535n, 0n),
  num("tls-session-cache-size", "int", 0n, INT_MAX, 20n * 1024n),
  num("tls-session-cache-timeout", "int", 0n, INT_MAX, 300n),
  bool("tls-cluster", false),
  bool("tls-replication", false),
  enumd("tls-auth-clients", TLS_AUTH_CLIENTS, 1),
  bool("tls-prefer-server-ciphers", false),
  bool("tls-session-caching", true),
  str("tls-cert-file", null, true),
  str("tls-key-file", null, true),
  str("tls-key-file-pass", null, true, { sensitive: true }),
  str("tls-client-cert-file", null, true),
  str("tls-client-key-file", null, true),
  str("tls-client-key-file-pass", null, true, { sensitive: true }),
  str("tls-dh-params-file", null, true),
  str("tls-ca-cert-file", null, true),
  str("tls-ca-cert-dir", null, true),
  str("tls-protocols", null, true),
  str("tls-ciphers", null, true),
  str("tls-ciphersuites", null, true),

  /* Special configs */
  dir,
  save,
  clientOutputBufferLimit,
  oomScoreAdjValues,
  notifyKeyspaceEvents,
  bind,
  replicaof,
  latencyTrackingInfoPercentiles,

  /* shardis */
  define<bigint>({
    name: "shards",
    type: "int",
    flags: IMM,
    init: () => BigInt(defaultShards()),
    set: (args) => {
      const v = string2ll(args[0]);
      if (v === undefined) throw new SetFailure("argument couldn't be parsed into an integer");
      if (v < 0n || v > INT_MAX) throw new SetFailure(`argument must be between 0 and ${INT_MAX} inclusive`);
      return v;
    },
    format: (v) => v.toString(),
    rewrite: (state, v, n) => state.rewriteLine(n, `${n} ${v}`, v !== BigInt(defaultShards())),
    toNumber: (v) => Number(v),
  }),
];
