/*
 * Argument parsing shared by the shard handlers and the coordinator's jobs (COPY, MOVE).
 * Kept free of engine imports so that the coordinator can load it on its own.
 */
import { ERR_DB_INDEX, ERR_NOT_INTEGER, ERR_SYNTAX } from "../resp/errors.js";
import { parseSafeInteger } from "../util/numbers.js";

export const ERR_SAME_OBJECT = "-ERR source and destination objects are the same\r\n";

/** getIntFromObjectOrReply + selectDb: a database index, or the error reply. */
export function parseDbArg(s: string, databases: number): number | string {
  const n = parseSafeInteger(s);
  if (n === undefined || n < -2147483648 || n > 2147483647) return ERR_NOT_INTEGER;
  if (n < 0 || n >= databases) return ERR_DB_INDEX;
  return n;
}

/**
 * COPY source destination [DB destination-db] [REPLACE], as copyCommand parses it:
 * options in any order, a bad DB answered at once; then the same key in the same db is
 * an error. Answers [destination db, replace] or the error reply.
 */
export function parseCopyArgs(argv: string[], srcDb: number, databases: number): [number, boolean] | string {
  let dbid = srcDb;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    if (opt === "replace") replace = true;
    else if (opt === "db" && j + 1 < argv.length) {
      const d = parseDbArg(argv[++j], databases);
      if (typeof d === "string") return d;
      dbid = d;
    } else return ERR_SYNTAX;
  }
  if (dbid === srcDb && argv[1] === argv[2]) return ERR_SAME_OBJECT;
  return [dbid, replace];
}
