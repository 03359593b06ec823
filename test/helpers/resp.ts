/*
 * A raw RESP client for tests: it sends bytes and hands back the exact bytes of each reply,
 * so a test can compare shardis with redis-server to the byte, send protocol garbage, or
 * pipeline. It understands every RESP2 and RESP3 reply type well enough to find where one
 * reply ends:
 *
 *   line:      + simple string, - error, : integer, _ null, , double, # boolean, ( big number
 *   blob:      $ bulk string ($-1 = null), ! blob error, = verbatim string
 *   aggregate: * array (*-1 = null), ~ set, > push, % map and | attribute (2n elements)
 *
 * An attribute (`|`) is not a reply by itself: it belongs to the value that follows it, so
 * one reply is the attribute plus that value, at the top level and inside aggregates.
 * Streamed strings/aggregates (`$?`, `*?`) are not supported; Redis never sends them.
 *
 * Strings given to send()/command()/encodeCommand() go out as UTF-8; use a Buffer for bytes.
 */
import net from "node:net";

export type Arg = string | Buffer | number;

// ---------------------------------------------------------------- encoding
/** Encode one command as a RESP multibulk (`*N\r\n$len\r\narg\r\n...`). */
export function encodeCommand(args: readonly Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), "utf8");
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** A reply rendered for failure messages: JSON of its bytes read as latin1. */
export function formatBytes(buf: Buffer): string {
  return JSON.stringify(buf.toString("latin1"));
}

// ---------------------------------------------------------------- framing / parsing
export class RespFormatError extends Error {
  override name = "RespFormatError";
}

/** One parsed reply. `raw` spans the whole reply, including a leading attribute. */
export interface ReplyNode {
  /** The type byte: one of `+-:_,#($!=*%~>`. */
  type: string;
  raw: Buffer;
  /** Line content (line types) or blob content (blob types); undefined for null and aggregates. */
  value?: Buffer;
  /** Aggregate elements (a map's keys and values interleaved); undefined for null. */
  children?: ReplyNode[];
  /** True for `$-1` and `*-1` (RESP3 `_` is its own type). */
  isNull?: boolean;
  /** The attribute map (`|`) that preceded this value, if any. */
  attribute?: ReplyNode;
}

const LINE_TYPES = new Set(["+", "-", ":", "_", ",", "#", "("]);
const BLOB_TYPES = new Set(["$", "!", "="]);
const AGG_TYPES = new Set(["*", "~", ">", "%", "|"]);

function findCRLF(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(13, from); i !== -1; i = buf.indexOf(13, i + 1)) {
    if (i + 1 >= buf.length) return -1;
    if (buf[i + 1] === 10) return i;
  }
  return -1;
}

function parseLength(buf: Buffer, start: number, end: number, type: string): number {
  const text = buf.toString("latin1", start, end);
  if (!/^-?\d+$/.test(text)) throw new RespFormatError(`bad ${type} length ${JSON.stringify(text)}`);
  const n = Number(text);
  if (n < -1) throw new RespFormatError(`negative ${type} length ${n}`);
  return n;
}

/** Parse the reply starting at `off`; null when the buffer does not hold all of it yet. */
function parseAt(buf: Buffer, off: number): { node: ReplyNode; end: number } | null {
  if (off >= buf.length) return null;
  const type = String.fromCharCode(buf[off]!);
  const eol = findCRLF(buf, off + 1);
  if (eol === -1) return null;
  const headerEnd = eol + 2;

  if (LINE_TYPES.has(type)) {
    return { node: { type, raw: buf.subarray(off, headerEnd), value: buf.subarray(off + 1, eol) }, end: headerEnd };
  }
  if (BLOB_TYPES.has(type)) {
    if (buf[off + 1] === 63 /* ? */) throw new RespFormatError("streamed strings are not supported");
    const len = parseLength(buf, off + 1, eol, type);
    if (len === -1) {
      if (type !== "$") throw new RespFormatError(`null ${type} reply`);
      return { node: { type, raw: buf.subarray(off, headerEnd), isNull: true }, end: headerEnd };
    }
    const end = headerEnd + len + 2;
    if (buf.length < end) return null;
    if (buf[end - 2] !== 13 || buf[end - 1] !== 10) {
      throw new RespFormatError(`${type} blob of ${len} bytes not followed by CRLF`);
    }
    return { node: { type, raw: buf.subarray(off, end), value: buf.subarray(headerEnd, end - 2) }, end };
  }
  if (AGG_TYPES.has(type)) {
    if (buf[off + 1] === 63 /* ? */) throw new RespFormatError("streamed aggregates are not supported");
    const count = parseLength(buf, off + 1, eol, type);
    if (count === -1) {
      if (type !== "*") throw new RespFormatError(`null ${type} reply`);
      return { node: { type, raw: buf.subarray(off, headerEnd), isNull: true }, end: headerEnd };
    }
    const elements = type === "%" || type === "|" ? count * 2 : count;
    const children: ReplyNode[] = [];
    let pos = headerEnd;
    for (let i = 0; i < elements; i++) {
      const child = parseAt(buf, pos);
      if (child === null) return null;
      children.push(child.node);
      pos = child.end;
    }
    const node: ReplyNode = { type, raw: buf.subarray(off, pos), children };
    if (type !== "|") return { node, end: pos };
    // An attribute belongs to the value that follows it.
    const value = parseAt(buf, pos);
    if (value === null) return null;
    return { node: { ...value.node, raw: buf.subarray(off, value.end), attribute: node }, end: value.end };
  }
  throw new RespFormatError(`unknown reply type byte ${JSON.stringify(type)} at offset ${off}`);
}

/**
 * Byte length of the first complete reply in `buf`, or -1 if it is not complete yet.
 * Throws RespFormatError on bytes that cannot be a reply.
 */
export function replyLength(buf: Buffer): number {
  const r = parseAt(buf, 0);
  return r === null ? -1 : r.end;
}

/** Parse exactly one complete reply (trailing bytes are an error). */
export function parseReply(buf: Buffer): ReplyNode {
  const r = parseAt(buf, 0);
  if (r === null) throw new RespFormatError(`incomplete reply ${formatBytes(buf)}`);
  if (r.end !== buf.length) throw new RespFormatError(`${buf.length - r.end} bytes after the reply`);
  return r.node;
}

/**
 * The shape of a reply: types and aggregate sizes, no content. `%7{$,$,$,:,$,$,*0[]}` for
 * HELLO 3; `$-1` and `*-1` for the RESP2 nulls. An attribute shows as `|n{...}` before it.
 */
export function replyShape(buf: Buffer): string {
  return shapeOf(parseReply(buf));
}

function shapeOf(n: ReplyNode): string {
  const attr = n.attribute ? shapeOf(n.attribute) : "";
  if (n.isNull) return `${attr}${n.type}-1`;
  if (n.children === undefined) return `${attr}${n.type}`;
  const inner = n.children.map(shapeOf).join(",");
  const size = n.type === "%" || n.type === "|" ? n.children.length / 2 : n.children.length;
  const [open, close] = n.type === "%" || n.type === "|" ? ["{", "}"] : ["[", "]"];
  return `${attr}${n.type}${size}${open}${inner}${close}`;
}

/**
 * A canonical form for comparing replies whose element order is unspecified (KEYS,
 * SMEMBERS, CONFIG GET with several names): the top-level aggregate's elements sorted
 * (a map's key/value pairs sorted as pairs). Other replies are returned unchanged.
 */
export function sortedReply(buf: Buffer): Buffer {
  const n = parseReply(buf);
  if (n.children === undefined || n.attribute !== undefined) return buf;
  const header = buf.subarray(0, findCRLF(buf, 1) + 2);
  const step = n.type === "%" ? 2 : 1;
  const items: Buffer[] = [];
  for (let i = 0; i < n.children.length; i += step) {
    items.push(Buffer.concat(n.children.slice(i, i + step).map((c) => c.raw)));
  }
  items.sort(Buffer.compare);
  return Buffer.concat([header, ...items]);
}

// ---------------------------------------------------------------- client
export class ConnectionClosedError extends Error {
  override name = "ConnectionClosedError";
}

export class RawClient {
  private buf: Buffer = Buffer.alloc(0);
  private listeners = new Set<() => void>();
  private readChain: Promise<unknown> = Promise.resolve();
  private closedFlag = false;
  /** Resolves when the connection is closed, by either side. Never rejects. */
  readonly closed: Promise<void>;
  /** The socket error that ended the connection, if any (e.g. ECONNRESET). */
  error: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.notify();
    });
    socket.on("error", (err) => {
      this.error = err;
    });
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.closedFlag = true;
        this.notify();
        resolve();
      });
    });
  }

  /** Connect to 127.0.0.1:port (or host). */
  static connect(port: number, host = "127.0.0.1", timeoutMs = 5000): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ port, host });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new RawClient(socket));
      });
    });
  }

  /** True once the connection is closed. */
  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Bytes received and not yet consumed by a read. */
  pending(): Buffer {
    return this.buf;
  }

  /** Write raw bytes (strings as UTF-8). Writing to a closed connection is a no-op. */
  send(data: Buffer | string): void {
    if (this.closedFlag || this.socket.destroyed) return;
    this.socket.write(data);
  }

  /** Send one command as a multibulk and read its reply. */
  command(...args: Arg[]): Promise<Buffer> {
    this.send(encodeCommand(args));
    return this.readReply();
  }

  /**
   * The raw bytes of exactly the next complete reply. Concurrent calls are served in order
   * (pipelining). Rejects with ConnectionClosedError if the server closes first, and with
   * an Error after timeoutMs.
   */
  readReply(timeoutMs = 5000): Promise<Buffer> {
    return this.serialize(async () => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (this.buf.length > 0) {
          const len = replyLength(this.buf);
          if (len >= 0) return this.take(len);
        }
        if (this.closedFlag) {
          const what = this.buf.length > 0 ? `with an incomplete reply ${formatBytes(this.buf)}` : "before a reply";
          throw new ConnectionClosedError(`connection closed ${what}`);
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(`no complete reply after ${timeoutMs} ms; received so far ${formatBytes(this.buf)}`);
        }
        await this.nextEvent(left);
      }
    });
  }

  /**
   * Everything received until the server closes the connection or sends nothing for
   * idleMs (at most maxMs in all), and whether it closed.
   */
  readUntilIdle(idleMs = 300, maxMs = 5000): Promise<{ data: Buffer; closed: boolean }> {
    return this.serialize(async () => {
      const deadline = Date.now() + maxMs;
      while (!this.closedFlag) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        const gotSomething = await this.nextEvent(Math.min(idleMs, left));
        if (!gotSomething) break;
      }
      return { data: this.take(this.buf.length), closed: this.closedFlag };
    });
  }

  /** Close the connection and wait until it is closed. */
  async close(): Promise<void> {
    if (!this.closedFlag) {
      this.socket.end();
      const timer = setTimeout(() => this.socket.destroy(), 1000);
      await this.closed;
      clearTimeout(timer);
    }
  }

  private take(len: number): Buffer {
    const out = Buffer.from(this.buf.subarray(0, len));
    this.buf = this.buf.subarray(len);
    return out;
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.readChain.then(fn, fn);
    this.readChain = run.catch(() => undefined);
    return run;
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves true on the next data/close event, false after ms without one. */
  private nextEvent(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (v: boolean): void => {
        clearTimeout(timer);
        this.listeners.delete(onEvent);
        resolve(v);
      };
      const onEvent = (): void => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.listeners.add(onEvent);
    });
  }
}
