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

/** Arguments up to this many bytes are built by String.fromCharCode (latin1String). */
const FROM_CHAR_CODE_MAX = 24;

type Latin1Maker = (b: Uint8Array, p: number, n: number) => string;

/**
 * latin1String's body: a switch on the length with one String.fromCharCode call per case,
 * its arguments written out (b[p], b[p + 1], ...). A spread or apply was 10x slower; a
 * call with literal arguments is what V8 makes fast. The cases are generated here, not
 * written out 24 times, and the function is compiled once at load.
 */
function makeLatin1String(max: number): Latin1Maker {
  let cases = "";
  for (let n = 1; n <= max; n++) {
    const args = Array.from({ length: n }, (_, i) => `b[p + ${i}]`).join(", ");
    cases += `case ${n}: return f(${args});\n`;
  }
  const body = `return function latin1String(b, p, n) {
  switch (n) {
    case 0: return "";
    ${cases}    default: return b.latin1Slice(p, p + n);
  }
};`;
  return new Function("f", body)(String.fromCharCode) as Latin1Maker;
}

/**
 * The latin1 string of bytes [p, p + n) of `b` (a Buffer: longer ones use its latin1Slice).
 * Up to FROM_CHAR_CODE_MAX bytes it is built in JS, which beats the native call: measured
 * with a Map insert, 41-44 ns against 47-57 (3 bytes), 76-83 against 77-92 with the
 * written-out cases this replaced (16 bytes), 106 against 135-139 for Buffer#latin1Slice
 * (22 bytes; redis-benchmark's INCR key, `counter:__rand_int__`, is 20). At 32 bytes the
 * two are even. Arguments of that size (keys, small values) are most of what a shard parses.
 */
export const latin1String: Latin1Maker = makeLatin1String(FROM_CHAR_CODE_MAX);
