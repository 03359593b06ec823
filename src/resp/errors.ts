/*
 * Redis's error texts, to the letter, built once. Parameterised ones are functions.
 * Every reply here is already RESP-encoded (`-CODE message\r\n`).
 */
import { cString } from "../util/sds.js";
import { error } from "./reply.js";

export const ERR_SYNTAX = "-ERR syntax error\r\n";
export const ERR_NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";
export const ERR_NOT_FLOAT = "-ERR value is not a valid float\r\n";
export const ERR_OVERFLOW = "-ERR increment or decrement would overflow\r\n";
export const ERR_WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
export const ERR_NO_SUCH_KEY = "-ERR no such key\r\n";
export const ERR_DB_INDEX = "-ERR DB index is out of range\r\n";
export const ERR_NOAUTH = "-NOAUTH Authentication required.\r\n";
export const ERR_WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
export const ERR_AUTH_NOPASS =
  "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n";
export const ERR_NOPROTO = "-NOPROTO unsupported protocol version\r\n";
export const ERR_CROSSSLOT = "-CROSSSLOT Keys in request don't hash to the same slot\r\n";
export const ERR_TIMEOUT_NEGATIVE = "-ERR timeout is negative\r\n";

export function errArity(fullName: string): string {
  return error(`ERR wrong number of arguments for '${fullName}' command`);
}

export function errExpireTime(cmd: string): string {
  return error(`ERR invalid expire time in '${cmd}' command`);
}

/** `ERR unknown subcommand 'x'. Try CONFIG HELP.` (Redis truncates the name at 128). */
export function errUnknownSubcommand(sub: string, cmd: string): string {
  return error(`ERR unknown subcommand '${cString(sub).slice(0, 128)}'. Try ${cmd.toUpperCase()} HELP.`);
}

/**
 * `ERR unknown command 'foo', with args beginning with: 'a' 'b' ` — as processCommand
 * builds it: each argument quoted and followed by a space, while the list is under 128
 * bytes, each argument cut to what is left of those 128.
 */
export function errUnknownCommand(argv: readonly string[]): string {
  let args = "";
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${cString(argv[i]).slice(0, 128 - args.length)}' `;
  }
  return error(`ERR unknown command '${cString(argv[0]).slice(0, 128)}', with args beginning with: ${args}`);
}

export function errProtocol(what: string): string {
  return error(`ERR Protocol error: ${what}`);
}
