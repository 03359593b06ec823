/*
 * Connection commands (networking.c, server.c, acl.c): they touch only the connection's
 * own state and run on the main thread.
 */
import type { Client } from "../net/client.js";
import {
  ERR_AUTH_NOPASS,
  ERR_DB_INDEX,
  ERR_NOPROTO,
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
  ERR_TIMEOUT_NEGATIVE,
  ERR_WRONGPASS,
  errArity,
} from "../resp/errors.js";
import {
  arrayHeader,
  bulk,
  bulkOrNull,
  error,
  integer,
  mapHeader,
  OK,
  PONG,
  type Proto,
  setHeader,
  verbatim,
} from "../resp/reply.js";
import { INT64_MAX, parseInteger } from "../util/numbers.js";
import { container, mainCmd } from "./define.js";
import type { CommandSpec, MainHandler } from "./types.js";

export const REDIS_VERSION = "7.0.15";

const main = mainCmd;

/** The default user's password check: with no requirepass the default user is `nopass`. */
function checkPassword(c: Client, user: string, pass: string): boolean {
  if (user !== "default") return false;
  const want = c.server.requirePass;
  return want === "" || want === pass;
}

/* PING [message]: in RESP2 Pub/Sub mode a ["pong", message or ""] array */
function pingCommand(c: Client, argv: string[]): string {
  if (argv.length > 2) return errArity("ping");
  if (c.subs !== undefined && c.proto === 2) return `*2\r\n$4\r\npong\r\n${bulk(argv.length === 1 ? "" : argv[1])}`;
  return argv.length === 1 ? PONG : bulk(argv[1]);
}

/* ECHO message */
function echoCommand(_c: Client, argv: string[]): string {
  return bulk(argv[1]);
}

/* QUIT: +OK, then the connection closes once the replies before it are written. */
function quitCommand(c: Client): string {
  c.closeAfterReply = true;
  return OK;
}

/* AUTH [username] password */
function authCommand(c: Client, argv: string[]): string {
  if (argv.length > 3) return ERR_SYNTAX;
  let user = "default";
  let pass: string;
  if (argv.length === 2) {
    if (c.server.requirePass === "") return ERR_AUTH_NOPASS;
    pass = argv[1];
  } else {
    user = argv[1];
    pass = argv[2];
  }
  if (checkPassword(c, user, pass)) {
    c.authenticated = true;
    return OK;
  }
  return ERR_WRONGPASS;
}

/*
 * HELLO [protover [AUTH username password] [SETNAME clientname]]
 *
 * As helloCommand does it:
 *  1. The version is checked first (not an integer, then NOPROTO outside 2..3).
 *  2. The options run one by one, left to right, and take effect at once: AUTH logs the
 *     connection in (or fails with WRONGPASS) and SETNAME renames it, even when a later
 *     option is then refused ("HELLO 3 SETNAME a BOGUS" leaves the name a).
 *  3. Only then is a still unauthenticated connection refused, and only after all of
 *     that does the protocol switch.
 */
function helloCommand(c: Client, argv: string[]): string {
  let ver = 0;
  let j = 1;
  if (argv.length >= 2) {
    const v = parseInteger(argv[j++]);
    if (v === undefined) return error("ERR Protocol version is not an integer or out of range");
    if (v < 2 || v > 3) return ERR_NOPROTO;
    ver = Number(v);
  }
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j].toLowerCase();
    if (opt === "auth" && more >= 2) {
      if (!checkPassword(c, argv[j + 1], argv[j + 2])) return ERR_WRONGPASS;
      c.authenticated = true;
      j += 2;
    } else if (opt === "setname" && more >= 1) {
      const err = validateClientName(argv[j + 1]);
      if (err !== undefined) return err;
      c.name = argv[++j];
    } else return error(`ERR Syntax error in HELLO option '${argv[j]}'`);
  }
  if (!c.authenticated) {
    return error(
      // 7.0.15's text: "HELLO AUTH", without the <proto> later versions added
      "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
    );
  }
  if (ver !== 0) c.proto = ver as 2 | 3;
  const p = c.proto;
  return (
    mapHeader(7, p) +
    bulk("server") +
    bulk("redis") +
    bulk("version") +
    bulk(REDIS_VERSION) +
    bulk("proto") +
    integer(p) +
    bulk("id") +
    integer(c.id) +
    bulk("mode") +
    bulk("standalone") +
    bulk("role") +
    bulk("master") +
    bulk("modules") +
    arrayHeader(0)
  );
}

/*
 * SELECT index
 * getIntFromObjectOrReply: not an int64 -> "value is not an integer or out of range"; an
 * int64 outside int -> "value is out of range, value must between ..." (Redis's wording).
 */
function selectCommand(c: Client, argv: string[]): string {
  const id = parseInteger(argv[1]);
  if (id === undefined) return ERR_NOT_INTEGER;
  if (typeof id === "bigint" || id < -2147483648 || id > 2147483647) {
    return error("ERR value is out of range, value must between -2147483648 and 2147483647");
  }
  if (id < 0 || id >= c.server.databases) return ERR_DB_INDEX;
  c.db = id;
  return OK;
}

/*
 * RESET
 * clearClientConnectionState: db 0, RESP2, no name, replies on, no eviction protection,
 * out of MONITOR, logged out when a password is required. Its +RESET is sent even under
 * CLIENT REPLY OFF/SKIP: the flags are cleared before the reply is added.
 */
function resetCommand(c: Client): string {
  c.db = 0;
  c.proto = 2;
  c.name = "";
  c.replyOff = false;
  c.replySkip = false;
  c.replySkipNext = false;
  c.noEvict = false;
  c.noTouch = false;
  if (c.monitor) {
    c.monitor = false;
    c.server.monitors.delete(c);
  }
  c.authenticated = !c.server.authRequiredForNewClients();
  c.server.discardTransaction(c);
  c.server.pubsub.dropClient(c);
  return "+RESET\r\n";
}

// ---------------------------------------------------------------- CLIENT

/** clientSetName: printable ASCII without spaces. */
function validateClientName(name: string): string | undefined {
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch < 33 || ch > 126) return error("ERR Client names cannot contain spaces, newlines or special characters.");
  }
  return undefined;
}

/** One CLIENT LIST line (client.c catClientInfoString), with 7.2's lib-name/lib-ver. */
export function clientInfoLine(c: Client, now = Date.now()): string {
  const qbuf = c.parser.pending();
  const omem = c.out.length + c.socket.writableLength;
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${(c.socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1} ` +
    `name=${c.name} age=${Math.floor((now - c.createdAt) / 1000)} idle=${Math.floor((now - c.lastInteraction) / 1000)} ` +
    `flags=${c.flagsString()} db=${c.db} sub=${c.subs?.channels.size ?? 0} psub=${c.subs?.patterns.size ?? 0} ssub=${c.subs?.shard.size ?? 0} multi=${c.multi === undefined ? -1 : c.multi.length} qbuf=${qbuf} qbuf-free=${Math.max(0, 20474 - qbuf)} ` +
    `argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=0 oll=0 omem=${omem} tot-mem=${22000 + qbuf + omem} ` +
    `events=r${omem > 0 ? "w" : ""} cmd=${c.lastCommand} user=default redir=-1 resp=${c.proto} lib-name=${c.libName} lib-ver=${c.libVer}`
  );
}

/**
 * getClientType: MONITOR clients count as normal (Redis marks them as replicas internally
 * but exposes them as normal); a client in Pub/Sub mode is "pubsub". No master or replica yet.
 */
function clientType(c: Client): "normal" | "master" | "replica" | "pubsub" {
  return c.subs !== undefined ? "pubsub" : "normal";
}

/** getClientTypeByName: normal, slave, replica, pubsub, master, in any letter case. */
function clientTypeByName(name: string): "normal" | "master" | "replica" | "pubsub" | undefined {
  const t = name.toLowerCase();
  if (t === "normal" || t === "master" || t === "pubsub" || t === "replica") return t;
  if (t === "slave") return "replica";
  return undefined;
}

/** addReplySubcommandSyntaxError: `'%.128s'` of argv[1] as typed, the container upper-cased. */
function subcommandSyntaxError(argv: readonly string[]): string {
  return error(
    `ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`,
  );
}

/*
 * CLIENT LIST [TYPE normal|master|replica|pubsub] [ID client-id [client-id ...]]
 *
 * As client.c does it:
 *  1. TYPE only as the one option (`argc == 4`); TYPE and ID together are a syntax error.
 *  2. ID takes any int64 ("Invalid client ID" for the rest): 0 or negative ids simply
 *     match nobody. Lines come in the order of the ids given, once per id given.
 */
function clientListCommand(c: Client, argv: string[]): string {
  const now = Date.now();
  let out = "";
  if (argv.length === 4 && argv[2].toLowerCase() === "type") {
    const type = clientTypeByName(argv[3]);
    if (type === undefined) return error(`ERR Unknown client type '${argv[3]}'`);
    for (const cl of c.server.clients.values()) if (clientType(cl) === type) out += `${clientInfoLine(cl, now)}\n`;
  } else if (argv.length > 3 && argv[2].toLowerCase() === "id") {
    const ids: Array<number | bigint> = [];
    for (let j = 3; j < argv.length; j++) {
      const id = parseInteger(argv[j]);
      if (id === undefined) return error("ERR Invalid client ID");
      ids.push(id);
    }
    for (const id of ids) {
      const cl = typeof id === "number" ? c.server.clients.get(id) : undefined;
      if (cl !== undefined) out += `${clientInfoLine(cl, now)}\n`;
    }
  } else if (argv.length !== 2) return ERR_SYNTAX;
  else for (const cl of c.server.clients.values()) out += `${clientInfoLine(cl, now)}\n`;
  return verbatim(out, c.proto);
}

/*
 * CLIENT KILL ip:port
 * CLIENT KILL [ID id] [TYPE type] [ADDR ip:port] [LADDR ip:port] [USER name] [SKIPME yes|no]
 *
 * As client.c does it:
 *  1. The old form (one argument) may kill the caller itself and answers +OK or
 *     "No such client"; the new form answers the number of clients killed.
 *  2. Each filter holds one value: a filter given twice keeps the last one.
 *  3. ID must be 1..LONG_MAX, TYPE a known type, USER an existing user (only "default"
 *     exists); an option without its value or an unknown option is a syntax error.
 *  4. A caller that kills itself gets its reply first, then the connection closes.
 */
function clientKillCommand(c: Client, argv: string[]): string {
  const server = c.server;
  let id: number | bigint | undefined;
  let type: ReturnType<typeof clientType> | undefined;
  let addr: string | undefined;
  let laddr: string | undefined;
  let skipme = true;
  if (argv.length === 3) {
    addr = argv[2];
    skipme = false; // with the old form, you can kill yourself
  } else {
    for (let i = 2; i < argv.length; i += 2) {
      const moreargs = i + 1 < argv.length;
      const opt = argv[i].toLowerCase();
      const v = argv[i + 1];
      if (!moreargs) return ERR_SYNTAX;
      if (opt === "id") {
        const n = parseInteger(v);
        if (n === undefined || n < 1) return error("ERR client-id should be greater than 0");
        id = n;
      } else if (opt === "type") {
        type = clientTypeByName(v);
        if (type === undefined) return error(`ERR Unknown client type '${v}'`);
      } else if (opt === "addr") addr = v;
      else if (opt === "laddr") laddr = v;
      else if (opt === "user") {
        if (v !== "default") return error(`ERR No such user '${v}'`);
      } else if (opt === "skipme") {
        const y = v.toLowerCase();
        if (y === "yes") skipme = true;
        else if (y === "no") skipme = false;
        else return ERR_SYNTAX;
      } else return ERR_SYNTAX;
    }
  }
  let killed = 0;
  for (const cl of [...server.clients.values()]) {
    if (id !== undefined && cl.id !== id) continue;
    if (type !== undefined && clientType(cl) !== type) continue;
    if (addr !== undefined && cl.addr !== addr) continue;
    if (laddr !== undefined && cl.laddr !== laddr) continue;
    if (skipme && cl === c) continue;
    killClient(c, cl);
    killed++;
  }
  if (argv.length === 3) return killed === 0 ? error("ERR No such client") : OK;
  return integer(killed);
}

function killClient(self: Client, victim: Client): void {
  if (victim === self) self.closeAfterReply = true;
  else self.server.closeClient(victim);
}

/** Node timers take at most 2^31-1 ms; longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Runs the pause's end once its time has come (or re-arms for pauses beyond a timer's reach). */
function armUnpause(c: Client): void {
  const server = c.server;
  const left = server.pauseUntil - Date.now();
  setTimeout(
    () => {
      if (server.pauseUntil === 0) return;
      if (Date.now() >= server.pauseUntil) server.unpause();
      else armUnpause(c);
    },
    Math.min(MAX_TIMER_MS, Math.max(0, left) + 1),
  ).unref();
}

/*
 * CLIENT PAUSE timeout [WRITE | ALL]
 *
 * As client.c / pauseClients do it:
 *  1. More than one mode argument is a subcommand syntax error.
 *  2. The mode is checked before the timeout.
 *  3. The timeout is any int64 >= 0 (getTimeoutFromObjectOrReply). Redis adds it to the
 *     current time without an overflow check: a timeout that overflows ends in the past,
 *     so the pause is +OK and pauses nothing. We do the same, on purpose.
 *  4. A pause never shortens a running one, and ALL wins over WRITE.
 */
function clientPauseCommand(c: Client, argv: string[]): string {
  if (argv.length > 4) return subcommandSyntaxError(argv);
  let writesOnly = false;
  if (argv.length === 4) {
    const m = argv[3].toLowerCase();
    if (m === "write") writesOnly = true;
    else if (m !== "all") return error("ERR CLIENT PAUSE mode must be WRITE or ALL");
  }
  const ms = parseInteger(argv[2]);
  if (ms === undefined) return error("ERR timeout is not an integer or out of range");
  if (ms < 0) return ERR_TIMEOUT_NEGATIVE;
  const now = Date.now();
  if (BigInt(ms) > INT64_MAX - BigInt(now)) return OK; // Redis's end time wraps into the past
  const server = c.server;
  const until = now + Number(ms);
  const running = server.pauseUntil > now;
  server.pauseWritesOnly = running ? server.pauseWritesOnly && writesOnly : writesOnly;
  if (!running || until > server.pauseUntil) server.pauseUntil = until;
  armUnpause(c);
  return OK;
}

function onOff(argv: string[], apply: (on: boolean) => void): string {
  const v = argv[2].toLowerCase();
  if (v === "on") apply(true);
  else if (v === "off") apply(false);
  else return ERR_SYNTAX;
  return OK;
}

/*
 * CLIENT SETINFO <LIB-NAME libname | LIB-VER libver> (Redis 7.2; 7.0.15 does not have it,
 * but ioredis and node-redis send it and ignore the error)
 * As 7.2's clientSetinfoCommand: the attribute is checked first, then the value (printable
 * ASCII without spaces, the error naming the attribute as typed); "" clears it.
 */
function clientSetinfoCommand(c: Client, argv: string[]): string {
  const attr = argv[2].toLowerCase();
  if (attr !== "lib-name" && attr !== "lib-ver") return error(`ERR Unrecognized option '${argv[2]}'`);
  const v = argv[3];
  for (let i = 0; i < v.length; i++) {
    const ch = v.charCodeAt(i);
    if (ch < 33 || ch > 126) return error(`ERR ${argv[2]} cannot contain spaces, newlines or special characters.`);
  }
  if (attr === "lib-name") c.libName = v;
  else c.libVer = v;
  return OK;
}

/*
 * CLIENT REPLY ON|OFF|SKIP
 *
 * ON clears OFF and SKIP before its +OK is added, so ON answers even when replies were
 * off or the ON itself was to be skipped. OFF and SKIP answer nothing; SKIP under OFF
 * changes nothing; SKIP drops the reply of the next command (Client.afterCommand).
 */
function clientReplyCommand(c: Client, argv: string[]): string | undefined {
  const m = argv[2].toLowerCase();
  if (m === "on") {
    c.replyOff = false;
    c.replySkip = false;
    return OK;
  }
  if (m === "off") c.replyOff = true;
  else if (m === "skip") {
    if (!c.replyOff) c.replySkipNext = true;
  } else return ERR_SYNTAX;
  return undefined;
}

/* CLIENT TRACKINGINFO: tracking is never on (flags [off], no redirection, no prefixes). */
function trackingInfoReply(proto: Proto): string {
  return (
    mapHeader(3, proto) +
    bulk("flags") +
    setHeader(1, proto) +
    bulk("off") +
    bulk("redirect") +
    integer(-1) +
    bulk("prefixes") +
    arrayHeader(0)
  );
}

/*
 * CLIENT UNBLOCK client-id [TIMEOUT | ERROR]
 * The reason is checked before the id (as client.c does). A blocked client is answered as
 * if it timed out, or with the UNBLOCKED error (src/net/blocking.ts).
 */
function clientUnblockCommand(c: Client, argv: string[]): string {
  if (argv.length > 4) return subcommandSyntaxError(argv);
  let withError = false;
  if (argv.length === 4) {
    const reason = argv[3].toLowerCase();
    if (reason !== "timeout" && reason !== "error")
      return error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    withError = reason === "error";
  }
  const id = parseInteger(argv[2]);
  if (id === undefined) return ERR_NOT_INTEGER;
  const target = c.server.clients.get(Number(id));
  return integer(target !== undefined && c.server.blocking.unblock(target, withError) ? 1 : 0);
}

const CLIENT_HELP = [
  "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CACHING (YES|NO)",
  "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
  "GETREDIR",
  "    Return the client ID we are redirecting to when tracking is enabled.",
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Kill connections. Options are:",
  "    * ADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made from the specified address",
  "    * LADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made to specified local address",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Kill connections by type.",
  "    * USER <username>",
  "      Kill connections authenticated by <username>.",
  "    * SKIPME (YES|NO)",
  "      Skip killing current connection (default: yes).",
  "LIST [options ...]",
  "    Return information about client connections. Options:",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Return clients of specified type.",
  "UNPAUSE",
  "    Stop the current client pause, resuming traffic.",
  "PAUSE <timeout> [WRITE|ALL]",
  "    Suspend all, or just write, clients for <timeout> milliseconds.",
  "REPLY (ON|OFF|SKIP)",
  "    Control the replies sent to the current connection.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
  "    Unblock the specified blocked client.",
  "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
  "         [OPTIN] [OPTOUT] [NOLOOP]",
  "    Control server assisted client side caching.",
  "TRACKINGINFO",
  "    Report tracking status for the current connection.",
  "NO-EVICT (ON|OFF)",
  "    Protect current client connection from eviction.",
  "HELP",
  "    Prints this help.",
];

/** A HELP reply: status lines in an array, as addReplyHelp. */
export function helpReply(lines: string[]): string {
  let out = arrayHeader(lines.length);
  for (const l of lines) out += `+${l}\r\n`;
  return out;
}

const ADMIN = ["admin", "noscript", "loading", "stale"] as const;
const CONN = ["noscript", "loading", "stale"] as const;

function sub(
  name: string,
  arity: number,
  flags: readonly CommandSpec["flags"][number][],
  since: string,
  summary: string,
  h: MainHandler,
): CommandSpec {
  return main(`client|${name}`, arity, [...flags], "connection", since, summary, "O(1)", h);
}

export const connectionCommands: CommandSpec[] = [
  {
    ...main(
      "ping",
      -1,
      ["fast"],
      "connection",
      "1.0.0",
      "Returns the server's liveliness response.",
      "O(1)",
      pingCommand,
    ),
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
  },
  main(
    "echo",
    2,
    ["loading", "stale", "fast"],
    "connection",
    "1.0.0",
    "Returns the given string.",
    "O(1)",
    echoCommand,
  ),
  main(
    "quit",
    -1,
    ["allow_busy", "noscript", "loading", "stale", "fast", "no_auth"],
    "connection",
    "1.0.0",
    "Closes the connection.",
    "O(1)",
    quitCommand,
  ),
  main(
    "auth",
    -2,
    ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    "connection",
    "1.0.0",
    "Authenticates the connection.",
    "O(N) where N is the number of passwords defined for the user",
    authCommand,
  ),
  main(
    "hello",
    -1,
    ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    "connection",
    "6.0.0",
    "Handshakes with the Redis server.",
    "O(1)",
    helloCommand,
  ),
  main(
    "select",
    2,
    ["loading", "stale", "fast"],
    "connection",
    "1.0.0",
    "Changes the selected database.",
    "O(1)",
    selectCommand,
  ),
  main(
    "reset",
    1,
    ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    "connection",
    "6.2.0",
    "Resets the connection.",
    "O(1)",
    resetCommand,
  ),
  container("client", -2, "connection", "2.4.0", "A container for client connection commands.", [
    sub("id", 2, CONN, "5.0.0", "Returns the unique client ID of the connection.", (c) => integer(c.id)),
    sub("getname", 2, CONN, "2.6.9", "Returns the name of the connection.", (c) =>
      bulkOrNull(c.name === "" ? undefined : c.name, c.proto),
    ),
    sub("setname", 3, CONN, "2.6.9", "Sets the connection name.", (c, argv) => {
      const err = validateClientName(argv[2]);
      if (err !== undefined) return err;
      c.name = argv[2];
      return OK;
    }),
    {
      ...sub("list", -2, ADMIN, "2.4.0", "Lists open connections.", clientListCommand),
      tips: ["nondeterministic_output"],
    },
    {
      ...sub("info", 2, CONN, "6.2.0", "Returns information about the connection.", (c) =>
        verbatim(`${clientInfoLine(c)}\n`, c.proto),
      ),
      tips: ["nondeterministic_output"],
    },
    sub("kill", -3, ADMIN, "2.4.0", "Terminates open connections.", clientKillCommand),
    sub("setinfo", 4, CONN, "7.2.0", "Sets information specific to the client or connection.", clientSetinfoCommand),
    sub("no-evict", 3, ADMIN, "7.0.0", "Sets the client eviction mode of the connection.", (c, argv) =>
      onOff(argv, (on) => (c.noEvict = on)),
    ),
    sub(
      "no-touch",
      3,
      CONN,
      "7.2.0",
      "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
      (c, argv) => onOff(argv, (on) => (c.noTouch = on)),
    ),
    sub("reply", 3, CONN, "3.2.0", "Instructs the server whether to reply to commands.", clientReplyCommand),
    sub("pause", -3, ADMIN, "3.0.0", "Suspends commands processing.", clientPauseCommand),
    sub("unpause", 2, ADMIN, "6.2.0", "Resumes processing commands from paused clients.", (c) => {
      c.server.unpause();
      return OK;
    }),
    sub("help", 2, ["loading", "stale"], "5.0.0", "Returns helpful text about the different subcommands.", () =>
      helpReply(CLIENT_HELP),
    ),
    // Client-side caching is not implemented (no CLIENT TRACKING): these three answer what
    // Redis answers for a connection that never enabled tracking.
    sub("caching", 3, CONN, "6.0.0", "Instruct the server about tracking or not keys in the next request", () =>
      error(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled",
      ),
    ),
    sub("getredir", 2, CONN, "6.0.0", "Get tracking notifications redirection client ID if any", () => integer(-1)),
    sub(
      "trackinginfo",
      2,
      CONN,
      "6.2.0",
      "Return information about server assisted client side caching for the current connection",
      (c) => trackingInfoReply(c.proto),
    ),
    sub(
      "unblock",
      -3,
      ADMIN,
      "5.0.0",
      "Unblock a client blocked in a blocking command from a different connection",
      clientUnblockCommand,
    ),
  ]),
];
