/*
 * Redis Cluster hash slots: CRC16/XMODEM (poly 0x1021, init 0) of the key, or of the part
 * inside the first `{...}` when that part is non-empty, mod 16384. Keys are latin1 byte
 * strings. `{}abc}` hashes the whole key (the first `{` is followed by `}` at once), as
 * Redis's keyHashSlot does.
 */

export const SLOTS = 16384;

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let j = 0; j < 8; j++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  TABLE[i] = crc;
}

function crc16(key: string, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ key.charCodeAt(i)) & 0xff];
  return crc;
}

export function keyHashSlot(key: string): number {
  const len = key.length;
  let s = 0;
  for (; s < len; s++) if (key.charCodeAt(s) === 123) break; // '{'
  if (s === len) return crc16(key, 0, len) & 0x3fff;
  let e = s + 1;
  for (; e < len; e++) if (key.charCodeAt(e) === 125) break; // '}'
  if (e === len || e === s + 1) return crc16(key, 0, len) & 0x3fff;
  return crc16(key, s + 1, e) & 0x3fff;
}

function crc16Bytes(key: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ key[i]) & 0xff];
  return crc;
}

/** keyHashSlot of the key in bytes [start, end) of `buf`. */
export function keyHashSlotBytes(buf: Uint8Array, start: number, end: number): number {
  let s = start;
  for (; s < end; s++) if (buf[s] === 123) break; // '{'
  if (s === end) return crc16Bytes(buf, start, end) & 0x3fff;
  let e = s + 1;
  for (; e < end; e++) if (buf[e] === 125) break; // '}'
  if (e === end || e === s + 1) return crc16Bytes(buf, start, end) & 0x3fff;
  return crc16Bytes(buf, s + 1, e) & 0x3fff;
}

/** The fixed slot → shard table: shard i owns a contiguous range of slots. */
export function slotTable(shards: number): Uint16Array {
  const t = new Uint16Array(SLOTS);
  const n = Math.max(1, shards);
  for (let slot = 0; slot < SLOTS; slot++) t[slot] = Math.floor((slot * n) / SLOTS);
  return t;
}
