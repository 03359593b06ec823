/*
 * The request parser (networking.c: processInlineBuffer / processMultibulkBuffer), run on
 * the main thread for every connection. It frames pipelined RESP2 multibulk requests and
 * inline requests, with Redis's limits and protocol-error texts.
 *
 * Arguments come out as latin1 byte strings. A bulk argument larger than BIG_ARG that
 * spans socket reads is assembled in a buffer allocated once at its final size, so a
 * 512 MB value costs one copy of each chunk, not a copy per read.
 */
import { constants } from "node:buffer";
import { splitArgs } from "../util/sds.js";
import { type Latin1Bytes, latin1String } from "../util/short-strings.js";

/** PROTO_INLINE_MAX_SIZE */
export const INLINE_MAX = 64 * 1024;
/** PROTO_MBULK_BIG_ARG */
const BIG_ARG = 32 * 1024;
/** Before AUTH, Redis refuses requests bigger than these (authRequired). */
const UNAUTH_MAX_ARGS = 10;
const UNAUTH_MAX_BULK = 16384;
/**
 * A bulk argument becomes a JS string, and V8 caps strings at 2^29-24 characters: just
 * under Redis's 512 MB proto-max-bulk-len. Longer bulks are refused as too long.
 */
const MAX_ARG = constants.MAX_STRING_LENGTH;

export interface CommandSink {
  /** A complete request. Return false to stop parsing the rest of this read. */
  command(argv: string[]): boolean;
  /**
   * A complete multibulk request that arrived whole in one read, before any argument was
   * made a string: bytes [start, end) of `buf`, argument i at offs[2i] with length
   * offs[2i+1]. Return undefined to have it passed to command() instead; otherwise as
   * command(). `buf` and `offs` are only valid during the call.
   */
  commandRaw?(buf: Buffer, start: number, end: number, offs: Int32Array, argc: number): boolean | undefined;
  /** A protocol error: the text after `ERR Protocol error: `. The caller replies and closes. */
  protocolError(what: string): void;
  /** Whether AUTH is still required (smaller limits apply). */
  authRequired(): boolean;
  /** proto-max-bulk-len */
  maxBulkLen(): number;
}

type Latin1Buffer = Buffer & Latin1Bytes;

const EMPTY = Buffer.alloc(0);
/** Requests with more arguments than this are always made strings (see commandRaw). */
const MAX_RAW_ARGS = 64;

export class RequestParser {
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** arguments still to read in the current multibulk request; 0 = between requests */
  private multibulk = 0;
  private bulkLen = -1;
  private argv: string[] = [];
  /** a big argument being filled in place */
  private big: Buffer | undefined;
  private bigFill = 0;
  /** where the current request began in `buf`, while it may still go to commandRaw; else -1 */
  private rawStart = -1;
  /** its arguments so far: offset and length pairs into `buf` */
  private readonly offs = new Int32Array(2 * MAX_RAW_ARGS);
  private nraw = 0;
  failed = false;

  /** Bytes held for an incomplete request (for CLIENT LIST qbuf). */
  pending(): number {
    return this.buf.length - this.pos + (this.big ? this.bigFill : 0);
  }

  /**
   * Parses what `chunk` completes. The chunk may be a read buffer the caller reuses for
   * its next read: nothing of it is kept past this call (an incomplete tail is copied).
   */
  feed(chunk: Buffer, sink: CommandSink): void {
    if (this.failed) return;
    if (this.big !== undefined) {
      chunk = this.fillBig(chunk);
      if (this.big !== undefined) return;
      // the big argument may have been the request's last one
      if (this.multibulk === 0) {
        const argv = this.argv;
        this.argv = [];
        if (!sink.command(argv) || this.failed) {
          this.buf = EMPTY;
          this.pos = 0;
          return;
        }
      }
    }
    if (this.pos < this.buf.length) {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    } else {
      this.buf = chunk;
    }
    this.pos = 0;
    this.run(sink);
    if (this.pos >= this.buf.length) {
      this.buf = EMPTY;
      this.pos = 0;
    } else if (this.buf === chunk) {
      // an incomplete request at the end of a borrowed read buffer
      this.buf = Buffer.from(chunk.subarray(this.pos));
      this.pos = 0;
    }
  }

  /** Copies a chunk into the big argument; returns what is left of the chunk. */
  private fillBig(chunk: Buffer): Buffer {
    const big = this.big as Buffer;
    const want = big.length - this.bigFill;
    const n = Math.min(want, chunk.length);
    chunk.copy(big, this.bigFill, 0, n);
    this.bigFill += n;
    if (this.bigFill < big.length) return EMPTY;
    // complete: value plus its trailing CRLF (which Redis does not verify either)
    this.argv.push((big as Latin1Buffer).latin1Slice(0, big.length - 2));
    this.big = undefined;
    this.bigFill = 0;
    this.bulkLen = -1;
    this.multibulk--;
    return chunk.subarray(n);
  }

  private run(sink: CommandSink): void {
    const buf = this.buf as Latin1Buffer;
    const len = buf.length;
    while (this.pos < len) {
      if (this.multibulk === 0) {
        if (buf[this.pos] === 42 /* '*' */) {
          // multibulk count line
          const start = this.pos;
          const cr = indexOfCr(buf, this.pos, len);
          if (cr === -1 || cr + 1 >= len) {
            if (len - this.pos > INLINE_MAX) {
              this.fail(sink, "too big mbulk count string");
              return;
            }
            return;
          }
          const n = parseLen(buf, this.pos + 1, cr);
          if (n === undefined || n > 2147483647) {
            this.fail(sink, "invalid multibulk length");
            return;
          }
          if (n > UNAUTH_MAX_ARGS && sink.authRequired()) {
            this.fail(sink, "unauthenticated multibulk length");
            return;
          }
          this.pos = cr + 2;
          if (n <= 0) continue; // `*0` / `*-1`: an empty request, skipped
          this.multibulk = n;
          this.argv = [];
          this.rawStart = n <= MAX_RAW_ARGS && sink.commandRaw !== undefined ? start : -1;
          this.nraw = 0;
        } else {
          if (!this.inline(buf, sink)) return;
          continue;
        }
      }
      // bulk arguments
      while (this.multibulk > 0) {
        if (this.bulkLen === -1) {
          if (this.pos >= len) {
            this.suspend(buf);
            return;
          }
          const cr = indexOfCr(buf, this.pos, len);
          if (cr === -1 || cr + 1 >= len) {
            if (len - this.pos > INLINE_MAX) {
              this.fail(sink, "too big bulk count string");
              return;
            }
            this.suspend(buf);
            return;
          }
          if (buf[this.pos] !== 36 /* '$' */) {
            this.fail(sink, `expected '$', got '${String.fromCharCode(buf[this.pos])}'`);
            return;
          }
          const n = parseLen(buf, this.pos + 1, cr);
          if (n === undefined || n < 0 || n > sink.maxBulkLen() || n > MAX_ARG) {
            this.fail(sink, "invalid bulk length");
            return;
          }
          if (n > UNAUTH_MAX_BULK && sink.authRequired()) {
            this.fail(sink, "unauthenticated bulk length");
            return;
          }
          this.pos = cr + 2;
          this.bulkLen = n;
          if (n >= BIG_ARG && len - this.pos < n + 2) {
            // assemble in place from here on
            this.suspend(buf);
            this.big = Buffer.allocUnsafe(n + 2);
            const have = len - this.pos;
            buf.copy(this.big, 0, this.pos, len);
            this.bigFill = have;
            this.pos = len;
            return;
          }
        }
        if (len - this.pos < this.bulkLen + 2) {
          this.suspend(buf);
          return;
        }
        if (this.rawStart >= 0) {
          this.offs[2 * this.nraw] = this.pos;
          this.offs[2 * this.nraw + 1] = this.bulkLen;
          this.nraw++;
        } else this.argv.push(latin1String(buf, this.pos, this.bulkLen));
        this.pos += this.bulkLen + 2;
        this.bulkLen = -1;
        this.multibulk--;
      }
      if (this.rawStart >= 0) {
        const start = this.rawStart;
        this.rawStart = -1;
        const r = (sink.commandRaw as NonNullable<CommandSink["commandRaw"]>)(
          buf,
          start,
          this.pos,
          this.offs,
          this.nraw,
        );
        if (r === false) return;
        if (r === true) {
          if (this.failed) return;
          continue;
        }
        this.materialize(buf);
      }
      const argv = this.argv;
      this.argv = [];
      if (!sink.command(argv)) return;
      if (this.failed) return;
    }
  }

  /** The current request's arguments so far become strings: it continues as a plain one. */
  private suspend(buf: Latin1Buffer): void {
    if (this.rawStart < 0) return;
    this.rawStart = -1;
    this.materialize(buf);
  }

  private materialize(buf: Latin1Buffer): void {
    const offs = this.offs;
    for (let i = 0; i < this.nraw; i++) this.argv.push(latin1String(buf, offs[2 * i], offs[2 * i + 1]));
  }

  /** An inline request: one line split like sdssplitargs. Returns false when incomplete. */
  private inline(buf: Latin1Buffer, sink: CommandSink): boolean {
    const nl = buf.indexOf(10, this.pos);
    if (nl === -1) {
      if (buf.length - this.pos > INLINE_MAX) this.fail(sink, "too big inline request");
      return false;
    }
    let end = nl;
    if (end > this.pos && buf[end - 1] === 13) end--;
    const line = buf.latin1Slice(this.pos, end);
    this.pos = nl + 1;
    const argv = splitArgs(line);
    if (argv === undefined) {
      this.fail(sink, "unbalanced quotes in request");
      return false;
    }
    if (argv.length === 0) return true;
    if (!sink.command(argv)) return false;
    return !this.failed;
  }

  private fail(sink: CommandSink, what: string): void {
    this.failed = true;
    this.buf = EMPTY;
    this.pos = 0;
    sink.protocolError(what);
  }
}

/**
 * buf.indexOf(13, from), looking at the first bytes in JS: count and length lines are a
 * few bytes long, and the native call costs more than the scan (it was one call per
 * argument, 21 for redis-benchmark's MSET).
 */
function indexOfCr(buf: Buffer, from: number, len: number): number {
  const stop = Math.min(len, from + 24);
  for (let i = from; i < stop; i++) if (buf[i] === 13) return i;
  return stop === len ? -1 : buf.indexOf(13, stop);
}

/** string2ll over bytes [start, end): undefined when not an integer by Redis's rules. */
function parseLen(buf: Buffer, start: number, end: number): number | undefined {
  if (start >= end || end - start > 20) return undefined;
  let i = start;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
    if (i === end) return undefined;
  }
  if (end - start === 1 && buf[start] === 48) return 0;
  if (buf[i] < 49 || buf[i] > 57) return undefined;
  let n = 0;
  for (; i < end; i++) {
    const c = buf[i];
    if (c < 48 || c > 57) return undefined;
    n = n * 10 + (c - 48);
  }
  if (n > Number.MAX_SAFE_INTEGER) return neg ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  return neg ? -n : n;
}
