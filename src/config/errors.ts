/*
 * Errors of the config subsystem, with Redis's texts.
 */

/** The Redis version shardis reports (INFO, HELLO, the FATAL banner, --version). */
export const REDIS_VERSION = "7.0.15";

/**
 * A CONFIG SET/GET/REWRITE error. `message` is the full Redis error text without the leading
 * '-', e.g. "ERR Unknown option or number of arguments for CONFIG SET - 'foo'".
 */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * A configuration error that stops the server at startup (exit status 1).
 *
 * When `viaLog` is false, `message` is exactly what redis-server writes to stderr, newlines
 * included ("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n...\n"): write it as is.
 * When `viaLog` is true (the config file cannot be opened), Redis logs `message` as a warning
 * log line (`pid:C dd Mon yyyy hh:mm:ss.mmm # Fatal error, can't open config file ...`) on
 * stdout instead: pass it to the server logger.
 */
export class FatalConfigError extends Error {
  override name = "FatalConfigError";
  readonly viaLog: boolean;
  constructor(message: string, viaLog = false) {
    super(message);
    this.viaLog = viaLog;
  }
}

/** Where a config line came from, for the FATAL report. */
export interface LineRef {
  /** 1-based line number in the text being parsed. */
  readonly line: number;
  /** The line, trimmed, as Redis echoes it between `>>> '` and `'`. */
  readonly text: string;
}

/** The stderr text of loadServerConfigFromString's `loaderr:` path. */
export function fatalConfigText(err: string, at?: LineRef): string {
  let out = `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n`;
  if (at) out += `Reading the configuration file, at line ${at.line}\n>>> '${at.text}'\n`;
  return `${out}${err}\n`;
}
