/*
 * Redis's sds helpers that have a visible syntax: sdssplitargs (inline requests,
 * redis.conf lines, redis-cli-style scripts) and sdscatrepr (MONITOR, CONFIG REWRITE).
 * Strings are latin1 byte strings.
 */

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function hexVal(c: number): number {
  if (c <= 57) return c - 48;
  if (c >= 97) return c - 87;
  return c - 55;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12;
}

/**
 * sdssplitargs: space-separated arguments; "double quotes" with \xHH, \n, \r, \t, \b, \a
 * escapes; 'single quotes' with \' only; a closing quote must be followed by a space or
 * the end. Returns undefined for unbalanced quotes.
 */
export function splitArgs(line: string): string[] | undefined {
  const out: string[] = [];
  let p = 0;
  const n = line.length;
  for (;;) {
    while (p < n && isSpace(line.charCodeAt(p))) p++;
    if (p >= n) return out;
    let inq = false;
    let insq = false;
    let done = false;
    let cur = "";
    while (!done) {
      if (inq) {
        if (p >= n) return undefined;
        const c = line.charCodeAt(p);
        if (
          c === 92 &&
          p + 3 < n &&
          line.charCodeAt(p + 1) === 120 &&
          isHex(line.charCodeAt(p + 2)) &&
          isHex(line.charCodeAt(p + 3))
        ) {
          cur += String.fromCharCode(hexVal(line.charCodeAt(p + 2)) * 16 + hexVal(line.charCodeAt(p + 3)));
          p += 3;
        } else if (c === 92 && p + 1 < n) {
          p++;
          const e = line[p];
          cur += e === "n" ? "\n" : e === "r" ? "\r" : e === "t" ? "\t" : e === "b" ? "\b" : e === "a" ? "\x07" : e;
        } else if (c === 34) {
          if (p + 1 < n && !isSpace(line.charCodeAt(p + 1))) return undefined;
          done = true;
        } else cur += line[p];
      } else if (insq) {
        if (p >= n) return undefined;
        const c = line.charCodeAt(p);
        if (c === 92 && p + 1 < n && line.charCodeAt(p + 1) === 39) {
          p++;
          cur += "'";
        } else if (c === 39) {
          if (p + 1 < n && !isSpace(line.charCodeAt(p + 1))) return undefined;
          done = true;
        } else cur += line[p];
      } else {
        if (p >= n) break;
        const c = line.charCodeAt(p);
        if (isSpace(c)) done = true;
        else if (c === 34) inq = true;
        else if (c === 39) insq = true;
        else cur += line[p];
      }
      if (p < n) p++;
    }
    out.push(cur);
  }
}

/** sdscatrepr: a double-quoted, escaped representation, as CONFIG REWRITE and argv use it. */
export function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x5c:
        out += "\\\\";
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += "\\n";
        break;
      case 0x0d:
        out += "\\r";
        break;
      case 0x09:
        out += "\\t";
        break;
      case 0x07:
        out += "\\a";
        break;
      case 0x08:
        out += "\\b";
        break;
      default:
        out += c >= 0x20 && c <= 0x7e ? s[i] : `\\x${(c & 0xff).toString(16).padStart(2, "0")}`;
    }
  }
  return `${out}"`;
}

/** What C's `%s` and strcasecmp see of a byte string: up to the first NUL. */
export function cString(s: string): string {
  const z = s.indexOf("\0");
  return z === -1 ? s : s.slice(0, z);
}
