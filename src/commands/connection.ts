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
  ERR_WRONGPASS,
  errArity,
} from "../resp/errors.js";
import { arrayHeader, bulk, bulkOrNull, error, integer, mapHeader, OK, PONG, verbatim } from "../resp/reply.js";
import { parseInteger, parseSafeInteger } from "../util/numbers.js";
import { cmd, container, noKeys } from "./define.js";
import type { CommandSpec, MainHandler } from "./types.js";

export const REDIS_VERSION = "7.0.15";

function main(
  name: string,
  arity: number,
  flags: CommandSpec["flags"],
  group: string,
  since: string,
  summary: string,
  complexity: string,
  handler: MainHandler,
): CommandSpec {
  return cmd(name, arity, flags, noKeys, group, since, summary, complexity, { main: handler, runsOn: "main" });
}

/** The default user's password check: with no requirepass the default user is `nopass`. */
function checkPassword(c: Client, user: string, pass: string): boolean {
  if (user !== "default") return false;
  const want = c.server.requirePass;
  return want === "" || want === pass;
}

/* PING [message] */
function pingCommand(_c: Client, argv: string[]): string {
  if (argv.length > 2) return errArity("ping");
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

/* HELLO [protover [AUTH username password] [SETNAME clientname]] */
function helloCommand(c: Client, argv: string[]): string {
  let ver = 0;
  let j = 1;
  if (argv.length >= 2) {
    const v = parseInteger(argv[j++]);
    if (v === undefined) return error("ERR Protocol version is not an integer or out of range");
    if (v < 2 || v > 3) return ERR_NOPROTO;
    ver = Number(v);
  }
  let auth: [string, string] | undefined;
  let setname: string | undefined;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j].toLowerCase();
    if (opt === "auth" && more >= 2) {
      auth = [argv[j + 1], argv[j + 2]];
      j += 2;
    } else if (opt === "setname" && more >= 1) {
      setname = argv[++j];
    } else return error(`ERR Syntax error in HELLO option '${argv[j]}'`);
  }
  if (auth !== undefined) {
    if (!checkPassword(c, auth[0], auth[1])) return ERR_WRONGPASS;
    c.authenticated = true;
  }
  if (!c.authenticated) {
    return error(
      "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
    );
  }
  if (setname !== undefined) {
    const err = validateClientName(setname);
    if (err !== undefined) return err;
    c.name = setname;
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

/* SELECT index */
function selectCommand(c: Client, argv: string[]): string {
  const id = parseSafeInteger(argv[1]);
  if (id === undefined || id < -2147483648 || id > 2147483647) return ERR_NOT_INTEGER;
  if (id < 0 || id >= c.server.databases) return ERR_DB_INDEX;
  c.db = id;
  return OK;
}

/* RESET */
function resetCommand(c: Client): string {
  c.db = 0;
  c.proto = 2;
  c.name = "";
  c.replyMode = "on";
  c.noEvict = false;
  c.noTouch = false;
  if (c.monitor) {
    c.monitor = false;
    c.server.monitors.delete(c);
  }
  c.authenticated = !c.server.authRequiredForNewClients();
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
    `flags=${c.flagsString()} db=${c.db} sub=0 psub=0 ssub=0 multi=-1 qbuf=${qbuf} qbuf-free=${Math.max(0, 20474 - qbuf)} ` +
    `argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=0 oll=0 omem=${omem} tot-mem=${22000 + qbuf + omem} ` +
    `events=r${omem > 0 ? "w" : ""} cmd=${c.lastCommand} user=default redir=-1 resp=${c.proto} lib-name=${c.libName} lib-ver=${c.libVer}`
  );
}

function clientType(c: Client): string {
  return c.monitor ? "monitor" : "normal";
}

/* CLIENT LIST [TYPE normal|master|replica|pubsub] [ID client-id [client-id ...]] */
function clientListCommand(c: Client, argv: string[]): string {
  let type: string | undefined;
  let ids: Set<number> | undefined;
  if (argv.length === 4 && argv[2].toLowerCase() === "type") {
    type = argv[3].toLowerCase();
    if (type === "slave") type = "replica";
    if (!["normal", "master", "replica", "pubsub"].includes(type)) return error(`ERR Unknown client type '${argv[3]}'`);
  } else if (argv.length >= 4 && argv[2].toLowerCase() === "id") {
    ids = new Set();
    for (let j = 3; j < argv.length; j++) {
      const id = parseSafeInteger(argv[j]);
      if (id === undefined || id <= 0) return error("ERR Invalid client ID");
      ids.add(id);
    }
  } else if (argv.length !== 2) return ERR_SYNTAX;
  let out = "";
  const now = Date.now();
  for (const cl of c.server.clients.values()) {
    if (type !== undefined && (type === "normal" ? clientType(cl) !== "normal" && clientType(cl) !== "monitor" : true))
      continue;
    if (ids !== undefined && !ids.has(cl.id)) continue;
    out += `${clientInfoLine(cl, now)}\n`;
  }
  return verbatim(out, c.proto);
}

/* CLIENT KILL ip:port | CLIENT KILL <filter> <value> ... */
function clientKillCommand(c: Client, argv: string[]): string {
  const server = c.server;
  if (argv.length === 3) {
    // old form: one address, error when absent
    for (const cl of server.clients.values()) {
      if (cl.addr === argv[2]) {
        killClient(c, cl);
        return OK;
      }
    }
    return error("ERR No such client");
  }
  const filters: Array<(cl: Client) => boolean> = [];
  let skipme = true;
  for (let i = 2; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) return ERR_SYNTAX;
    const opt = argv[i].toLowerCase();
    const v = argv[i + 1];
    if (opt === "id") {
      const id = parseSafeInteger(v);
      if (id === undefined || id <= 0) return error("ERR client-id should be greater than 0");
      filters.push((cl) => cl.id === id);
    } else if (opt === "type") {
      let t = v.toLowerCase();
      if (t === "slave") t = "replica";
      if (!["normal", "master", "replica", "pubsub"].includes(t)) return error(`ERR Unknown client type '${v}'`);
      filters.push((cl) => t === "normal" && clientType(cl) !== "pubsub");
    } else if (opt === "addr") filters.push((cl) => cl.addr === v);
    else if (opt === "laddr") filters.push((cl) => cl.laddr === v);
    else if (opt === "user") filters.push(() => v === "default");
    else if (opt === "skipme") {
      const y = v.toLowerCase();
      if (y === "yes") skipme = true;
      else if (y === "no") skipme = false;
      else return ERR_SYNTAX;
    } else return ERR_SYNTAX;
  }
  let n = 0;
  for (const cl of [...server.clients.values()]) {
    if (skipme && cl === c) continue;
    if (!filters.every((f) => f(cl))) continue;
    killClient(c, cl);
    n++;
  }
  return integer(n);
}

function killClient(self: Client, victim: Client): void {
  if (victim === self) self.closeAfterReply = true;
  else self.server.closeClient(victim);
}

/* CLIENT PAUSE timeout [WRITE | ALL] */
function clientPauseCommand(c: Client, argv: string[]): string {
  const ms = parseSafeInteger(argv[2]);
  if (ms === undefined) return error("ERR timeout is not an integer or out of range");
  if (ms < 0) return error("ERR timeout is negative");
  let writesOnly = false;
  if (argv.length === 4) {
    const m = argv[3].toLowerCase();
    if (m === "write") writesOnly = true;
    else if (m !== "all") return error("ERR CLIENT PAUSE mode must be WRITE or ALL");
  } else if (argv.length > 4) return ERR_SYNTAX;
  const server = c.server;
  const until = Date.now() + ms;
  // a second pause never shortens the first, and ALL wins over WRITE (pauseClients)
  if (until > server.pauseUntil) server.pauseUntil = until;
  server.pauseWritesOnly =
    server.pauseUntil > 0 && server.pauseWritesOnly !== false ? writesOnly && server.pauseWritesOnly : writesOnly;
  setTimeout(() => {
    if (server.pauseUntil !== 0 && Date.now() >= server.pauseUntil) server.unpause();
  }, ms + 1).unref();
  return OK;
}

function onOff(argv: string[], apply: (on: boolean) => void): string {
  const v = argv[2].toLowerCase();
  if (v === "on") apply(true);
  else if (v === "off") apply(false);
  else return ERR_SYNTAX;
  return OK;
}

/* CLIENT SETINFO <LIB-NAME libname | LIB-VER libver> (Redis 7.2) */
function clientSetinfoCommand(c: Client, argv: string[]): string {
  const attr = argv[2].toLowerCase();
  const v = argv[3];
  for (let i = 0; i < v.length; i++) {
    const ch = v.charCodeAt(i);
    if (ch < 33 || ch > 126) return error(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
  }
  if (attr === "lib-name") c.libName = v;
  else if (attr === "lib-ver") c.libVer = v;
  else return error(`ERR Unrecognized option '${argv[2]}'`);
  return OK;
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
  "    * ID <client-id>",
  "      Kill connections by client id.",
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
  "    Print this help.",
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
  main("ping", -1, ["fast"], "connection", "1.0.0", "Returns the server's liveliness response.", "O(1)", pingCommand),
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
    sub("list", -2, ADMIN, "2.4.0", "Lists open connections.", clientListCommand),
    sub("info", 2, CONN, "6.2.0", "Returns information about the connection.", (c) =>
      verbatim(`${clientInfoLine(c)}\n`, c.proto),
    ),
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
    sub("reply", 3, CONN, "3.2.0", "Instructs the server whether to reply to commands.", (c, argv) => {
      const m = argv[2].toLowerCase();
      if (m === "on") {
        c.replyMode = "on";
        return OK;
      }
      // OFF and SKIP answer nothing themselves
      if (m === "off") c.replyMode = "off";
      else if (m === "skip") {
        if (c.replyMode === "on") c.replyMode = "skip";
      } else return ERR_SYNTAX;
      return undefined;
    }),
    sub("pause", -3, ADMIN, "3.0.0", "Suspends commands processing.", clientPauseCommand),
    sub("unpause", 2, ADMIN, "6.2.0", "Resumes processing commands from paused clients.", (c) => {
      c.server.unpause();
      return OK;
    }),
    sub("help", 2, ["loading", "stale"], "5.0.0", "Returns helpful text about the different subcommands.", () =>
      helpReply(CLIENT_HELP),
    ),
  ]),
];
