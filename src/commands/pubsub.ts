/*
 * Pub/Sub commands (pubsub.c): SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH,
 * SSUBSCRIBE SUNSUBSCRIBE SPUBLISH, PUBSUB CHANNELS|NUMSUB|NUMPAT|SHARDCHANNELS|
 * SHARDNUMSUB|HELP. They run on the main thread, which owns the subscribers' sockets; the
 * state and the fan-out live in src/net/pubsub.ts.
 *
 * Shard channels are declared as keys (key specs with `not_key`), as Redis 7.0 does for
 * cluster routing; here they still run on the main thread.
 */
import type { Client } from "../net/client.js";
import { arrayHeader, bulk, error, integer } from "../resp/reply.js";
import { helpReply } from "./connection.js";
import { cmd, container, mainCmd } from "./define.js";
import type { CommandFlag, CommandSpec, KeySpec, MainHandler } from "./types.js";

/**
 * The (un)subscribe confirmations are pushes (CLIENT_PUSHING): CLIENT REPLY OFF/SKIP does
 * not drop them, so they bypass the reply path then.
 */
function pushed(c: Client, out: string): string | undefined {
  if (!c.repliesDropped()) return out;
  c.server.pubsub.push(c, out);
  return undefined;
}

/* SUBSCRIBE channel [channel ...] */
function subscribeCommand(c: Client, argv: string[]): string | undefined {
  return pushed(c, c.server.pubsub.subscribe(c, argv.slice(1), false));
}

/* UNSUBSCRIBE [channel [channel ...]] */
function unsubscribeCommand(c: Client, argv: string[]): string | undefined {
  return pushed(c, c.server.pubsub.unsubscribe(c, argv.slice(1), false));
}

/* PSUBSCRIBE pattern [pattern ...] */
function psubscribeCommand(c: Client, argv: string[]): string | undefined {
  return pushed(c, c.server.pubsub.psubscribe(c, argv.slice(1)));
}

/* PUNSUBSCRIBE [pattern [pattern ...]] */
function punsubscribeCommand(c: Client, argv: string[]): string | undefined {
  return pushed(c, c.server.pubsub.punsubscribe(c, argv.slice(1)));
}

/*
 * SSUBSCRIBE shardchannel [shardchannel ...]. Inside EXEC the client expects one reply per
 * command (Redis's CLIENT_DENY_BLOCKING), which SSUBSCRIBE, unlike SUBSCRIBE, refuses.
 */
function ssubscribeCommand(c: Client, argv: string[]): string | undefined {
  if (c.inExec) return "-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n";
  return pushed(c, c.server.pubsub.subscribe(c, argv.slice(1), true));
}

/* SUNSUBSCRIBE [shardchannel [shardchannel ...]] */
function sunsubscribeCommand(c: Client, argv: string[]): string | undefined {
  return pushed(c, c.server.pubsub.unsubscribe(c, argv.slice(1), true));
}

/* PUBLISH channel message */
function publishCommand(c: Client, argv: string[]): string {
  return integer(c.server.pubsub.publish(argv[1], argv[2], false));
}

/* SPUBLISH shardchannel message */
function spublishCommand(c: Client, argv: string[]): string {
  return integer(c.server.pubsub.publish(argv[1], argv[2], true));
}

// ---------------------------------------------------------------- PUBSUB

/** addReplySubcommandSyntaxError: argv[1] as typed (at most 128 bytes), argv[0] upper-cased. */
function subcommandSyntaxError(argv: readonly string[]): string {
  return error(
    `ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`,
  );
}

/* PUBSUB CHANNELS [pattern] and PUBSUB SHARDCHANNELS [pattern] (at most one pattern) */
function channelsGeneric(c: Client, argv: string[], shard: boolean): string {
  if (argv.length > 3) return subcommandSyntaxError(argv);
  const list = c.server.pubsub.channelList(argv[2], shard);
  let out = arrayHeader(list.length);
  for (const ch of list) out += bulk(ch);
  return out;
}

/* PUBSUB NUMSUB [channel ...] and PUBSUB SHARDNUMSUB [shardchannel ...]: a flat array in RESP3 too */
function numsubGeneric(c: Client, argv: string[], shard: boolean): string {
  let out = arrayHeader((argv.length - 2) * 2);
  for (let j = 2; j < argv.length; j++) out += bulk(argv[j]) + integer(c.server.pubsub.numSub(argv[j], shard));
  return out;
}

const PUBSUB_HELP = [
  "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)",
  "HELP",
  "    Prints this help.",
];

// ---------------------------------------------------------------- table

const SUB_FLAGS: CommandFlag[] = ["pubsub", "noscript", "loading", "stale"];
const PUB_FLAGS: CommandFlag[] = ["pubsub", "loading", "stale", "fast"];
const INTROSPECT_FLAGS: CommandFlag[] = ["pubsub", "loading", "stale"];

/** A shard channel is declared as a key that is not a key (`not_key`): from argument 1 to `lastkey`. */
function shardChannelSpec(lastkey: number): KeySpec[] {
  return [{ flags: ["not_key"], beginSearch: { index: 1 }, findKeys: { range: { lastkey, step: 1, limit: 0 } } }];
}

function pubsubSub(
  name: string,
  arity: number,
  flags: CommandFlag[],
  since: string,
  summary: string,
  complexity: string,
  h: MainHandler,
  acl?: string[],
): CommandSpec {
  return mainCmd(`pubsub|${name}`, arity, flags, "pubsub", since, summary, complexity, h, acl);
}

export const pubsubCommands: CommandSpec[] = [
  mainCmd(
    "subscribe",
    -2,
    SUB_FLAGS,
    "pubsub",
    "2.0.0",
    "Listen for messages published to the given channels",
    "O(N) where N is the number of channels to subscribe to.",
    subscribeCommand,
  ),
  mainCmd(
    "unsubscribe",
    -1,
    SUB_FLAGS,
    "pubsub",
    "2.0.0",
    "Stop listening for messages posted to the given channels",
    "O(N) where N is the number of clients already subscribed to a channel.",
    unsubscribeCommand,
  ),
  mainCmd(
    "psubscribe",
    -2,
    SUB_FLAGS,
    "pubsub",
    "2.0.0",
    "Listen for messages published to channels matching the given patterns",
    "O(N) where N is the number of patterns the client is already subscribed to.",
    psubscribeCommand,
  ),
  mainCmd(
    "punsubscribe",
    -1,
    SUB_FLAGS,
    "pubsub",
    "2.0.0",
    "Stop listening for messages posted to channels matching the given patterns",
    "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
    punsubscribeCommand,
  ),
  mainCmd(
    "publish",
    3,
    PUB_FLAGS,
    "pubsub",
    "2.0.0",
    "Post a message to a channel",
    "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
    publishCommand,
  ),
  cmd(
    "spublish",
    3,
    PUB_FLAGS,
    { first: 1, last: 1, step: 1 },
    "pubsub",
    "7.0.0",
    "Post a message to a shard channel",
    "O(N) where N is the number of clients subscribed to the receiving shard channel.",
    { main: spublishCommand, runsOn: "main", keySpecs: shardChannelSpec(0) },
  ),
  cmd(
    "ssubscribe",
    -2,
    SUB_FLAGS,
    { first: 1, last: -1, step: 1 },
    "pubsub",
    "7.0.0",
    "Listen for messages published to the given shard channels",
    "O(N) where N is the number of shard channels to subscribe to.",
    { main: ssubscribeCommand, runsOn: "main", keySpecs: shardChannelSpec(-1) },
  ),
  cmd(
    "sunsubscribe",
    -1,
    SUB_FLAGS,
    { first: 1, last: -1, step: 1 },
    "pubsub",
    "7.0.0",
    "Stop listening for messages posted to the given shard channels",
    "O(N) where N is the number of clients already subscribed to a shard channel.",
    { main: sunsubscribeCommand, runsOn: "main", keySpecs: shardChannelSpec(-1) },
  ),
  // subcommands in the order 7.0.15's COMMAND INFO lists them
  container("pubsub", -2, "pubsub", "2.8.0", "A container for Pub/Sub commands", [
    pubsubSub(
      "numsub",
      -2,
      INTROSPECT_FLAGS,
      "2.8.0",
      "Get the count of subscribers for channels",
      "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
      (c, argv) => numsubGeneric(c, argv, false),
    ),
    pubsubSub(
      "shardnumsub",
      -2,
      INTROSPECT_FLAGS,
      "7.0.0",
      "Get the count of subscribers for shard channels",
      "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
      (c, argv) => numsubGeneric(c, argv, true),
    ),
    pubsubSub(
      "channels",
      -2,
      INTROSPECT_FLAGS,
      "2.8.0",
      "List active channels",
      "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
      (c, argv) => channelsGeneric(c, argv, false),
    ),
    pubsubSub(
      "numpat",
      2,
      INTROSPECT_FLAGS,
      "2.8.0",
      "Get the count of unique patterns pattern subscriptions",
      "O(1)",
      (c) => integer(c.server.pubsub.patterns.size),
    ),
    pubsubSub(
      "shardchannels",
      -2,
      INTROSPECT_FLAGS,
      "7.0.0",
      "List active shard channels",
      "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
      (c, argv) => channelsGeneric(c, argv, true),
    ),
    pubsubSub(
      "help",
      2,
      ["loading", "stale"],
      "6.2.0",
      "Show helpful text about the different subcommands",
      "O(1)",
      () => helpReply(PUBSUB_HELP),
      ["-pubsub"],
    ),
  ]),
];
