/*
 * Pub/Sub (pubsub.c) on the main thread: it owns the sockets, so publishing is a fan-out of
 * bytes into the subscribers' output, with no shard involved.
 *
 * State, as Redis keeps it:
 *  - server side: channel -> subscribers, pattern -> subscribers, shard channel ->
 *    subscribers. An entry goes away with its last subscriber (PUBSUB CHANNELS and NUMPAT
 *    count only live ones).
 *  - client side (Client.subs): its channels, its patterns in subscription order (7.0 keeps
 *    them in a list: PUNSUBSCRIBE without arguments answers in that order), its shard
 *    channels. `Client.subs` is undefined exactly when the client is not in Pub/Sub mode
 *    (CLIENT_PUBSUB): the flag is set by every (P|S)SUBSCRIBE and cleared when an
 *    unsubscribe leaves no subscription at all.
 *
 * Replies and messages:
 *  1. (P|S)SUBSCRIBE and (P|S)UNSUBSCRIBE answer one 3-element push per channel: RESP2 `*3`,
 *     RESP3 `>3`, with the count of subscriptions left: channels + patterns for the
 *     global kind, shard channels alone for the shard kind. An unsubscribe-all with nothing
 *     to drop still answers once, with a null channel.
 *  2. Those confirmations and the messages are pushes (CLIENT_PUSHING): CLIENT REPLY
 *     OFF/SKIP does not drop them.
 *  3. PUBLISH answers how many deliveries it made: channel subscribers plus one per
 *     (pattern, subscriber) pair that matched; a client subscribed to the channel and to two
 *     matching patterns receives the message three times.
 *  4. Shard channels (SSUBSCRIBE/SPUBLISH) ignore patterns.
 *
 * Output buffer limits (`client-output-buffer-limit pubsub <hard> <soft> <seconds>`): after
 * a message is queued for a subscriber whose pending output (not yet handed to the socket,
 * plus what the socket still holds) reaches the hard limit, or has stood over the soft
 * limit for more than <seconds>, the subscriber is closed at once and what was queued for
 * it is dropped, with Redis's log line.
 */
import { clientInfoLine } from "../commands/connection.js";
import { stringMatch } from "../keyspace/glob.js";
import { bulk, nullBulk, type Proto } from "../resp/reply.js";
import { log } from "../util/log.js";
import type { Client } from "./client.js";
import type { Server } from "./server.js";

/** One connection's subscriptions (client->pubsub_channels, pubsub_patterns, pubsubshard_channels). */
export class Subscriptions {
  readonly channels = new Set<string>();
  /** in subscription order */
  readonly patterns = new Set<string>();
  readonly shard = new Set<string>();
  /** obuf_soft_limit_reached_time: when the output first stood over the soft limit (s), 0 if not */
  softSince = 0;

  /** clientSubscriptionsCount: what (P)SUBSCRIBE/(P)UNSUBSCRIBE report */
  count(): number {
    return this.channels.size + this.patterns.size;
  }

  total(): number {
    return this.channels.size + this.patterns.size + this.shard.size;
  }
}

/** The two kinds of channels: global (SUBSCRIBE/PUBLISH) and shard (SSUBSCRIBE/SPUBLISH). */
interface ChannelKind {
  readonly shard: boolean;
  readonly subscribeMsg: string;
  readonly unsubscribeMsg: string;
  readonly messageMsg: string;
}

const GLOBAL: ChannelKind = {
  shard: false,
  subscribeMsg: bulk("subscribe"),
  unsubscribeMsg: bulk("unsubscribe"),
  messageMsg: bulk("message"),
};
const SHARD: ChannelKind = {
  shard: true,
  subscribeMsg: bulk("ssubscribe"),
  unsubscribeMsg: bulk("sunsubscribe"),
  messageMsg: bulk("smessage"),
};
const PSUBSCRIBE = bulk("psubscribe");
const PUNSUBSCRIBE = bulk("punsubscribe");
const PMESSAGE = bulk("pmessage");

/** The commands a RESP2 client in Pub/Sub mode may still run. */
const ALLOWED_IN_PUBSUB = new Set([
  "ping",
  "subscribe",
  "ssubscribe",
  "unsubscribe",
  "sunsubscribe",
  "psubscribe",
  "punsubscribe",
  "quit",
  "reset",
]);

function push3(proto: Proto): string {
  return proto === 3 ? ">3\r\n" : "*3\r\n";
}

export class PubSub {
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();
  readonly shardChannels = new Map<string, Set<Client>>();
  /** the pubsub class of client-output-buffer-limit, read at the first delivery */
  private limits: { hard: number; soft: number; seconds: number } | undefined;
  /** subscribers found over their output limit during a fan-out, closed after it */
  private readonly overLimit: Client[] = [];

  /** Built as a field of the Server: it may not touch `server.config` yet. */
  constructor(private readonly server: Server) {}

  private readLimits(): { hard: number; soft: number; seconds: number } {
    const config = this.server.config;
    config.onChange("client-output-buffer-limit", () => {
      this.limits = config.getClientOutputBufferLimits().pubsub;
    });
    return config.getClientOutputBufferLimits().pubsub;
  }

  /**
   * processCommand's check: a RESP2 client in Pub/Sub mode may only run (P|S)SUBSCRIBE,
   * (P|S)UNSUBSCRIBE, PING, QUIT and RESET. Returns the error for anything else.
   */
  rejectInContext(c: Client, name: string): string | undefined {
    if (c.subs === undefined || c.proto !== 2 || ALLOWED_IN_PUBSUB.has(name)) return undefined;
    const why = `Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
    // (a refused EXEC gets execCommandAbort's text from Server.reject)
    return `-ERR ${why}\r\n`;
  }

  // ---------------------------------------------------------------- subscribing

  private subsOf(c: Client): Subscriptions {
    if (c.subs === undefined) c.subs = new Subscriptions();
    return c.subs;
  }

  /** Leaves Pub/Sub mode once nothing is subscribed (after an unsubscribe command). */
  private settle(c: Client): void {
    if (c.subs !== undefined && c.subs.total() === 0) c.subs = undefined;
  }

  private countFor(s: Subscriptions | undefined, kind: ChannelKind): number {
    if (s === undefined) return 0;
    return kind.shard ? s.shard.size : s.count();
  }

  /** pubsubSubscribeChannel: subscribes (if not yet) and returns the confirmation. */
  private subscribeChannel(c: Client, channel: string, kind: ChannelKind): string {
    const s = this.subsOf(c);
    const mine = kind.shard ? s.shard : s.channels;
    if (!mine.has(channel)) {
      mine.add(channel);
      const map = kind.shard ? this.shardChannels : this.channels;
      let set = map.get(channel);
      if (set === undefined) {
        set = new Set();
        map.set(channel, set);
      }
      set.add(c);
    }
    return `${push3(c.proto)}${kind.subscribeMsg}${bulk(channel)}:${this.countFor(s, kind)}\r\n`;
  }

  /** pubsubUnsubscribeChannel: returns whether the client was subscribed. */
  private unsubscribeChannel(c: Client, channel: string, kind: ChannelKind): boolean {
    const s = c.subs;
    const mine = s === undefined ? undefined : kind.shard ? s.shard : s.channels;
    if (mine === undefined || !mine.delete(channel)) return false;
    const map = kind.shard ? this.shardChannels : this.channels;
    const set = map.get(channel);
    if (set !== undefined) {
      set.delete(c);
      if (set.size === 0) map.delete(channel);
    }
    return true;
  }

  private unsubscribedReply(c: Client, channel: string | undefined, kind: ChannelKind): string {
    const ch = channel === undefined ? nullBulk(c.proto) : bulk(channel);
    return `${push3(c.proto)}${kind.unsubscribeMsg}${ch}:${this.countFor(c.subs, kind)}\r\n`;
  }

  private subscribePattern(c: Client, pattern: string): string {
    const s = this.subsOf(c);
    if (!s.patterns.has(pattern)) {
      s.patterns.add(pattern);
      let set = this.patterns.get(pattern);
      if (set === undefined) {
        set = new Set();
        this.patterns.set(pattern, set);
      }
      set.add(c);
    }
    return `${push3(c.proto)}${PSUBSCRIBE}${bulk(pattern)}:${s.count()}\r\n`;
  }

  private unsubscribePattern(c: Client, pattern: string): boolean {
    if (c.subs === undefined || !c.subs.patterns.delete(pattern)) return false;
    const set = this.patterns.get(pattern);
    if (set !== undefined) {
      set.delete(c);
      if (set.size === 0) this.patterns.delete(pattern);
    }
    return true;
  }

  private patUnsubscribedReply(c: Client, pattern: string | undefined): string {
    const p = pattern === undefined ? nullBulk(c.proto) : bulk(pattern);
    return `${push3(c.proto)}${PUNSUBSCRIBE}${p}:${c.subs?.count() ?? 0}\r\n`;
  }

  /** SUBSCRIBE / SSUBSCRIBE: the confirmations, one per channel. */
  subscribe(c: Client, channels: readonly string[], shard: boolean): string {
    const kind = shard ? SHARD : GLOBAL;
    let out = "";
    for (const ch of channels) out += this.subscribeChannel(c, ch, kind);
    return out;
  }

  /** UNSUBSCRIBE / SUNSUBSCRIBE: the named channels, or all of them when none is named. */
  unsubscribe(c: Client, channels: readonly string[], shard: boolean): string {
    const kind = shard ? SHARD : GLOBAL;
    let out = "";
    if (channels.length > 0) {
      for (const ch of channels) {
        this.unsubscribeChannel(c, ch, kind);
        out += this.unsubscribedReply(c, ch, kind);
      }
    } else {
      const s = c.subs;
      const mine = s === undefined ? [] : [...(shard ? s.shard : s.channels)];
      for (const ch of mine) {
        this.unsubscribeChannel(c, ch, kind);
        out += this.unsubscribedReply(c, ch, kind);
      }
      if (mine.length === 0) out += this.unsubscribedReply(c, undefined, kind);
    }
    this.settle(c);
    return out;
  }

  /** PSUBSCRIBE */
  psubscribe(c: Client, patterns: readonly string[]): string {
    let out = "";
    for (const p of patterns) out += this.subscribePattern(c, p);
    return out;
  }

  /** PUNSUBSCRIBE: the named patterns, or all of them (in subscription order). */
  punsubscribe(c: Client, patterns: readonly string[]): string {
    let out = "";
    if (patterns.length > 0) {
      for (const p of patterns) {
        this.unsubscribePattern(c, p);
        out += this.patUnsubscribedReply(c, p);
      }
    } else {
      const mine = c.subs === undefined ? [] : [...c.subs.patterns];
      for (const p of mine) {
        this.unsubscribePattern(c, p);
        out += this.patUnsubscribedReply(c, p);
      }
      if (mine.length === 0) out += this.patUnsubscribedReply(c, undefined);
    }
    this.settle(c);
    return out;
  }

  /** RESET and a closing connection: every subscription goes, nothing is answered. */
  dropClient(c: Client): void {
    const s = c.subs;
    if (s === undefined) return;
    for (const ch of [...s.channels]) this.unsubscribeChannel(c, ch, GLOBAL);
    for (const ch of [...s.shard]) this.unsubscribeChannel(c, ch, SHARD);
    for (const p of [...s.patterns]) this.unsubscribePattern(c, p);
    c.subs = undefined;
  }

  // ---------------------------------------------------------------- publishing

  /**
   * PUBLISH / SPUBLISH: queues the message for every subscriber of the channel and, for
   * the global kind, for every subscriber of every matching pattern. Returns the number of
   * deliveries.
   */
  publish(channel: string, message: string, shard: boolean): number {
    const kind = shard ? SHARD : GLOBAL;
    let receivers = 0;
    const subs = (shard ? this.shardChannels : this.channels).get(channel);
    if (subs !== undefined) {
      const body = `${kind.messageMsg}${bulk(channel)}${bulk(message)}`;
      const m2 = `*3\r\n${body}`;
      const m3 = `>3\r\n${body}`;
      for (const c of subs) {
        this.deliver(c, c.proto === 3 ? m3 : m2);
        receivers++;
      }
    }
    if (!shard && this.patterns.size > 0) {
      let tail: string | undefined;
      for (const [pattern, clients] of this.patterns) {
        if (!stringMatch(pattern, channel, false)) continue;
        tail ??= `${bulk(channel)}${bulk(message)}`;
        const body = `${PMESSAGE}${bulk(pattern)}${tail}`;
        const m2 = `*4\r\n${body}`;
        const m3 = `>4\r\n${body}`;
        for (const c of clients) {
          this.deliver(c, c.proto === 3 ? m3 : m2);
          receivers++;
        }
      }
    }
    if (this.overLimit.length > 0) this.closeOverLimit();
    return receivers;
  }

  /**
   * Queues a push: after the replies still pending for the commands the client sent before
   * it, except while the client is blocked (Redis writes to a blocked client at once).
   * CLIENT REPLY OFF/SKIP does not drop pushes.
   */
  push(c: Client, msg: string): void {
    if (c.pendingReplies() === 0 || c.held !== undefined) c.write(msg);
    else c.deliver(msg, c.reserve());
    this.server.markDirty(c);
  }

  /**
   * Queues a message for a subscriber (behind the replies of the commands it sent before:
   * they were sequenced before this publish) and checks its output buffer limit.
   */
  private deliver(c: Client, msg: string): void {
    if (c.closed) return;
    this.push(c, msg);
    const limits = (this.limits ??= this.readLimits());
    if (limits.hard > 0 || limits.soft > 0) this.checkLimits(c, limits);
  }

  /** checkClientOutputBufferLimits for the pubsub class. */
  private checkLimits(c: Client, limits: { hard: number; soft: number; seconds: number }): void {
    const s = c.subs;
    if (s === undefined) return;
    const used = c.out.length + c.socket.writableLength;
    const { hard, soft, seconds } = limits;
    let over = hard > 0 && used >= hard;
    if (soft > 0 && used >= soft) {
      const now = Math.floor(Date.now() / 1000);
      if (s.softSince === 0) s.softSince = now;
      else if (now - s.softSince > seconds) over = true;
    } else s.softSince = 0;
    if (over && !this.overLimit.includes(c)) this.overLimit.push(c);
  }

  private closeOverLimit(): void {
    for (const c of this.overLimit.splice(0)) {
      if (c.closed) continue;
      log("warning", `Client ${clientInfoLine(c)} scheduled to be closed ASAP for overcoming of output buffer limits.`);
      // what was queued for it is dropped, not flushed
      c.out = "";
      this.server.closeClient(c);
      c.socket.destroy();
    }
  }

  // ---------------------------------------------------------------- introspection

  /** PUBSUB CHANNELS / SHARDCHANNELS: the live channels matching the pattern (all without one). */
  channelList(pattern: string | undefined, shard: boolean): string[] {
    const out: string[] = [];
    for (const ch of (shard ? this.shardChannels : this.channels).keys()) {
      if (pattern === undefined || stringMatch(pattern, ch, false)) out.push(ch);
    }
    return out;
  }

  /** PUBSUB NUMSUB / SHARDNUMSUB: subscribers of one channel (pattern subscribers excluded). */
  numSub(channel: string, shard: boolean): number {
    return (shard ? this.shardChannels : this.channels).get(channel)?.size ?? 0;
  }
}
