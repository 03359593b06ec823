/*
 * Blocking commands (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP, XREAD
 * and XREADGROUP with BLOCK) on the main thread, the single sequencer.
 *
 * A blocking command's shard handler makes one attempt: it serves, or answers WOULD_BLOCK
 * (src/commands/types.ts). Then the client is parked here, on each of its keys, without
 * holding any thread. Every write command the sequencer dispatches on a key with parked
 * clients retries their attempts, enqueued right behind the write in the shards' order,
 * so the retry sees the write and nothing later (as Redis serves blocked clients right
 * after the command that made a key ready). Waiters of one key are retried in the order
 * they blocked; a client retried for one key is not retried for another until that
 * attempt comes back, so it is never served twice.
 *
 * While a blocking command is in flight or parked, the client's later commands wait in
 * its `held` queue, as Redis reads nothing more from a blocked client.
 */
import type { CommandSpec } from "../commands/types.js";
import { WOULD_BLOCK } from "../commands/types.js";
import { error, nullArray, nullBulk } from "../resp/reply.js";
import { decodeBulkArray } from "../resp/scan.js";
import type { ReplyTarget } from "../shards/router.js";
import type { Client } from "./client.js";

/** Routes one attempt of a command to its shard(s); the reply comes to target.deliver. */
export type RouteFn = (c: Client, spec: CommandSpec, argv: string[], target: ReplyTarget) => void;

interface Waiter {
  client: Client;
  target: ReplyTarget;
  spec: CommandSpec;
  argv: string[];
  db: number;
  keys: string[];
  /** the client's reply slot */
  seq: number;
  /** when the timeout ends the wait (ms since the epoch), 0 for never */
  deadline: number;
  timer: NodeJS.Timeout | undefined;
  /** the first attempt came back empty: the client is blocked (INFO, CLIENT LIST, UNBLOCK) */
  parked: boolean;
  /** an attempt is in flight */
  retrying: boolean;
  /** a key was written while the attempt was in flight: try again when it comes back */
  rewake: boolean;
  /** the timeout (or CLIENT UNBLOCK) came while an attempt was in flight: this reply then */
  endWith: string | undefined;
  done: boolean;
}

const ERR_UNBLOCKED = error("UNBLOCKED client unblocked via CLIENT UNBLOCK");

/**
 * The timeout of a blocking call in ms (0: forever), as Redis computes it: seconds as a
 * decimal, truncated to whole ms (so 0.0001 means forever, as in Redis), or XREAD's
 * BLOCK milliseconds. Undefined when the command would not block (XREAD without BLOCK).
 */
export function blockTimeoutMs(spec: CommandSpec, argv: string[]): number | undefined {
  let secs: string | undefined;
  switch (spec.name) {
    case "blpop":
    case "brpop":
    case "bzpopmin":
    case "bzpopmax":
      secs = argv[argv.length - 1];
      break;
    case "brpoplpush":
      secs = argv[3];
      break;
    case "blmove":
      secs = argv[5];
      break;
    case "blmpop":
    case "bzmpop":
      secs = argv[1];
      break;
    case "xread":
    case "xreadgroup": {
      for (let i = 1; i < argv.length - 1; i++) {
        const a = argv[i].toLowerCase();
        if (a === "streams") return undefined;
        if (a === "block") return Math.max(0, Math.trunc(Number(argv[i + 1])) || 0);
      }
      return undefined;
    }
    default:
      return undefined;
  }
  const ms = Math.trunc(Number(secs) * 1000);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** What a blocked call answers when it times out. */
/**
 * What a blocking command answers inside MULTI when it finds nothing (it never blocks
 * there): BRPOPLPUSH/BLMOVE a null bulk, the others a null array, as their DENY_BLOCKING
 * paths in t_list.c/t_zset.c/t_stream.c reply.
 */
export function noBlockReply(spec: CommandSpec, proto: 2 | 3): string {
  return spec.name === "brpoplpush" || spec.name === "blmove" ? nullBulk(proto) : nullArray(proto);
}

export function timeoutReply(_spec: CommandSpec, proto: 2 | 3): string {
  // replyToBlockedClientTimedOut: a null array for every list, zset and stream command,
  // BRPOPLPUSH and BLMOVE included (*-1 in RESP2)
  return nullArray(proto);
}

export class Blocking {
  /** `${db}\0${key}` -> waiters in the order they blocked */
  private readonly byKey = new Map<string, Waiter[]>();
  private readonly byClient = new Map<Client, Waiter>();

  constructor(
    private readonly route: RouteFn,
    private readonly keysOf: (spec: CommandSpec, argv: string[]) => string[],
    /** runs a released client's held commands (later, not inside the caller's stack) */
    private readonly release: (c: Client) => void,
    /** a write happened on keys: wake their waiters (BLMOVE's push wakes the next one) */
    private readonly afterWrite: (db: number, keys: string[]) => void,
  ) {}

  private parkedCount = 0;

  /** INFO blocked_clients */
  get blockedCount(): number {
    return this.parkedCount;
  }

  /** Blocked in Redis's sense: waiting, not just making its first attempt. */
  isBlocked(c: Client): boolean {
    return this.byClient.get(c)?.parked === true;
  }

  hasWaiters(): boolean {
    return this.byKey.size > 0;
  }

  /**
   * Runs a blocking command for client `c`, whose reply slot is `seq` (its later commands
   * are already held by the caller). The client is listed on its keys at once, before the
   * first attempt comes back: a write sequenced meanwhile must not go unnoticed, and
   * waiters keep the order in which their commands were sequenced.
   */
  start(c: Client, spec: CommandSpec, argv: string[], target: ReplyTarget, seq: number): void {
    const ms = blockTimeoutMs(spec, argv) ?? 0;
    const w: Waiter = {
      client: c,
      target,
      spec,
      argv,
      db: c.db,
      keys: this.keysOf(spec, argv),
      seq,
      deadline: ms > 0 ? Date.now() + ms : 0,
      timer: undefined,
      parked: false,
      retrying: true,
      rewake: false,
      endWith: undefined,
      done: false,
    };
    this.byClient.set(c, w);
    for (const k of w.keys) {
      const id = `${w.db}\0${k}`;
      const list = this.byKey.get(id);
      if (list === undefined) this.byKey.set(id, [w]);
      else if (!list.includes(w)) list.push(w);
    }
    this.attempt(w);
  }

  private attempt(w: Waiter): void {
    w.retrying = true;
    w.rewake = false;
    this.route(w.client, w.spec, w.argv, {
      deliver: (reply) => {
        w.retrying = false;
        if (w.done) return;
        if (!reply.startsWith(WOULD_BLOCK)) {
          this.finish(w, reply);
          // BLMOVE's push may feed another waiter
          if (w.spec.name === "blmove" || w.spec.name === "brpoplpush") this.afterWrite(w.db, w.keys);
          return;
        }
        if (reply.length > WOULD_BLOCK.length) w.argv = decodeRewrite(reply);
        if (w.endWith !== undefined) this.finish(w, w.endWith);
        else if (w.rewake) this.attempt(w);
        else if (!w.parked) this.park(w);
      },
    });
  }

  /** The first attempt found nothing: the client now waits, until its deadline if any. */
  private park(w: Waiter): void {
    w.parked = true;
    this.parkedCount++;
    if (w.deadline === 0) return;
    const left = w.deadline - Date.now();
    const reply = timeoutReply(w.spec, w.client.proto);
    if (left <= 0) this.finish(w, reply);
    else w.timer = setTimeout(() => this.end(w, reply), left);
  }

  /** A write command was sequenced on these keys of db: retry their waiters, oldest first. */
  signal(db: number, keys: readonly string[]): void {
    for (const k of keys) {
      const list = this.byKey.get(`${db}\0${k}`);
      if (list === undefined) continue;
      for (const w of [...list]) {
        if (w.retrying) w.rewake = true;
        else this.attempt(w);
      }
    }
  }

  /** SWAPDB, FLUSHALL and the like: every waiter of these dbs tries again. */
  signalDbs(dbs: readonly number[]): void {
    for (const w of [...this.byClient.values()]) {
      if (!dbs.includes(w.db)) continue;
      if (w.retrying) w.rewake = true;
      else this.attempt(w);
    }
  }

  /** Timeout or CLIENT UNBLOCK: answer `reply`, unless an attempt in flight serves first. */
  private end(w: Waiter, reply: string): void {
    if (w.done) return;
    if (w.retrying) w.endWith = reply;
    else this.finish(w, reply);
  }

  private finish(w: Waiter, reply: string): void {
    this.forget(w);
    w.target.deliver(reply, w.seq);
    this.release(w.client);
  }

  private forget(w: Waiter): void {
    w.done = true;
    if (w.parked) this.parkedCount--;
    if (w.timer !== undefined) clearTimeout(w.timer);
    this.byClient.delete(w.client);
    for (const k of w.keys) {
      const id = `${w.db}\0${k}`;
      const list = this.byKey.get(id);
      if (list === undefined) continue;
      const i = list.indexOf(w);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byKey.delete(id);
    }
  }

  /** CLIENT UNBLOCK id [TIMEOUT|ERROR]: whether the client was blocked. */
  unblock(c: Client, withError: boolean): boolean {
    const w = this.byClient.get(c);
    if (w === undefined || w.done || !w.parked) return false;
    this.end(w, withError ? ERR_UNBLOCKED : timeoutReply(w.spec, c.proto));
    return true;
  }

  /** A blocked client disconnected: it leaves no trace. */
  dropClient(c: Client): void {
    const w = this.byClient.get(c);
    if (w !== undefined) this.forget(w);
  }
}

function decodeRewrite(reply: string): string[] {
  const a = decodeBulkArray(reply.slice(WOULD_BLOCK.length));
  if (a === undefined) throw new Error("a blocking attempt sent malformed retry arguments");
  return a as string[];
}
