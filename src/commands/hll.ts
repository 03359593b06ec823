/*
 * HyperLogLog (hyperloglog.c): PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST.
 *
 * An HLL is an ordinary string value holding Redis's exact bytes, so GET, DUMP and
 * friends see what redis-server 7.0 would store:
 *
 *   +------+---+-----+----------+---------------------------------+
 *   | HYLL | E | N/U | Cardin.  | registers (dense) / opcodes (sparse)
 *   +------+---+-----+----------+---------------------------------+
 *
 * E is 0 (dense: 16384 6-bit registers packed LSB first, 12288 bytes) or 1 (sparse:
 * run-length opcodes ZERO 00xxxxxx, XZERO 01xxxxxx yyyyyyyy, VAL 1vvvvvxx). The cached
 * cardinality is a little-endian u64 whose top bit set means "stale".
 *
 * The sparse operations work on a byte buffer exactly like Redis's in-place sds edits
 * (split an opcode, shift the tail, merge adjacent VALs in a 5-opcode window), because the
 * resulting bytes depend on that exact sequence of edits. A command decodes the string
 * into a buffer once, applies all its changes, and encodes it back once.
 */

import { NOTIFY_STRING } from "../config/keyspace-events.js";
import type { Client } from "../net/client.js";
import { ERR_WRONGTYPE } from "../resp/errors.js";
import { arrayHeader, bulk, error, integer, OK, ONE, simple, ZERO } from "../resp/reply.js";
import type { Value } from "../shards/engine.js";
import { cString } from "../util/sds.js";
import { cmd, keySpec, mainCmd } from "./define.js";
import type { CommandSpec, ShardCtx } from "./types.js";

// ---------------------------------------------------------------- layout

const HLL_P = 14;
const HLL_Q = 64 - HLL_P;
const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_HDR_SIZE = 16;
const HLL_DENSE_SIZE = HLL_HDR_SIZE + ((HLL_REGISTERS * 6 + 7) >> 3);
const HLL_DENSE = 0;
const HLL_SPARSE = 1;
const HLL_MAX_ENCODING = 1;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
const HLL_ALPHA_INF = 0.7213475204444817; /* 0.5/ln(2), the double nearest Redis's 0.721347520444481703680 */

const ERR_INVALID_HLL = "-INVALIDOBJ Corrupted HLL object detected\r\n";
const ERR_NOT_HLL = "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n";

/** server.hll_sparse_max_bytes, as CONFIG SET gave it to the shards. */
function sparseMaxBytes(ctx: ShardCtx): number {
  return ctx.engine.settings["hll-sparse-max-bytes"];
}

// ---------------------------------------------------------------- MurmurHash64A

/*
 * MurmurHash64A with 64-bit arithmetic done on two unsigned 32-bit halves (no BigInt on the
 * per-element path). The multiplier m = 0xc6a4a7935bd1e995.
 */
const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const M_LO0 = M_LO & 0xffff;
const M_LO1 = M_LO >>> 16;
const HLL_SEED = 0xadc83b19;

let mulHi = 0;
let mulLo = 0;

/** (hi,lo) * m mod 2^64 into mulHi/mulLo. */
function mulM(hi: number, lo: number): void {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const p00 = a0 * M_LO0;
  const p01 = a0 * M_LO1;
  const p10 = a1 * M_LO0;
  const p11 = a1 * M_LO1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  mulLo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const carry = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  mulHi = (carry + Math.imul(lo, M_HI) + Math.imul(hi, M_LO)) >>> 0;
}

let hashHi = 0;
let hashLo = 0;

/** MurmurHash64A(s's bytes, seed) into hashHi/hashLo; `s` is a latin1 byte string. */
function murmurHash64A(s: string, seed: number): void {
  const len = s.length;
  // h = seed ^ (len * m)
  mulM(0, len >>> 0);
  let hHi = mulHi;
  let hLo = (mulLo ^ seed) >>> 0;
  const blocks = len - (len & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    const kLo =
      (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    const kHi =
      (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>>
      0;
    mulM(kHi, kLo);
    // k ^= k >> 47
    const k2Lo = (mulLo ^ (mulHi >>> 15)) >>> 0;
    mulM(mulHi, k2Lo);
    hHi = (hHi ^ mulHi) >>> 0;
    hLo = (hLo ^ mulLo) >>> 0;
    mulM(hHi, hLo);
    hHi = mulHi;
    hLo = mulLo;
  }
  const rest = len & 7;
  if (rest !== 0) {
    // the tail bytes, little endian: bytes 4..6 land in the high half
    if (rest >= 7) hHi ^= s.charCodeAt(i + 6) << 16;
    if (rest >= 6) hHi ^= s.charCodeAt(i + 5) << 8;
    if (rest >= 5) hHi ^= s.charCodeAt(i + 4);
    if (rest >= 4) hLo ^= s.charCodeAt(i + 3) << 24;
    if (rest >= 3) hLo ^= s.charCodeAt(i + 2) << 16;
    if (rest >= 2) hLo ^= s.charCodeAt(i + 1) << 8;
    hLo ^= s.charCodeAt(i);
    mulM(hHi >>> 0, hLo >>> 0);
    hHi = mulHi;
    hLo = mulLo;
  }
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  mulM(hHi, hLo);
  hHi = mulHi;
  hLo = (mulLo ^ (mulHi >>> 15)) >>> 0;
  hashHi = hHi;
  hashLo = hLo;
}

let patIndex = 0;

/**
 * hllPatLen: the register the element maps to (into patIndex) and the length of the
 * 000..1 pattern in the remaining 50 hash bits (1..51).
 */
function hllPatLen(ele: string): number {
  murmurHash64A(ele, HLL_SEED);
  patIndex = hashLo & HLL_P_MASK;
  // the hash shifted right by P, with bit Q set so the count stops at Q+1
  const w = ((hashLo >>> HLL_P) | ((hashHi & HLL_P_MASK) << (32 - HLL_P))) >>> 0;
  if (w !== 0) return 32 - Math.clz32(w & -w);
  const w2 = ((hashHi >>> HLL_P) | (1 << (HLL_Q - 32))) >>> 0;
  return 32 + 32 - Math.clz32(w2 & -w2);
}

// ---------------------------------------------------------------- the value as bytes

/**
 * An HLL being edited: `b` holds the string's bytes (with spare room, like an sds), `len`
 * the logical length. Sparse edits may replace `b` (growth, promotion to dense).
 */
class HllBuf {
  constructor(
    public b: Buffer,
    public len: number,
  ) {}

  static fromString(s: string): HllBuf {
    const b = Buffer.allocUnsafe(s.length + 8);
    b.write(s, 0, "latin1");
    b.fill(0, s.length);
    return new HllBuf(b, s.length);
  }

  /** createHLLObject: an empty sparse HLL (XZERO opcodes covering every register). */
  static create(): HllBuf {
    const n = Math.ceil(HLL_REGISTERS / SPARSE_XZERO_MAX_LEN);
    const b = Buffer.alloc(HLL_HDR_SIZE + n * 2 + 8);
    b.write("HYLL", 0, "latin1");
    b[4] = HLL_SPARSE;
    let p = HLL_HDR_SIZE;
    for (let aux = HLL_REGISTERS; aux > 0; ) {
      const xz = Math.min(aux, SPARSE_XZERO_MAX_LEN);
      b[p] = ((xz - 1) >> 8) | 0x40;
      b[p + 1] = (xz - 1) & 0xff;
      p += 2;
      aux -= xz;
    }
    return new HllBuf(b, p);
  }

  toString(): string {
    return this.b.toString("latin1", 0, this.len);
  }

  get encoding(): number {
    return this.b[4];
  }

  invalidateCache(): void {
    this.b[15] |= 0x80;
  }

  /** sdsMakeRoomFor: at least `n` spare bytes past len (plus the implicit terminator). */
  makeRoom(n: number): void {
    if (this.b.length >= this.len + n + 1) return;
    const nb = Buffer.alloc(Math.max(this.len * 2, this.len + n + 1, 64));
    this.b.copy(nb, 0, 0, this.len);
    this.b = nb;
  }
}

/**
 * isHLLObjectOrReply: undefined when `v` is a string holding a plausible HLL (magic, known
 * encoding, exact dense size), else the error reply. Int-encoded strings are never HLLs.
 */
function checkHll(v: Value): string | undefined {
  if (typeof v === "number") return ERR_NOT_HLL;
  if (typeof v !== "string") return ERR_WRONGTYPE;
  if (v.length < HLL_HDR_SIZE) return ERR_NOT_HLL;
  if (v.charCodeAt(0) !== 72 || v.charCodeAt(1) !== 89 || v.charCodeAt(2) !== 76 || v.charCodeAt(3) !== 76) {
    return ERR_NOT_HLL;
  }
  const enc = v.charCodeAt(4);
  if (enc > HLL_MAX_ENCODING) return ERR_NOT_HLL;
  if (enc === HLL_DENSE && v.length !== HLL_DENSE_SIZE) return ERR_NOT_HLL;
  return undefined;
}

// ---------------------------------------------------------------- dense representation

function denseGet(b: Uint8Array, regnum: number): number {
  const byte = HLL_HDR_SIZE + ((regnum * 6) >> 3);
  const fb = (regnum * 6) & 7;
  return ((b[byte] >> fb) | (b[byte + 1] << (8 - fb))) & 63;
}

/** The register straight from the string (no decoding), for PFADD's no-change fast path. */
function denseGetStr(s: string, regnum: number): number {
  const byte = HLL_HDR_SIZE + ((regnum * 6) >> 3);
  const fb = (regnum * 6) & 7;
  const b1 = byte + 1 < s.length ? s.charCodeAt(byte + 1) : 0;
  return ((s.charCodeAt(byte) >> fb) | (b1 << (8 - fb))) & 63;
}

function denseSetRaw(b: Uint8Array, regnum: number, val: number): void {
  const byte = HLL_HDR_SIZE + ((regnum * 6) >> 3);
  const fb = (regnum * 6) & 7;
  const fb8 = 8 - fb;
  b[byte] = (b[byte] & ~(63 << fb)) | (val << fb);
  b[byte + 1] = (b[byte + 1] & ~(63 >> fb8)) | (val >> fb8);
}

/** hllDenseSet: raise the register to `count`; 1 if it changed. */
function denseSet(b: Uint8Array, index: number, count: number): number {
  if (count > denseGet(b, index)) {
    denseSetRaw(b, index, count);
    return 1;
  }
  return 0;
}

function denseRegHisto(b: Uint8Array, histo: Int32Array): void {
  let r = HLL_HDR_SIZE;
  for (let j = 0; j < HLL_REGISTERS / 4; j++) {
    const b0 = b[r];
    const b1 = b[r + 1];
    const b2 = b[r + 2];
    histo[b0 & 63]++;
    histo[((b0 >> 6) | (b1 << 2)) & 63]++;
    histo[((b1 >> 4) | (b2 << 4)) & 63]++;
    histo[(b2 >> 2) & 63]++;
    r += 3;
  }
}

// ---------------------------------------------------------------- sparse representation

function isZero(c: number): boolean {
  return (c & 0xc0) === 0;
}
function isXZero(c: number): boolean {
  return (c & 0xc0) === 0x40;
}
function isVal(c: number): boolean {
  return (c & 0x80) !== 0;
}
function zeroLen(c: number): number {
  return (c & 0x3f) + 1;
}
function xzeroLen(c: number, c2: number): number {
  return (((c & 0x3f) << 8) | c2) + 1;
}
function valValue(c: number): number {
  return ((c >> 2) & 0x1f) + 1;
}
function valLen(c: number): number {
  return (c & 0x3) + 1;
}
function valByte(val: number, len: number): number {
  return (((val - 1) << 2) | (len - 1) | 0x80) & 0xff;
}

/**
 * hllSparseToDense: false when the opcodes do not cover exactly 16384 registers. As in
 * 7.0.15 with the CVE-2025-32023 fix (Debian's build): any opcode running past the last
 * register makes the HLL invalid, so this is simply "the run lengths sum to 16384".
 */
function sparseToDense(o: HllBuf): boolean {
  const sb = o.b;
  if (sb[4] === HLL_DENSE) return true;
  const db = Buffer.alloc(HLL_DENSE_SIZE + 1);
  sb.copy(db, 0, 0, HLL_HDR_SIZE); // magic, unused bytes and cached cardinality
  db[4] = HLL_DENSE;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  const end = o.len;
  while (p < end) {
    const c = sb[p];
    if (isZero(c)) {
      idx += zeroLen(c);
      p++;
    } else if (isXZero(c)) {
      idx += xzeroLen(c, sb[p + 1]);
      p += 2;
    } else {
      let runlen = valLen(c);
      const regval = valValue(c);
      if (runlen + idx > HLL_REGISTERS) return false;
      while (runlen--) denseSetRaw(db, idx++, regval);
      p++;
    }
    if (idx > HLL_REGISTERS) return false;
  }
  if (idx !== HLL_REGISTERS) return false;
  o.b = db;
  o.len = HLL_DENSE_SIZE;
  return true;
}

/**
 * hllSparseSet: raise register `index` to `count` in a sparse HLL, splitting the opcode
 * that covers it and merging adjacent VALs after; promotes to dense when the value does
 * not fit a VAL or the string would exceed `maxBytes`. 1 changed, 0 unchanged, -1 corrupt.
 */
function sparseSet(o: HllBuf, index: number, count: number, maxBytes: number): number {
  if (count > SPARSE_VAL_MAX_VALUE) return promote(o, index, count);
  o.makeRoom(3);
  const b = o.b;
  const sparse = HLL_HDR_SIZE;
  let end = o.len;
  let p = sparse;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const c = b[p];
    let oplen = 1;
    if (isZero(c)) span = zeroLen(c);
    else if (isVal(c)) span = valLen(c);
    else {
      span = xzeroLen(c, b[p + 1]);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;

  const c = b[p];
  let next = isXZero(c) ? p + 2 : p + 1;
  if (next >= end) next = -1;
  let zero = false;
  let xzero = false;
  let val = false;
  let runlen: number;
  if (isZero(c)) {
    zero = true;
    runlen = zeroLen(c);
  } else if (isXZero(c)) {
    xzero = true;
    runlen = xzeroLen(c, b[p + 1]);
  } else {
    val = true;
    runlen = valLen(c);
  }

  let simple = false;
  if (val) {
    if (valValue(c) >= count) return 0;
    if (runlen === 1) {
      b[p] = valByte(count, 1);
      simple = true;
    }
  }
  if (!simple && zero && runlen === 1) {
    b[p] = valByte(count, 1);
    simple = true;
  }

  if (!simple) {
    // the general case: the opcode becomes up to three (XZERO-VAL-XZERO, 5 bytes)
    const seq: number[] = [];
    const last = first + span - 1;
    if (zero || xzero) {
      if (index !== first) pushZeros(seq, index - first);
      seq.push(valByte(count, 1));
      if (index !== last) pushZeros(seq, last - index);
    } else {
      const curval = valValue(c);
      if (index !== first) seq.push(valByte(curval, index - first));
      seq.push(valByte(count, 1));
      if (index !== last) seq.push(valByte(curval, last - index));
    }
    const seqlen = seq.length;
    const oldlen = xzero ? 2 : 1;
    const deltalen = seqlen - oldlen;
    if (deltalen > 0 && o.len + deltalen > maxBytes) return promote(o, index, count);
    if (deltalen !== 0 && next !== -1) b.copyWithin(next + deltalen, next, end);
    o.len += deltalen;
    for (let i = 0; i < seqlen; i++) b[p + i] = seq[i];
    end += deltalen;
  }

  // merge adjacent VAL opcodes with the same value, scanning up to 5 opcodes from prev
  p = prev !== -1 ? prev : sparse;
  let scanlen = 5;
  while (p < end && scanlen-- > 0) {
    const op = b[p];
    if (isXZero(op)) {
      p += 2;
      continue;
    }
    if (isZero(op)) {
      p++;
      continue;
    }
    if (p + 1 < end && isVal(b[p + 1])) {
      const v1 = valValue(op);
      const v2 = valValue(b[p + 1]);
      if (v1 === v2) {
        const len = valLen(op) + valLen(b[p + 1]);
        if (len <= SPARSE_VAL_MAX_LEN) {
          b[p + 1] = valByte(v1, len);
          b.copyWithin(p, p + 1, end + 1);
          o.len--;
          end--;
          continue;
        }
      }
    }
    p++;
  }
  o.invalidateCache();
  return 1;
}

function pushZeros(seq: number[], len: number): void {
  if (len > SPARSE_ZERO_MAX_LEN) {
    seq.push(((len - 1) >> 8) | 0x40, (len - 1) & 0xff);
  } else {
    seq.push(len - 1);
  }
}

/** The `promote:` path of hllSparseSet: convert, then set the register in the dense form. */
function promote(o: HllBuf, index: number, count: number): number {
  if (!sparseToDense(o)) return -1;
  return denseSet(o.b, index, count);
}

/** hllSparseRegHisto: false when the opcodes do not cover exactly 16384 registers. */
function sparseRegHisto(b: Uint8Array, start: number, end: number, histo: Int32Array): boolean {
  let idx = 0;
  let p = start;
  while (p < end) {
    const c = b[p];
    if (isZero(c)) {
      const runlen = zeroLen(c);
      idx += runlen;
      histo[0] += runlen;
      p++;
    } else if (isXZero(c)) {
      const runlen = xzeroLen(c, b[p + 1]);
      idx += runlen;
      histo[0] += runlen;
      p += 2;
    } else {
      const runlen = valLen(c);
      idx += runlen;
      histo[valValue(c)] += runlen;
      p++;
    }
  }
  return idx === HLL_REGISTERS;
}

// ---------------------------------------------------------------- estimation

/* sigma and tau from Otmar Ertl, "New cardinality estimation algorithms for HyperLogLog sketches" */
function hllSigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function hllTau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y; // gcc folds pow(d, 2) into d*d
  } while (zPrime !== z);
  return z / 3;
}

/** The cardinality estimate from the register histogram (hllCount's second half). */
function countFromHisto(histo: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * hllTau((m - histo[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * hllSigma(histo[0] / m);
  return Math.round((HLL_ALPHA_INF * m * m) / z);
}

/** hllRawRegHisto: the histogram of one-byte-per-register maxima, zero words skipped. */
function rawRegHisto(max: Uint8Array): Int32Array {
  const histo = new Int32Array(64);
  const words = new Uint32Array(max.buffer, max.byteOffset, HLL_REGISTERS / 4);
  for (let j = 0; j < HLL_REGISTERS / 4; j++) {
    if (words[j] === 0) {
      histo[0] += 4;
      continue;
    }
    const i = j * 4;
    histo[max[i]]++;
    histo[max[i + 1]]++;
    histo[max[i + 2]]++;
    histo[max[i + 3]]++;
  }
  return histo;
}

/** hllCount of an HLL buffer; undefined when a sparse one is corrupt. */
function hllCount(b: Uint8Array, len: number): number | undefined {
  const histo = new Int32Array(64);
  if (b[4] === HLL_DENSE) denseRegHisto(b, histo);
  else if (!sparseRegHisto(b, HLL_HDR_SIZE, len, histo)) return undefined;
  return countFromHisto(histo);
}

/**
 * hllMerge: max[i] = MAX(max[i], hll[i]); false for a corrupt sparse HLL. Dense registers
 * are read four at a time from three bytes (of a Buffer copy: faster than charCodeAt).
 */
function hllMerge(max: Uint8Array, s: string): boolean {
  if (s.charCodeAt(4) === HLL_DENSE) {
    const b = Buffer.from(s, "latin1");
    let r = HLL_HDR_SIZE;
    for (let i = 0; i < HLL_REGISTERS; i += 4) {
      const b0 = b[r];
      const b1 = b[r + 1];
      const b2 = b[r + 2];
      r += 3;
      const v0 = b0 & 63;
      const v1 = ((b0 >> 6) | (b1 << 2)) & 63;
      const v2 = ((b1 >> 4) | (b2 << 4)) & 63;
      const v3 = b2 >> 2;
      if (v0 > max[i]) max[i] = v0;
      if (v1 > max[i + 1]) max[i + 1] = v1;
      if (v2 > max[i + 2]) max[i + 2] = v2;
      if (v3 > max[i + 3]) max[i + 3] = v3;
    }
    return true;
  }
  let i = 0;
  let p = HLL_HDR_SIZE;
  const end = s.length;
  while (p < end) {
    const c = s.charCodeAt(p);
    if (isZero(c)) {
      i += zeroLen(c);
      p++;
    } else if (isXZero(c)) {
      i += xzeroLen(c, p + 1 < end ? s.charCodeAt(p + 1) : 0);
      p += 2;
    } else {
      let runlen = valLen(c);
      const regval = valValue(c);
      if (runlen + i > HLL_REGISTERS) return false;
      while (runlen--) {
        if (regval > max[i]) max[i] = regval;
        i++;
      }
      p++;
    }
    if (i > HLL_REGISTERS) return false; // any overflow is corruption (CVE-2025-32023 fix)
  }
  return i === HLL_REGISTERS;
}

/** Pack one byte per register into the dense layout after the header. */
function packDense(max: Uint8Array, b: Uint8Array): void {
  let r = HLL_HDR_SIZE;
  for (let i = 0; i < HLL_REGISTERS; i += 4) {
    const v0 = max[i];
    const v1 = max[i + 1];
    const v2 = max[i + 2];
    const v3 = max[i + 3];
    b[r] = v0 | (v1 << 6);
    b[r + 1] = (v1 >> 2) | (v2 << 4);
    b[r + 2] = (v2 >> 4) | (v3 << 2);
    r += 3;
  }
}

/** A u64 cardinality as the integer reply (exact beyond 2^53). */
function cardReply(lo: number, hi: number): string {
  if (hi < 0x200000) return integer(hi * 4294967296 + lo);
  return integer(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)));
}

function writeCard(b: Uint8Array, card: number): void {
  const lo = card % 4294967296;
  const hi = Math.floor(card / 4294967296);
  b[8] = lo & 0xff;
  b[9] = (lo >>> 8) & 0xff;
  b[10] = (lo >>> 16) & 0xff;
  b[11] = (lo >>> 24) & 0xff;
  b[12] = hi & 0xff;
  b[13] = (hi >>> 8) & 0xff;
  b[14] = (hi >>> 16) & 0xff;
  b[15] = (hi >>> 24) & 0xff;
}

// ---------------------------------------------------------------- commands

/** Store an edited HLL in place (the TTL stays); `dirty` is what Redis adds to server.dirty. */
function store(ctx: ShardCtx, key: string, o: HllBuf, dirty: number): void {
  ctx.engine.setKey(ctx.db, key, o.toString(), true);
  // HLLs are strings edited in place: Redis holds them `raw`
  ctx.engine.markRaw(ctx.db, key);
  ctx.engine.dirty += dirty - 1;
}

/* PFADD key [element [element ...]] */
function pfaddCommand(ctx: ShardCtx, argv: string[]): string {
  const key = argv[1];
  const v = ctx.engine.lookupWrite(ctx.db, key);
  let o: HllBuf;
  let updated = 0;
  if (v === undefined) {
    o = HllBuf.create();
    updated++;
  } else {
    const err = checkHll(v);
    if (err !== undefined) return err;
    const s = v as string; // checkHll let only byte strings through (int-encoded ones are never HLLs)
    // a dense HLL is left alone (no copy) when no register would grow
    if (s.charCodeAt(4) === HLL_DENSE) {
      let grows = false;
      for (let j = 2; j < argv.length && !grows; j++) {
        const count = hllPatLen(argv[j]);
        grows = count > denseGetStr(s, patIndex);
      }
      if (!grows) return ZERO;
    }
    o = HllBuf.fromString(s);
  }
  const maxBytes = sparseMaxBytes(ctx);
  for (let j = 2; j < argv.length; j++) {
    const count = hllPatLen(argv[j]);
    const index = patIndex;
    const r = o.encoding === HLL_DENSE ? denseSet(o.b, index, count) : sparseSet(o, index, count, maxBytes);
    if (r === 1) updated++;
    else if (r === -1) {
      // Redis edits in place: what the earlier elements changed stays, uncounted
      if (v !== undefined) store(ctx, key, o, 0);
      return ERR_INVALID_HLL;
    }
  }
  if (updated === 0) return ZERO;
  o.invalidateCache();
  store(ctx, key, o, updated);
  ctx.engine.notify(NOTIFY_STRING, "pfadd", key, ctx.dbIndex);
  return ONE;
}

/*
 * PFCOUNT key [key ...]
 *
 * One key: the cached cardinality when valid, else the estimate, cached into the string
 * (a write although the command is flagged readonly, as in Redis). Several keys: the
 * estimate of their union; nothing is written.
 */
function pfcountCommand(ctx: ShardCtx, argv: string[]): string {
  const { engine, db } = ctx;
  if (argv.length > 2) {
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < argv.length; j++) {
      const v = engine.lookupRead(db, argv[j]);
      if (v === undefined) continue;
      const err = checkHll(v);
      if (err !== undefined) return err;
      if (!hllMerge(max, v as string)) return ERR_INVALID_HLL;
    }
    return integer(countFromHisto(rawRegHisto(max)));
  }
  const key = argv[1];
  const v = engine.lookupRead(db, key);
  if (v === undefined) return ZERO;
  const err = checkHll(v);
  if (err !== undefined) return err;
  const s = v as string;
  if ((s.charCodeAt(15) & 0x80) === 0) {
    const lo = (s.charCodeAt(8) | (s.charCodeAt(9) << 8) | (s.charCodeAt(10) << 16) | (s.charCodeAt(11) << 24)) >>> 0;
    const hi = (s.charCodeAt(12) | (s.charCodeAt(13) << 8) | (s.charCodeAt(14) << 16) | (s.charCodeAt(15) << 24)) >>> 0;
    return cardReply(lo, hi);
  }
  const o = HllBuf.fromString(s);
  const card = hllCount(o.b, o.len);
  if (card === undefined) return ERR_INVALID_HLL;
  writeCard(o.b, card);
  store(ctx, key, o, 1);
  return integer(card < 2 ** 53 ? card : BigInt(card));
}

/*
 * PFMERGE destkey [sourcekey [sourcekey ...]]
 *
 * The registers' maxima over all keys (destkey included), written into destkey register
 * by register (sparse sets, possibly promoting midway), dense from the start when any
 * input is dense.
 */
function pfmergeCommand(ctx: ShardCtx, argv: string[]): string {
  const { engine, db } = ctx;
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < argv.length; j++) {
    const v = engine.lookupRead(db, argv[j]);
    if (v === undefined) continue;
    const err = checkHll(v);
    if (err !== undefined) return err;
    const s = v as string;
    if (s.charCodeAt(4) === HLL_DENSE) useDense = true;
    if (!hllMerge(max, s)) return ERR_INVALID_HLL;
  }
  const key = argv[1];
  const dv = engine.lookupWrite(db, key);
  const o = dv === undefined ? HllBuf.create() : HllBuf.fromString(dv as string);
  if (useDense && !sparseToDense(o)) return ERR_INVALID_HLL;
  const maxBytes = sparseMaxBytes(ctx);
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (max[j] === 0) continue;
    if (o.encoding === HLL_DENSE) {
      // destkey's registers are part of max: from here on every register becomes max[j]
      packDense(max, o.b);
      break;
    }
    sparseSet(o, j, max[j], maxBytes);
  }
  o.invalidateCache();
  store(ctx, key, o, 1);
  // Redis raises PFADD's event for PFMERGE (a mass add), whatever changed
  ctx.engine.notify(NOTIFY_STRING, "pfadd", key, ctx.dbIndex);
  return OK;
}

// ---------------------------------------------------------------- debugging

const ERR_NO_KEY = error("ERR The specified key does not exist");
const ERR_NOT_SPARSE = error("ERR HLL encoding is not sparse");

/* PFDEBUG <GETREG | DECODE | ENCODING | TODENSE> key */
function pfdebugCommand(ctx: ShardCtx, argv: string[]): string {
  const sub = argv[1];
  const key = argv[2];
  const v = ctx.engine.lookupWrite(ctx.db, key);
  if (v === undefined) return ERR_NO_KEY;
  const err = checkHll(v);
  if (err !== undefined) return err;
  const o = HllBuf.fromString(v as string);
  const name = cString(sub).toLowerCase();
  if (name === "getreg") {
    if (o.encoding === HLL_SPARSE) {
      if (!sparseToDense(o)) return ERR_INVALID_HLL;
      store(ctx, key, o, 1);
    }
    let out = arrayHeader(HLL_REGISTERS);
    for (let j = 0; j < HLL_REGISTERS; j++) out += `:${denseGet(o.b, j)}\r\n`;
    return out;
  }
  if (name === "decode") {
    if (o.encoding !== HLL_SPARSE) return ERR_NOT_SPARSE;
    const parts: string[] = [];
    const b = o.b;
    let p = HLL_HDR_SIZE;
    while (p < o.len) {
      const c = b[p];
      if (isZero(c)) {
        parts.push(`z:${zeroLen(c)}`);
        p++;
      } else if (isXZero(c)) {
        parts.push(`Z:${xzeroLen(c, b[p + 1])}`);
        p += 2;
      } else {
        parts.push(`v:${valValue(c)},${valLen(c)}`);
        p++;
      }
    }
    return bulk(parts.join(" "));
  }
  if (name === "encoding") return simple(o.encoding === HLL_DENSE ? "dense" : "sparse");
  if (name === "todense") {
    if (o.encoding !== HLL_SPARSE) return ZERO;
    if (!sparseToDense(o)) return ERR_INVALID_HLL;
    store(ctx, key, o, 1);
    return ONE;
  }
  // addReplyErrorFormat turns newlines of the argument into spaces
  return error(`ERR Unknown PFDEBUG subcommand '${cString(sub).replace(/[\r\n]/g, " ")}'`);
}

/*
 * PFSELFTEST: Redis's self test of the register macros and of the estimator's error
 * bounds. Same checks, with the register test's cycles and the cardinality checkpoints
 * scaled down so that it answers in well under a second.
 */
function pfselftestCommand(c: Client): string {
  const dense = Buffer.alloc(HLL_DENSE_SIZE + 1);
  const bytecounters = new Uint8Array(HLL_REGISTERS);
  let seed = 0x9e3779b9;
  const rand = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  for (let j = 0; j < 20; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = rand() & 63;
      bytecounters[i] = r;
      denseSetRaw(dense, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const val = denseGet(dense, i);
      if (val !== bytecounters[i]) {
        return error(`TESTFAILED Register ${i} should be ${bytecounters[i]} but is ${val}`);
      }
    }
  }
  dense.fill(0, HLL_HDR_SIZE);
  const o = HllBuf.create();
  const maxBytes = c.server.router.settings["hll-sparse-max-bytes"];
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 1;
  const ele = Buffer.alloc(8);
  const base = rand();
  for (let j = 1; j <= 100000; j++) {
    ele.writeUInt32LE((j ^ base) >>> 0, 0);
    ele.writeUInt32LE(base, 4);
    const s = ele.toString("latin1", 0, 8);
    const count = hllPatLen(s);
    const index = patIndex;
    denseSet(dense, index, count);
    if (o.encoding === HLL_DENSE) denseSet(o.b, index, count);
    else sparseSet(o, index, count, maxBytes);
    if (j === checkpoint) {
      if (j < maxBytes / 2 && o.encoding !== HLL_SPARSE) return error("TESTFAILED sparse encoding not used");
      const c1 = hllCount(dense, HLL_DENSE_SIZE) ?? -1;
      if (c1 !== hllCount(o.b, o.len)) return error("TESTFAILED dense/sparse disagree");
      let maxerr = Math.ceil(relerr * 6 * checkpoint);
      if (j === 10) maxerr = 1;
      const abserr = Math.abs(checkpoint - c1);
      if (abserr > maxerr) return error(`TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`);
      checkpoint *= 10;
    }
  }
  return OK;
}

// ---------------------------------------------------------------- table

export const hllCommands: CommandSpec[] = [
  cmd(
    "pfadd",
    -2,
    ["write", "denyoom", "fast"],
    { first: 1, last: 1, step: 1 },
    "hyperloglog",
    "2.8.9",
    "Adds the specified elements to the specified HyperLogLog.",
    "O(1) to add every element.",
    { shard: pfaddCommand, keySpecs: [keySpec(["RW", "insert"], 1)] },
  ),
  cmd(
    "pfcount",
    -2,
    ["readonly"],
    { first: 1, last: -1, step: 1 },
    "hyperloglog",
    "2.8.9",
    "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
    "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
    {
      shard: pfcountCommand,
      cross: "gather",
      keySpecs: [
        keySpec(
          ["RW", "access"],
          1,
          -1,
          1,
          "RW because it may change the internal representation of the key, and propagate to replicas",
        ),
      ],
    },
  ),
  cmd(
    "pfmerge",
    -2,
    ["write", "denyoom"],
    { first: 1, last: -1, step: 1 },
    "hyperloglog",
    "2.8.9",
    "Merge N different HyperLogLogs into a single one.",
    "O(N) to merge N HyperLogLogs, but with high constant times.",
    {
      shard: pfmergeCommand,
      cross: "gather",
      keySpecs: [keySpec(["RW", "access", "insert"], 1), keySpec(["RO", "access"], 2, -1)],
    },
  ),
  cmd(
    "pfdebug",
    3,
    ["write", "denyoom", "admin"],
    { first: 2, last: 2, step: 1 },
    "hyperloglog",
    "2.8.9",
    "Internal commands for debugging HyperLogLog values",
    "N/A",
    { shard: pfdebugCommand, keySpecs: [keySpec(["RW", "access"], 2)] },
  ),
  mainCmd(
    "pfselftest",
    1,
    ["admin"],
    "hyperloglog",
    "2.8.9",
    "An internal command for testing HyperLogLog values",
    "N/A",
    (c) => pfselftestCommand(c),
  ),
];
