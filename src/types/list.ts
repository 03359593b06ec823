/*
 * The list type (Redis's quicklist, t_list.c's list API).
 *
 * Elements are latin1 byte strings kept in chunks, like the quicklist's nodes: pushes and
 * pops work on the end chunks (O(1)), reads find their chunk from a cursor (sequential
 * LRANGE/LPOS scans are O(1) per element, a random LINDEX walks chunks from the nearest
 * end, as Redis walks nodes). Closed chunks are sealed into their bytes plus 16-bit end
 * offsets (two strings for a small chunk, a Buffer off the V8 heap for the others), so a
 * long list of short elements costs about its bytes plus two per element (a string per
 * element would cost 16 bytes of header and an 8-byte pointer on top, several times what
 * Redis's listpacks take).
 *
 * Redis 7.0 creates every list as a quicklist (the listpack encoding for small lists came
 * in 7.2), so OBJECT ENCODING always answers `quicklist`, whatever list-max-listpack-size
 * says. The settings only shape how the quicklist is cut into nodes, which MEMORY USAGE
 * reproduces below (exactly for lists grown by pushes at one end).
 */
import { type Collection, type EngineSettings, registerValueType } from "../shards/engine.js";
import { parseInteger } from "../util/numbers.js";

// ---------------------------------------------------------------- MEMORY USAGE estimate

/** jemalloc's size classes (the allocation really made for a request of n bytes). */
function jemallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return (n + 15) & ~15;
  // four classes per doubling above 128
  let p = 128;
  while (p * 2 < n) p *= 2;
  const step = p / 4;
  return Math.ceil(n / step) * step;
}

/** Bytes one element takes in a listpack: encoding header, payload and back-length. */
function listpackEntrySize(s: string): number {
  let enc: number;
  // lpStringToInt64 has string2ll's syntax
  const i = s.length <= 20 ? parseInteger(s) : undefined;
  const v = i === undefined ? undefined : Number(i);
  if (v !== undefined) {
    if (v >= 0 && v <= 127) enc = 1;
    else if (v >= -4096 && v <= 4095) enc = 2;
    else if (v >= -32768 && v <= 32767) enc = 3;
    else if (v >= -8388608 && v <= 8388607) enc = 4;
    else if (v >= -2147483648 && v <= 2147483647) enc = 5;
    else enc = 9;
  } else {
    const l = s.length;
    enc = l < 64 ? 1 + l : l < 4096 ? 2 + l : 5 + l;
  }
  const back = enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5;
  return enc + back;
}

/** quicklist's optimization_level: the byte limit of a node for fill -1 .. -5 */
const NODE_BYTES = [4096, 8192, 16384, 32768, 65536];
/** SIZE_SAFETY_LIMIT, SIZE_ESTIMATE_OVERHEAD, the listpack header + end byte */
const SAFETY_LIMIT = 8192;
const ESTIMATE_OVERHEAD = 8;
const LP_EMPTY = 7;
const SIZEOF_QUICKLIST = 40;
const SIZEOF_QUICKLIST_NODE = 40;

// ---------------------------------------------------------------- chunks

/** A chunk is closed (no more pushes into it) at this many elements ... */
const CHUNK_MAX = 256;
/** ... or at this many bytes. */
const CHUNK_BYTES = 16384;
/** A sealed chunk's end offsets are 16 bits: its bytes must stay below 64 KiB. */
const SEAL_LIMIT = 65535;
/**
 * A sealed chunk of at most this many bytes (elements plus two per element) is kept as
 * two strings on the V8 heap; a larger one goes off the heap, into a Buffer of its own.
 * Data on the heap is born in the young generation and copied out of it, and V8 grows
 * the young generation (up to 2 x 16 MB of semi-spaces, which stay resident) while much
 * of what it allocates survives: a long list pushed onto the heap makes exactly that
 * happen, and the young generation ends up costing more than the list. Off the heap,
 * only a chunk's few small objects survive.
 */
const HEAP_SEAL_MAX = 512;

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/**
 * The last off-heap chunk read twice in a row, decoded: sequential reads (LRANGE, LPOS,
 * pops) decode a chunk once rather than once per element, while a lone read (LINDEX, a
 * pop from one list then another) decodes only its element. A sealed buffer is never
 * written again, so its identity is the key.
 */
let cacheBuf: Buffer | undefined;
let cacheStr = "";
let lastBuf: Buffer | undefined;
/** Only chunks of up to this many bytes are decoded whole (a larger one holds big elements). */
const CACHE_MAX = 8192;

/** End offset k of an off-heap chunk (16 bits, little-endian). */
function endOf(buf: Buffer, k: number): number {
  return buf[2 * k] | (buf[2 * k + 1] << 8);
}

/**
 * A run of consecutive elements, in one of three forms:
 *  - open: `items`, one string per element (the chunks at the ends, where pushes land,
 *    and chunks of large elements);
 *  - sealed on the heap (small chunks): all the bytes in one flat string `data`, and
 *    `ends`, a string whose char code k is where element k ends in `data`;
 *  - sealed off the heap (the others): `buf` holds the `n` end offsets, then the bytes.
 * Head pops advance `start`, tail pops only lower `count`; the dead bytes go when the
 * chunk does. Sealing is what keeps a long list small: per element it costs its bytes
 * plus two, instead of a string header and a pointer.
 */
class Chunk {
  items: string[] | undefined;
  data = "";
  ends = "";
  buf: Buffer | undefined = undefined;
  /** the number of end offsets at the start of `buf` (its bytes start at 2 * n) */
  n = 0;
  start = 0;
  count: number;
  /** bytes of an open chunk's elements */
  bytes = 0;

  constructor(items: string[]) {
    this.items = items;
    this.count = items.length;
    for (const s of items) this.bytes += s.length;
  }

  get(k: number): string {
    if (this.items !== undefined) return this.items[k];
    const p = this.start + k;
    const buf = this.buf;
    if (buf === undefined) {
      return this.data.slice(p === 0 ? 0 : this.ends.charCodeAt(p - 1), this.ends.charCodeAt(p));
    }
    const a = p === 0 ? 0 : endOf(buf, p - 1);
    const b = endOf(buf, p);
    if (buf === cacheBuf) return cacheStr.slice(a, b);
    const off = 2 * this.n;
    if (buf !== lastBuf) lastBuf = buf;
    else if (buf.length - off <= CACHE_MAX) {
      cacheStr = (buf as Latin1Buffer).latin1Slice(off, buf.length);
      cacheBuf = buf;
      return cacheStr.slice(a, b);
    }
    return (buf as Latin1Buffer).latin1Slice(off + a, off + b);
  }

  /** Whether element k equals s, without building the element's string. */
  equals(k: number, s: string): boolean {
    if (this.items !== undefined) return this.items[k] === s;
    const p = this.start + k;
    const buf = this.buf;
    if (buf === undefined) {
      const a = p === 0 ? 0 : this.ends.charCodeAt(p - 1);
      return this.ends.charCodeAt(p) - a === s.length && this.data.startsWith(s, a);
    }
    const a = p === 0 ? 0 : endOf(buf, p - 1);
    if (endOf(buf, p) - a !== s.length) return false;
    if (buf === cacheBuf) return cacheStr.startsWith(s, a);
    const off = 2 * this.n + a;
    for (let i = 0; i < s.length; i++) if (buf[off + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  /** A sealed chunk's live bytes as one string; their lengths are pushed to `lens`. */
  liveBytes(lens: number[]): string {
    const buf = this.buf;
    const endAt = (p: number): number => (buf === undefined ? this.ends.charCodeAt(p) : endOf(buf, p));
    const from = this.start === 0 ? 0 : endAt(this.start - 1);
    let prev = from;
    for (let k = 0; k < this.count; k++) {
      const e = endAt(this.start + k);
      lens.push(e - prev);
      prev = e;
    }
    if (buf === undefined) return this.data.slice(from, prev);
    const off = 2 * this.n;
    return (buf as Latin1Buffer).latin1Slice(off + from, off + prev);
  }

  /** Back to the open form, for edits in the middle. */
  open(): string[] {
    if (this.items !== undefined) return this.items;
    const items = new Array<string>(this.count);
    for (let k = 0; k < this.count; k++) items[k] = this.get(k);
    this.items = items;
    this.bytes = 0;
    for (const s of items) this.bytes += s.length;
    this.data = "";
    this.ends = "";
    this.buf = undefined;
    this.n = 0;
    this.start = 0;
    return items;
  }

  /** Packs an open chunk into a sealed form when its bytes allow. */
  seal(): void {
    const items = this.items;
    if (items === undefined || this.bytes > SEAL_LIMIT || items.length === 0) return;
    const ends = new Array<number>(items.length);
    let e = 0;
    for (let k = 0; k < items.length; k++) {
      e += items[k].length;
      ends[k] = e;
    }
    this.sealAs(ends, items.join(""));
  }

  /** Makes this the sealed chunk of the elements ending at `ends` in `data`. */
  sealAs(ends: number[], data: string): void {
    const n = ends.length;
    if (data.length + 2 * n <= HEAP_SEAL_MAX) {
      this.data = data;
      this.ends = String.fromCharCode.apply(null, ends);
    } else {
      const buf = Buffer.allocUnsafeSlow(2 * n + data.length);
      for (let k = 0; k < n; k++) {
        buf[2 * k] = ends[k] & 255;
        buf[2 * k + 1] = ends[k] >>> 8;
      }
      buf.write(data, 2 * n, "latin1");
      this.buf = buf;
      this.n = n;
    }
    this.items = undefined;
    this.start = 0;
    this.count = n;
  }

  /** Whether pushes should go to a new chunk rather than this one. */
  full(): boolean {
    return this.items === undefined || this.count >= CHUNK_MAX || this.bytes >= CHUNK_BYTES;
  }

  removeHead(n: number): void {
    if (this.items !== undefined) {
      for (let k = 0; k < n; k++) this.bytes -= this.items[k].length;
      this.items.splice(0, n);
    } else this.start += n;
    this.count -= n;
  }

  removeTail(n: number): void {
    if (this.items !== undefined) {
      for (let k = this.count - n; k < this.count; k++) this.bytes -= this.items[k].length;
      this.items.length -= n;
    }
    this.count -= n;
  }
}

/** Cuts elements into chunks of at most CHUNK_MAX elements / CHUNK_BYTES bytes, sealed. */
function buildChunks(items: readonly string[]): Chunk[] {
  const chunks: Chunk[] = [];
  let i = 0;
  while (i < items.length) {
    let j = i;
    let bytes = 0;
    while (j < items.length && j - i < CHUNK_MAX && (j === i || bytes + items[j].length <= CHUNK_BYTES)) {
      bytes += items[j].length;
      j++;
    }
    const c = new Chunk(items.slice(i, j));
    c.seal();
    chunks.push(c);
    i = j;
  }
  // a one-chunk list (the common small list) keeps an array of exactly one slot
  return chunks.length === 1 ? [chunks[0]] : chunks;
}

// ---------------------------------------------------------------- the list

export class ListValue implements Collection {
  /** on the prototype: no per-list slot for a constant */
  get type(): "list" {
    return "list";
  }
  private chunks: Chunk[] = [];
  length = 0;
  /** list-max-listpack-size when the list was created (quicklistSetFill), for MEMORY USAGE */
  fill = -2;
  /** head pushes minus tail pushes: which end the quicklist's nodes fill from (MEMORY USAGE) */
  private pushBias = 0;
  /** a cursor for sequential access: chunks[cIdx] holds elements from cBase on */
  private cIdx = 0;
  private cBase = 0;

  /** quicklistSetFill: the fill a new list takes from list-max-listpack-size. */
  setFill(setting: number): void {
    this.fill = setting > 32767 ? 32767 : setting < -5 ? -5 : setting;
  }

  /** A list holding `items` in order; `pushBias` as if pushed (+n: LPUSH, -n: RPUSH). */
  static from(items: readonly string[], pushBias = 0): ListValue {
    const l = new ListValue();
    l.chunks = buildChunks(items);
    l.length = items.length;
    l.pushBias = pushBias;
    return l;
  }

  encoding(_settings: EngineSettings): string {
    return "quicklist";
  }

  private resetCursor(): void {
    this.cIdx = 0;
    this.cBase = 0;
  }

  /** Points the cursor at the chunk holding element i (0 <= i < length), from the nearest place. */
  private locate(i: number): Chunk {
    const chunks = this.chunks;
    let idx = this.cIdx;
    let base = this.cBase;
    if (idx >= chunks.length) {
      idx = 0;
      base = 0;
    }
    if (i < base) {
      if (i < base - i) {
        idx = 0;
        base = 0;
      }
    } else if (i >= base + chunks[idx].count && this.length - i < i - base) {
      idx = chunks.length - 1;
      base = this.length - chunks[idx].count;
    }
    while (i < base) {
      idx--;
      base -= chunks[idx].count;
    }
    while (i >= base + chunks[idx].count) {
      base += chunks[idx].count;
      idx++;
    }
    this.cIdx = idx;
    this.cBase = base;
    return chunks[idx];
  }

  pushTail(s: string): void {
    const chunks = this.chunks;
    let last = chunks[chunks.length - 1];
    if (last === undefined || last.full()) {
      last?.seal();
      last = new Chunk([]);
      chunks.push(last);
    }
    (last.items as string[]).push(s);
    this.pushBias--;
    last.bytes += s.length;
    last.count++;
    this.length++;
  }

  pushHead(s: string): void {
    const chunks = this.chunks;
    let first = chunks[0];
    if (first === undefined || first.full()) {
      first?.seal();
      first = new Chunk([]);
      chunks.unshift(first);
    }
    (first.items as string[]).unshift(s);
    this.pushBias++;
    first.bytes += s.length;
    first.count++;
    this.length++;
    this.resetCursor();
  }

  popHead(): string | undefined {
    const c = this.chunks[0];
    if (c === undefined) return undefined;
    const s = c.get(0);
    c.removeHead(1);
    if (c.count === 0) this.chunks.shift();
    this.length--;
    this.resetCursor();
    return s;
  }

  popTail(): string | undefined {
    const chunks = this.chunks;
    const c = chunks[chunks.length - 1];
    if (c === undefined) return undefined;
    const s = c.get(c.count - 1);
    c.removeTail(1);
    if (c.count === 0) {
      chunks.pop();
      if (this.cIdx >= chunks.length) this.resetCursor();
    }
    this.length--;
    return s;
  }

  /** The element at index i, 0 <= i < length. */
  at(i: number): string {
    const c = this.locate(i);
    return c.get(i - this.cBase);
  }

  /** Whether element i equals s, without building the element's string (LPOS, LREM, LINSERT). */
  equalsAt(i: number, s: string): boolean {
    const c = this.locate(i);
    return c.equals(i - this.cBase, s);
  }

  /** After an edit inside chunk idx: seal it again unless it is an end where pushes land. */
  private settle(idx: number): void {
    const c = this.chunks[idx];
    if (c.count > 2 * CHUNK_MAX) {
      this.chunks.splice(idx, 1, ...buildChunks(c.open()));
      this.resetCursor();
      return;
    }
    if ((idx !== 0 && idx !== this.chunks.length - 1) || c.full()) c.seal();
  }

  set(i: number, s: string): void {
    const c = this.locate(i);
    const items = c.open();
    const k = i - this.cBase;
    c.bytes += s.length - items[k].length;
    items[k] = s;
    this.settle(this.cIdx);
  }

  /** Inserts s so that it ends up at index i (0 <= i <= length). */
  insertAt(i: number, s: string): void {
    if (i === 0) {
      this.pushHead(s);
      return;
    }
    if (i === this.length) {
      this.pushTail(s);
      return;
    }
    const c = this.locate(i);
    c.open().splice(i - this.cBase, 0, s);
    c.bytes += s.length;
    c.count++;
    this.length++;
    this.settle(this.cIdx);
  }

  /** Removes `left` elements from the head and `right` from the tail (LTRIM, pops). */
  trim(left: number, right: number): void {
    this.resetCursor();
    if (left + right >= this.length) {
      this.chunks = [];
      this.length = 0;
      return;
    }
    this.length -= left + right;
    const chunks = this.chunks;
    let n = 0;
    while (left > 0 && chunks[n].count <= left) left -= chunks[n++].count;
    if (n > 0) chunks.splice(0, n);
    if (left > 0) chunks[0].removeHead(left);
    let m = 0;
    while (right > 0 && chunks[chunks.length - 1 - m].count <= right) right -= chunks[chunks.length - 1 - m++].count;
    if (m > 0) chunks.length -= m;
    if (right > 0) chunks[chunks.length - 1].removeTail(right);
  }

  /**
   * Removes the elements at `indices` (ascending), touching only the chunks they are in
   * (LREM): a few matches in a long list cost a few chunks, not a rebuild.
   */
  removeIndices(indices: readonly number[]): void {
    if (indices.length === 0) return;
    const kept: Chunk[] = [];
    let base = 0;
    let p = 0;
    for (const c of this.chunks) {
      const end = base + c.count;
      if (p < indices.length && indices[p] < end) {
        const items = c.open();
        const rest: string[] = [];
        for (let k = 0; k < items.length; k++) {
          if (p < indices.length && indices[p] === base + k) p++;
          else rest.push(items[k]);
        }
        if (rest.length > 0) {
          const n = new Chunk(rest);
          n.seal();
          kept.push(n);
        }
      } else kept.push(c);
      base = end;
    }
    this.chunks = kept;
    this.length -= indices.length;
    this.resetCursor();
  }

  /** The elements from index a to b inclusive, in order. */
  slice(a: number, b: number): string[] {
    const out = new Array<string>(b - a + 1);
    for (let i = a; i <= b; i++) out[i - a] = this.at(i);
    return out;
  }

  /*
   * Serialized form: the fill and push bias, the element count, the lengths joined by
   * commas, then all the bytes.
   *   "<fill>/<bias>:<n>:<len1>,<len2>,...:<bytes>"
   */
  serialize(): string {
    const lens: number[] = [];
    const parts: string[] = [];
    for (const c of this.chunks) {
      if (c.items !== undefined) {
        for (const s of c.items) {
          lens.push(s.length);
          parts.push(s);
        }
        continue;
      }
      // a sealed chunk's live bytes go out as one piece
      parts.push(c.liveBytes(lens));
    }
    return `${this.fill}/${this.pushBias}:${this.length}:${lens.join(",")}:${parts.join("")}`;
  }

  static load(payload: string): ListValue {
    const c0 = payload.indexOf(":");
    const c1 = payload.indexOf(":", c0 + 1);
    const n = Number(payload.slice(c0 + 1, c1));
    const lens = new Array<number>(n);
    let p = c1 + 1;
    const c2 = n === 0 ? p : payload.indexOf(":", p);
    for (let i = 0; i < n; i++) {
      let len = 0;
      for (;;) {
        const c = payload.charCodeAt(p++);
        if (c < 48 || c > 57 || Number.isNaN(c)) break;
        len = len * 10 + (c - 48);
      }
      lens[i] = len;
    }
    // the bytes are copied out once, and every chunk gets a fresh copy from there:
    // substrings of the payload would keep all of it alive
    const raw = Buffer.from(payload.slice(c2 + 1), "latin1") as Buffer & {
      latin1Slice(a: number, b: number): string;
    };
    const l = new ListValue();
    const slash = payload.indexOf("/");
    l.fill = Number(payload.slice(0, slash));
    l.pushBias = Number(payload.slice(slash + 1, c0));
    l.length = n;
    let i = 0;
    let d = 0;
    while (i < n) {
      let j = i;
      let bytes = 0;
      while (j < n && j - i < CHUNK_MAX && (j === i || bytes + lens[j] <= CHUNK_BYTES)) bytes += lens[j++];
      if (bytes <= SEAL_LIMIT) {
        const ends = new Array<number>(j - i);
        let e = 0;
        for (let k = i; k < j; k++) {
          e += lens[k];
          ends[k - i] = e;
        }
        const c = new Chunk([]);
        c.sealAs(ends, raw.latin1Slice(d, d + bytes));
        l.chunks.push(c);
        d += bytes;
      } else {
        const items = new Array<string>(j - i);
        for (let k = i; k < j; k++) {
          items[k - i] = raw.latin1Slice(d, d + lens[k]);
          d += lens[k];
        }
        l.chunks.push(new Chunk(items));
      }
      i = j;
    }
    return l;
  }

  /*
   * objectComputeSize for a quicklist: the quicklist header plus, per node, the node struct
   * and its listpack's allocation; `samples` nodes are measured and the average is scaled
   * to the node count. Nodes are laid out as a list built by pushes would be: each filled
   * while _quicklistNodeAllowInsert says the next element fits.
   */
  memoryUsage(samples: number): number {
    const fill = this.fill;
    const limit = fill < 0 ? NODE_BYTES[Math.min(-fill, 5) - 1] : 0;
    // node listpack sizes, in packing order: from the head for lists grown by RPUSH, from
    // the tail for lists grown by LPUSH (whose head node is the one still filling)
    const fromTail = this.pushBias > 0;
    const nodes: number[] = [];
    let sz = 0;
    let count = 0;
    for (let k = 0; k < this.length; k++) {
      const s = this.at(fromTail ? this.length - 1 - k : k);
      const e = listpackEntrySize(s);
      if (count > 0) {
        // _quicklistNodeAllowInsert estimates with the raw length plus a fixed overhead
        const next = sz + s.length + ESTIMATE_OVERHEAD;
        const fits = fill < 0 ? next <= limit : next <= SAFETY_LIMIT && count < fill;
        if (!fits) {
          nodes.push(sz);
          count = 0;
        }
      }
      if (count === 0) sz = LP_EMPTY;
      sz += e;
      count++;
    }
    if (count > 0) nodes.push(sz);
    if (nodes.length === 0) return SIZEOF_QUICKLIST;
    if (fromTail) nodes.reverse();
    // objectComputeSize samples nodes from the head
    const sampled = Math.min(Math.max(samples, 1), nodes.length);
    let bytes = 0;
    for (let k = 0; k < sampled; k++) bytes += SIZEOF_QUICKLIST_NODE + jemallocSize(nodes[k]);
    return SIZEOF_QUICKLIST + Math.floor((bytes / sampled) * nodes.length);
  }
}

registerValueType("list", (payload) => ListValue.load(payload));
