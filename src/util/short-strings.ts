/*
 * Command names as strings without a fresh string per request. A request's name arrives
 * as bytes; making a string of it costs a call into the runtime and, on the first Map
 * lookup, a hash of the new string. A small direct-mapped cache keyed by the bytes hands
 * back the same string object each time (strings are immutable, so sharing is safe), whose
 * hash V8 has kept. Only for the few distinct short names a server sees, not for keys.
 */

type Latin1Bytes = Uint8Array & { latin1Slice(start: number, end: number): string };

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
