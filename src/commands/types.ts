/*
 * The command table's types. One CommandSpec per command (subcommands nested, named
 * `config|get`) is the single source of truth for arity, flags and key positions:
 * the dispatcher's arity check, routing to shards, COMMAND, ACL categories and
 * INFO commandstats all read it.
 */
import type { Proto } from "../resp/reply.js";
import type { ShardDb, ShardEngine } from "../shards/engine.js";

/** Flags as Redis 7 spells them in COMMAND INFO. */
export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "module"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "skip_slowlog"
  | "asking"
  | "fast"
  | "no_auth"
  | "may_replicate"
  | "sentinel"
  | "only_sentinel"
  | "no_mandatory_keys"
  | "protected"
  | "no_async_loading"
  | "no_multi"
  | "movablekeys"
  | "allow_busy";

/** What a shard handler sees: the database it runs in and the caller's protocol. */
export interface ShardCtx {
  engine: ShardEngine;
  db: ShardDb;
  dbIndex: number;
  proto: Proto;
  /** Milliseconds since the epoch, sampled once per batch like Redis's command time snapshot. */
  now: number;
}

/**
 * What a blocking command's shard handler (BLPOP, BZPOPMIN, XREAD BLOCK, ...) answers when
 * there is nothing to serve yet: never sent to a client (it is not RESP). The main thread
 * then parks the client and runs the handler again when one of its keys is written.
 */
export const WOULD_BLOCK = "\0block";

/**
 * WOULD_BLOCK, with the arguments the retries must use instead of the original ones
 * (XREAD's `$` is resolved when the command starts: retries name the id it stood for).
 */
export function wouldBlockWith(argv: readonly string[]): string {
  let out = `${WOULD_BLOCK}*${argv.length}\r\n`;
  for (const a of argv) out += `$${a.length}\r\n${a}\r\n`;
  return out;
}

/** Runs on the shard that owns the command's keys; returns RESP bytes as a latin1 string. */
export type ShardHandler = (ctx: ShardCtx, argv: string[]) => string;

/**
 * How a multi-key command whose keys live in several shards is split: every shard runs the
 * same command over its own keys (key positions from the spec, `step` args per key), then
 * the main thread merges the shard replies. The pieces are independent, and the router
 * enqueues them in one global order, which is what makes the whole command atomic
 * (docs/ARCHITECTURE.md).
 *  - `sum`: integer replies added (DEL, EXISTS, TOUCH, UNLINK)
 *  - `ok`: every shard answers +OK (MSET)
 *  - `interleave`: array replies put back in the order of the original keys (MGET)
 */
export type SplitMerge = "sum" | "ok" | "interleave";

/** Where a command runs. */
export type RunsOn =
  /** keyless or connection/server state: the main thread */
  | "main"
  /** the shard owning its key(s); several shards only with `split` */
  | "shard"
  /** every shard, replies merged (DBSIZE, FLUSHALL, ...) */
  | "all";

export interface KeyRange {
  first: number;
  /** -1 means the last argument, -2 the one before, as in Redis. */
  last: number;
  step: number;
}

/**
 * A Redis 7 key specification, as COMMAND INFO reports it: where the search for keys
 * begins, how keys are found from there, and what the command does with those keys.
 */
export interface KeySpec {
  notes?: string;
  /** key-spec flags as Redis spells them: RO RW OW RM access update insert delete ... */
  flags: string[];
  /** `index`: keys start at this argument; `keyword`: after this word, searched from `startfrom` */
  beginSearch: { index: number } | { keyword: string; startfrom: number } | { unknown: true };
  /**
   * `range`: keys up to `lastkey` (relative to the begin index; negative counts from the
   * end) every `step`, at most argc/`limit` of them (0: no limit); `keynum`: the argument at
   * `keynumidx` says how many keys follow from `firstkey`, every `step`.
   */
  findKeys:
    | { range: { lastkey: number; step: number; limit: number } }
    | { keynum: { keynumidx: number; firstkey: number; step: number } }
    /** SORT's BY/GET and STORE keys: named by the command's content, found by its getKeys */
    | { unknown: true };
}

export interface CommandSpec {
  /** lowercase; `parent|sub` for subcommands */
  name: string;
  arity: number;
  flags: CommandFlag[];
  keys: KeyRange;
  /** for commands with movable keys: the positions of the keys in argv */
  getKeys?: (argv: string[]) => number[];
  group: string;
  since: string;
  summary: string;
  complexity: string;
  /** command tips (`request_policy:...`, `nondeterministic_output`), as COMMAND INFO lists them */
  tips?: string[];
  /**
   * Key specs as Redis 7.0 declares them; without them COMMAND INFO derives one from `keys`
   * and approximates the key flags from the command's flags.
   */
  keySpecs?: KeySpec[];
  /**
   * For commands whose key specs carry `variable_flags` (SET): the keys with the flags this
   * very call implies, as Redis's getkeys_proc reports them to COMMAND GETKEYSANDFLAGS.
   */
  getKeysWithFlags?: (argv: readonly string[]) => Array<{ pos: number; flags: string[] }>;
  /** ACL categories beyond the ones derived from flags and group (e.g. "dangerous") */
  acl?: string[];
  runsOn: RunsOn;
  /** argument checks the main thread runs before routing (an error reply, or undefined) */
  check?: (argv: string[], env: CheckEnv) => string | undefined;
  /**
   * A check that needs only the argument count (MSET's pairs): also run for requests the
   * main thread forwards without making their arguments strings (Server.processRaw).
   */
  checkArgc?: (argc: number) => string | undefined;
  shard?: ShardHandler;
  split?: SplitMerge;
  /**
   * The cross-shard job (src/shards/jobs.ts) that runs this command when its keys live in
   * several shards and its pieces depend on each other (RENAME, MSETNX).
   */
  cross?: string;
  /**
   * Whether this call reads keys it does not declare (SORT's BY/GET patterns): then, with
   * several shards, the `cross` job runs it holding every shard.
   */
  crossAll?: (argv: string[]) => boolean;
  /** merging the replies of a `runsOn: "all"` command */
  mergeAll?: (replies: string[], argv: string[], proto: Proto) => string;
  /** main-thread handler, see src/net/client.ts for the context it receives */
  main?: MainHandler;
  subcommands?: Map<string, CommandSpec>;
}

/** The main thread's handler: returns a reply, or a promise of one for async work. */
export type MainHandler = (
  client: import("../net/client.js").Client,
  argv: string[],
) => string | Promise<string> | undefined;

/** What argument checks may consult on the main thread. */
export interface CheckEnv {
  databases: number;
  config: { getString(name: string): string };
}
