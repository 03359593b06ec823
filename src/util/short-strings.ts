/*
 * Command names as strings without a fresh string per request. A request's name arrives
 * as bytes; making a string of it costs a call into the runtime and, on the first Map
 * lookup, a hash of the new string. A small direct-mapped cache keyed by the bytes hands
 * back the same string object each time (strings are immutable, so sharing is safe), whose
 * hash V8 has kept. Only for the few distinct short names a server sees, not for keys.
 */

/** Bytes with Buffer's latin1 slicer (a Buffer, typed for the method its typings leave out). */
export type Latin1Bytes = Uint8Array & { latin1Slice(start: number, end: number): string };

const SIZE = 256;
const MAX_LEN = 24;

export class ShortStrings {
  private readonly bytes: (Uint8Array | undefined)[] = new Array(SIZE).fill(undefined);
  private readonly strings: string[] = new Array(SIZE).fill("");

  /** The latin1 string of bytes [start, end) of `buf`. */
  get(buf: Uint8Array, start: number, end: number): string {
    const n = end - start;
    if (n === 0) return "";
    if (n > MAX_LEN) return (buf as Latin1Bytes).latin1Slice(start, end);
    const h = (n * 31 + buf[start] * 7 + buf[end - 1] * 13 + buf[start + (n >> 1)]) & (SIZE - 1);
    const known = this.bytes[h];
    if (known !== undefined && known.length === n) {
      let i = 0;
      while (i < n && known[i] === buf[start + i]) i++;
      if (i === n) return this.strings[h];
    }
    const s = (buf as Latin1Bytes).latin1Slice(start, end);
    // a copy: `buf` is a read buffer or a ring that will hold other bytes soon
    // (Buffer#slice would be a view)
    const copy = new Uint8Array(n);
    for (let i = 0; i < n; i++) copy[i] = buf[start + i];
    this.bytes[h] = copy;
    this.strings[h] = s;
    return s;
  }
}

/** Command names as this thread sees them in requests: one cache per thread, shared by its users. */
export const commandNames = new ShortStrings();

/**
 * The latin1 string of bytes [p, p + n) of `b`. Up to 16 bytes it is built by
 * String.fromCharCode in JS: measured 12-19 ns for 3 bytes and 72 ns for 16 (with a Map
 * insert) against 85 and 105 ns for Buffer#latin1Slice, a native call. Arguments of that
 * size (keys, small values) are most of what a shard parses.
 */
export function latin1String(b: Uint8Array, p: number, n: number): string {
  const f = String.fromCharCode;
  switch (n) {
    case 0:
      return "";
    case 1:
      return f(b[p]);
    case 2:
      return f(b[p], b[p + 1]);
    case 3:
      return f(b[p], b[p + 1], b[p + 2]);
    case 4:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3]);
    case 5:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4]);
    case 6:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5]);
    case 7:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6]);
    case 8:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
    case 9:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8]);
    case 10:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9]);
    case 11:
      return f(
        b[p],
        b[p + 1],
        b[p + 2],
        b[p + 3],
        b[p + 4],
        b[p + 5],
        b[p + 6],
        b[p + 7],
        b[p + 8],
        b[p + 9],
        b[p + 10],
      );
    case 12:
      return f(
        b[p],
        b[p + 1],
        b[p + 2],
        b[p + 3],
        b[p + 4],
        b[p + 5],
        b[p + 6],
        b[p + 7],
        b[p + 8],
        b[p + 9],
        b[p + 10],
        b[p + 11],
      );
    case 13:
      return f(
        b[p],
        b[p + 1],
        b[p + 2],
        b[p + 3],
        b[p + 4],
        b[p + 5],
        b[p + 6],
        b[p + 7],
        b[p + 8],
        b[p + 9],
        b[p + 10],
        b[p + 11],
        b[p + 12],
      );
    case 14:
      return f(
        b[p],
        b[p + 1],
        b[p + 2],
        b[p + 3],
        b[p + 4],
        b[p + 5],
        b[p + 6],
        b[p + 7],
        b[p + 8],
        b[p + 9],
        b[p + 10],
        b[p + 11],
        b[p + 12],
        b[p + 13],
      );
    case 15:
      return f(
        b[p],
        b[p + 1],
        b[p + 2],
        b[p + 3],
        b[p + 4],
        b[p + 5],
        b[p + 6],
        b[p + 7],
        b[p + 8],
        b[p + 9],
        b[p + 10],
        b[p + 11],
        b[p + 12],
        b[p + 13],
        b[p + 14],
      );
    case 16:
      return f(
        b[p],
        b[p + 1],
        b[p + 2],
        b[p + 3],
        b[p + 4],
        b[p + 5],
        b[p + 6],
        b[p + 7],
        b[p + 8],
        b[p + 9],
        b[p + 10],
        b[p + 11],
        b[p + 12],
        b[p + 13],
        b[p + 14],
        b[p + 15],
      );
    default:
      return (b as Latin1Bytes).latin1Slice(p, p + n);
  }
}
