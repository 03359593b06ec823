/*
 * RESP reply encoding for RESP2 and RESP3.
 *
 * Replies are built as latin1 ("byte") strings: one char per byte, 0-255, never UTF-8
 * decoded. The same string can be written to a socket with `socket.write(s, 'latin1')`
 * or copied into a shared ring with `buf.latin1Write`. Shard code and main-thread code
 * both build replies with these helpers, passing the connection's protocol version.
 */

export type Proto = 2 | 3;

// ---------------------------------------------------------------- shared replies
export const OK = "+OK\r\n";
export const QUEUED = "+QUEUED\r\n";
export const PONG = "+PONG\r\n";
export const EMPTY_ARRAY = "*0\r\n";
export const ZERO = ":0\r\n";
export const ONE = ":1\r\n";
export const NULL_BULK2 = "$-1\r\n";
export const NULL_ARRAY2 = "*-1\r\n";
export const NULL3 = "_\r\n";

/** Byte length of a latin1 string is its JS length. */
export function bulk(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

export function bulkOrNull(s: string | undefined | null, proto: Proto): string {
  return s === undefined || s === null ? nullBulk(proto) : `$${s.length}\r\n${s}\r\n`;
}

export function simple(s: string): string {
  return `+${s}\r\n`;
}

export function integer(n: number | bigint): string {
  return `:${n}\r\n`;
}

export function nullBulk(proto: Proto): string {
  return proto === 3 ? NULL3 : NULL_BULK2;
}

export function nullArray(proto: Proto): string {
  return proto === 3 ? NULL3 : NULL_ARRAY2;
}

export function arrayHeader(n: number): string {
  return `*${n}\r\n`;
}

/** A map of n pairs: RESP3 `%n`, RESP2 a flat array of 2n. */
export function mapHeader(n: number, proto: Proto): string {
  return proto === 3 ? `%${n}\r\n` : `*${n * 2}\r\n`;
}

/** A set: RESP3 `~n`, RESP2 an array. */
export function setHeader(n: number, proto: Proto): string {
  return proto === 3 ? `~${n}\r\n` : `*${n}\r\n`;
}

/** Out-of-band push: RESP3 `>n`, RESP2 an array (pub/sub messages). */
export function pushHeader(n: number, proto: Proto): string {
  return proto === 3 ? `>${n}\r\n` : `*${n}\r\n`;
}

/** Verbatim string (RESP3 `=len\r\ntxt:...`), a bulk string in RESP2. */
export function verbatim(s: string, proto: Proto, format = "txt"): string {
  return proto === 3 ? `=${s.length + 4}\r\n${format}:${s}\r\n` : bulk(s);
}

export function bool(b: boolean, proto: Proto): string {
  return proto === 3 ? (b ? "#t\r\n" : "#f\r\n") : b ? ONE : ZERO;
}

/**
 * A double: RESP3 `,` with Redis's spelling (`inf`, `-inf`, `nan`), RESP2 a bulk string
 * of the same text. `text` is already formatted the way Redis prints the number.
 */
export function double(text: string, proto: Proto): string {
  return proto === 3 ? `,${text}\r\n` : bulk(text);
}

export function bulkArray(items: readonly string[]): string {
  let out = `*${items.length}\r\n`;
  for (const s of items) out += `$${s.length}\r\n${s}\r\n`;
  return out;
}

/**
 * An error reply. Redis replaces CR and LF in error texts by spaces so that the
 * protocol stays valid (addReplyErrorLength); so do we. `text` starts with the code.
 */
export function error(text: string): string {
  if (text.indexOf("\r") !== -1 || text.indexOf("\n") !== -1) text = text.replace(/[\r\n]/g, " ");
  return `-${text}\r\n`;
}

export function isErrorReply(reply: string): boolean {
  return reply.charCodeAt(0) === 45; // '-'
}
