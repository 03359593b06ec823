/*
 * SCAN's state in a shard (src/commands/keyspace.ts has the command).
 */
import { stringMatch } from "../keyspace/glob.js";
import { bulkArray } from "../resp/reply.js";
import { type ShardDb, type ShardEngine, typeName } from "./engine.js";

/**
 * The walks SCAN keeps in a shard. A walk is a live Map iterator over one db's dict: it
 * sees every key present from start to end exactly once, which is SCAN's promise. Keys
 * added meanwhile come after all the keys present at the start (Maps keep insertion
 * order), so a walk stops after as many steps as the dict had keys when it began: every
 * survivor has been seen by then, and a scan ends even while writers keep adding keys. A client names its walk by the cursor; a walk unknown to us
 * (forgotten after MAX_WALKS newer ones, or a made-up cursor) starts over, so keys may
 * come back twice but none present throughout is missed.
 */
export class ScanWalks {
  private readonly walks = new Map<number, { db: ShardDb; it: Iterator<string>; left: number }>();
  private nextId = 1;
  static readonly MAX_WALKS = 4096;

  /**
   * Advances walk `id` (0 or unknown: a new one) by `count` keys of db `dbIndex`;
   * answers [next id or "0" when done, keys visited, matching keys...].
   */
  step(engine: ShardEngine, dbIndex: number, id: number, count: number, pattern: string, type: string): string {
    const db = engine.dbs[dbIndex];
    let walk = this.walks.get(id);
    if (walk !== undefined) this.walks.delete(id);
    if (walk === undefined || walk.db !== db) walk = { db, it: db.dict.keys(), left: db.dict.size };
    const out: string[] = ["0", "0"];
    engine.now = Date.now();
    let done = false;
    let i = 0;
    for (; i < count; i++) {
      const next = walk.left-- > 0 ? walk.it.next() : undefined;
      if (next === undefined || next.done) {
        done = true;
        break;
      }
      const key = next.value;
      if (pattern !== "" && pattern !== "*" && !stringMatch(pattern, key, false)) continue;
      const v = engine.lookupWrite(db, key);
      if (v === undefined) continue;
      if (type !== "" && typeName(v) !== type) continue;
      out.push(key);
    }
    if (!done) {
      const nid = this.nextId++;
      this.walks.set(nid, walk);
      if (this.walks.size > ScanWalks.MAX_WALKS) {
        const oldest = this.walks.keys().next().value as number;
        this.walks.delete(oldest);
      }
      out[0] = String(nid);
    }
    out[1] = String(i);
    return bulkArray(out);
  }
}
