/*
 * A garbage collection when a shard goes quiet after a burst of writes.
 *
 * A shard worker's loop never returns to its event loop, so V8's idle-time memory reducer
 * never runs there, and what a load leaves behind stays resident (measured: 632k keys of
 * `redis-benchmark -t set` left ~60 MB more RSS than the live data needs,
 * bench/results/memory-*.md). The shard calls `maybe()` from its cron; it collects once
 * the shard has been idle for a second after at least GC_AFTER_WRITES changes.
 */

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

const GC_AFTER_WRITES = 10000;
const IDLE_MS = 1000;

let gcFn: (() => void) | undefined | null = null;

/** V8's gc(), exposed for this thread (a context created after --expose-gc has it). */
function collector(): (() => void) | undefined {
  if (gcFn === null) {
    try {
      setFlagsFromString("--expose-gc");
      gcFn = runInNewContext("gc") as () => void;
    } catch {
      gcFn = undefined;
    }
  }
  return gcFn;
}

export class IdleGc {
  private lastDirty = 0;
  private lastChange = 0;
  private dirtyAtGc = 0;

  /** Called from the cron with the shard's change counter and the time in ms. */
  maybe(dirty: number, now: number): void {
    if (dirty !== this.lastDirty) {
      this.lastDirty = dirty;
      this.lastChange = now;
      return;
    }
    if (now - this.lastChange < IDLE_MS || dirty - this.dirtyAtGc < GC_AFTER_WRITES) return;
    this.dirtyAtGc = dirty;
    collector()?.();
  }
}
