/*
 * The stream type (t_stream.c): entries in blocks ("nodes") like Redis's radix tree of
 * listpacks, consumer groups with their pending entries lists.
 *
 * 1. A node holds up to stream-node-max-entries entries (live and deleted) and about
 *    stream-node-max-bytes of listpack: the byte size Redis's listpack would have is
 *    tracked so that nodes split where Redis's do, which is what `MAXLEN ~` / `MINID ~`
 *    trimming (whole nodes only) and XINFO's radix-tree-keys depend on.
 * 2. The tail node (the one appended to) keeps its ids and fields/values in arrays; every
 *    other node is packed into one latin1 string (see "packed nodes"), which is what keeps
 *    a long stream small. Deleted entries stay in their node (flagged) until the whole node
 *    is empty, as in Redis.
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

// ---------------------------------------------------------------- packed nodes

/*
 * Every node but the tail being appended to is packed, like Redis's listpacks: one latin1
 * string holding, per entry,
 *   a flags byte (PK_DELETED, PK_SAME, PK_MS_WIDE, PK_SEQ_WIDE);
 *   ms: a varint of ms minus the previous entry's ms (the master id's for the first entry),
 *       or with PK_MS_WIDE (difference negative or >= 2^53) the ms as 8 bytes big-endian;
 *   seq: a varint, or with PK_SEQ_WIDE (>= 2^53) 8 bytes big-endian;
 *   unless PK_SAME (the master entry's field names, Redis's SAMEFIELDS): a varint field
 *       count, then each field as a varint length and its bytes;
 *   each value as a varint length and its bytes.
 * Varints are base 128, low digits first, high bit set on all but the last byte. Reading a
 * packed node decodes its ids and entry offsets once, O(node) as Redis's listpack walks are;
 * the last few decoded views are kept (a view is valid while its `src` is the node's string).
 */
const PK_DELETED = 1;
const PK_SAME = 2;
const PK_MS_WIDE = 4;
const PK_SEQ_WIDE = 8;
const VARINT_LIMIT = 1n << 53n;
/** BigInts of 0..1023, so that decoding small sequence numbers and deltas allocates less */
const SMALL_BIG: bigint[] = Array.from({ length: 1024 }, (_, k) => BigInt(k));

const WBUF_SIZE = 16384;
let wbuf = Buffer.allocUnsafeSlow(WBUF_SIZE);
let wpos = 0;

/** the written bytes as a string; drops a buffer that a large node grew */
function wTake(len: number): string {
  const s = wbuf.toString("latin1", 0, len);
  if (wbuf.length > 64 * WBUF_SIZE) wbuf = Buffer.allocUnsafeSlow(WBUF_SIZE);
  return s;
}

function wReserve(n: number): void {
  if (wpos + n <= wbuf.length) return;
  const nb = Buffer.allocUnsafeSlow(Math.max(wbuf.length * 2, wpos + n));
  wbuf.copy(nb, 0, 0, wpos);
  wbuf = nb;
}

function wVar(v: number): void {
  wReserve(8);
  while (v >= 128) {
    wbuf[wpos++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  wbuf[wpos++] = v;
}

function wU64(v: bigint): void {
  wReserve(8);
  wbuf.writeUInt32BE(Number(v >> 32n), wpos);
  wbuf.writeUInt32BE(Number(v & 0xffffffffn), wpos + 4);
  wpos += 8;
}

function wStr(s: string): void {
  const len = s.length;
  wVar(len);
  wReserve(len);
  if (len < 24) for (let k = 0; k < len; k++) wbuf[wpos++] = s.charCodeAt(k);
  else wpos += wbuf.write(s, wpos, len, "latin1");
}

let rpos = 0;

function rVar(p: string): number {
  let c = p.charCodeAt(rpos++);
  if (c < 128) return c;
  let v = c & 127;
  let mul = 128;
  for (;;) {
    c = p.charCodeAt(rpos++);
    v += (c & 127) * mul;
    if (c < 128) return v;
    mul *= 128;
  }
}

function rU64(p: string): bigint {
  let hi = 0;
  let lo = 0;
  for (let k = 0; k < 4; k++) hi = hi * 256 + p.charCodeAt(rpos + k);
  for (let k = 4; k < 8; k++) lo = lo * 256 + p.charCodeAt(rpos + k);
  rpos += 8;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** A node's ids and deleted flags, entry by entry. */
export interface NodeView {
  n: number;
  ms: bigint[];
  seq: bigint[];
  deleted: ArrayLike<number>;
}

/** The open (tail) node's entries: fields and values flat in `vals`, entry i from off[i] to off[i + 1]. */
interface OpenEntries extends NodeView {
  deleted: number[];
  off: number[];
  vals: string[];
}

/** A packed node decoded: where each entry starts (its flags byte) and its fields start. */
interface PackedView extends NodeView {
  src: string;
  deleted: number[];
  pos: number[];
  fpos: number[];
}

function decodePacked(p: string, n: number, masterMs: bigint, masterFieldCount: number): PackedView {
  const ms: bigint[] = new Array(n);
  const seq: bigint[] = new Array(n);
  // plain arrays: small typed arrays cost more to allocate than to fill
  const deleted: number[] = new Array(n);
  const pos: number[] = new Array(n);
  const fpos: number[] = new Array(n);
  rpos = 0;
  let prev = masterMs;
  for (let i = 0; i < n; i++) {
    pos[i] = rpos;
    const fl = p.charCodeAt(rpos++);
    deleted[i] = fl & PK_DELETED;
    if (fl & PK_MS_WIDE) prev = rU64(p);
    else {
      const d = rVar(p);
      if (d !== 0) prev += d < 1024 ? SMALL_BIG[d] : BigInt(d);
    }
    ms[i] = prev;
    if (fl & PK_SEQ_WIDE) seq[i] = rU64(p);
    else {
      const s = rVar(p);
      seq[i] = s < 1024 ? SMALL_BIG[s] : BigInt(s);
    }
    fpos[i] = rpos;
    let nf = masterFieldCount;
    if (!(fl & PK_SAME)) {
      nf = rVar(p);
      for (let k = 0; k < nf; k++) {
        const len = rVar(p);
        rpos += len;
      }
    }
    for (let k = 0; k < nf; k++) {
      const len = rVar(p);
      rpos += len;
    }
  }
  return { src: p, n, ms, seq, deleted, pos, fpos };
}

function encodeOpen(masterMs: bigint, masterFields: string[], o: OpenEntries): string {
  wpos = 0;
  let prev = masterMs;
  for (let i = 0; i < o.n; i++) {
    const a = o.off[i];
    const nf = (o.off[i + 1] - a) / 2;
    let same = nf === masterFields.length;
    for (let k = 0; same && k < nf; k++) if (o.vals[a + 2 * k] !== masterFields[k]) same = false;
    const m = o.ms[i];
    const d = m - prev;
    const msNarrow = d >= 0n && d < VARINT_LIMIT;
    const sq = o.seq[i];
    const seqNarrow = sq < VARINT_LIMIT;
    wReserve(1);
    wbuf[wpos++] =
      (o.deleted[i] ? PK_DELETED : 0) |
      (same ? PK_SAME : 0) |
      (msNarrow ? 0 : PK_MS_WIDE) |
      (seqNarrow ? 0 : PK_SEQ_WIDE);
    if (msNarrow) wVar(Number(d));
    else wU64(m);
    if (seqNarrow) wVar(Number(sq));
    else wU64(sq);
    if (!same) {
      wVar(nf);
      for (let k = 0; k < nf; k++) wStr(o.vals[a + 2 * k]);
    }
    for (let k = 0; k < nf; k++) wStr(o.vals[a + 2 * k + 1]);
    prev = m;
  }
  return wTake(wpos);
}

/** Nodes holding a decoded view, oldest first overwritten. */
const VIEW_CACHE = 16;
const viewRing: Array<StreamNode | undefined> = new Array(VIEW_CACHE).fill(undefined);
let viewNext = 0;

// ---------------------------------------------------------------- nodes

export class StreamNode {
  /** entries in the node, live and deleted */
  n = 0;
  live = 0;
  dead = 0;
  /** the master entry's fields (the first entry's), for the listpack size */
  masterFields: string[];
  /** the listpack's size in bytes, as Redis's would be */
  bytes = 0;
  readonly masterMs: bigint;
  readonly masterSeq: bigint;
  /** the entries while the node is open (appended to), else undefined and `packed` is set */
  private open: OpenEntries | undefined;
  private packed: string | undefined = undefined;
  /** the packed node decoded, while cached */
  private cache: PackedView | undefined = undefined;

  constructor(id: StreamId, fields: string[]) {
    this.open = { n: 0, ms: [], seq: [], deleted: [], off: [0], vals: [] };
    this.masterMs = id.ms;
    this.masterSeq = id.seq;
    this.masterFields = fields;
    // header + end, count, deleted, num-fields, fields, master terminator
    this.bytes = 7 + 2 + 2 + smallIntSize(fields.length) + 2;
    for (const f of fields) this.bytes += strSize(f);
  }

  /** A node read back from serialize(): packed. */
  static fromPacked(
    master: StreamId,
    fields: string[],
    n: number,
    packed: string,
    live: number,
    dead: number,
    bytes: number,
  ): StreamNode {
    const node = new StreamNode(master, fields);
    node.open = undefined;
    node.packed = packed;
    node.n = n;
    node.live = live;
    node.dead = dead;
    node.bytes = bytes;
    return node;
  }

  /** the entries as packed (serialize) */
  packedData(): string {
    return this.packed ?? encodeOpen(this.masterMs, this.masterFields, this.open as OpenEntries);
  }

  /** Closes the node: packs its entries (called when a new tail node is started). */
  pack(): void {
    if (this.open === undefined) return;
    this.packed = encodeOpen(this.masterMs, this.masterFields, this.open);
    this.open = undefined;
    this.cache = undefined;
  }

  private decoded(): PackedView {
    const p = this.packed as string;
    const c = this.cache;
    if (c !== undefined && c.src === p) return c;
    const v = decodePacked(p, this.n, this.masterMs, this.masterFields.length);
    this.cache = v;
    const old = viewRing[viewNext];
    if (old !== undefined && old !== this) old.cache = undefined;
    viewRing[viewNext] = this;
    viewNext = (viewNext + 1) % VIEW_CACHE;
    return v;
  }

  /** the ids and deleted flags; valid until the node changes */
  view(): NodeView {
    return this.open ?? this.decoded();
  }

  /** reopens a packed node to append to it (it became the tail again) */
  private unpack(): OpenEntries {
    if (this.open !== undefined) return this.open;
    const v = this.decoded();
    const o: OpenEntries = {
      n: v.n,
      ms: v.ms.slice(),
      seq: v.seq.slice(),
      deleted: v.deleted.slice(),
      off: [0],
      vals: [],
    };
    for (let i = 0; i < v.n; i++) {
      for (const s of this.fieldsOf(i)) o.vals.push(s);
      o.off.push(o.vals.length);
    }
    this.open = o;
    this.packed = undefined;
    this.cache = undefined;
    return o;
  }

  id(i: number): StreamId {
    const v = this.view();
    return { ms: v.ms[i], seq: v.seq[i] };
  }

  firstId(): StreamId {
    return this.id(0);
  }

  lastId(): StreamId {
    return this.id(this.n - 1);
  }

  fieldsOf(i: number): string[] {
    const o = this.open;
    if (o !== undefined) return o.vals.slice(o.off[i], o.off[i + 1]);
    const v = this.decoded();
    const p = v.src;
    const fl = p.charCodeAt(v.pos[i]);
    rpos = v.fpos[i];
    const out: string[] = [];
    if (fl & PK_SAME) {
      const mf = this.masterFields;
      for (let k = 0; k < mf.length; k++) {
        const len = rVar(p);
        out.push(mf[k], p.substring(rpos, rpos + len));
        rpos += len;
      }
    } else {
      const nf = rVar(p);
      for (let k = 0; k < nf; k++) {
        const len = rVar(p);
        out.push(p.substring(rpos, rpos + len), "");
        rpos += len;
      }
      for (let k = 0; k < nf; k++) {
        const len = rVar(p);
        out[2 * k + 1] = p.substring(rpos, rpos + len);
        rpos += len;
      }
    }
    return out;
  }

  push(id: StreamId, fv: string[], deleted = false): void {
    const o = this.unpack();
    o.n++;
    this.n = o.n;
    o.ms.push(id.ms);
    o.seq.push(id.seq);
    o.deleted.push(deleted ? 1 : 0);
    const nf = fv.length / 2;
    let same = nf === this.masterFields.length;
    for (let k = 0; same && k < nf; k++) if (fv[2 * k] !== this.masterFields[k]) same = false;
    // field names equal to the master entry's share its strings (Redis's SAMEFIELDS)
    if (same) for (let k = 0; k < nf; k++) o.vals.push(this.masterFields[k], fv[2 * k + 1]);
    else for (const s of fv) o.vals.push(s);
    o.off.push(o.vals.length);
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
    this.markDeletedMany([i]);
  }

  /** flags live entries as deleted (each index once) */
  markDeletedMany(idx: number[]): void {
    for (let j = 0; j < idx.length; j++) {
      const oldCounters = smallIntSize(this.live) + smallIntSize(this.dead);
      this.live--;
      this.dead++;
      this.bytes += smallIntSize(this.live) + smallIntSize(this.dead) - oldCounters;
    }
    const o = this.open;
    if (o !== undefined) {
      for (const i of idx) o.deleted[i] = 1;
      return;
    }
    const v = this.decoded();
    const len = v.src.length;
    wpos = 0;
    wReserve(len);
    wbuf.write(v.src, 0, len, "latin1");
    for (const i of idx) {
      wbuf[v.pos[i]] |= PK_DELETED;
      v.deleted[i] = 1;
    }
    const p = wTake(len);
    v.src = p;
    this.packed = p;
  }

  /** first index with id >= target (n when none) */
  lowerBound(t: StreamId): number {
    return lowerBoundIn(this.view(), t);
  }
}

function lowerBoundIn(v: NodeView, t: StreamId): number {
  let lo = 0;
  let hi = v.n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const m = v.ms[mid];
    const less = m < t.ms || (m === t.ms && v.seq[mid] < t.seq);
    if (less) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
      const v = node.view();
      for (let i = 0; i < v.n; i++) if (!v.deleted[i]) return { ms: v.ms[i], seq: v.seq[i] };
    }
    return { ms: 0n, seq: 0n };
  }

  /** streamLastValidID: the last live entry's id (0-0 when empty) */
  lastValidId(): StreamId {
    for (let j = this.nodes.length - 1; j >= 0; j--) {
      const v = this.nodes[j].view();
      for (let i = v.n - 1; i >= 0; i--) if (!v.deleted[i]) return { ms: v.ms[i], seq: v.seq[i] };
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
      // the node that was the tail is complete: pack it
      if (this.nodes.length > 0) this.nodes[this.nodes.length - 1].pack();
      tail = new StreamNode(id, fields);
      this.nodes.push(tail);
    }
    tail.push(id, fv);
    this.length++;
    this.entriesAdded++;
    this.lastId = { ms: id.ms, seq: id.seq };
  }

  /**
   * index of the first node whose last id >= t (ids in order: not `disordered`). Searches
   * the nodes' master ids (their first entries', as Redis's rax keys), so that only one
   * node is read.
   */
  private nodeFor(t: StreamId): number {
    let lo = 0;
    let hi = this.nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const nd = this.nodes[mid];
      if (nd.masterMs < t.ms || (nd.masterMs === t.ms && nd.masterSeq <= t.seq)) lo = mid + 1;
      else hi = mid;
    }
    // nodes before lo - 1 end below the next one's master id, so below t
    if (lo === 0) return 0;
    return cmpId(this.nodes[lo - 1].lastId(), t) < 0 ? lo : lo - 1;
  }

  /** where a live entry is (node index, entry index), or undefined */
  findPos(id: StreamId): [number, number] | undefined {
    if (this.disordered) {
      for (let j = 0; j < this.nodes.length; j++) {
        const v = this.nodes[j].view();
        for (let i = 0; i < v.n; i++) if (!v.deleted[i] && v.ms[i] === id.ms && v.seq[i] === id.seq) return [j, i];
      }
      return undefined;
    }
    const j = this.nodeFor(id);
    if (j >= this.nodes.length) return undefined;
    const v = this.nodes[j].view();
    const i = lowerBoundIn(v, id);
    if (i < v.n && v.ms[i] === id.ms && v.seq[i] === id.seq && !v.deleted[i]) return [j, i];
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
      const inRange = (v: NodeView, i: number): boolean => {
        const id = { ms: v.ms[i], seq: v.seq[i] };
        return cmpId(id, start) >= 0 && cmpId(id, end) <= 0;
      };
      const nn = this.nodes.length;
      for (let jj = 0; jj < nn; jj++) {
        const node = this.nodes[rev ? nn - 1 - jj : jj];
        const v = node.view();
        for (let ii = 0; ii < v.n; ii++) {
          const i = rev ? v.n - 1 - ii : ii;
          if (v.deleted[i] || !inRange(v, i)) continue;
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
        const v = node.view();
        for (let i = lowerBoundIn(v, start); i < v.n; i++) {
          if (v.ms[i] > end.ms || (v.ms[i] === end.ms && v.seq[i] > end.seq)) return emitted;
          if (v.deleted[i]) continue;
          emitted++;
          if (visit(node, i) === false) return emitted;
          if (count !== 0 && emitted >= count) return emitted;
        }
      }
    } else {
      const last = this.nodeFor(end);
      for (let j = Math.min(last, this.nodes.length - 1); j >= 0; j--) {
        const node = this.nodes[j];
        const v = node.view();
        let i = lowerBoundIn(v, end);
        if (i >= v.n || v.ms[i] !== end.ms || v.seq[i] !== end.seq) i--;
        for (; i >= 0; i--) {
          if (v.ms[i] < start.ms || (v.ms[i] === start.ms && v.seq[i] < start.seq)) return emitted;
          if (v.deleted[i]) continue;
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
      const v = node.view();
      const idx: number[] = [];
      for (let i = 0; i < v.n; i++) {
        const stop =
          a.strategy === TRIM_MAXLEN
            ? this.length - idx.length <= a.maxlen
            : cmpId({ ms: v.ms[i], seq: v.seq[i] }, a.minid) >= 0;
        if (stop) break;
        if (!v.deleted[i]) idx.push(i);
      }
      if (idx.length > 0) node.markDeletedMany(idx);
      this.length -= idx.length;
      deleted += idx.length;
      break;
    }
    return deleted;
  }

  // ------------------------------------------------------------ serialize

  serialize(): string {
    // the packed entries as base64 (JSON would escape their control bytes)
    const nodes = this.nodes.map((n) => {
      return {
        m: `${n.masterMs}-${n.masterSeq}`,
        f: n.masterFields,
        c: n.n,
        p: Buffer.from(n.packedData(), "latin1").toString("base64"),
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
      const packed = Buffer.from(nd.p, "base64").toString("latin1");
      s.nodes.push(StreamNode.fromPacked(pid(nd.m), nd.f, nd.c, packed, nd.l, nd.x, nd.b));
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
