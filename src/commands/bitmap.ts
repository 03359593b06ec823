/*
 * Bitmap commands (bitops.c): SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
 *
 * Bitmaps are plain string values (latin1 byte strings, or numbers for the `int` encoding,
 * read through their decimal text as Redis's getObjectReadOnlyString does). Bit 0 is the
 * most significant bit of byte 0.
 *
 * Cost: a write (SETBIT, BITFIELD SET/INCRBY) splices the touched bytes into a new JS
 * string (slices and concatenation, O(1) at once), which V8 flattens at the next read: O(n)
 * in the string's length per write, where Redis edits its sds in place in O(1). Fine for
 * the usual small bitmaps; a bitmap of many MB written bit by bit is much slower than in
 * Redis (measured on a loaded 2-core box: ~1-2 ms per SETBIT on a 1 MB bitmap). Long
 * ranges (BITCOUNT, BITPOS, BITOP) are copied into a Buffer and walked 32 bits at a time.
 */
import { constants } from "node:buffer";
import { NOTIFY_GENERIC, NOTIFY_STRING } from "../config/keyspace-events.js";
import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE } from "../resp/errors.js";
import { arrayHeader, error, nullBulk, ONE, ZERO } from "../resp/reply.js";
import { INT64_MAX, parseInteger } from "../util/numbers.js";
import { cString } from "../util/sds.js";
import { cmd, keySpec, keys1 } from "./define.js";
import { ERR_STRING_SIZE, isStringValue, valueToString } from "./string.js";
import type { CommandSpec, ShardCtx } from "./types.js";

const ERR_BIT_OFFSET = error("ERR bit offset is not an integer or out of range");
const ERR_BIT_VALUE = error("ERR bit is not an integer or out of range");
const ERR_BITFIELD_TYPE = error(
  "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
);
const ERR_BIT_ARGUMENT = error("ERR The bit argument must be 1 or 0.");
const ERR_BITOP_NOT = error("ERR BITOP NOT must be called with a single source key.");
const ERR_OVERFLOW_TYPE = error("ERR Invalid OVERFLOW type specified");
const ERR_BITFIELD_RO = error("ERR BITFIELD_RO only supports the GET subcommand");
const MINUS_ONE = ":-1\r\n";

// ---------------------------------------------------------------- helpers

/** Set bits per 16-bit value (the low 256 entries serve bytes). */
const POPCOUNT16 = new Uint8Array(65536);
for (let i = 1; i < 65536; i++) POPCOUNT16[i] = (i & 1) + POPCOUNT16[i >> 1];

/**
 * Ranges longer than this are copied into a Buffer and walked a 32-bit word at a time;
 * shorter ones are read with charCodeAt.
 */
const WORDWISE = 64;

/** bytes [from, to) of s in a new Buffer whose data starts 4-byte aligned. */
function alignedBytes(s: string, from: number, to: number): Buffer {
  const b = Buffer.alloc(to - from);
  b.write(from === 0 && to === s.length ? s : s.slice(from, to), 0, "latin1");
  return b;
}

/** A view of the whole 32-bit words of b (whose data is 4-byte aligned). */
function words(b: Buffer): Int32Array {
  return new Int32Array(b.buffer, b.byteOffset, b.length >>> 2);
}

/**
 * getBitOffsetFromArgument: an int64 bit offset, >= 0, whose byte is below
 * proto-max-bulk-len. With `bits` (BITFIELD) a leading '#' multiplies the offset by the
 * field width, wrapping in int64 as C does (a wrapped negative is out of range).
 */
function bitOffset(ctx: ShardCtx, arg: string, bits: number): number | undefined {
  const hash = bits > 0 && arg.charCodeAt(0) === 35;
  const v = parseInteger(hash ? arg.slice(1) : arg);
  if (v === undefined) return undefined;
  const max = ctx.engine.settings["proto-max-bulk-len"];
  if (!hash && typeof v === "number") return v < 0 || Math.floor(v / 8) >= max ? undefined : v;
  let off = BigInt(v);
  if (hash) off = BigInt.asIntN(64, off * BigInt(bits));
  if (off < 0n || off >> 3n >= BigInt(max)) return undefined;
  return Number(off);
}

/**
 * A string of n bytes is more than V8 can hold (2^29-24 characters): the offset checks
 * allow up to proto-max-bulk-len (512 MB), so the last few offsets Redis accepts get the
 * size error here instead of a crash.
 */
function beyondV8(n: number): boolean {
  return n > constants.MAX_STRING_LENGTH;
}

/** s with byte i replaced by b, zero-padded when i is past the end. */
function withByte(s: string, i: number, b: number): string {
  const c = String.fromCharCode(b);
  if (i >= s.length) return s + "\0".repeat(i - s.length) + c;
  return s.slice(0, i) + c + s.slice(i + 1);
}

/** strcasecmp of a C string (it stops at a NUL byte) against a lowercase word. */
function word(arg: string): string {
  return cString(arg).toLowerCase();
}

// ---------------------------------------------------------------- SETBIT / GETBIT

/*
 * SETBIT key offset value. As setbitCommand in Redis 7.0:
 *  1. the offset first ("bit offset is not an integer or out of range"), then the value,
 *     which must be 0 or 1 ("bit is not an integer or out of range");
 *  2. a missing key is created; the string grows with zero bytes up to the offset's byte;
 *  3. the old bit is the reply; the TTL is kept; the value becomes a raw string (OBJECT
 *     ENCODING says `raw`, even for "12" or a short string).
 */
function setbitCommand(ctx: ShardCtx, argv: string[]): string {
  const off = bitOffset(ctx, argv[2], 0);
  if (off === undefined) return ERR_BIT_OFFSET;
  const on = parseInteger(argv[3]);
  if (on !== 0 && on !== 1) return ERR_BIT_VALUE;
  const { engine, db } = ctx;
  const cur = engine.lookupWrite(db, argv[1]);
  if (cur !== undefined && !isStringValue(cur)) return ERR_WRONGTYPE;
  const s = cur === undefined ? "" : valueToString(cur);
  const byte = Math.floor(off / 8);
  if (beyondV8(byte + 1)) return ERR_STRING_SIZE;
  const old = byte < s.length ? s.charCodeAt(byte) : 0;
  const mask = 1 << (7 - (off % 8));
  engine.setKey(db, argv[1], withByte(s, byte, on ? old | mask : old & ~mask), true);
  engine.markRaw(db, argv[1]);
  // Redis 7.0 notifies only when the key was created or grown, or the bit changed
  if (cur === undefined || byte >= s.length || (old & mask ? 1 : 0) !== on)
    engine.notify(NOTIFY_STRING, "setbit", argv[1], ctx.dbIndex);
  return old & mask ? ONE : ZERO;
}

/* GETBIT key offset: the offset is checked before the key; past the end the bit is 0 */
function getbitCommand(ctx: ShardCtx, argv: string[]): string {
  const off = bitOffset(ctx, argv[2], 0);
  if (off === undefined) return ERR_BIT_OFFSET;
  const v = ctx.engine.lookupRead(ctx.db, argv[1]);
  if (v === undefined) return ZERO;
  if (!isStringValue(v)) return ERR_WRONGTYPE;
  const s = valueToString(v);
  const byte = Math.floor(off / 8);
  if (byte >= s.length) return ZERO;
  return s.charCodeAt(byte) & (1 << (7 - (off % 8))) ? ONE : ZERO;
}

// ---------------------------------------------------------------- BITCOUNT / BITPOS

/**
 * The [start, end] range of BITCOUNT/BITPOS in bits, after Redis's index rules: negative
 * indexes count from the end (in bytes, or bits with BIT), then clamp at 0, end clamps at
 * the last unit. undefined when the range is empty (start > end).
 */
function bitRange(start: bigint, end: bigint, len: number, isBit: boolean): [number, number] | undefined {
  const total = BigInt(isBit ? len * 8 : len);
  if (start < 0n) start += total;
  if (end < 0n) end += total;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= total) end = total - 1n;
  if (start > end) return undefined;
  const s = Number(start);
  const e = Number(end);
  return isBit ? [s, e] : [s * 8, e * 8 + 7];
}

/** BIT or BYTE (case-insensitive), or undefined for anything else. */
function unitArg(arg: string): boolean | undefined {
  const w = word(arg);
  return w === "bit" ? true : w === "byte" ? false : undefined;
}

/** Set bits of s from bit `from` to bit `to`, both included. */
function countBits(s: string, from: number, to: number): number {
  const first = Math.floor(from / 8);
  const last = Math.floor(to / 8);
  let n = 0;
  if (last - first < WORDWISE) {
    for (let i = first; i <= last; i++) n += POPCOUNT16[s.charCodeAt(i)];
  } else {
    const b = alignedBytes(s, first, last + 1);
    const w = words(b);
    for (let i = 0; i < w.length; i++) {
      const x = w[i];
      n += POPCOUNT16[x & 0xffff] + POPCOUNT16[x >>> 16];
    }
    for (let i = w.length * 4; i < b.length; i++) n += POPCOUNT16[b[i]];
  }
  // bits of the edge bytes outside the range
  n -= POPCOUNT16[s.charCodeAt(first) & (0xff00 >> (from % 8)) & 0xff];
  n -= POPCOUNT16[s.charCodeAt(last) & ((1 << (7 - (to % 8))) - 1)];
  return n;
}

/*
 * BITCOUNT key [start end [BYTE | BIT]]. As bitcountCommand in Redis 7.0:
 *  1. the key first: missing answers 0 and a wrong type WRONGTYPE, whatever follows;
 *  2. then start and end (int64), BYTE/BIT, and any other count of arguments is a
 *     syntax error;
 *  3. both negative with start > end: 0.
 */
function bitcountCommand(ctx: ShardCtx, argv: string[]): string {
  const v = ctx.engine.lookupRead(ctx.db, argv[1]);
  if (v === undefined) return ZERO;
  if (!isStringValue(v)) return ERR_WRONGTYPE;
  const s = valueToString(v);
  const argc = argv.length;
  let range: [number, number] | undefined;
  if (argc === 4 || argc === 5) {
    const a = parseInteger(argv[2]);
    if (a === undefined) return ERR_NOT_INTEGER;
    const b = parseInteger(argv[3]);
    if (b === undefined) return ERR_NOT_INTEGER;
    if (a < 0 && b < 0 && a > b) return ZERO;
    let isBit = false;
    if (argc === 5) {
      const u = unitArg(argv[4]);
      if (u === undefined) return ERR_SYNTAX;
      isBit = u;
    }
    range = bitRange(BigInt(a), BigInt(b), s.length, isBit);
  } else if (argc === 2) {
    range = s.length === 0 ? undefined : [0, s.length * 8 - 1];
  } else return ERR_SYNTAX;
  if (range === undefined) return ZERO;
  return `:${countBits(s, range[0], range[1])}\r\n`;
}

/** The first bit equal to `bit` in s from bit `from` to bit `to` (both included), or -1. */
function findBit(s: string, from: number, to: number, bit: number): number {
  const skip = bit ? 0 : 0xff;
  let pos = from;
  // whole bytes of nothing but the other bit are skipped, a 32-bit word at a time when long
  const first = Math.ceil(from / 8);
  const end = Math.floor((to + 1) / 8); // bytes [first, end) lie wholly in the range
  if (end - first >= WORDWISE) {
    while (pos < first * 8) {
      if (((s.charCodeAt(Math.floor(pos / 8)) >> (7 - (pos % 8))) & 1) === bit) return pos;
      pos++;
    }
    const b = alignedBytes(s, first, end);
    const w = words(b);
    const skipWord = bit ? 0 : -1;
    let i = 0;
    while (i < w.length && w[i] === skipWord) i++;
    let j = i * 4;
    while (j < b.length && b[j] === skip) j++;
    pos = (first + j) * 8;
  }
  while (pos <= to) {
    if (pos % 8 === 0 && pos + 7 <= to) {
      const b = s.charCodeAt(pos / 8);
      if (b === skip) {
        pos += 8;
        continue;
      }
      for (let k = 0; k < 8; k++) if (((b >> (7 - k)) & 1) === bit) return pos + k;
    }
    if (((s.charCodeAt(Math.floor(pos / 8)) >> (7 - (pos % 8))) & 1) === bit) return pos;
    pos++;
  }
  return -1;
}

/*
 * BITPOS key bit [start [end [BYTE | BIT]]]. As bitposCommand in Redis 7.0:
 *  1. the bit argument first (an integer, then 0 or 1), then the key: a missing key is an
 *     endless run of zeros (0 for bit 0, -1 for bit 1) whatever follows;
 *  2. then start, BYTE/BIT, end; more than 6 arguments is a syntax error;
 *  3. an empty range answers -1;
 *  4. looking for a 0 that is not there: without an explicit end the string counts as
 *     zero-padded on the right (the bit just past the end), with one it is -1.
 */
function bitposCommand(ctx: ShardCtx, argv: string[]): string {
  const bit = parseInteger(argv[2]);
  if (bit === undefined) return ERR_NOT_INTEGER;
  if (bit !== 0 && bit !== 1) return ERR_BIT_ARGUMENT;
  const v = ctx.engine.lookupRead(ctx.db, argv[1]);
  if (v === undefined) return bit ? MINUS_ONE : ZERO;
  if (!isStringValue(v)) return ERR_WRONGTYPE;
  const s = valueToString(v);
  const argc = argv.length;
  let endGiven = false;
  let range: [number, number] | undefined;
  if (argc >= 4 && argc <= 6) {
    const a = parseInteger(argv[3]);
    if (a === undefined) return ERR_NOT_INTEGER;
    let isBit = false;
    if (argc === 6) {
      const u = unitArg(argv[5]);
      if (u === undefined) return ERR_SYNTAX;
      isBit = u;
    }
    let end = BigInt(isBit ? s.length * 8 + 7 : s.length - 1);
    if (argc >= 5) {
      const b = parseInteger(argv[4]);
      if (b === undefined) return ERR_NOT_INTEGER;
      end = BigInt(b);
      endGiven = true;
    }
    range = bitRange(BigInt(a), end, s.length, isBit);
  } else if (argc === 3) {
    range = s.length === 0 ? undefined : [0, s.length * 8 - 1];
  } else return ERR_SYNTAX;
  if (range === undefined) return MINUS_ONE;
  const pos = findBit(s, range[0], range[1], bit);
  if (pos !== -1) return `:${pos}\r\n`;
  return bit || endGiven ? MINUS_ONE : `:${range[1] + 1}\r\n`;
}

// ---------------------------------------------------------------- BITOP

/*
 * BITOP AND | OR | XOR | NOT destkey key [key ...]. As bitopCommand in Redis 7.0:
 *  1. the operation, then NOT's single source, then the sources' types (missing keys are
 *     empty strings);
 *  2. shorter sources count as zero-padded to the longest; the result is as long as it;
 *  3. an empty result deletes destkey; otherwise destkey is replaced (its TTL dropped),
 *     whatever its type. The reply is the result's length.
 */
function bitopCommand(ctx: ShardCtx, argv: string[]): string {
  const op = word(argv[1]);
  if (op !== "and" && op !== "or" && op !== "xor" && op !== "not") return ERR_SYNTAX;
  if (op === "not" && argv.length !== 4) return ERR_BITOP_NOT;
  const { engine, db } = ctx;
  const srcs: string[] = [];
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const v = engine.lookupRead(db, argv[j]);
    if (v !== undefined && !isStringValue(v)) return ERR_WRONGTYPE;
    const s = v === undefined ? "" : valueToString(v);
    srcs.push(s);
    if (s.length > maxlen) maxlen = s.length;
  }
  if (maxlen === 0) {
    if (engine.deleteKey(db, argv[2])) engine.notify(NOTIFY_GENERIC, "del", argv[2], ctx.dbIndex);
    return ZERO;
  }
  const res = alignedBytes(srcs[0], 0, srcs[0].length);
  const out = res.length === maxlen ? res : Buffer.alloc(maxlen);
  if (out !== res) res.copy(out);
  const ow = words(out);
  if (op === "not") {
    for (let i = 0; i < ow.length; i++) ow[i] = ~ow[i];
    for (let i = ow.length * 4; i < maxlen; i++) out[i] = ~out[i];
  } else {
    for (let j = 1; j < srcs.length; j++) {
      const b = alignedBytes(srcs[j], 0, srcs[j].length);
      const bw = words(b);
      const n = b.length;
      const nw = bw.length;
      if (op === "and") {
        for (let i = 0; i < nw; i++) ow[i] &= bw[i];
        for (let i = nw * 4; i < n; i++) out[i] &= b[i];
        out.fill(0, n);
      } else if (op === "or") {
        for (let i = 0; i < nw; i++) ow[i] |= bw[i];
        for (let i = nw * 4; i < n; i++) out[i] |= b[i];
      } else {
        for (let i = 0; i < nw; i++) ow[i] ^= bw[i];
        for (let i = nw * 4; i < n; i++) out[i] ^= b[i];
      }
    }
  }
  engine.setKey(db, argv[2], out.toString("latin1"));
  engine.markRaw(db, argv[2]);
  engine.notify(NOTIFY_STRING, "set", argv[2], ctx.dbIndex);
  return `:${maxlen}\r\n`;
}

// ---------------------------------------------------------------- BITFIELD

const OP_GET = 0;
const OP_SET = 1;
const OP_INCRBY = 2;

const OVERFLOW_WRAP = 0;
const OVERFLOW_SAT = 1;
const OVERFLOW_FAIL = 2;

interface BitfieldOp {
  opcode: number;
  offset: number;
  bits: number;
  signed: boolean;
  /** SET's value or INCRBY's increment (int64) */
  value: bigint;
  overflow: number;
}

/**
 * getBitfieldTypeFromArgument: `i1`..`i64` or `u1`..`u63`; the width is read as a C
 * string (up to a NUL byte) with string2ll's rules.
 */
function bitfieldType(arg: string): [boolean, number] | undefined {
  const c = arg.charCodeAt(0);
  if (c !== 105 && c !== 117) return undefined; // 'i', 'u'
  const signed = c === 105;
  const bits = parseInteger(cString(arg.slice(1)));
  if (typeof bits !== "number" || bits < 1 || bits > (signed ? 64 : 63)) return undefined;
  return [signed, bits];
}

/** `n` bits (n <= 32) of p from bit `offset`, most significant first; past the end: 0. */
function readNumber(p: Uint8Array, offset: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++, offset++) {
    const byte = Math.floor(offset / 8);
    const b = byte < p.length ? p[byte] : 0;
    v = v * 2 + ((b >> (7 - (offset % 8))) & 1);
  }
  return v;
}

/** getUnsignedBitfield: `bits` (1..64) bits of p from bit `offset`. */
function readBits(p: Uint8Array, offset: number, bits: number): bigint {
  if (bits <= 32) return BigInt(readNumber(p, offset, bits));
  const hi = readNumber(p, offset, bits - 32);
  return (BigInt(hi) << 32n) | BigInt(readNumber(p, offset + bits - 32, 32));
}

/** The low `n` bits (n <= 32) of v into p from bit `offset`. */
function writeNumber(p: Uint8Array, offset: number, n: number, v: number): void {
  for (let i = n - 1; i >= 0; i--, offset++) {
    const byte = Math.floor(offset / 8);
    const mask = 1 << (7 - (offset % 8));
    if ((v >>> i) & 1) p[byte] |= mask;
    else p[byte] &= ~mask;
  }
}

/** setUnsignedBitfield / setSignedBitfield: the low `bits` bits of v (two's complement). */
function writeBits(p: Uint8Array, offset: number, bits: number, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  if (bits <= 32) {
    writeNumber(p, offset, bits, Number(u & 0xffffffffn));
    return;
  }
  writeNumber(p, offset, bits - 32, Number((u >> 32n) & 0xffffffffn));
  writeNumber(p, offset + bits - 32, 32, Number(u & 0xffffffffn));
}

/**
 * checkUnsignedBitfieldOverflow, in C's uint64/int64 arithmetic: 0 when value + incr fits
 * in `bits` unsigned bits, else 1 (too big) or -1 (below 0) with the value to store for
 * WRAP (the low bits of the sum) or SAT (the limit); FAIL stores nothing.
 */
function checkUnsigned(value: bigint, incr: bigint, bits: number, overflow: number): [number, bigint] {
  const max = (1n << BigInt(bits)) - 1n;
  const maxincr = BigInt.asIntN(64, max - value);
  const minincr = BigInt.asIntN(64, -value);
  const wrap = (): bigint => BigInt.asUintN(bits, value + incr);
  if (value > max || (incr > 0n && incr > maxincr)) {
    return [1, overflow === OVERFLOW_WRAP ? wrap() : max];
  }
  if (incr < 0n && incr < minincr) return [-1, overflow === OVERFLOW_WRAP ? wrap() : 0n];
  return [0, 0n];
}

/** checkSignedBitfieldOverflow: as checkUnsigned for `bits` signed bits (two's complement). */
function checkSigned(value: bigint, incr: bigint, bits: number, overflow: number): [number, bigint] {
  const max = bits === 64 ? INT64_MAX : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  // wrapping like the C code: these are only used once `value` is known to be in range
  const maxincr = BigInt.asIntN(64, max - value);
  const minincr = BigInt.asIntN(64, min - value);
  const wrap = (): bigint => BigInt.asIntN(bits, value + incr);
  if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) {
    return [1, overflow === OVERFLOW_WRAP ? wrap() : max];
  }
  if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) {
    return [-1, overflow === OVERFLOW_WRAP ? wrap() : min];
  }
  return [0, 0n];
}

/** The 9 bytes of s from byte `byte` on, zero-padded: enough for any 64-bit field. */
function window(s: string, byte: number): Uint8Array {
  const w = new Uint8Array(9);
  for (let i = 0; i < 9 && byte + i < s.length; i++) w[i] = s.charCodeAt(byte + i);
  return w;
}

/*
 * BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]
 *     [OVERFLOW WRAP | SAT | FAIL] ...  (and BITFIELD_RO key [GET type offset ...])
 *
 * As bitfieldGeneric in Redis 7.0:
 *  1. every operation is parsed before anything runs: a subcommand without enough
 *     arguments or an unknown one is a syntax error; then the type, the offset (`#n` means
 *     n times the width), the SET/INCRBY value; OVERFLOW applies to the operations after it;
 *  2. GET only: the key is read (missing: zeros); any write: BITFIELD_RO refuses, else the
 *     key is created or zero-padded up to the highest bit written (even when every write
 *     then fails under OVERFLOW FAIL);
 *  3. one reply per operation: GET the value, SET the old value, INCRBY the new one, nil
 *     when OVERFLOW FAIL stopped the write.
 */
function bitfieldGeneric(ctx: ShardCtx, argv: string[], readonlyCommand: boolean): string {
  const ops: BitfieldOp[] = [];
  const argc = argv.length;
  let overflow = OVERFLOW_WRAP;
  let readonly = true;
  let highest = 0;
  for (let j = 2; j < argc; j++) {
    const remaining = argc - j - 1;
    const sub = word(argv[j]);
    let opcode: number;
    if (sub === "get" && remaining >= 2) opcode = OP_GET;
    else if (sub === "set" && remaining >= 3) opcode = OP_SET;
    else if (sub === "incrby" && remaining >= 3) opcode = OP_INCRBY;
    else if (sub === "overflow" && remaining >= 1) {
      const kind = word(argv[++j]);
      if (kind === "wrap") overflow = OVERFLOW_WRAP;
      else if (kind === "sat") overflow = OVERFLOW_SAT;
      else if (kind === "fail") overflow = OVERFLOW_FAIL;
      else return ERR_OVERFLOW_TYPE;
      continue;
    } else return ERR_SYNTAX;
    const type = bitfieldType(argv[j + 1]);
    if (type === undefined) return ERR_BITFIELD_TYPE;
    const [signed, bits] = type;
    const offset = bitOffset(ctx, argv[j + 2], bits);
    if (offset === undefined) return ERR_BIT_OFFSET;
    let value = 0n;
    if (opcode !== OP_GET) {
      readonly = false;
      if (highest < offset + bits - 1) highest = offset + bits - 1;
      const v = parseInteger(argv[j + 3]);
      if (v === undefined) return ERR_NOT_INTEGER;
      value = BigInt(v);
    }
    ops.push({ opcode, offset, bits, signed, value, overflow });
    j += opcode === OP_GET ? 2 : 3;
  }

  const { engine, db } = ctx;
  const key = argv[1];
  // the value as a string; every operation works on a copy of the <= 9 bytes it touches
  let str = "";
  let grew = false;
  if (readonly) {
    const v = engine.lookupRead(db, key);
    if (v !== undefined && !isStringValue(v)) return ERR_WRONGTYPE;
    str = v === undefined ? "" : valueToString(v);
  } else {
    if (readonlyCommand) return ERR_BITFIELD_RO;
    const v = engine.lookupWrite(db, key);
    if (v !== undefined && !isStringValue(v)) return ERR_WRONGTYPE;
    str = v === undefined ? "" : valueToString(v);
    const need = Math.floor(highest / 8) + 1;
    if (beyondV8(need)) return ERR_STRING_SIZE;
    if (need > str.length) {
      str += "\0".repeat(need - str.length);
      grew = true;
    }
  }

  let out = arrayHeader(ops.length);
  let changes = 0;
  for (const op of ops) {
    const byte = Math.floor(op.offset / 8);
    const w = window(str, byte);
    const at = op.offset - byte * 8;
    const raw = readBits(w, at, op.bits);
    if (op.opcode === OP_GET) {
      out += `:${op.signed ? BigInt.asIntN(op.bits, raw) : raw}\r\n`;
      continue;
    }
    let oldval: bigint;
    let newval: bigint;
    let retval: bigint;
    let over: number;
    let limit: bigint;
    if (op.signed) {
      oldval = BigInt.asIntN(op.bits, raw);
      if (op.opcode === OP_INCRBY) {
        [over, limit] = checkSigned(oldval, op.value, op.bits, op.overflow);
        newval = over ? limit : oldval + op.value;
        retval = newval;
      } else {
        newval = op.value;
        [over, limit] = checkSigned(newval, 0n, op.bits, op.overflow);
        if (over) newval = limit;
        retval = oldval;
      }
    } else {
      oldval = raw;
      if (op.opcode === OP_INCRBY) {
        [over, limit] = checkUnsigned(oldval, op.value, op.bits, op.overflow);
        newval = over ? limit : oldval + op.value;
        retval = newval;
      } else {
        // the int64 value taken as uint64, as C's assignment does
        newval = BigInt.asUintN(64, op.value);
        [over, limit] = checkUnsigned(newval, 0n, op.bits, op.overflow);
        if (over) newval = limit;
        retval = oldval;
      }
    }
    if (over && op.overflow === OVERFLOW_FAIL) {
      out += nullBulk(ctx.proto);
      continue;
    }
    out += `:${retval}\r\n`;
    // Redis counts a change when the string grew or the field's value changed
    if (grew || BigInt.asUintN(op.bits, oldval) !== BigInt.asUintN(op.bits, newval)) changes++;
    writeBits(w, at, op.bits, newval);
    // splice the touched bytes back (the string was padded, so they all exist)
    const n = Math.floor((at + op.bits - 1) / 8) + 1;
    str = str.slice(0, byte) + String.fromCharCode(...w.subarray(0, n)) + str.slice(byte + n);
  }
  if (!readonly) {
    engine.setKey(db, key, str, true);
    engine.markRaw(db, key);
    // setKey counted one; Redis counts one per SET/INCRBY that grew the string or changed it
    engine.dirty += changes - 1;
    if (changes > 0) engine.notify(NOTIFY_STRING, "setbit", key, ctx.dbIndex);
  }
  return out;
}

/* BITFIELD key [GET type offset | SET type offset value | INCRBY type offset increment | OVERFLOW ...] ... */
function bitfieldCommand(ctx: ShardCtx, argv: string[]): string {
  return bitfieldGeneric(ctx, argv, false);
}

/* BITFIELD_RO key [GET type offset ...] */
function bitfieldRoCommand(ctx: ShardCtx, argv: string[]): string {
  return bitfieldGeneric(ctx, argv, true);
}

/**
 * bitfieldGetKeys: the key is read only when every operation up to the first one that is
 * not a well-formed GET or OVERFLOW is a GET (a malformed one counts as a write).
 */
function bitfieldKeysWithFlags(argv: readonly string[]): Array<{ pos: number; flags: string[] }> {
  let readonly = true;
  for (let i = 2; i < argv.length; i++) {
    const remaining = argv.length - i - 1;
    const arg = word(argv[i]);
    if (arg === "get" && remaining >= 2) i += 2;
    else if ((arg === "set" || arg === "incrby") && remaining >= 3) {
      readonly = false;
      break;
    } else if (arg === "overflow" && remaining >= 1) i += 1;
    else {
      readonly = false;
      break;
    }
  }
  return [{ pos: 1, flags: readonly ? ["RO", "access"] : ["RW", "access", "update"] }];
}

// ---------------------------------------------------------------- table

export const bitmapCommands: CommandSpec[] = [
  cmd(
    "setbit",
    4,
    ["write", "denyoom"],
    keys1,
    "bitmap",
    "2.2.0",
    "Sets or clears the bit at offset in the string value stored at key",
    "O(1)",
    { shard: setbitCommand, keySpecs: [keySpec(["RW", "access", "update"], 1)] },
  ),
  cmd(
    "getbit",
    3,
    ["readonly", "fast"],
    keys1,
    "bitmap",
    "2.2.0",
    "Returns the bit value at offset in the string value stored at key",
    "O(1)",
    { shard: getbitCommand, keySpecs: [keySpec(["RO", "access"], 1)] },
  ),
  cmd("bitcount", -2, ["readonly"], keys1, "bitmap", "2.6.0", "Count set bits in a string", "O(N)", {
    shard: bitcountCommand,
    keySpecs: [keySpec(["RO", "access"], 1)],
  }),
  cmd("bitpos", -3, ["readonly"], keys1, "bitmap", "2.8.7", "Find first bit set or clear in a string", "O(N)", {
    shard: bitposCommand,
    keySpecs: [keySpec(["RO", "access"], 1)],
  }),
  cmd(
    "bitop",
    -4,
    ["write", "denyoom"],
    { first: 2, last: -1, step: 1 },
    "bitmap",
    "2.6.0",
    "Perform bitwise operations between strings",
    "O(N)",
    {
      shard: bitopCommand,
      cross: "gather",
      keySpecs: [keySpec(["OW", "update"], 2), keySpec(["RO", "access"], 3, -1)],
    },
  ),
  cmd(
    "bitfield",
    -2,
    ["write", "denyoom"],
    keys1,
    "bitmap",
    "3.2.0",
    "Perform arbitrary bitfield integer operations on strings",
    "O(1) for each subcommand specified",
    {
      shard: bitfieldCommand,
      keySpecs: [
        keySpec(
          ["RW", "access", "update", "variable_flags"],
          1,
          0,
          1,
          "This command allows both access and modification of the key",
        ),
      ],
      getKeysWithFlags: bitfieldKeysWithFlags,
    },
  ),
  cmd(
    "bitfield_ro",
    -2,
    ["readonly", "fast"],
    keys1,
    "bitmap",
    "6.0.0",
    "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
    "O(1) for each subcommand specified",
    { shard: bitfieldRoCommand, keySpecs: [keySpec(["RO", "access"], 1)] },
  ),
];
