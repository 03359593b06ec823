/*
 * One connection: its parser, its state (db, protocol, name, auth), and the ordered reply
 * queue. Commands of one connection may be served by different shards and come back in
 * any order; each takes a slot when dispatched and the connection writes slots strictly in
 * dispatch order.
 */
import type { Socket } from "node:net";
import { errProtocol } from "../resp/errors.js";
import { type CommandSink, RequestParser } from "../resp/parser.js";
import type { Proto } from "../resp/reply.js";
import type { ReplyTarget } from "../shards/router.js";
import { DirectWriter } from "./direct-write.js";
import type { Subscriptions } from "./pubsub.js";
import type { Server } from "./server.js";

export class Client implements ReplyTarget, CommandSink {
  readonly parser = new RequestParser();
  db = 0;
  proto: Proto = 2;
  authenticated: boolean;
  name = "";
  libName = "";
  libVer = "";
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  lastCommand = "NULL";
  /**
   * CLIENT REPLY, with Redis's three flags: OFF drops every reply; SKIP drops the replies
   * of the command being processed; SKIP_NEXT (set by CLIENT REPLY SKIP) becomes SKIP for
   * the command after it. See afterCommand().
   */
  replyOff = false;
  replySkip = false;
  replySkipNext = false;
  monitor = false;
  noEvict = false;
  noTouch = false;
  closeAfterReply = false;
  closed = false;
  /**
   * Commands that arrived while a blocking command of this client was in flight or
   * parked: they run, in order, when it is answered (src/net/blocking.ts).
   */
  held: string[][] | undefined;
  /** Pub/Sub subscriptions; undefined when not in Pub/Sub mode (src/net/pubsub.ts) */
  subs: Subscriptions | undefined;
  /** MULTI: the queued commands; undefined outside a transaction */
  multi: string[][] | undefined;
  /** a command was refused while queuing: EXEC answers EXECABORT */
  multiFailed = false;
  /** WATCHed keys (`${db}\0${key}`) with their expire time when watched (-1: none) */
  watching: Map<string, number> | undefined;
  /** a watched key was written: EXEC answers nil (CLIENT_DIRTY_CAS) */
  dirtyCas = false;
  /** EXEC is running this client's queued commands */
  inExec = false;
  readonly addr: string;
  readonly laddr: string;
  private readonly writer: DirectWriter;

  /** output not yet handed to the socket */
  out = "";
  /**
   * Replies waiting for earlier ones: slots[head + i] is sequence number slotBase + i.
   * Slots before `head` are written out already; the array is emptied when head reaches
   * its end (and compacted when a client never lets it), not spliced per reply.
   */
  private slots: (string | undefined)[] = [];
  private head = 0;
  private slotBase = 0;
  private nextSeq = 0;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    readonly server: Server,
  ) {
    this.authenticated = !server.authRequiredForNewClients();
    this.writer = new DirectWriter(socket);
    this.addr = `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? 0}`;
    this.laddr = `${socket.localAddress ?? "?"}:${socket.localPort ?? 0}`;
  }

  // ---------------------------------------------------------------- CommandSink

  command(argv: string[]): boolean {
    return this.server.processCommand(this, argv);
  }

  commandRaw(buf: Buffer, start: number, end: number, offs: Int32Array, argc: number): boolean | undefined {
    return this.server.processRaw(this, buf, start, end, offs, argc);
  }

  /**
   * Nothing about this connection asks for more than running its next command: no AUTH
   * due, no MULTI, no Pub/Sub mode, no command waiting, no CLIENT REPLY flag, not closing.
   */
  plain(): boolean {
    return (
      this.authenticated &&
      this.held === undefined &&
      this.multi === undefined &&
      this.subs === undefined &&
      !this.replyOff &&
      !this.replySkip &&
      !this.replySkipNext &&
      !this.closeAfterReply
    );
  }

  protocolError(what: string): void {
    this.server.logVerbose(`Protocol error (${what}) from client: id=${this.id} addr=${this.addr}`);
    // Redis sets close-after-reply; with replies off nothing is written, so nothing closes
    // the connection either: it stays open and reads no more (the parser has stopped)
    if (this.repliesDropped()) return;
    // after the replies of the commands before it, which shards may still be running
    this.reply(errProtocol(what));
    this.closeAfterReply = true;
    this.server.markDirty(this);
  }

  /** Whether a reply added now is dropped (CLIENT REPLY OFF, or SKIP for this command). */
  repliesDropped(): boolean {
    return this.replyOff || this.replySkip;
  }

  /** resetClient: after every processed command, rejected ones included. */
  afterCommand(): void {
    this.replySkip = false;
    if (this.replySkipNext) {
      this.replySkip = true;
      this.replySkipNext = false;
    }
  }

  authRequired(): boolean {
    return !this.authenticated;
  }

  maxBulkLen(): number {
    return this.server.protoMaxBulkLen;
  }

  // ---------------------------------------------------------------- replies

  /** An immediate reply, in order after any pending ones (dropped under CLIENT REPLY OFF/SKIP). */
  reply(r: string): void {
    if (this.replyOff || this.replySkip) return;
    if (this.head === this.slots.length) {
      this.out += r;
      this.server.markDirty(this);
    } else {
      this.slots.push(r);
      this.nextSeq++;
    }
  }

  /** A slot for a reply that comes later; pass the number to deliver(). */
  reserve(): number {
    this.slots.push(undefined);
    return this.nextSeq++;
  }

  deliver(reply: string, seq: number): void {
    if (this.closed) return;
    const slots = this.slots;
    let h = this.head;
    const i = seq - this.slotBase;
    if (i !== 0) {
      slots[h + i] = reply;
      return;
    }
    this.out += reply;
    h++;
    while (h < slots.length && slots[h] !== undefined) this.out += slots[h++];
    this.slotBase += h - this.head;
    if (h === slots.length) {
      slots.length = 0;
      h = 0;
    } else if (h >= 1024 && h * 2 >= slots.length) {
      slots.splice(0, h);
      h = 0;
    }
    this.head = h;
    this.server.markDirty(this);
  }

  /** Bytes for the socket outside the reply order (pushes). */
  write(r: string): void {
    this.out += r;
  }

  pendingReplies(): number {
    return this.slots.length - this.head;
  }

  /** Hands buffered output to the socket; closes when asked to after the last reply. */
  flush(): void {
    if (this.closed) return;
    if (this.out.length > 0) {
      const s = this.out;
      this.out = "";
      this.server.stats.netOutputBytes += s.length;
      this.writer.write(s);
    }
    if (this.closeAfterReply && this.head === this.slots.length) this.server.closeClient(this);
  }

  /** CLIENT LIST flags, in getClientInfoString's order. */
  flagsString(): string {
    let f = "";
    if (this.monitor) f += "O";
    if (this.subs !== undefined) f += "P";
    if (this.multi !== undefined) f += "x";
    if (this.server.blocking.isBlocked(this)) f += "b";
    if (this.dirtyCas) f += "d";
    if (this.closeAfterReply) f += "c";
    if (this.noEvict) f += "e";
    if (this.noTouch) f += "T";
    return f === "" ? "N" : f;
  }
}
