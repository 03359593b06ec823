/*
 * The stream type (t_stream.c): entries in blocks ("nodes") like Redis's radix tree of
 * listpacks, consumer groups with their pending entries lists.
 *
 * 1. A node holds up to stream-node-max-entries entries (live and deleted) and about
 *    stream-node-max-bytes of listpack: the byte size Redis's listpack would have is
 *    tracked so that nodes split where Redis's do, which is what `MAXLEN ~` / `MINID ~`
 *    trimming (whole nodes only) and XINFO's radix-tree-keys depend on.
 * 2. Ids are two uint64 (BigUint64Array per node); an entry's fields and values are one
 *    flat string array per node with start offsets. Deleted entries stay in their node
 *    (flagged) until the whole node is empty, as in Redis.
 * 3. Pending entries lists are keyed by the 16-byte big-endian form of the id (a latin1
 *    string), so that string order is Redis's rax order.
 */
import { type Collection, type EngineSettings, registerValueType } from "../shards/engine.js";

export const UINT64_MAX = 0xffffffffffffffffn;
const LISTPACK_MAX = 1 << 30;

export interface StreamId {
  ms: bigint;
  seq: bigint;
}

export function cmpId(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function idString(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

export function isZeroId(id: StreamId): boolean {
  return id.ms === 0n && id.seq === 0n;
}

/** The 16-byte big-endian key of an id (streamEncodeID), as a latin1 string. */
export function idKey(id: StreamId): string {
  let s = "";
  for (const v of [id.ms, id.seq]) {
    for (let shift = 56n; shift >= 0n; shift -= 8n) s += String.fromCharCode(Number((v >> shift) & 0xffn));
  }
  return s;
}

export function keyId(k: string): StreamId {
  let ms = 0n;
  let seq = 0n;
  for (let i = 0; i < 8; i++) ms = (ms << 8n) | BigInt(k.charCodeAt(i));
  for (let i = 8; i < 16; i++) seq = (seq << 8n) | BigInt(k.charCodeAt(i));
  return { ms, seq };
}

/** streamIncrID: false when the id is the largest possible. */
export function incrId(id: StreamId): boolean {
  if (id.seq === UINT64_MAX) {
    if (id.ms === UINT64_MAX) {
      id.ms = 0n;
      id.seq = 0n;
      return false;
    }
    id.ms++;
    id.seq = 0n;
  } else id.seq++;
  return true;
}

/** streamDecrID: false when the id is 0-0. */
export function decrId(id: StreamId): boolean {
  if (id.seq === 0n) {
    if (id.ms === 0n) {
      id.ms = UINT64_MAX;
      id.seq = UINT64_MAX;
      return false;
    }
    id.ms--;
    id.seq = UINT64_MAX;
  } else id.seq--;
  return true;
}

// ---------------------------------------------------------------- listpack sizes

function intSize(v: bigint | number): number {
  const n = typeof v === "bigint" ? v : BigInt(v);
  if (n >= 0n && n <= 127n) return 2;
  if (n >= -4096n && n <= 4095n) return 3;
  if (n >= -32768n && n <= 32767n) return 4;
  if (n >= -8388608n && n <= 8388607n) return 5;
  if (n >= -2147483648n && n <= 2147483647n) return 6;
  return 10;
}

function smallIntSize(n: number): number {
  if (n >= 0 && n <= 127) return 2;
  if (n >= -4096 && n <= 4095) return 3;
  return intSize(n);
}

/** Bytes a string element takes in a listpack (integer-looking strings are stored as ints). */
function strSize(s: string): number {
  const len = s.length;
  if (len > 0 && len <= 20) {
    const c = s.charCodeAt(0);
    if ((c >= 48 && c <= 57) || c === 45) {
      const v = lpInt(s);
      if (v !== undefined) return intSize(v);
    }
  }
  const enc = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  const back = enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5;
  return enc + back;
}

/** string2ll as the listpack uses it to decide on an integer encoding. */
function lpInt(s: string): bigint | undefined {
  if (s === "0") return 0n;
  let i = 0;
  if (s.charCodeAt(0) === 45) i = 1;
  if (i >= s.length) return undefined;
  const c0 = s.charCodeAt(i);
  if (c0 < 49 || c0 > 57) return undefined;
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return undefined;
  }
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
  return v;
}

// ---------------------------------------------------------------- nodes

export class StreamNode {
  ms: BigUint64Array;
  seq: BigUint64Array;
  /** entries in the node, live and deleted */
  n = 0;
  /** per entry: 1 when deleted */
  deleted: Uint8Array;
  /** start of each entry's fields/values in `vals`; off[n] is the end */
  off: number[] = [0];
  vals: string[] = [];
  live = 0;
  dead = 0;
  /** the master entry's fields (the first entry's), for the listpack size */
  masterFields: string[];
  /** the listpack's size in bytes, as Redis's would be */
  bytes = 0;
  readonly masterMs: bigint;
  readonly masterSeq: bigint;

  constructor(id: StreamId, fields: string[], capacity = 8) {
    this.ms = new BigUint64Array(capacity);
    this.seq = new BigUint64Array(capacity);
    this.deleted = new Uint8Array(capacity);
    this.masterMs = id.ms;
    this.masterSeq = id.seq;
    this.masterFields = fields;
    // header + end, count, deleted, num-fields, fields, master terminator
    this.bytes = 7 + 2 + 2 + smallIntSize(fields.length) + 2;
    for (const f of fields) this.bytes += strSize(f);
  }

  id(i: number): StreamId {
    return { ms: this.ms[i], seq: this.seq[i] };
  }

  firstId(): StreamId {
    return { ms: this.ms[0], seq: this.seq[0] };
  }

  lastId(): StreamId {
    return { ms: this.ms[this.n - 1], seq: this.seq[this.n - 1] };
  }

  fieldsOf(i: number): string[] {
    return this.vals.slice(this.off[i], this.off[i + 1]);
  }

  private grow(): void {
    const cap = this.ms.length * 2;
    const ms = new BigUint64Array(cap);
    ms.set(this.ms);
    const seq = new BigUint64Array(cap);
    seq.set(this.seq);
    const del = new Uint8Array(cap);
    del.set(this.deleted);
    this.ms = ms;
    this.seq = seq;
    this.deleted = del;
  }

  push(id: StreamId, fv: string[], deleted = false): void {
    if (this.n === this.ms.length) this.grow();
    const i = this.n++;
    this.ms[i] = id.ms;
    this.seq[i] = id.seq;
    this.deleted[i] = deleted ? 1 : 0;
    const nf = fv.length / 2;
    let same = nf === this.masterFields.length;
    for (let k = 0; same && k < nf; k++) if (fv[2 * k] !== this.masterFields[k]) same = false;
    // field names equal to the master entry's share its strings (Redis's SAMEFIELDS)
    if (same) for (let k = 0; k < nf; k++) this.vals.push(this.masterFields[k], fv[2 * k + 1]);
    else for (const s of fv) this.vals.push(s);
    this.off.push(this.vals.length);
    const oldCounters = smallIntSize(this.live) + smallIntSize(this.dead);
    if (deleted) this.dead++;
    else this.live++;
    this.bytes += smallIntSize(this.live) + smallIntSize(this.dead) - oldCounters;
    // flags, ms-diff, seq-diff, [num-fields, fields], values, lp-count
    let b = 2 + intSize(BigInt.asIntN(64, id.ms - this.masterMs)) + intSize(BigInt.asIntN(64, id.seq - this.masterSeq));
    if (!same) {
      b += smallIntSize(nf);
      for (let k = 0; k < nf; k++) b += strSize(fv[2 * k]);
    }
    for (let k = 0; k < nf; k++) b += strSize(fv[2 * k + 1]);
    b += smallIntSize(same ? nf + 3 : 2 * nf + 4);
    this.bytes += b;
  }

  markDeleted(i: number): void {
    const oldCounters = smallIntSize(this.live) + smallIntSize(this.dead);
    this.deleted[i] = 1;
    this.live--;
    this.dead++;
    this.bytes += smallIntSize(this.live) + smallIntSize(this.dead) - oldCounters;
  }

  /** first index with id >= target (n when none) */
  lowerBound(t: StreamId): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.ms[mid];
      const less = m < t.ms || (m === t.ms && this.seq[mid] < t.seq);
      if (less) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

// ---------------------------------------------------------------- groups

export interface StreamConsumer {
  name: string;
  seenTime: number;
  pel: SortedPel;
}

export interface StreamNack {
  deliveryTime: number;
  deliveryCount: number;
  consumer: StreamConsumer | undefined;
}

/**
 * A pending entries list: id key -> NACK, iterated in id order. Keys are kept in an array
 * sorted on demand (appends are usually in order); deletions only drop the map entry and
 * the array is compacted once half of it is stale, so acking from the front stays cheap.
 */
export class SortedPel {
  readonly map = new Map<string, StreamNack>();
  private keys: string[] = [];
  private sorted = true;
  private stale = 0;
  /** bumped whenever `keys` is rearranged, so that running iterations re-seek */
  private version = 0;

  get size(): number {
    return this.map.size;
  }

  get(k: string): StreamNack | undefined {
    return this.map.get(k);
  }

  set(k: string, v: StreamNack): void {
    if (!this.map.has(k)) {
      const n = this.keys.length;
      if (n > 0 && this.keys[n - 1] >= k) this.sorted = false;
      this.keys.push(k);
    }
    this.map.set(k, v);
  }

  delete(k: string): boolean {
    if (!this.map.delete(k)) return false;
    this.stale++;
    if (this.map.size === 0) {
      this.keys = [];
      this.stale = 0;
      this.sorted = true;
      this.version++;
    } else if (this.stale > 32 && this.stale * 2 > this.keys.length) {
      this.keys = this.keys.filter((x) => this.map.has(x));
      this.stale = 0;
      this.version++;
    }
    return true;
  }

  private ordered(): string[] {
    if (!this.sorted) {
      // a re-added key may be in the array twice (once stale): drop duplicates while sorting
      const live = [...new Set(this.keys)].filter((x) => this.map.has(x));
      live.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      this.keys = live;
      this.stale = 0;
      this.sorted = true;
      this.version++;
    }
    return this.keys;
  }

  /** the live keys >= k in order; safe against deletions while iterating */
  *from(k: string): Generator<string, undefined, undefined> {
    let ks = this.ordered();
    let v = this.version;
    let i = lowerBoundStr(ks, k);
    let last: string | undefined;
    for (;;) {
      if (v !== this.version) {
        ks = this.ordered();
        v = this.version;
        i = lowerBoundStr(ks, last === undefined ? k : last);
        if (last !== undefined && i < ks.length && ks[i] === last) i++;
      }
      if (i >= ks.length) return undefined;
      const key = ks[i++];
      if (!this.map.has(key)) continue;
      last = key;
      yield key;
    }
  }

  /** every live key in order */
  all(): string[] {
    return [...this.from("")];
  }

  first(): string | undefined {
    for (const k of this.from("")) return k;
    return undefined;
  }

  last(): string | undefined {
    const ks = this.ordered();
    for (let i = ks.length - 1; i >= 0; i--) if (this.map.has(ks[i])) return ks[i];
    return undefined;
  }
}

function lowerBoundStr(a: string[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class StreamGroup {
  lastId: StreamId;
  entriesRead: number;
  readonly pel = new SortedPel();
  readonly consumers = new Map<string, StreamConsumer>();

  constructor(lastId: StreamId, entriesRead: number) {
    this.lastId = lastId;
    this.entriesRead = entriesRead;
  }

  /** consumers in name order (rax order) */
  sortedConsumers(): StreamConsumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

// ---------------------------------------------------------------- the stream

export const TRIM_NONE = 0;
export const TRIM_MAXLEN = 1;
export const TRIM_MINID = 2;

export interface TrimArgs {
  strategy: number;
  maxlen: number;
  minid: StreamId;
  approx: boolean;
  limit: number;
}

export class StreamValue implements Collection {
  readonly type = "stream";
  nodes: StreamNode[] = [];
  length = 0;
  lastId: StreamId = { ms: 0n, seq: 0n };
  maxDeletedId: StreamId = { ms: 0n, seq: 0n };
  entriesAdded = 0;
  groups = new Map<string, StreamGroup>();
  /**
   * True once an entry was appended below a deleted one (possible after XSETID): live
   * entries are still in id order, tombstones may not be, so binary searches are off and
   * every lookup scans like Redis's iterators (which skip tombstones before comparing).
   */
  disordered = false;

  encoding(_settings: EngineSettings): string {
    return "stream";
  }

  sortedGroups(): Array<[string, StreamGroup]> {
    return [...this.groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** the first live entry's id (0-0 when empty) */
  firstId(): StreamId {
    for (const node of this.nodes) {
      for (let i = 0; i < node.n; i++) if (!node.deleted[i]) return node.id(i);
    }
    return { ms: 0n, seq: 0n };
  }

  /** streamLastValidID: the last live entry's id (0-0 when empty) */
  lastValidId(): StreamId {
    for (let j = this.nodes.length - 1; j >= 0; j--) {
      const node = this.nodes[j];
      for (let i = node.n - 1; i >= 0; i--) if (!node.deleted[i]) return node.id(i);
    }
    return { ms: 0n, seq: 0n };
  }

  /** streamAppendItem with a checked id. */
  append(id: StreamId, fv: string[], settings: EngineSettings): void {
    // After XSETID moved the last id back below a deleted entry, ids in storage order stop
    // being sorted (as in Redis's listpacks): searches then go linear (see `disordered`).
    if (!this.disordered && this.nodes.length > 0) {
      const t = this.nodes[this.nodes.length - 1];
      if (t.n > 0 && cmpId(t.lastId(), id) >= 0) this.disordered = true;
    }
    let tail = this.nodes.length > 0 ? this.nodes[this.nodes.length - 1] : undefined;
    if (tail !== undefined) {
      let maxBytes = settings["stream-node-max-bytes"];
      if (maxBytes === 0 || maxBytes > LISTPACK_MAX) maxBytes = LISTPACK_MAX;
      let tot = 0;
      for (const s of fv) tot += s.length;
      const maxEntries = settings["stream-node-max-entries"];
      if (tail.bytes + tot >= maxBytes) tail = undefined;
      else if (maxEntries > 0 && tail.live + tail.dead >= maxEntries) tail = undefined;
    }
    if (tail === undefined) {
      const fields: string[] = [];
      for (let k = 0; k < fv.length; k += 2) fields.push(fv[k]);
      tail = new StreamNode(id, fields);
      this.nodes.push(tail);
    }
    tail.push(id, fv);
    this.length++;
    this.entriesAdded++;
    this.lastId = { ms: id.ms, seq: id.seq };
  }

  /** index of the first node whose last id >= t */
  private nodeFor(t: StreamId): number {
    let lo = 0;
    let hi = this.nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmpId(this.nodes[mid].lastId(), t) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** where a live entry is (node index, entry index), or undefined */
  findPos(id: StreamId): [number, number] | undefined {
    if (this.disordered) {
      for (let j = 0; j < this.nodes.length; j++) {
        const node = this.nodes[j];
        for (let i = 0; i < node.n; i++)
          if (!node.deleted[i] && node.ms[i] === id.ms && node.seq[i] === id.seq) return [j, i];
      }
      return undefined;
    }
    const j = this.nodeFor(id);
    if (j >= this.nodes.length) return undefined;
    const node = this.nodes[j];
    const i = node.lowerBound(id);
    if (i < node.n && node.ms[i] === id.ms && node.seq[i] === id.seq && !node.deleted[i]) return [j, i];
    return undefined;
  }

  find(id: StreamId): [StreamNode, number] | undefined {
    const p = this.findPos(id);
    return p === undefined ? undefined : [this.nodes[p[0]], p[1]];
  }

  /** the fields and values of a live entry */
  get(id: StreamId): string[] | undefined {
    const f = this.find(id);
    return f === undefined ? undefined : f[0].fieldsOf(f[1]);
  }

  /**
   * Visits live entries with start <= id <= end, ascending (or descending with rev), at
   * most `count` (0: all); the visitor may return false to stop.
   */
  range(
    start: StreamId,
    end: StreamId,
    count: number,
    rev: boolean,
    visit: (node: StreamNode, i: number) => boolean | undefined,
  ): number {
    let emitted = 0;
    if (cmpId(start, end) > 0) return 0;
    if (this.disordered) {
      const inRange = (node: StreamNode, i: number): boolean => {
        const id = node.id(i);
        return cmpId(id, start) >= 0 && cmpId(id, end) <= 0;
      };
      const nn = this.nodes.length;
      for (let jj = 0; jj < nn; jj++) {
        const node = this.nodes[rev ? nn - 1 - jj : jj];
        for (let ii = 0; ii < node.n; ii++) {
          const i = rev ? node.n - 1 - ii : ii;
          if (node.deleted[i] || !inRange(node, i)) continue;
          emitted++;
          if (visit(node, i) === false) return emitted;
          if (count !== 0 && emitted >= count) return emitted;
        }
      }
      return emitted;
    }
    if (!rev) {
      for (let j = this.nodeFor(start); j < this.nodes.length; j++) {
        const node = this.nodes[j];
        for (let i = node.lowerBound(start); i < node.n; i++) {
          if (node.ms[i] > end.ms || (node.ms[i] === end.ms && node.seq[i] > end.seq)) return emitted;
          if (node.deleted[i]) continue;
          emitted++;
          if (visit(node, i) === false) return emitted;
          if (count !== 0 && emitted >= count) return emitted;
        }
      }
    } else {
      const last = this.nodeFor(end);
      for (let j = Math.min(last, this.nodes.length - 1); j >= 0; j--) {
        const node = this.nodes[j];
        let i = node.lowerBound(end);
        if (i >= node.n || node.ms[i] !== end.ms || node.seq[i] !== end.seq) i--;
        for (; i >= 0; i--) {
          if (node.ms[i] < start.ms || (node.ms[i] === start.ms && node.seq[i] < start.seq)) return emitted;
          if (node.deleted[i]) continue;
          emitted++;
          if (visit(node, i) === false) return emitted;
          if (count !== 0 && emitted >= count) return emitted;
        }
      }
    }
    return emitted;
  }

  /** streamDeleteItem */
  delete(id: StreamId): boolean {
    const f = this.findPos(id);
    if (f === undefined) return false;
    const [j, i] = f;
    const node = this.nodes[j];
    node.markDeleted(i);
    this.length--;
    if (node.live === 0) this.nodes.splice(j, 1);
    return true;
  }

  /** streamTrim: the number of entries removed. */
  trim(a: TrimArgs): number {
    if (a.strategy === TRIM_NONE) return 0;
    let deleted = 0;
    while (this.nodes.length > 0) {
      if (a.strategy === TRIM_MAXLEN && this.length <= a.maxlen) break;
      const node = this.nodes[0];
      const entries = node.live;
      if (a.limit && deleted + entries > a.limit) break;
      const removeNode =
        a.strategy === TRIM_MAXLEN ? this.length - entries >= a.maxlen : cmpId(node.lastId(), a.minid) < 0;
      if (removeNode) {
        this.nodes.shift();
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (a.approx) break;
      for (let i = 0; i < node.n; i++) {
        const stop = a.strategy === TRIM_MAXLEN ? this.length <= a.maxlen : cmpId(node.id(i), a.minid) >= 0;
        if (stop) break;
        if (!node.deleted[i]) {
          node.markDeleted(i);
          this.length--;
          deleted++;
        }
      }
      break;
    }
    return deleted;
  }

  // ------------------------------------------------------------ serialize

  serialize(): string {
    // ids and flags as base64 of the typed arrays' bytes: no BigInt per entry
    const b64 = (a: BigUint64Array | Uint8Array, bytes: number): string =>
      Buffer.from(a.buffer, a.byteOffset, bytes).toString("base64");
    const nodes = this.nodes.map((n) => {
      return {
        m: `${n.masterMs}-${n.masterSeq}`,
        f: n.masterFields,
        c: n.n,
        ms: b64(n.ms, n.n * 8),
        sq: b64(n.seq, n.n * 8),
        d: b64(n.deleted, n.n),
        o: n.off,
        v: n.vals,
        l: n.live,
        x: n.dead,
        b: n.bytes,
      };
    });
    const groups = [...this.groups.entries()].map(([name, g]) => {
      const consumers = [...g.consumers.values()].map((c) => [c.name, c.seenTime]);
      const pel = g.pel.all().map((k) => {
        const nack = g.pel.get(k) as StreamNack;
        return [k, nack.deliveryTime, nack.deliveryCount, nack.consumer === undefined ? null : nack.consumer.name];
      });
      return [name, idString(g.lastId), g.entriesRead, consumers, pel];
    });
    return JSON.stringify({
      n: nodes,
      len: this.length,
      last: idString(this.lastId),
      md: idString(this.maxDeletedId),
      ea: this.entriesAdded,
      dis: this.disordered,
      g: groups,
    });
  }

  static load(payload: string): StreamValue {
    const o = JSON.parse(payload);
    const s = new StreamValue();
    const pid = (x: string): StreamId => {
      const d = x.indexOf("-");
      return { ms: BigInt(x.slice(0, d)), seq: BigInt(x.slice(d + 1)) };
    };
    for (const nd of o.n) {
      const master = pid(nd.m);
      const cnt: number = nd.c;
      const node = new StreamNode(master, nd.f, Math.max(8, cnt));
      const ms = Buffer.from(nd.ms, "base64");
      const sq = Buffer.from(nd.sq, "base64");
      new Uint8Array(node.ms.buffer).set(ms);
      new Uint8Array(node.seq.buffer).set(sq);
      node.deleted.set(Buffer.from(nd.d, "base64"));
      node.n = cnt;
      node.off = nd.o;
      node.vals = nd.v;
      node.live = nd.l;
      node.dead = nd.x;
      node.bytes = nd.b;
      s.nodes.push(node);
    }
    s.length = o.len;
    s.lastId = pid(o.last);
    s.maxDeletedId = pid(o.md);
    s.entriesAdded = o.ea;
    s.disordered = o.dis === true;
    for (const [name, last, er, consumers, pel] of o.g) {
      const g = new StreamGroup(pid(last), er);
      for (const [cn, seen] of consumers) g.consumers.set(cn, { name: cn, seenTime: seen, pel: new SortedPel() });
      for (const [k, dt, dc, cn] of pel) {
        const c = cn === null ? undefined : g.consumers.get(cn);
        const nack: StreamNack = { deliveryTime: dt, deliveryCount: dc, consumer: c };
        g.pel.set(k, nack);
        if (c !== undefined) c.pel.set(k, nack);
      }
      s.groups.set(name, g);
    }
    return s;
  }

  memoryUsage(_samples: number): number {
    let b = 64;
    for (const n of this.nodes) b += n.bytes + 16;
    return b;
  }
}

registerValueType("stream", (payload) => StreamValue.load(payload));
