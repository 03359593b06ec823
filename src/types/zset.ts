/*
 * The sorted set value (t_zset.c's zset): members ordered by (score, member bytes), with
 * O(log n) insert, delete, rank and access by rank.
 *
 * Instead of Redis's skiplist (one heap node per member, which costs a lot of memory in
 * JS), the order is kept in "leaves": short sorted arrays of members and of scores (JS
 * arrays of doubles are stored unboxed). A Fenwick tree over the leaf sizes gives the rank
 * of a leaf's first element and finds the leaf holding a given rank, both in O(log L).
 * Inserting into a leaf is an array splice of at most LEAF_MAX elements, cheap memmove.
 * A Map member -> score answers ZSCORE and membership in O(1), as Redis's dict does; it
 * only exists past SMALL_MAX members (small sets scan their one leaf, as a listpack is
 * scanned), which keeps a small zset a few hundred bytes instead of a kilobyte.
 *
 * Redis's two encodings (listpack, skiplist) are only a flag here: the order and the
 * replies are the same in both, and what OBJECT ENCODING answers, ZSCAN's shape and the
 * one-way conversion rules are handled by the commands (src/commands/zset.ts).
 */
import { type Collection, registerValueType } from "../shards/engine.js";

/** A leaf is split in two when it grows past this many elements. */
const LEAF_MAX = 256;
/** Up to this many members, lookups scan the leaves and there is no Map. */
const SMALL_MAX = 32;
/** A leaf this small is merged into a neighbour when the pair fits in one leaf. */
const LEAF_MERGE = 32;

/** Byte order of members: memcmp, then the shorter first (sdscmp); JS `<` on latin1 strings is that. */
export function cmpEntry(s1: number, m1: string, s2: number, m2: string): number {
  if (s1 < s2) return -1;
  if (s1 > s2) return 1;
  return m1 < m2 ? -1 : m1 > m2 ? 1 : 0;
}

const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);

function scoreBytes(s: number): string {
  f64[0] = s;
  return String.fromCharCode(u8[0], u8[1], u8[2], u8[3], u8[4], u8[5], u8[6], u8[7]);
}

function scoreFromBytes(p: string, at: number): number {
  for (let i = 0; i < 8; i++) u8[i] = p.charCodeAt(at + i);
  return f64[0];
}

export class ZSetValue implements Collection {
  readonly type = "zset" as const;
  /** Redis's encoding: listpack until a limit is crossed, then skiplist for good. */
  listpack = true;
  /** member -> score, once the set is larger than SMALL_MAX */
  private dict: Map<string, number> | undefined;
  private count = 0;
  private lm: string[][] = [];
  private ls: number[][] = [];
  /** bumped when members come or go (ZSCAN's cached hash order is rebuilt then) */
  version = 0;
  /** where the last seek()/locate() landed: a leaf and an offset in it (no tuple garbage) */
  private atLeaf = 0;
  private atOff = 0;
  /** Fenwick tree (1-based) over leaf sizes */
  private fen: number[] = [0];

  get size(): number {
    return this.count;
  }

  encoding(): string {
    return this.listpack ? "listpack" : "skiplist";
  }

  // ---------------------------------------------------------------- Fenwick over leaves

  private rebuild(): void {
    const n = this.lm.length;
    // a plain array of small integers: a typed array costs an ArrayBuffer per zset
    const fen: number[] = [];
    for (let i = 0; i <= n; i++) fen.push(0);
    for (let i = 1; i <= n; i++) {
      fen[i] += this.lm[i - 1].length;
      const j = i + (i & -i);
      if (j <= n) fen[j] += fen[i];
    }
    this.fen = fen;
  }

  private fenAdd(leaf: number, d: number): void {
    const fen = this.fen;
    for (let i = leaf + 1; i < fen.length; i += i & -i) fen[i] += d;
  }

  /** Number of elements in leaves [0, leaf). */
  private prefix(leaf: number): number {
    let s = 0;
    const fen = this.fen;
    for (let i = leaf; i > 0; i -= i & -i) s += fen[i];
    return s;
  }

  /** The leaf holding `rank` (0-based, < size) and the rank's offset inside it. */
  private locate(rank: number): void {
    const fen = this.fen;
    const n = fen.length - 1;
    let pos = 0;
    let rem = rank;
    let step = 1;
    while (step * 2 <= n) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= n && fen[next] <= rem) {
        pos = next;
        rem -= fen[next];
      }
    }
    this.atLeaf = pos;
    this.atOff = rem;
  }

  // ---------------------------------------------------------------- searching

  /**
   * How many leading elements satisfy `before` (a predicate true for a prefix of the
   * order and false after it): the rank of the first element where it is false.
   */
  countWhile(before: (score: number, member: string) => boolean): number {
    const lm = this.lm;
    const ls = this.ls;
    let lo = 0;
    let hi = lm.length;
    // first leaf whose last element fails the predicate
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = lm[mid];
      const last = m.length - 1;
      if (before(ls[mid][last], m[last])) lo = mid + 1;
      else hi = mid;
    }
    if (lo === lm.length) return this.count;
    const m = lm[lo];
    const s = ls[lo];
    let a = 0;
    let b = m.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (before(s[mid], m[mid])) a = mid + 1;
      else b = mid;
    }
    return this.prefix(lo) + a;
  }

  /** Leaf and offset where (score, member) is or would be inserted. */
  private seek(score: number, member: string): void {
    const lm = this.lm;
    const ls = this.ls;
    let lo = 0;
    let hi = lm.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = lm[mid];
      const last = m.length - 1;
      if (cmpEntry(ls[mid][last], m[last], score, member) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === lm.length) {
      if (lo === 0) {
        this.atLeaf = -1;
        this.atOff = 0;
        return;
      }
      lo--;
      this.atLeaf = lo;
      this.atOff = lm[lo].length;
      return;
    }
    const m = lm[lo];
    const s = ls[lo];
    let a = 0;
    let b = m.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (cmpEntry(s[mid], m[mid], score, member) < 0) a = mid + 1;
      else b = mid;
    }
    this.atLeaf = lo;
    this.atOff = a;
  }

  /** 0-based rank of a member, or -1. */
  rank(member: string): number {
    const score = this.score(member);
    if (score === undefined) return -1;
    this.seek(score, member);
    return this.prefix(this.atLeaf) + this.atOff;
  }

  score(member: string): number | undefined {
    if (this.dict !== undefined) return this.dict.get(member);
    const lm = this.lm;
    for (let i = 0; i < lm.length; i++) {
      const j = lm[i].indexOf(member);
      if (j !== -1) return this.ls[i][j];
    }
    return undefined;
  }

  private buildDict(): void {
    const d = new Map<string, number>();
    this.forEach((m, s) => {
      d.set(m, s);
    });
    this.dict = d;
  }

  /** The element at a rank (0 <= rank < size). */
  at(rank: number): [string, number] {
    this.locate(rank);
    return [this.lm[this.atLeaf][this.atOff], this.ls[this.atLeaf][this.atOff]];
  }

  first(): [string, number] {
    return [this.lm[0][0], this.ls[0][0]];
  }

  last(): [string, number] {
    const i = this.lm.length - 1;
    const m = this.lm[i];
    return [m[m.length - 1], this.ls[i][m.length - 1]];
  }

  /**
   * Calls `fn` for `count` elements from `start` (a rank), going up, or down when
   * `reverse`; stops early when `fn` returns false.
   */
  forRange(
    start: number,
    count: number,
    reverse: boolean,
    fn: (member: string, score: number) => boolean | undefined,
  ): void {
    if (count <= 0 || start < 0 || start >= this.count) return;
    this.locate(start);
    let leaf = this.atLeaf;
    let off = this.atOff;
    const lm = this.lm;
    const ls = this.ls;
    while (count > 0) {
      const m = lm[leaf];
      const s = ls[leaf];
      if (fn(m[off], s[off]) === false) return;
      count--;
      if (reverse) {
        if (--off < 0) {
          if (--leaf < 0) return;
          off = lm[leaf].length - 1;
        }
      } else if (++off >= m.length) {
        if (++leaf >= lm.length) return;
        off = 0;
      }
    }
  }

  /** Every element in order. */
  forEach(fn: (member: string, score: number) => void): void {
    const lm = this.lm;
    const ls = this.ls;
    for (let i = 0; i < lm.length; i++) {
      const m = lm[i];
      const s = ls[i];
      for (let j = 0; j < m.length; j++) fn(m[j], s[j]);
    }
  }

  // ---------------------------------------------------------------- changes

  /** Adds a member that is not in the set. */
  insert(member: string, score: number): void {
    this.version++;
    this.count++;
    this.place(member, score);
    if (this.dict !== undefined) this.dict.set(member, score);
    else if (this.count > SMALL_MAX) this.buildDict();
  }

  private place(member: string, score: number): void {
    this.seek(score, member);
    const leaf = this.atLeaf;
    const off = this.atOff;
    if (leaf < 0) {
      this.lm = [[member]];
      this.ls = [[score]];
      this.rebuild();
      return;
    }
    const m = this.lm[leaf];
    const s = this.ls[leaf];
    if (m.length < SMALL_MAX) {
      // small leaves are copied at their exact size: growing arrays keep half again
      // plus 16 slots of spare capacity, which dominates a small zset's footprint
      this.lm[leaf] = m.toSpliced(off, 0, member);
      this.ls[leaf] = s.toSpliced(off, 0, score);
    } else if (off === m.length) {
      m.push(member);
      s.push(score);
    } else {
      // shift by hand: splice allocates an array for what it removes
      let i = m.length;
      m.push(member);
      s.push(score);
      for (; i > off; i--) {
        m[i] = m[i - 1];
        s[i] = s[i - 1];
      }
      m[off] = member;
      s[off] = score;
    }
    if (m.length > LEAF_MAX) {
      // both halves as fresh arrays: splice would leave the first with its old capacity
      const half = m.length >>> 1;
      this.lm.splice(leaf, 1, m.slice(0, half), m.slice(half));
      this.ls.splice(leaf, 1, s.slice(0, half), s.slice(half));
      this.rebuild();
    } else this.fenAdd(leaf, 1);
  }

  /** Removes a member; false when it is not there. */
  remove(member: string): boolean {
    const score = this.score(member);
    if (score === undefined) return false;
    this.version++;
    this.count--;
    this.dict?.delete(member);
    this.unplace(member, score);
    return true;
  }

  private unplace(member: string, score: number): void {
    this.seek(score, member);
    this.removeAt(this.atLeaf, this.atOff);
  }

  private removeAt(leaf: number, off: number): void {
    const m = this.lm[leaf];
    const s = this.ls[leaf];
    if (off === m.length - 1) {
      m.pop();
      s.pop();
    } else if (off === 0) {
      m.shift();
      s.shift();
    } else {
      const last = m.length - 1;
      for (let i = off; i < last; i++) {
        m[i] = m[i + 1];
        s[i] = s[i + 1];
      }
      m.pop();
      s.pop();
    }
    this.afterShrink(leaf, 1);
  }

  /** Keeps leaves non-empty and not too fragmented after `leaf` lost `n` elements. */
  private afterShrink(leaf: number, n: number): void {
    const m = this.lm[leaf];
    if (m.length === 0) {
      this.lm.splice(leaf, 1);
      this.ls.splice(leaf, 1);
      this.rebuild();
      return;
    }
    if (m.length < LEAF_MERGE && this.lm.length > 1) {
      const other = leaf + 1 < this.lm.length ? leaf + 1 : leaf - 1;
      const a = Math.min(leaf, other);
      if (this.lm[a].length + this.lm[a + 1].length <= LEAF_MAX) {
        this.lm[a] = this.lm[a].concat(this.lm[a + 1]);
        this.ls[a] = this.ls[a].concat(this.ls[a + 1]);
        this.lm.splice(a + 1, 1);
        this.ls.splice(a + 1, 1);
        this.rebuild();
        return;
      }
    }
    this.fenAdd(leaf, -n);
  }

  /** Changes the score of a member that is in the set. */
  update(member: string, oldScore: number, newScore: number): void {
    this.dict?.set(member, newScore);
    this.seek(oldScore, member);
    const leaf = this.atLeaf;
    const off = this.atOff;
    const m = this.lm[leaf];
    const s = this.ls[leaf];
    // like zslUpdateScore: when the neighbours still bracket it, the element stays put
    let prevOk: boolean;
    if (off > 0) prevOk = cmpEntry(s[off - 1], m[off - 1], newScore, member) < 0;
    else if (leaf > 0) {
      const pm = this.lm[leaf - 1];
      const last = pm.length - 1;
      prevOk = cmpEntry(this.ls[leaf - 1][last], pm[last], newScore, member) < 0;
    } else prevOk = true;
    if (prevOk) {
      let nextOk: boolean;
      if (off + 1 < m.length) nextOk = cmpEntry(newScore, member, s[off + 1], m[off + 1]) < 0;
      else if (leaf + 1 < this.lm.length)
        nextOk = cmpEntry(newScore, member, this.ls[leaf + 1][0], this.lm[leaf + 1][0]) < 0;
      else nextOk = true;
      if (nextOk) {
        s[off] = newScore;
        return;
      }
    }
    this.removeAt(leaf, off);
    this.place(member, newScore);
  }

  /** Removes `count` elements from rank `start` on; calls `fn` with each (in order). */
  removeRange(start: number, count: number, fn?: (member: string, score: number) => void): void {
    if (count <= 0) return;
    this.version++;
    this.locate(start);
    let leaf = this.atLeaf;
    let off = this.atOff;
    let left = count;
    let touched = false;
    while (left > 0 && leaf < this.lm.length) {
      const m = this.lm[leaf];
      const s = this.ls[leaf];
      const take = Math.min(left, m.length - off);
      const gone = m.splice(off, take);
      const goneS = s.splice(off, take);
      for (let i = 0; i < gone.length; i++) {
        this.dict?.delete(gone[i]);
        if (fn !== undefined) fn(gone[i], goneS[i]);
      }
      left -= take;
      this.count -= take;
      touched = true;
      leaf++;
      off = 0;
    }
    if (touched) {
      for (let i = this.lm.length - 1; i >= 0; i--) {
        if (this.lm[i].length === 0) {
          this.lm.splice(i, 1);
          this.ls.splice(i, 1);
        }
      }
      this.rebuild();
    }
  }

  // ---------------------------------------------------------------- (de)serialization

  /** Builds a set from elements already in order (no duplicates). */
  static fromSorted(members: string[], scores: number[], listpack: boolean): ZSetValue {
    const z = new ZSetValue();
    z.listpack = listpack;
    if (listpack) {
      // a listpack keeps scores as text, and "-0" is read back as the integer 0
      for (let i = 0; i < scores.length; i++) if (scores[i] === 0) scores[i] = 0;
    }
    const chunk = LEAF_MAX >>> 1;
    for (let i = 0; i < members.length; i += chunk) {
      z.lm.push(members.slice(i, i + chunk));
      z.ls.push(scores.slice(i, i + chunk));
    }
    z.count = members.length;
    if (members.length > SMALL_MAX) {
      const d = new Map<string, number>();
      for (let i = 0; i < members.length; i++) d.set(members[i], scores[i]);
      z.dict = d;
    }
    z.rebuild();
    return z;
  }

  /** Encoding flag, then per element: 8 bytes of the score's IEEE bits, length, ':', member. */
  serialize(): string {
    const parts: string[] = [this.listpack ? "L" : "S"];
    this.forEach((m, s) => {
      parts.push(scoreBytes(s), String(m.length), ":", m);
    });
    return parts.join("");
  }

  static load(p: string): ZSetValue {
    const members: string[] = [];
    const scores: number[] = [];
    // members are cut from a Buffer copy: slices of `p` itself would be V8 sliced strings
    // that keep the whole payload alive as long as any member lives
    const buf = Buffer.from(p, "latin1") as Buffer & { latin1Slice(start: number, end: number): string };
    let i = 1;
    while (i < p.length) {
      const score = scoreFromBytes(p, i);
      i += 8;
      const colon = p.indexOf(":", i);
      const len = Number(p.slice(i, colon));
      members.push(buf.latin1Slice(colon + 1, colon + 1 + len));
      scores.push(score);
      i = colon + 1 + len;
    }
    return ZSetValue.fromSorted(members, scores, p.charCodeAt(0) === 76);
  }

  memoryUsage(samples: number): number {
    const n = this.count;
    if (n === 0) return 16;
    let total = 0;
    let seen = 0;
    this.forEach((m) => {
      if (samples !== 0 && seen >= samples) return;
      total += m.length;
      seen++;
    });
    const avg = seen === 0 ? 0 : total / seen;
    if (this.listpack) return Math.round(16 + 6 + n * (avg + 2 + 10) + 1);
    return Math.round(16 + 40 + n * (avg + 9 + 48 + 24 + 8));
  }
}

registerValueType("zset", (payload) => ZSetValue.load(payload));
