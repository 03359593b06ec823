/*
 * LCS (t_string.c): longest common subsequence of two strings.
 */
import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../resp/errors.js";
import { arrayHeader, bulk, error, mapHeader } from "../resp/reply.js";
import { parseInteger } from "../util/numbers.js";
import { cString } from "../util/sds.js";
import { cmd, keySpec } from "./define.js";
import { isStringValue, valueToString } from "./string.js";
import type { CommandSpec, ShardCtx } from "./types.js";

const ERR_NOT_STRINGS = error("ERR The specified keys must contain string values");
const ERR_LEN_AND_IDX = error("ERR If you want both the length and indexes, please just use IDX.");
const ERR_TOO_LONG = error("ERR String too long for LCS");
const ERR_OVER_LIMIT = error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
const ERR_NO_MEMORY = error("ERR Insufficient memory, failed allocating transient memory for LCS");

/*
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]. As lcsCommand in
 * Redis 7.0:
 *  1. both keys are looked up first: a non-string is "The specified keys must contain
 *     string values"; a missing key is an empty string;
 *  2. options in any order (matched as C strings, case-insensitive); MINMATCHLEN takes an
 *     int64, negative meaning 0; LEN together with IDX is an error;
 *  3. the DP table ((len1+1)*(len2+1) uint32) may not exceed proto-max-bulk-len;
 *  4. replies: the LCS string; LEN: its length; IDX: a map {matches, len} where matches
 *     are the common ranges from the end of the strings backwards, [[a1,a2],[b1,b2]] plus
 *     the length with WITHMATCHLEN, those shorter than MINMATCHLEN left out.
 */
function lcsCommand(ctx: ShardCtx, argv: string[]): string {
  const { engine, db } = ctx;
  const va = engine.lookupRead(db, argv[1]);
  const vb = engine.lookupRead(db, argv[2]);
  if ((va !== undefined && !isStringValue(va)) || (vb !== undefined && !isStringValue(vb))) return ERR_NOT_STRINGS;
  const a = va === undefined ? "" : valueToString(va);
  const b = vb === undefined ? "" : valueToString(vb);

  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  const argc = argv.length;
  for (let j = 3; j < argc; j++) {
    const opt = cString(argv[j]).toLowerCase();
    const moreArgs = argc - 1 - j;
    if (opt === "idx") getIdx = true;
    else if (opt === "len") getLen = true;
    else if (opt === "withmatchlen") withMatchLen = true;
    else if (opt === "minmatchlen" && moreArgs > 0) {
      const v = parseInteger(argv[j + 1]);
      if (v === undefined) return ERR_NOT_INTEGER;
      // lengths are below 2^32: anything larger keeps every match out, as in C
      minMatchLen = v < 0 ? 0 : typeof v === "bigint" ? Number.MAX_SAFE_INTEGER : v;
      j++;
    } else return ERR_SYNTAX;
  }
  if (getIdx && getLen) return ERR_LEN_AND_IDX;

  const alen = a.length;
  const blen = b.length;
  if (alen >= 0xffffffff - 1 || blen >= 0xffffffff - 1) return ERR_TOO_LONG;
  const cells = (alen + 1) * (blen + 1);
  if (cells * 4 > ctx.engine.settings["proto-max-bulk-len"]) return ERR_OVER_LIMIT;
  let lcs: Uint32Array;
  try {
    lcs = new Uint32Array(cells);
  } catch {
    return ERR_NO_MEMORY;
  }

  // LCS(i, j) = lcs[j + i * (blen + 1)]: the LCS length of a[0..i-1] and b[0..j-1]
  const w = blen + 1;
  const bc = new Uint8Array(blen);
  for (let j = 0; j < blen; j++) bc[j] = b.charCodeAt(j);
  for (let i = 1; i <= alen; i++) {
    const ai = a.charCodeAt(i - 1);
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ai === bc[j - 1]) lcs[row + j] = lcs[prev + j - 1] + 1;
      else {
        const up = lcs[prev + j];
        const left = lcs[row + j - 1];
        lcs[row + j] = up > left ? up : left;
      }
    }
  }
  const total = lcs[alen * w + blen];
  if (getLen && !getIdx) return `:${total}\r\n`;

  // Walk back from the end, collecting the LCS bytes and the contiguous ranges.
  const result = Buffer.alloc(total);
  let idx = total;
  let ranges = "";
  let count = 0;
  let aStart = alen; // alen: no range open
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      result[idx - 1] = a.charCodeAt(i - 1);
      if (aStart === alen) {
        aStart = i - 1;
        aEnd = i - 1;
        bStart = j - 1;
        bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        // contiguous with the open range: extend it backwards
        aStart--;
        bStart--;
      } else emit = true;
      // a range that reached the start of either string is complete
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (lcs[(i - 1) * w + j] > lcs[i * w + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (getIdx && (minMatchLen === 0 || matchLen >= minMatchLen)) {
        ranges += `*${withMatchLen ? 3 : 2}\r\n*2\r\n:${aStart}\r\n:${aEnd}\r\n*2\r\n:${bStart}\r\n:${bEnd}\r\n`;
        if (withMatchLen) ranges += `:${matchLen}\r\n`;
        count++;
      }
      aStart = alen;
    }
  }

  if (getIdx) {
    return `${mapHeader(2, ctx.proto)}$7\r\nmatches\r\n${arrayHeader(count)}${ranges}$3\r\nlen\r\n:${total}\r\n`;
  }
  return bulk(result.toString("latin1"));
}

export const lcsCommands: CommandSpec[] = [
  cmd(
    "lcs",
    -3,
    ["readonly"],
    { first: 1, last: 2, step: 1 },
    "string",
    "7.0.0",
    "Find longest common substring",
    "O(N*M) where N and M are the lengths of s1 and s2, respectively",
    { shard: lcsCommand, cross: "gather", keySpecs: [keySpec(["RO", "access"], 1, 1, 1)] },
  ),
];
