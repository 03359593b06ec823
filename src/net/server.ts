/*
 * The server: accepts connections, runs processCommand for every parsed request (lookup,
 * arity, auth, routing), and writes replies once per event-loop tick.
 */

import { createServer, type Server as NetServer, type OnReadOpts, Socket, type SocketConstructorOpts } from "node:net";
import { performance } from "node:perf_hooks";
import { keyPositions, lastKeyPosition, wrongArity } from "../commands/define.js";
import { mergeOk, mergeSum } from "../commands/keys.js";
import { lookupCommand } from "../commands/table.js";
import { type CommandSpec, WOULD_BLOCK } from "../commands/types.js";
import type { Config } from "../config/config.js";
import { NOTIFY_KEYEVENT, NOTIFY_KEYSPACE } from "../config/keyspace-events.js";
import { keyHashSlotBytes } from "../keyspace/slot.js";
import { Observability } from "../observe/stats.js";
import { ERR_NOAUTH, errArity, errUnknownCommand, errUnknownSubcommand } from "../resp/errors.js";
import { isErrorReply, nullArray, type Proto, QUEUED } from "../resp/reply.js";
import { arrayElements } from "../resp/scan.js";
import { ENGINE_SETTINGS } from "../shards/engine.js";
import type { ReplyTarget } from "../shards/router.js";
import { Router } from "../shards/router.js";
import { log } from "../util/log.js";
import { commandNames } from "../util/short-strings.js";
import { Blocking, noBlockReply } from "./blocking.js";
import { Client } from "./client.js";
import { PubSub } from "./pubsub.js";
import {
  ERR_EXEC_WITHOUT_MULTI,
  ERR_EXECABORT,
  ERR_NOT_IN_MULTI,
  ExecReplies,
  TXN_CONTROL,
  Watches,
} from "./transaction.js";

/** A bug surfaced as a reply: logged with the command's name, answered with an error. */
function internalError(what: string, e: unknown): string {
  log("warning", `Internal error in '${what}': ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return `-ERR internal error while executing '${what}'\r\n`;
}

/** Where call() puts a command's reply: a client, or EXEC's collected replies. */
type ReplyOut = ReplyTarget & {
  reply(r: string): void;
  reserve(): number;
  repliesDropped(): boolean;
};

/** Requests larger than this always take processCommand (they are rare; the ring caps messages). */
const RAW_MAX_BYTES = 16 * 1024;
const RAW_NO = 0;
const RAW_READ = 1;
const RAW_WRITE = 2;
const rawKinds = new WeakMap<CommandSpec, number>();

/**
 * Whether a command may take Server.processRaw: it runs in one shard with keys at fixed
 * positions, and the main thread has nothing to check or do for it but route it.
 */
function rawKind(spec: CommandSpec): number {
  let k = rawKinds.get(spec);
  if (k === undefined) {
    const ok =
      spec.runsOn === "shard" &&
      spec.subcommands === undefined &&
      spec.check === undefined &&
      spec.getKeys === undefined &&
      spec.crossAll === undefined &&
      spec.keys.first > 0 &&
      !spec.flags.includes("blocking");
    k = !ok ? RAW_NO : spec.flags.includes("write") ? RAW_WRITE : RAW_READ;
    rawKinds.set(spec, k);
  }
  return k;
}

/** A reply that nobody reads (CLIENT REPLY OFF/SKIP). */
const DISCARD: ReplyTarget = { deliver() {} };

/** Merges the parts of a command split over shards, then fills the client's slot. */
class SplitMerge implements ReplyTarget {
  private readonly parts: string[];
  private left: number;

  constructor(
    private readonly target: ReplyTarget,
    private readonly seq: number,
    n: number,
    private readonly merge: (parts: string[]) => string,
  ) {
    this.parts = new Array(n);
    this.left = n;
  }

  deliver(reply: string, index: number): void {
    this.parts[index] = reply;
    if (--this.left === 0) this.target.deliver(this.merge(this.parts), this.seq);
  }
}

export interface ServerStats {
  connectionsReceived: number;
  rejectedConnections: number;
  commandsProcessed: number;
  netInputBytes: number;
  netOutputBytes: number;
}

export class Server {
  readonly router: Router;
  readonly clients = new Map<number, Client>();
  readonly monitors = new Set<Client>();
  readonly stats: ServerStats = {
    connectionsReceived: 0,
    rejectedConnections: 0,
    commandsProcessed: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
  };
  readonly observe: Observability;
  readonly blocking: Blocking;
  readonly pubsub = new PubSub(this);
  readonly watches = new Watches();
  /** while EXEC runs: the writes whose blocked clients are served after it */
  private execSignals: Array<[number, CommandSpec, string[]]> | undefined;
  readonly startedAt = Date.now();
  readonly runId: string;
  protoMaxBulkLen: number;
  databases: number;
  requirePass: string;
  maxClients: number;
  private nextClientId = 1;
  private readonly dirty = new Set<Client>();
  private flushScheduled = false;
  private listeners: NetServer[] = [];
  /** every connection reads into this buffer (see readInPlace) */
  private readonly readBuffer = Buffer.allocUnsafe(64 * 1024);
  /** CLIENT PAUSE: until when, and whether only writes wait */
  pauseUntil = 0;
  pauseWritesOnly = false;
  private readonly paused: Array<{ client: Client; argv: string[] }> = [];
  shuttingDown = false;
  onShutdown: (argv: string[]) => void = () => {};
  lastSave = Math.floor(Date.now() / 1000);

  constructor(readonly config: Config) {
    this.runId = Array.from({ length: 40 }, () => "0123456789abcdef"[Math.floor(Math.random() * 16)]).join("");
    this.databases = config.getNumber("databases");
    this.protoMaxBulkLen = config.getNumber("proto-max-bulk-len");
    this.requirePass = config.getString("requirepass");
    this.maxClients = config.getNumber("maxclients");
    config.onChange("proto-max-bulk-len", () => {
      this.protoMaxBulkLen = config.getNumber("proto-max-bulk-len");
    });
    config.onChange("requirepass", (v) => {
      this.requirePass = v;
    });
    config.onChange("maxclients", () => {
      this.maxClients = config.getNumber("maxclients");
    });
    this.router = new Router(config.getNumber("shards"), this.databases, config.getNumber("hz"));
    this.router.onReplies = () => this.flushClients();
    this.router.onEvents = (e) => this.publishEvents(e);
    this.blocking = new Blocking(
      (c, spec, argv, target) => this.routeAttempt(c, spec, argv, target),
      (spec, argv) => keyPositions(spec, argv).map((i) => argv[i]),
      (c) => setImmediate(() => this.drainHeld(c)),
      (db, keys) => this.blocking.signal(db, keys),
    );
    this.observe = new Observability(this);
    config.onChange("hz", () => this.router.setHz(config.getNumber("hz")));
    const lfu = (): void => this.router.setSetting("lfu", config.getString("maxmemory-policy").includes("lfu") ? 1 : 0);
    config.onChange("maxmemory-policy", lfu);
    if (config.getString("maxmemory-policy").includes("lfu")) lfu();
    for (const name of ENGINE_SETTINGS) {
      const push = (): void => this.router.setSetting(name, config.getNumber(name));
      config.onChange(name, push);
      if (config.getNumber(name) !== this.router.settings[name]) push();
    }
    const tracking = (): void => {
      if (this.router.inline === undefined) {
        void this.router.controlAll(["latency-tracking", config.getBool("latency-tracking") ? "1" : "0"]);
      }
    };
    config.onChange("latency-tracking", tracking);
    tracking();
    const slowlog = (): void => {
      if (this.router.inline !== undefined) return;
      const thr = String(config.getNumber("slowlog-log-slower-than"));
      void this.router.controlAll(["slowlog-config", thr, String(config.getNumber("slowlog-max-len"))]);
    };
    config.onChange("slowlog-log-slower-than", slowlog);
    config.onChange("slowlog-max-len", slowlog);
    slowlog();
  }

  authRequiredForNewClients(): boolean {
    return this.requirePass !== "";
  }

  logVerbose(msg: string): void {
    log("verbose", msg);
  }

  // ---------------------------------------------------------------- listening

  async listen(): Promise<void> {
    const port = this.config.getNumber("port");
    const binds = this.config
      .getString("bind")
      .split(/\s+/)
      .filter((b) => b !== "");
    for (const raw of binds.length > 0 ? binds : ["*"]) {
      const optional = raw.startsWith("-");
      const host = optional ? raw.slice(1) : raw;
      const srv = createServer({ noDelay: true, pauseOnConnect: true }, (s) => this.accept(srv, s));
      srv.maxConnections = this.maxClients + 32;
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once("error", reject);
          srv.listen(
            {
              port,
              host: host === "*" ? "0.0.0.0" : host === "::*" ? "::" : host,
              backlog: this.config.getNumber("tcp-backlog"),
            },
            () => {
              srv.off("error", reject);
              resolve();
            },
          );
        });
        this.listeners.push(srv);
      } catch (e) {
        if (optional) continue;
        const err = e as NodeJS.ErrnoException;
        log("warning", `Warning: Could not create server TCP listening socket ${host}:${port}: ${err.message}`);
        throw new Error(`Failed listening on port ${port} (TCP), aborting.`);
      }
    }
  }

  /** The port actually bound (differs from the config with --port 0 in tests). */
  boundPort(): number {
    const a = this.listeners[0]?.address();
    return typeof a === "object" && a !== null ? a.port : this.config.getNumber("port");
  }

  private accept(srv: NetServer, accepted: Socket): void {
    this.stats.connectionsReceived++;
    if (this.clients.size >= this.maxClients) {
      this.stats.rejectedConnections++;
      accepted.end("-ERR max number of clients reached\r\n");
      return;
    }
    const socket = this.readInPlace(srv, accepted, (chunk) => onRead(chunk));
    socket.setNoDelay(true);
    if (this.config.getNumber("tcp-keepalive") > 0)
      socket.setKeepAlive(true, this.config.getNumber("tcp-keepalive") * 1000);
    const c = new Client(this.nextClientId++, socket, this);
    this.clients.set(c.id, c);
    const inline = this.router.inline;
    const onRead = (chunk: Buffer): void => {
      this.router.busy();
      this.stats.netInputBytes += chunk.length;
      const now = Date.now();
      c.lastInteraction = now;
      // the command time snapshot for what this read brings (expiry checks compare to it)
      if (inline !== undefined) inline.now = now;
      try {
        c.parser.feed(chunk, c);
      } catch (e) {
        // nothing in parsing or dispatch should throw; if it does, this connection ends
        // with an error and the server goes on
        c.write(internalError("request processing", e));
        c.closeAfterReply = true;
        this.markDirty(c);
      } finally {
        // raw commands still point into the read buffer: into the ring with them now
        this.router.endRead();
      }
      // Replies are written once per tick (setImmediate, after every ready socket was
      // read), not after each read: on loopback a write runs the reader's receive path and
      // wakes it, and interleaving those wake-ups with our reads cost 5x more per write.
      this.scheduleFlush();
    };
    socket.resume();
    socket.on("drain", () => {
      if (socket.isPaused()) socket.resume();
    });
    socket.on("error", () => this.closeClient(c));
    socket.on("close", () => this.closeClient(c));
  }

  /**
   * The accepted connection's handle, rewrapped in a socket that reads into one shared
   * buffer and hands each read to `onRead` (net.Socket's `onread` option). This skips the
   * readable-stream machinery and a fresh 64 KB allocation per read: 9.3 µs of main-thread
   * CPU per PING round trip against 12.1 µs with 'data' events (redis-benchmark -P 1, a bare
   * PONG server; redis-server 7.3 µs). `onRead` must not keep the buffer past its call (the
   * parser copies an incomplete tail). The server was told to pause on connect, so no byte
   * was read through the first wrapper.
   */
  private readInPlace(srv: NetServer, accepted: Socket, onRead: (chunk: Buffer) => void): Socket {
    const internals = accepted as unknown as { _handle: unknown; _server: NetServer | null; server: NetServer | null };
    const handle = internals._handle;
    internals._handle = null;
    const onread: OnReadOpts = {
      buffer: this.readBuffer,
      callback: (n, buf) => {
        onRead((buf as Buffer).subarray(0, n));
        return true;
      },
    };
    // `handle` and `onread` are constructor options the typings leave out
    const socket = new Socket({ handle, onread } as SocketConstructorOpts);
    // the server counts this connection (maxConnections) and uncounts it when the socket
    // that holds the handle is destroyed: that is now this one
    const mine = socket as unknown as { _server: NetServer | null; server: NetServer | null };
    mine._server = srv;
    mine.server = srv;
    internals._server = null;
    return socket;
  }

  closeClient(c: Client): void {
    if (c.closed) return;
    c.closed = true;
    this.clients.delete(c.id);
    this.monitors.delete(c);
    this.blocking.dropClient(c);
    this.pubsub.dropClient(c);
    this.discardTransaction(c);
    c.held = undefined;
    this.dirty.delete(c);
    if (c.out.length > 0) {
      const s = c.out;
      c.out = "";
      c.socket.end(s, "latin1");
    } else c.socket.end();
    c.socket.destroySoon();
  }

  // ---------------------------------------------------------------- output

  markDirty(c: Client): void {
    this.dirty.add(c);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.router.flush();
      this.flushClients();
      while (this.router.settle()) this.flushClients();
    });
  }

  /** Writes every connection's pending output; pauses reading from a client that does not read. */
  flushClients(): void {
    for (const c of this.dirty) {
      c.flush();
      if (!c.closed && c.socket.writableLength > 64 * 1024 * 1024 && !c.socket.isPaused()) c.socket.pause();
    }
    this.dirty.clear();
  }

  // ---------------------------------------------------------------- processCommand

  /**
   * processCommand: lookup, arity, auth, then route. Returns false when the connection
   * must stop parsing (it is closing).
   */
  processCommand(c: Client, argv: string[]): boolean {
    if (c.closeAfterReply || c.closed) return false;
    if (c.held !== undefined) {
      // a blocking command of this client is not answered yet: later ones wait for it,
      // and a client that keeps sending meanwhile is not read from until then
      c.held.push(argv);
      if (c.held.length > 10000 && !c.socket.isPaused()) c.socket.pause();
      return true;
    }
    if (this.dispatch(c, argv)) c.afterCommand();
    return !c.closeAfterReply;
  }

  /**
   * processCommand's fast path, for a request that arrived whole in one read: a command
   * that runs in one shard, from a plain client, with nobody watching (WATCH, MONITOR,
   * blocked clients, CLIENT PAUSE), goes to its shard as the bytes the client sent. The
   * main thread makes no string of its arguments and the shard parses them once. This is
   * what redis-benchmark's SET/GET/INCR/MSET come through. Undefined: not for this path,
   * processCommand takes it, and answers its errors.
   */
  processRaw(c: Client, buf: Buffer, start: number, end: number, offs: Int32Array, argc: number): boolean | undefined {
    const router = this.router;
    if (router.inline !== undefined || end - start > RAW_MAX_BYTES || !c.plain()) return undefined;
    if (this.monitors.size > 0 || this.pauseUntil > 0) return undefined;
    const spec = lookupCommand(commandNames.get(buf, offs[0], offs[0] + offs[1]));
    if (spec === undefined) return undefined;
    const kind = rawKind(spec);
    if (kind === RAW_NO) return undefined;
    if (wrongArity(spec, argc)) return undefined;
    if (kind === RAW_WRITE && (this.watches.size > 0 || this.blocking.hasWaiters())) return undefined;
    if (spec.checkArgc?.(argc) !== undefined) return undefined;
    let shard = 0;
    if (router.count > 1) {
      const { first, step } = spec.keys;
      const last = lastKeyPosition(spec, argc);
      shard = router.shardOfSlot(keyHashSlotBytes(buf, offs[2 * first], offs[2 * first] + offs[2 * first + 1]));
      for (let i = first + step; i <= last && i < argc; i += step) {
        // keys in several shards: the split or job path
        if (router.shardOfSlot(keyHashSlotBytes(buf, offs[2 * i], offs[2 * i] + offs[2 * i + 1])) !== shard)
          return undefined;
      }
    }
    this.stats.commandsProcessed++;
    c.lastCommand = spec.name;
    router.sendRaw(shard, c.db, c.proto, buf, start, end, c.id, c, c.reserve());
    c.afterCommand();
    return true;
  }

  /** Returns false when the command was parked by CLIENT PAUSE (it is processed later). */
  private dispatch(c: Client, argv: string[]): boolean {
    this.stats.commandsProcessed++;
    let spec = lookupCommand(argv[0]);
    if (spec === undefined) {
      this.reject(c, undefined, errUnknownCommand(argv));
      return true;
    }
    if (spec.subcommands !== undefined && argv.length >= 2) {
      const sub = spec.subcommands.get(argv[1].toLowerCase());
      if (sub === undefined) {
        this.reject(c, undefined, errUnknownSubcommand(argv[1], spec.name));
        return true;
      }
      spec = sub;
    }
    if (wrongArity(spec, argv.length)) {
      this.reject(c, spec, errArity(spec.name));
      return true;
    }
    if (!c.authenticated && !spec.flags.includes("no_auth")) {
      this.reject(c, spec, ERR_NOAUTH);
      return true;
    }
    if (c.subs !== undefined) {
      // RESP2 Pub/Sub mode: only (P|S)(UN)SUBSCRIBE, PING, QUIT, RESET
      const err = this.pubsub.rejectInContext(c, spec.name);
      if (err !== undefined) {
        this.reject(c, spec, err);
        return true;
      }
    }
    if (c.multi !== undefined && !TXN_CONTROL.has(spec.name)) {
      if (spec.flags.includes("no_multi")) {
        this.reject(c, spec, ERR_NOT_IN_MULTI);
        return true;
      }
      c.multi.push(argv);
      c.reply(QUEUED);
      return true;
    }
    if (this.pauseUntil > 0 && this.mustPause(spec)) {
      this.stats.commandsProcessed--;
      this.paused.push({ client: c, argv });
      return false;
    }
    c.lastCommand = spec.name;
    this.callWatched(c, spec, argv, c);
    this.afterCall(c, spec, argv);
    return true;
  }

  /**
   * call(), with a change check around a write that names a WATCHed key: the shards'
   * change counters are read right before and after it (src/net/transaction.ts).
   */
  private callWatched(c: Client, spec: CommandSpec, argv: string[], out: ReplyOut): void {
    if (this.watches.size === 0 || !spec.flags.includes("write")) {
      this.call(c, spec, argv, out);
      return;
    }
    const ids = this.watches.watchedBy(c.db, spec, argv, this.databases);
    if (ids.length === 0) {
      this.call(c, spec, argv, out);
      return;
    }
    const inline = this.router.inline;
    if (inline !== undefined) {
      const d0 = inline.dirty;
      this.call(c, spec, argv, out);
      this.watches.beginCheck(ids);
      this.watches.endCheck(ids, inline.dirty !== d0);
      return;
    }
    const router = this.router;
    const shards = [...new Set(keyPositions(spec, argv).map((i) => router.shardOfKey(argv[i])))];
    this.watches.beginCheck(ids);
    const before = shards.map((s) => router.controlOne(s, ["dirty"]));
    this.call(c, spec, argv, out);
    const after = shards.map((s) => router.controlOne(s, ["dirty"]));
    void Promise.all([...before, ...after]).then((r) => {
      let changed = false;
      for (let i = 0; i < shards.length; i++) if (r[i] !== r[i + shards.length]) changed = true;
      this.watches.endCheck(ids, changed);
    });
  }

  /** A command refused before it ran; inside MULTI it dooms the transaction (flagTransaction). */
  private reject(c: Client, spec: CommandSpec | undefined, r: string): void {
    this.observe.rejected(spec, r);
    if (spec?.name === "exec") {
      // execCommandAbort: a refused EXEC ends the transaction, in or out of MULTI
      this.discardTransaction(c);
      const why = r.startsWith("-ERR ") ? r.slice(5) : r.slice(1);
      c.reply(`-EXECABORT Transaction discarded because of: ${why}`);
      return;
    }
    if (c.multi !== undefined) c.multiFailed = true;
    c.reply(r);
  }

  /** What follows every executed command: MONITOR, WATCH invalidation, blocked clients. */
  private afterCall(c: Client, spec: CommandSpec, argv: string[]): void {
    // monitors are fed after the command ran (a SELECT shows its new db), as Redis does
    if (this.monitors.size > 0 && !spec.flags.includes("admin") && !spec.flags.includes("skip_monitor")) {
      this.observe.feedMonitors(c, argv);
    }
    if (!spec.flags.includes("write")) return;
    // (a blocking command signals its own writes when it is served: src/net/blocking.ts)
    if (this.blocking.hasWaiters() && !spec.flags.includes("blocking")) this.signalWrite(c, spec, argv);
  }

  /**
   * EXEC: nil when a watched key changed, EXECABORT after a queuing error, else every
   * queued command run back to back (atomic: see src/net/transaction.ts).
   */
  exec(c: Client): string | Promise<string> {
    const queued = c.multi;
    if (queued === undefined) return ERR_EXEC_WITHOUT_MULTI;
    c.multi = undefined;
    const failed = c.multiFailed;
    c.multiFailed = false;
    if (failed) {
      this.watches.unwatchAll(c);
      return ERR_EXECABORT;
    }
    if (c.watching === undefined) return this.runQueued(c, queued);
    // change checks of earlier writes on the watched keys may still be in flight: the
    // client's later commands wait with the EXEC until they are in
    c.held = c.held ?? [];
    return this.watches.settled(c).then(() => {
      const dirty = c.dirtyCas || this.watches.expired(c, Date.now());
      this.watches.unwatchAll(c);
      const r = dirty ? nullArray(c.proto) : this.runQueued(c, queued);
      setImmediate(() => this.drainHeld(c));
      return r;
    });
  }

  /** EXEC's body: every queued command enqueued back to back (the atomicity argument). */
  private runQueued(c: Client, queued: string[][]): string | Promise<string> {
    if (queued.length === 0) return "*0\r\n";
    return new Promise((resolve) => {
      const out = new ExecReplies(resolve);
      this.execSignals = [];
      c.inExec = true;
      for (const argv of queued) {
        let spec = lookupCommand(argv[0]) as CommandSpec;
        if (spec.subcommands !== undefined && argv.length >= 2)
          spec = spec.subcommands.get(argv[1].toLowerCase()) ?? spec;
        c.lastCommand = spec.name;
        this.callWatched(c, spec, argv, out);
        this.afterCall(c, spec, argv);
      }
      c.inExec = false;
      const signals = this.execSignals;
      this.execSignals = undefined;
      for (const [db, spec, argv] of signals) this.signalWriteNow(db, spec, argv);
      out.close();
    });
  }

  /** DISCARD, RESET, a closing client: the transaction and the watches go. */
  discardTransaction(c: Client): void {
    c.multi = undefined;
    c.multiFailed = false;
    this.watches.unwatchAll(c);
  }

  /**
   * Keyspace events from the shards (flat db/event/key triples, in the order each shard
   * applied them): published on __keyspace@<db>__:<key> and __keyevent@<db>__:<event>
   * as notify-keyspace-events' K and E flags ask (notifyKeyspaceEvent).
   */
  private publishEvents(e: string[]): void {
    const flags = this.router.settings["notify-keyspace-events"];
    for (let i = 0; i + 2 < e.length; i += 3) {
      const db = e[i];
      if (flags & NOTIFY_KEYSPACE) this.pubsub.publish(`__keyspace@${db}__:${e[i + 2]}`, e[i + 1], false);
      if (flags & NOTIFY_KEYEVENT) this.pubsub.publish(`__keyevent@${db}__:${e[i + 1]}`, e[i + 2], false);
    }
  }

  /** After a write was sequenced: the clients blocked on what it may have filled try again. */
  private signalWrite(c: Client, spec: CommandSpec, argv: string[]): void {
    if (this.execSignals !== undefined) {
      // inside EXEC: blocked clients are served after the whole transaction, as in Redis
      this.execSignals.push([c.db, spec, argv]);
      return;
    }
    this.signalWriteNow(c.db, spec, argv);
  }

  private signalWriteNow(db: number, spec: CommandSpec, argv: string[]): void {
    switch (spec.name) {
      case "swapdb":
      case "flushall":
      case "flushdb":
        this.blocking.signalDbs([...Array(this.databases).keys()]);
        return;
      case "move":
      case "copy": {
        // the key may have arrived in another db
        this.blocking.signalDbs([...Array(this.databases).keys()]);
        return;
      }
    }
    const pos = keyPositions(spec, argv);
    if (pos.length === 0) return;
    this.blocking.signal(
      db,
      pos.map((i) => argv[i]),
    );
  }

  /**
   * One attempt of a blocking command (src/net/blocking.ts): to the shard owning its keys,
   * or as a coordinator job when they live in several.
   */
  private routeAttempt(c: Client, spec: CommandSpec, argv: string[], target: ReplyTarget): void {
    const inline = this.router.inline;
    if (inline !== undefined) {
      target.deliver(inline.execute(argv, c.db, c.proto, spec), 0);
      return;
    }
    const shards = [...new Set(keyPositions(spec, argv).map((i) => this.router.shardOfKey(argv[i])))].sort(
      (a, b) => a - b,
    );
    if (shards.length <= 1) this.router.send(shards[0] ?? 0, c.db, c.proto, argv, c.id, target, 0);
    else this.router.runJob(spec.cross ?? "gather", argv, c.db, c.proto, shards, target, 0);
    this.scheduleFlush();
  }

  /** A blocking command was answered: the commands its client sent meanwhile run now. */
  private drainHeld(c: Client): void {
    const q = c.held;
    if (q === undefined || c.closed || this.blocking.isBlocked(c)) return;
    c.held = undefined;
    let i = 0;
    while (i < q.length && c.held === undefined && !c.closed && !c.closeAfterReply) {
      if (this.processCommand(c, q[i++]) === false) break;
    }
    if (i < q.length && c.held !== undefined) c.held = q.slice(i).concat(c.held);
    if (c.held === undefined && c.socket.isPaused() && c.socket.writableLength < 64 * 1024 * 1024) c.socket.resume();
    this.scheduleFlush();
  }

  private mustPause(spec: CommandSpec): boolean {
    if (Date.now() >= this.pauseUntil) {
      this.unpause();
      return false;
    }
    return !this.pauseWritesOnly || spec.flags.includes("write") || spec.flags.includes("may_replicate");
  }

  /** CLIENT UNPAUSE, or the pause timing out: run what waited, in arrival order. */
  unpause(): void {
    this.pauseUntil = 0;
    const waiting = this.paused.splice(0);
    for (const { client, argv } of waiting)
      if (!client.closed) client.parser.failed || this.processCommand(client, argv);
    this.scheduleFlush();
  }

  /**
   * Runs a dispatched command; its reply goes to `out`: the client, or EXEC's collection
   * of replies (src/net/transaction.ts).
   */
  private call(c: Client, spec: CommandSpec, argv: string[], out: ReplyOut = c): void {
    // a reply that comes later is dropped or kept as the flags stand now, when Redis
    // would add it; immediate replies are checked by Client.reply itself
    const discard = out.repliesDropped() ? DISCARD : undefined;
    if (spec.check !== undefined || spec.checkArgc !== undefined) {
      const err = spec.checkArgc?.(argv.length) ?? spec.check?.(argv, this);
      if (err !== undefined) {
        this.observe.mainCall(spec, 0, err);
        out.reply(err);
        return;
      }
    }
    const inline = this.router.inline;
    switch (spec.runsOn) {
      case "main": {
        const t0 = performance.now();
        let r: ReturnType<NonNullable<CommandSpec["main"]>>;
        try {
          r = (spec.main as NonNullable<CommandSpec["main"]>)(c, argv);
        } catch (e) {
          // a bug, not a protocol error: log it with the command, answer, keep serving
          r = internalError(spec.name, e);
        }
        if (r === undefined) return;
        if (typeof r === "string") {
          this.observe.mainCall(spec, performance.now() - t0, r, c, argv);
          out.reply(r);
          return;
        }
        const seq = discard === undefined ? out.reserve() : 0;
        const target = discard ?? out;
        r.then(
          (reply) => {
            this.observe.mainCall(spec, performance.now() - t0, reply, c, argv);
            target.deliver(reply, seq);
            this.markDirty(c);
          },
          (e: unknown) => {
            target.deliver(internalError(spec.name, e), seq);
            this.markDirty(c);
          },
        );
        return;
      }
      case "shard": {
        if (spec.flags.includes("blocking")) {
          if (out !== c) {
            // inside EXEC a blocking command does not block: one attempt, else its timeout reply
            const seq = out.reserve();
            this.routeAttempt(c, spec, argv, {
              deliver: (reply) => out.deliver(reply.startsWith(WOULD_BLOCK) ? noBlockReply(spec, c.proto) : reply, seq),
            });
            return;
          }
          // later commands of this client wait until this one is answered
          c.held = [];
          this.blocking.start(c, spec, argv, discard ?? out, discard === undefined ? out.reserve() : 0);
          return;
        }
        if (inline !== undefined) {
          const r = inline.execute(argv, c.db, c.proto, spec);
          out.reply(r);
          this.observe.afterInline(c, argv, spec, inline.lastMs);
          return;
        }
        const target = discard ?? out;
        const router = this.router;
        if (spec.keys.last === spec.keys.first && spec.getKeys === undefined) {
          // one key (GET, SET, INCR, ...): no key list to build
          const shard = router.shardOfKey(argv[spec.keys.first]);
          router.send(shard, c.db, c.proto, argv, c.id, target, discard === undefined ? out.reserve() : 0);
          return;
        }
        if (spec.crossAll !== undefined && router.count > 1 && spec.crossAll(argv)) {
          // reads keys it does not declare (SORT BY/GET): its job holds every shard
          this.runCross(
            c,
            spec,
            argv,
            [...Array(router.count).keys()],
            target,
            discard === undefined ? out.reserve() : 0,
          );
          return;
        }
        const keys = keyPositions(spec, argv);
        // no key found (a malformed movable-keys call): any shard answers its error
        const shard = keys.length === 0 ? 0 : router.shardOfKey(argv[keys[0]]);
        let split = false;
        for (let i = 1; i < keys.length; i++) {
          if (router.shardOfKey(argv[keys[i]]) !== shard) {
            split = true;
            break;
          }
        }
        if (!split) {
          router.send(shard, c.db, c.proto, argv, c.id, target, discard === undefined ? out.reserve() : 0);
          return;
        }
        if (spec.cross !== undefined) {
          // dependent pieces: the coordinator runs the command against held shards
          const shards = [...new Set(keys.map((k) => router.shardOfKey(argv[k])))].sort((a, b) => a - b);
          this.runCross(c, spec, argv, shards, target, discard === undefined ? out.reserve() : 0);
          return;
        }
        this.sendSplit(c, spec, argv, keys, target, discard === undefined ? out.reserve() : 0);
        return;
      }
      case "all": {
        if (inline !== undefined) {
          const r = inline.execute(argv, c.db, c.proto, spec);
          out.reply(spec.mergeAll === undefined ? r : spec.mergeAll([r], argv, c.proto));
          return;
        }
        const merge = spec.mergeAll ?? mergeOk;
        const proto = c.proto;
        const m = new SplitMerge(
          discard ?? out,
          discard === undefined ? out.reserve() : 0,
          this.router.count,
          (parts) => merge(parts, argv, proto),
        );
        for (let i = 0; i < this.router.count; i++) this.router.send(i, c.db, c.proto, argv, c.id, m, i);
        return;
      }
    }
  }

  /** A cross-shard job for a command (src/shards/jobs.ts), timed for INFO commandstats. */
  private runCross(
    c: Client,
    spec: CommandSpec,
    argv: string[],
    shards: number[],
    target: ReplyTarget,
    seq: number,
  ): void {
    const t0 = performance.now();
    const observe = this.observe;
    this.router.runJob(
      spec.cross as string,
      argv,
      c.db,
      c.proto,
      shards,
      {
        deliver(reply, index) {
          observe.mainCall(spec, performance.now() - t0, reply);
          target.deliver(reply, index);
        },
      },
      seq,
    );
  }

  /**
   * A multi-key command whose keys live in several shards, split into one command per
   * shard over that shard's keys (with their `step - 1` following arguments), sent in one
   * go so that every shard sees it at the same point of the global order.
   */
  private sendSplit(
    c: Client,
    spec: CommandSpec,
    argv: string[],
    keys: number[],
    target: ReplyTarget,
    seq: number,
  ): void {
    const step = spec.keys.step;
    const byShard = new Map<number, { argv: string[]; positions: number[] }>();
    for (let k = 0; k < keys.length; k++) {
      const pos = keys[k];
      const s = this.router.shardOfKey(argv[pos]);
      let part = byShard.get(s);
      if (part === undefined) {
        part = { argv: [argv[0]], positions: [] };
        byShard.set(s, part);
      }
      for (let j = 0; j < step; j++) part.argv.push(argv[pos + j]);
      part.positions.push(k);
    }
    const parts = [...byShard.entries()];
    let merge: (replies: string[]) => string;
    switch (spec.split) {
      case "sum":
        merge = mergeSum;
        break;
      case "interleave":
        merge = (replies) => {
          const out = new Array<string>(keys.length);
          for (let i = 0; i < replies.length; i++) {
            if (isErrorReply(replies[i])) return replies[i];
            const els = arrayElements(replies[i]) as string[];
            const positions = parts[i][1].positions;
            for (let j = 0; j < positions.length; j++) out[positions[j]] = els[j];
          }
          return `*${keys.length}\r\n${out.join("")}`;
        };
        break;
      default:
        merge = mergeOk;
    }
    const m = new SplitMerge(target, seq, parts.length, merge);
    for (let i = 0; i < parts.length; i++)
      this.router.send(parts[i][0], c.db, c.proto as Proto, parts[i][1].argv, c.id, m, i);
  }

  // ---------------------------------------------------------------- shutdown

  async close(): Promise<void> {
    this.observe.stop();
    for (const l of this.listeners) l.close();
    for (const c of [...this.clients.values()]) this.closeClient(c);
    await this.router.stop();
  }
}
