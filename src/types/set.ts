/*
 * The set type (t_set.c): members are latin1 byte strings kept in a JS Set.
 *
 * Encodings, as Redis 7.0 (no listpack sets before 7.2):
 *  1. `intset` while every member is an integer Redis's string2ll accepts (canonical
 *     int64 text) and there are at most set-max-intset-entries of them. An intset is
 *     sorted, so every reply that walks the set (SMEMBERS, SSCAN, SRANDMEMBER with a count
 *     past the size, ...) lists the members in ascending numeric order, as Redis does.
 *  2. `hashtable` otherwise. The conversion is one-way: removing members never goes back.
 *
 * This file also holds ScanIndex, the cursor over a hashtable-encoded hash or set that
 * HSCAN and SSCAN use (see below).
 */
import { type Collection, type EngineSettings, registerValueType } from "../shards/engine.js";
import { parseInteger } from "../util/numbers.js";

// ---------------------------------------------------------------- serialization helpers

/** Length-prefixed strings: `<len>:<bytes>` one after another. */
export function encodeStrings(items: Iterable<string>): string {
  let out = "";
  for (const s of items) out += `${s.length}:${s}`;
  return out;
}

/** The inverse of encodeStrings, from offset `pos`. */
export function decodeStrings(payload: string, pos: number): string[] {
  const out: string[] = [];
  while (pos < payload.length) {
    const colon = payload.indexOf(":", pos);
    const len = Number(payload.slice(pos, colon));
    out.push(payload.slice(colon + 1, colon + 1 + len));
    pos = colon + 1 + len;
  }
  return out;
}

// ---------------------------------------------------------------- integers

/** isSdsRepresentableAsLongLong: canonical int64 text. */
export function isIntegerMember(s: string): boolean {
  if (s.length === 0 || s.length > 20) return false;
  const c = s.charCodeAt(0);
  if (c !== 45 && (c < 48 || c > 57)) return false;
  return parseInteger(s) !== undefined;
}

/** Numeric order of two canonical integer strings (sign, then length, then digits). */
function compareIntStrings(a: string, b: string): number {
  const na = a.charCodeAt(0) === 45;
  const nb = b.charCodeAt(0) === 45;
  if (na !== nb) return na ? -1 : 1;
  let r: number;
  if (a.length !== b.length) r = a.length < b.length ? -1 : 1;
  else r = a < b ? -1 : a > b ? 1 : 0;
  return na ? -r : r;
}

// ---------------------------------------------------------------- scan cursor

/** FNV-1a over the bytes: where a member sits in the scan order. */
export function scanHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The cursor of HSCAN/SSCAN over a hashtable encoding. Redis walks its hash table's
 * buckets in reverse-binary order so that a full scan returns every element that was
 * present from start to end at least once, whatever happens in between. Here the members
 * are ordered by a hash of their bytes (scanHash) and the cursor is "the next hash to
 * visit, plus one" (0 starts and ends a scan). So:
 *  1. the order depends only on the members' bytes: it survives rehashing, a value being
 *     serialized to another shard and back, and members being added or removed;
 *  2. a call returns whole runs of equal hashes, so the cursor never splits a collision;
 *  3. every member present at a call is in the index (additions since the last call are
 *     merged first), so everything below the returned cursor was visited.
 * The sorted index is built on the first scan call and dropped when a scan completes.
 */
export class ScanIndex {
  private hashes: number[] = [];
  private members: string[] = [];
  private pending: string[] = [];

  constructor(all: Iterable<string>) {
    const items: Array<[number, string]> = [];
    for (const m of all) items.push([scanHash(m), m]);
    items.sort(compareEntries);
    for (const [h, m] of items) {
      this.hashes.push(h);
      this.members.push(m);
    }
  }

  /**
   * A member was added after the index was built. Returns false when the index should be
   * dropped instead (more additions pending than it indexes: an abandoned scan must not
   * grow without bound; a later call rebuilds it, the order being a function of the
   * members).
   */
  added(member: string): boolean {
    this.pending.push(member);
    return this.pending.length <= this.hashes.length + 64;
  }

  /** Merges the pending additions, dropping members no longer present. */
  private merge(has: (m: string) => boolean): void {
    const add: Array<[number, string]> = this.pending.map((m) => [scanHash(m), m]);
    this.pending = [];
    add.sort(compareEntries);
    const hs: number[] = [];
    const out: string[] = [];
    let i = 0;
    let j = 0;
    const push = (h: number, m: string): void => {
      const n = hs.length;
      if (n > 0 && hs[n - 1] === h && out[n - 1] === m) return;
      if (!has(m)) return;
      hs.push(h);
      out.push(m);
    };
    while (i < this.hashes.length || j < add.length) {
      if (
        j >= add.length ||
        (i < this.hashes.length && compareEntries([this.hashes[i], this.members[i]], add[j]) <= 0)
      ) {
        push(this.hashes[i], this.members[i]);
        i++;
      } else {
        push(add[j][0], add[j][1]);
        j++;
      }
    }
    this.hashes = hs;
    this.members = out;
  }

  /**
   * One SCAN step from `cursor` (0, or a value this index returned): at least `count`
   * present members (fewer at the end), and the next cursor (0 when done).
   */
  step(cursor: bigint, count: number, has: (m: string) => boolean): { next: number; found: string[] } {
    if (this.pending.length > 0) this.merge(has);
    const found: string[] = [];
    if (cursor > 0x100000000n) return { next: 0, found };
    const start = cursor === 0n ? 0 : Number(cursor) - 1;
    const hs = this.hashes;
    // lower bound of `start`
    let lo = 0;
    let hi = hs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (hs[mid] < start) lo = mid + 1;
      else hi = mid;
    }
    let i = lo;
    while (i < hs.length && found.length < count) {
      const h = hs[i];
      while (i < hs.length && hs[i] === h) {
        const m = this.members[i++];
        if (has(m)) found.push(m);
      }
    }
    return { next: i < hs.length ? hs[i] + 1 : 0, found };
  }
}

function compareEntries(a: [number, string], b: [number, string]): number {
  if (a[0] !== b[0]) return a[0] - b[0];
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

// ---------------------------------------------------------------- random picks

/**
 * A uniformly random element of a non-empty collection in O(1) amortized, as Redis's
 * dictGetFairRandomKey is (SPOP in a loop must not be quadratic). The owner keeps an array
 * of its elements, built on the first pick and dropped whenever an element is added;
 * removed elements stay in it until a pick lands on one and swaps it out (so picks stay
 * uniform over what is present), and the array is rebuilt when more than half is stale.
 */
export function randomPick(
  owner: { randomCache: string[] | undefined },
  live: ReadonlySet<string> | ReadonlyMap<string, unknown>,
): string {
  let cache = owner.randomCache;
  if (cache === undefined || cache.length > 2 * live.size + 16) {
    cache = [...live.keys()];
    owner.randomCache = cache;
  }
  for (;;) {
    if (cache.length === 0) throw new Error("random element of an empty collection");
    const i = Math.floor(Math.random() * cache.length);
    const m = cache[i];
    if (live.has(m)) return m;
    cache[i] = cache[cache.length - 1];
    cache.pop();
  }
}

// ---------------------------------------------------------------- the set value

export class SetValue implements Collection {
  readonly type = "set";
  readonly members = new Set<string>();
  /** the encoding: intset (true) or hashtable; one-way */
  intset: boolean;
  /** intset iteration order, cached until the next change */
  private sortedCache: string[] | undefined;
  /** HSCAN/SSCAN index over the hashtable encoding, while a scan is running */
  scanIndex: ScanIndex | undefined;
  /** see randomPick */
  randomCache: string[] | undefined;

  constructor(intset: boolean) {
    this.intset = intset;
  }

  /** setTypeCreate: an intset when the first member is an integer, else a hashtable. */
  static create(first: string): SetValue {
    return new SetValue(isIntegerMember(first));
  }

  static load(payload: string): SetValue {
    const s = new SetValue(payload.charCodeAt(0) === 73); // 'I'
    for (const m of decodeStrings(payload, 1)) s.members.add(m);
    return s;
  }

  encoding(_settings: EngineSettings): string {
    return this.intset ? "intset" : "hashtable";
  }

  serialize(): string {
    return (this.intset ? "I" : "H") + encodeStrings(this.members);
  }

  memoryUsage(_samples: number): number {
    if (this.intset) {
      let width = 2;
      for (const m of this.members) {
        const n = Number(m);
        if (n < -2147483648 || n > 2147483647) {
          width = 8;
          break;
        }
        if (n < -32768 || n > 32767) width = 4;
      }
      return 8 + width * this.members.size;
    }
    let bytes = 64 + this.members.size * 32;
    for (const m of this.members) bytes += m.length + 4;
    return bytes;
  }

  get size(): number {
    return this.members.size;
  }

  has(m: string): boolean {
    return this.members.has(m);
  }

  /**
   * setTypeAdd: true when the member was new. An intset takes integers while it stays
   * within set-max-intset-entries (checked after a successful add); anything else
   * converts it to a hashtable.
   */
  add(m: string, settings: EngineSettings): boolean {
    if (this.members.has(m)) return false;
    if (this.intset) {
      if (!isIntegerMember(m)) this.intset = false;
      this.members.add(m);
      if (this.intset && this.members.size > Math.min(settings["set-max-intset-entries"], 1 << 30)) {
        this.intset = false;
      }
    } else {
      this.members.add(m);
    }
    this.sortedCache = undefined;
    this.randomCache = undefined;
    if (this.scanIndex !== undefined && !this.scanIndex.added(m)) this.scanIndex = undefined;
    return true;
  }

  remove(m: string): boolean {
    if (!this.members.delete(m)) return false;
    this.sortedCache = undefined;
    return true;
  }

  /** The members in the encoding's order (ascending for intsets). */
  values(): Iterable<string> {
    if (!this.intset) return this.members;
    if (this.sortedCache === undefined) this.sortedCache = [...this.members].sort(compareIntStrings);
    return this.sortedCache;
  }

  /** The members as an array, in the encoding's order. */
  toArray(): string[] {
    return this.intset ? [...(this.values() as string[])] : [...this.members];
  }

  /** A uniformly random member (the set is not empty). */
  random(): string {
    return randomPick(this, this.members);
  }
}

registerValueType("set", (payload) => SetValue.load(payload));
