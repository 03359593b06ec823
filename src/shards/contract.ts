/*
 * The message contract between the main thread (producer of requests, consumer of replies)
 * and a shard worker. See docs/ARCHITECTURE.md.
 *
 * Request (main -> shard), in the request ring:
 *   u32 size | u8 kind | u8 db | u8 proto | u8 0 | u32 argc | u32 client id | argc x (u32 len, bytes) | pad
 * or, for kind RAW, `count` requests of one client exactly as it sent them, back to back
 * (RESP multibulks the main thread has framed and checked); each gets its own reply:
 *   u32 size | u8 kind | u8 db | u8 proto | u8 0 | u32 count | u32 client id | bytes | pad
 * Reply (shard -> main), in the reply ring:
 *   u32 size | u32 kind | bytes of the RESP reply | pad
 * Every request of kind COMMAND or CONTROL gets exactly one reply, in order: the main
 * thread matches replies to requests by position in a per-shard FIFO, so no ids travel.
 * A request or reply too big for the ring travels by MessagePort; the ring carries a
 * LARGE marker in its place so that order is kept, and the receiver takes the payload
 * with receiveMessageOnPort at once.
 */
import { type MessagePort, receiveMessageOnPort } from "node:worker_threads";
import { commandNames, latin1String } from "../util/short-strings.js";
import { align4, type Ring } from "./ring.js";

export const REQ_COMMAND = 1;
/** argv[0] names an internal operation of the shard (stats, holds, settings) */
export const REQ_CONTROL = 2;
/** the request follows by MessagePort: { kind, db, proto, argv } */
export const REQ_LARGE = 3;
/** commands as their RESP multibulk bytes */
export const REQ_RAW = 4;

export const REP_INLINE = 1;
export const REP_LARGE = 2;

export interface Request {
  kind: number;
  db: number;
  proto: 2 | 3;
  argv: string[];
  /** kind RAW: every command of the message (argv is the first) */
  batch?: string[][];
  /** the client's id, for slowlog entries */
  client: number;
}

const REQ_HEADER = 16;

function requestSize(argv: readonly string[]): number {
  let size = REQ_HEADER;
  for (let i = 0; i < argv.length; i++) size += 4 + argv[i].length;
  return align4(size);
}

/** A request's 16-byte header at `off` (the layout above). */
function writeHeader(
  ring: Ring,
  off: number,
  size: number,
  kind: number,
  db: number,
  proto: number,
  argc: number,
  client: number,
): void {
  const b = ring.bytes;
  const w = off >> 2;
  ring.words[w] = size;
  b[off + 4] = kind;
  b[off + 5] = db;
  b[off + 6] = proto;
  b[off + 7] = 0;
  ring.words[w + 2] = argc;
  ring.words[w + 3] = client;
}

/**
 * Writes a request into the ring; false when the ring is too full (the caller keeps it
 * and retries in order). Requests too big for the ring go by `port`.
 */
export function writeRequest(
  ring: Ring,
  port: MessagePort,
  kind: number,
  db: number,
  proto: number,
  argv: readonly string[],
  client: number,
): boolean {
  let size = requestSize(argv);
  const large = size > ring.maxMessage;
  if (large) size = REQ_HEADER;
  const off = ring.reserve(size);
  if (off < 0) return false;
  const b = ring.bytes;
  writeHeader(ring, off, size, large ? REQ_LARGE : kind, db, proto, large ? 0 : argv.length, client);
  if (large) {
    port.postMessage({ kind, db, proto, argv, client });
  } else {
    let p = off + REQ_HEADER;
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      const n = a.length;
      b[p] = n & 0xff;
      b[p + 1] = (n >>> 8) & 0xff;
      b[p + 2] = (n >>> 16) & 0xff;
      b[p + 3] = n >>> 24;
      p += 4;
      if (n > 0) {
        if (n < 16) for (let j = 0; j < n; j++) b[p + j] = a.charCodeAt(j);
        else b.latin1Write(a, p, n);
        p += n;
      }
    }
  }
  ring.commit(size);
  return true;
}

/**
 * Writes commands as the client sent them: bytes [start, end) of `src` hold `count`
 * complete multibulk requests. False when the ring is too full. The caller keeps these
 * well under ring.maxMessage.
 */
export function writeRawRequest(
  ring: Ring,
  db: number,
  proto: number,
  src: Buffer,
  start: number,
  end: number,
  count: number,
  client: number,
): boolean {
  const size = align4(REQ_HEADER + end - start);
  const off = ring.reserve(size);
  if (off < 0) return false;
  const b = ring.bytes;
  writeHeader(ring, off, size, REQ_RAW, db, proto, count, client);
  const n = end - start;
  if (n <= 64) {
    // Buffer#copy makes two typed-array views per call: dearer than the loop for a request this small
    for (let i = 0, p = off + REQ_HEADER; i < n; i++) b[p + i] = src[start + i];
  } else src.copy(b, off + REQ_HEADER, start, end);
  ring.commit(size);
  return true;
}

/**
 * The commands in `count` multibulk requests back to back from `p` (checked by the main
 * thread's parser: plain `*<argc>` and `$<len>` lines, nothing else).
 */
export function rawCommands(b: Uint8Array, p: number, count: number): string[][] {
  const out = new Array<string[]>(count);
  for (let c = 0; c < count; c++) {
    let argc = 0;
    for (p++; b[p] !== 13; p++) argc = argc * 10 + b[p] - 48; // `*<argc>\r\n`
    p += 2;
    const argv = new Array<string>(argc);
    p = rawArgsAt(b, p, argv);
    out[c] = argv;
  }
  return out;
}

/** Fills argv from the `$<len>` lines at `p`; returns the offset after them. */
function rawArgsAt(b: Uint8Array, p: number, argv: string[]): number {
  const argc = argv.length;
  for (let i = 0; i < argc; i++) {
    let n = 0;
    for (p++; b[p] !== 13; p++) n = n * 10 + b[p] - 48; // `$<len>\r\n`
    p += 2;
    argv[i] = i === 0 ? commandNames.get(b, p, p + n) : latin1String(b, p, n);
    p += n + 2;
  }
  return p;
}

/** Reads the next request, or undefined when the ring is empty. */
export function readRequest(ring: Ring, port: MessagePort): Request | undefined {
  const off = ring.next();
  if (off < 0) return undefined;
  const b = ring.bytes;
  const size = ring.words[off >> 2];
  const kind = b[off + 4];
  if (kind === REQ_LARGE) {
    ring.release(size);
    const m = receiveMessageOnPort(port);
    if (m === undefined) throw new Error("large request marker without its payload");
    return m.message as Request;
  }
  const db = b[off + 5];
  const proto = b[off + 6] as 2 | 3;
  const argc = ring.words[(off >> 2) + 2];
  const client = ring.words[(off >> 2) + 3];
  if (kind === REQ_RAW) {
    const batch = rawCommands(b, off + REQ_HEADER, argc);
    ring.release(size);
    return { kind: REQ_RAW, db, proto, argv: batch[0], batch, client };
  }
  const argv = new Array<string>(argc);
  let p = off + REQ_HEADER;
  for (let i = 0; i < argc; i++) {
    const n = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
    p += 4;
    argv[i] = latin1String(b, p, n);
    p += n;
  }
  ring.release(size);
  return { kind, db, proto, argv, client };
}

/** Writes a reply; false when the ring is too full (the shard waits for the main thread). */
export function writeReply(ring: Ring, port: MessagePort, reply: string): boolean {
  const large = reply.length + 8 > ring.maxMessage;
  const size = large ? 8 : align4(reply.length + 8);
  const off = ring.reserve(size);
  if (off < 0) return false;
  ring.words[off >> 2] = size;
  if (large) {
    ring.words[(off >> 2) + 1] = REP_LARGE;
    port.postMessage(reply);
  } else {
    ring.words[(off >> 2) + 1] = reply.length;
    const b = ring.bytes;
    const p = off + 8;
    const n = reply.length;
    if (n < 32) for (let j = 0; j < n; j++) b[p + j] = reply.charCodeAt(j);
    else b.latin1Write(reply, p, n);
  }
  ring.commit(size);
  return true;
}

/** Reads the next reply, or undefined when none is waiting. */
export function readReply(ring: Ring, port: MessagePort): string | undefined {
  const off = ring.next();
  if (off < 0) return undefined;
  const size = ring.words[off >> 2];
  const lenOrKind = ring.words[(off >> 2) + 1];
  let reply: string;
  if (lenOrKind === REP_LARGE && size === 8) {
    const m = receiveMessageOnPort(port);
    if (m === undefined) throw new Error("large reply marker without its payload");
    reply = m.message as string;
  } else {
    reply = latin1String(ring.bytes, off + 8, lenOrKind);
  }
  ring.release(size);
  return reply;
}
