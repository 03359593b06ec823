/*
 * The slow log's entry shape and argument truncation (slowlog.c), shared by the main
 * thread and the shards, which each keep the entries of the commands they run.
 */

/** SLOWLOG_ENTRY_MAX_ARGC / SLOWLOG_ENTRY_MAX_STRING */
const SLOWLOG_MAX_ARGC = 32;
const SLOWLOG_MAX_STRING = 128;

export interface SlowlogEntry {
  id: number;
  /** unix seconds, as SLOWLOG GET shows */
  time: number;
  /** ms since the epoch, to order entries of several sources */
  ms: number;
  usec: number;
  argv: string[];
  addr: string;
  name: string;
}

/** What a shard records; the main thread fills in the client's address and name. */
export interface ShardSlowlogEntry {
  id: number;
  ms: number;
  usec: number;
  argv: string[];
  client: number;
}

/**
 * slowlogCreateEntry: at most 32 arguments (the last one saying how many more there were),
 * each cut to 128 bytes with a note of how many more it had.
 */
export function slowlogArgs(argv: readonly string[]): string[] {
  const args: string[] = [];
  const n = Math.min(argv.length, SLOWLOG_MAX_ARGC);
  for (let i = 0; i < n; i++) {
    if (n === SLOWLOG_MAX_ARGC && i === n - 1 && argv.length > SLOWLOG_MAX_ARGC) {
      args.push(`... (${argv.length - SLOWLOG_MAX_ARGC + 1} more arguments)`);
    } else if (argv[i].length > SLOWLOG_MAX_STRING) {
      args.push(`${argv[i].slice(0, SLOWLOG_MAX_STRING)}... (${argv[i].length - SLOWLOG_MAX_STRING} more bytes)`);
    } else args.push(argv[i]);
  }
  return args;
}
