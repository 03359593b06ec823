/*
 * MULTI/EXEC/DISCARD/WATCH/UNWATCH (multi.c) on the main thread.
 *
 * Atomicity across shards comes from the single sequencer (docs/ARCHITECTURE.md): EXEC
 * enqueues every queued command, back to back, in one synchronous pass. Each shard thus
 * sees the transaction's pieces contiguously, at the same point of the global order as
 * every other shard, and any other client's command lands wholly before or wholly after
 * them in every shard. Cross-shard commands inside (RENAME, SUNIONSTORE, ...) hold their
 * shards at that same point. No locks and no coordinator round trip for the common case.
 *
 * WATCH: every write passes through the sequencer, so the main thread sees each write
 * command that names a watched key. Whether it changed anything is the shard's to say:
 * the command is bracketed by two reads of the shard's change counter (Redis's `dirty`),
 * enqueued right before and after it, and the watchers are marked only if the counter
 * moved, as Redis's signalModifiedKey marks only real changes (a SETNX on an existing key
 * does not fail the EXEC). EXEC waits for such checks in flight on its watched keys.
 * FLUSHDB/FLUSHALL/SWAPDB mark every watched key of their databases, existing or not
 * (Redis spares the keys that did not exist). A watched key that expires before EXEC
 * fails it, as in Redis 7.0.
 */
import { keyPositions } from "../commands/define.js";
import type { CommandSpec } from "../commands/types.js";
import type { Client } from "./client.js";

export const ERR_EXEC_WITHOUT_MULTI = "-ERR EXEC without MULTI\r\n";
export const ERR_DISCARD_WITHOUT_MULTI = "-ERR DISCARD without MULTI\r\n";
export const ERR_MULTI_NESTED = "-ERR MULTI calls can not be nested\r\n";
export const ERR_WATCH_IN_MULTI = "-ERR WATCH inside MULTI is not allowed\r\n";
export const ERR_EXECABORT = "-EXECABORT Transaction discarded because of previous errors.\r\n";
export const ERR_NOT_IN_MULTI = "-ERR Command not allowed inside a transaction\r\n";

/** Commands that run at once inside MULTI instead of being queued. */
export const TXN_CONTROL = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);

/** The clients WATCHing each key; the keys are `${db}\0${key}`. */
export class Watches {
  private readonly byKey = new Map<string, Set<Client>>();
  /** change checks in flight per watched key id */
  private readonly pending = new Map<string, number>();
  private waiters: Array<() => void> = [];

  get size(): number {
    return this.byKey.size;
  }

  /** WATCH: `expireAt` is the key's expire time when watched (-1: none, or no key). */
  watch(c: Client, db: number, key: string, expireAt: number): void {
    const id = `${db}\0${key}`;
    if (c.watching === undefined) c.watching = new Map();
    if (c.watching.has(id)) return;
    c.watching.set(id, expireAt);
    let set = this.byKey.get(id);
    if (set === undefined) {
      set = new Set();
      this.byKey.set(id, set);
    }
    set.add(c);
  }

  unwatchAll(c: Client): void {
    if (c.watching !== undefined) {
      for (const id of c.watching.keys()) {
        const set = this.byKey.get(id);
        if (set === undefined) continue;
        set.delete(c);
        if (set.size === 0) this.byKey.delete(id);
      }
      c.watching = undefined;
    }
    c.dirtyCas = false;
  }

  private touch(id: string): void {
    const set = this.byKey.get(id);
    if (set !== undefined) for (const c of set) c.dirtyCas = true;
  }

  private touchDbs(dbs: readonly number[]): void {
    for (const [id, set] of this.byKey) {
      if (!dbs.includes(Number(id.slice(0, id.indexOf("\0"))))) continue;
      for (const c of set) c.dirtyCas = true;
    }
  }

  /**
   * Before a write command runs: the watched key ids it names (empty: nobody watches them).
   * FLUSHDB/FLUSHALL/SWAPDB mark their watchers at once instead (and answer empty).
   */
  watchedBy(db: number, spec: CommandSpec, argv: string[], databases: number): string[] {
    switch (spec.name) {
      case "flushall":
        this.touchDbs([...Array(databases).keys()]);
        return [];
      case "flushdb":
        this.touchDbs([db]);
        return [];
      case "swapdb":
        this.touchDbs([Number(argv[1]), Number(argv[2])]);
        return [];
    }
    const ids: string[] = [];
    const add = (id: string): void => {
      if (this.byKey.has(id)) ids.push(id);
    };
    for (const i of keyPositions(spec, argv)) add(`${db}\0${argv[i]}`);
    if (spec.name === "move") add(`${Number(argv[2])}\0${argv[1]}`);
    if (spec.name === "copy") {
      for (let j = 3; j + 1 < argv.length; j++) {
        if (argv[j].toLowerCase() === "db") add(`${Number(argv[j + 1])}\0${argv[2]}`);
      }
    }
    return ids;
  }

  /** A change check on these ids is in flight. */
  beginCheck(ids: readonly string[]): void {
    for (const id of ids) this.pending.set(id, (this.pending.get(id) ?? 0) + 1);
  }

  /** The check came back: mark the watchers if the command changed something. */
  endCheck(ids: readonly string[], changed: boolean): void {
    for (const id of ids) {
      if (changed) this.touch(id);
      const n = (this.pending.get(id) ?? 1) - 1;
      if (n <= 0) this.pending.delete(id);
      else this.pending.set(id, n);
    }
    if (this.waiters.length > 0) {
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    }
  }

  /** Resolves when no change check is in flight on c's watched keys (or one marked it). */
  async settled(c: Client): Promise<void> {
    for (;;) {
      if (c.dirtyCas || c.watching === undefined) return;
      let busy = false;
      for (const id of c.watching.keys()) if (this.pending.has(id)) busy = true;
      if (!busy) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** isWatchedKeyExpired: a key that had a TTL when watched and has passed it since. */
  expired(c: Client, now: number): boolean {
    if (c.watching === undefined) return false;
    for (const at of c.watching.values()) if (at >= 0 && at <= now) return true;
    return false;
  }
}

/**
 * Where the replies of EXEC's commands go: slots in command order, answered as one array
 * when the last one is in. Sync replies fill their slot at once; shard replies later.
 */
export class ExecReplies {
  private readonly slots: (string | undefined)[] = [];
  private filled = 0;
  private closed = false;

  constructor(private readonly done: (reply: string) => void) {}

  repliesDropped(): boolean {
    return false;
  }

  reply(r: string): void {
    this.slots.push(r);
    this.filled++;
  }

  reserve(): number {
    this.slots.push(undefined);
    return this.slots.length - 1;
  }

  deliver(r: string, seq: number): void {
    this.slots[seq] = r;
    this.filled++;
    this.check();
  }

  /** Every command was issued: answer as soon as all replies are in. */
  close(): void {
    this.closed = true;
    this.check();
  }

  private check(): void {
    if (!this.closed || this.filled !== this.slots.length) return;
    this.closed = false;
    this.done(`*${this.slots.length}\r\n${this.slots.join("")}`);
  }
}
