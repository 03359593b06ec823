/*
 * Walks encoded RESP replies (latin1 strings) without decoding them, so the main thread
 * can merge the replies of several shards: take the elements of an array reply, add up
 * integer replies.
 */

function lineEnd(s: string, pos: number): number {
  const e = s.indexOf("\r\n", pos);
  if (e < 0) throw new Error("truncated RESP reply");
  return e;
}

/** The offset just past the complete reply element starting at `pos`. */
export function elementEnd(s: string, pos: number): number {
  const t = s.charCodeAt(pos);
  const e = lineEnd(s, pos + 1);
  switch (t) {
    case 36: // $ bulk
    case 61: // = verbatim
    case 33: {
      // ! blob error
      const n = Number(s.slice(pos + 1, e));
      return n < 0 ? e + 2 : e + 2 + n + 2;
    }
    case 42: // * array
    case 126: // ~ set
    case 62: // > push
    case 37: // % map
    case 124: {
      // | attribute (followed by the element it annotates)
      let n = Number(s.slice(pos + 1, e));
      if (t === 37 || t === 124) n *= 2;
      let p = e + 2;
      for (let i = 0; i < n; i++) p = elementEnd(s, p);
      return t === 124 ? elementEnd(s, p) : p;
    }
    default: // + - : _ , # ( single line
      return e + 2;
  }
}

/** The elements of an array reply, each still encoded; undefined if it is not an array. */
export function arrayElements(s: string): string[] | undefined {
  if (s.charCodeAt(0) !== 42) return undefined;
  const e = lineEnd(s, 1);
  const n = Number(s.slice(1, e));
  const out: string[] = [];
  let p = e + 2;
  for (let i = 0; i < n; i++) {
    const end = elementEnd(s, p);
    out.push(s.slice(p, end));
    p = end;
  }
  return out;
}

/** The bulk strings of an array reply of bulk strings (nil elements come out undefined). */
export function decodeBulkArray(s: string): (string | undefined)[] | undefined {
  const els = arrayElements(s);
  if (els === undefined) return undefined;
  return els.map((e) => {
    if (e.charCodeAt(0) !== 36) return undefined;
    const nl = e.indexOf("\r\n");
    const n = Number(e.slice(1, nl));
    return n < 0 ? undefined : e.slice(nl + 2, nl + 2 + n);
  });
}
