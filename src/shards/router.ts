/*
 * The main thread's side of the shards: starts the workers, routes requests into their
 * rings, and hands each reply to whoever waits for it.
 *
 * Ordering is the whole point: the main thread is the single sequencer. Every request to a
 * shard is appended to that shard's ring in the order the main thread processes commands,
 * and each shard executes its ring in order. A multi-key command split over shards is
 * appended to all its shards at one point of that order, so every shard sees it between
 * the same neighbours: no client can observe half of it (docs/ARCHITECTURE.md).
 *
 * With `--shards 0` there are no workers: one ShardEngine runs inline and replies at once.
 */

import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { keyHashSlot, slotTable } from "../keyspace/slot.js";
import type { Proto } from "../resp/reply.js";
import { Fifo } from "../util/fifo.js";
import { IdleGc } from "../util/gc.js";
import { log, logSettings } from "../util/log.js";
import { REQ_COMMAND, REQ_CONTROL, rawCommands, readReply, writeRawRequest, writeRequest } from "./contract.js";
import { shardControl } from "./control.js";
import type { ChannelInit, CoordinatorInit, JobRequest, JobResult } from "./coordinator-loop.js";
import { defaultEngineSettings, type EngineSettings, ShardEngine } from "./engine.js";
import { CTRL_SEQ, CTRL_SLEEP, createRingBuffers, Ring } from "./ring.js";
import type { ShardWorkerInit } from "./worker-loop.js";

/** Whoever waits for a shard reply: a client's reply slot, or a merge of several parts. */
export interface ReplyTarget {
  deliver(reply: string, index: number): void;
}

/** The replies nobody waits for (a hold's, once its shard is released). */
const IGNORE: ReplyTarget = { deliver() {} };

interface PendingRequest {
  kind: number;
  db: number;
  proto: number;
  argv: string[];
  client: number;
}

/**
 * Each direction of a shard's ring. Every byte of it ends up resident once traffic has
 * wrapped around it, so it is kept small: 2 MB holds thousands of pipelined requests, and a
 * message over a quarter of it goes by MessagePort anyway. (8 MB rings cost 12 MB more RSS
 * per shard for no throughput measured.)
 */
const RING_BYTES = 2 << 20;

/**
 * A shard's young generation. Most of what a shard allocates lives long (the values it
 * stores); V8's default young generation (up to 3 x 16 MB semi-spaces) only adds resident
 * memory. 632k keys of redis-benchmark's SET load (bench/memory.js): ~219 MB RSS with the
 * default, 170-188 MB with 8 MB, 169-175 MB with 4 MB; SET/GET/INCR throughput within noise
 * of the 8 MB setting (about 5% lower on average over one 2-round run).
 */
const SHARD_YOUNG_GENERATION_MB = 4;

/** The most bytes of raw commands that go into a ring as one message (sendRaw). */
const RAW_RUN_BYTES = 64 * 1024;

class WorkerShard {
  readonly req: Ring;
  readonly rep: Ring;
  readonly targets = new Fifo<ReplyTarget>(1024);
  readonly indexes = new Fifo<number>(1024);
  /** requests that did not fit in the ring yet, in order */
  readonly backlog = new Fifo<PendingRequest>();
  signalPending = false;
  replySeq = 0;
  readonly worker: Worker;
  readonly port: MessagePort;
  /** keyspace events from the shard (see Router.jobDone for why it is also read directly) */
  readonly events: MessagePort;

  constructor(
    readonly id: number,
    databases: number,
    hz: number,
    ringBytes: number,
    onDeath: (id: number, why: string) => void,
    coord: ChannelInit | undefined,
    onEvents: (events: string[]) => void,
  ) {
    const requests = createRingBuffers(ringBytes);
    const replies = createRingBuffers(ringBytes);
    this.req = new Ring(requests);
    this.rep = new Ring(replies);
    // the main thread starts idle: the shard wakes it for its replies (Router.settle)
    Atomics.store(this.rep.ctrl, CTRL_SLEEP, 1);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const events = new MessageChannel();
    events.port1.on("message", (e: string[]) => onEvents(e));
    events.port1.unref();
    this.events = events.port1;
    const ls = logSettings();
    const init: ShardWorkerInit = {
      id,
      databases,
      hz,
      requests,
      replies,
      port: port2,
      logLevel: ls.level,
      logFile: ls.file,
      coord,
      events: events.port2,
    };
    const entry = fileURLToPath(new URL("../../workers/shard.js", import.meta.url));
    const transferList = coord === undefined ? [port2, events.port2] : [port2, events.port2, coord.port];
    this.worker = new Worker(entry, {
      workerData: init,
      transferList,
      name: `shard-${id}`,
      resourceLimits: { maxYoungGenerationSizeMb: SHARD_YOUNG_GENERATION_MB },
    });
    this.worker.on("error", (e) => onDeath(id, e instanceof Error ? (e.stack ?? e.message) : String(e)));
    this.worker.on("exit", (code) => onDeath(id, `exit code ${code}`));
  }
}

export class Router {
  readonly slotToShard: Uint16Array;
  readonly count: number;
  /** `--shards 0`: the one engine, on this thread */
  readonly inline: ShardEngine | undefined;
  private readonly workers: WorkerShard[] = [];
  private stopping = false;
  private coordinator: Worker | undefined;
  private coordPort: MessagePort | undefined;
  private jobSeq = 0;
  private readonly jobs = new Map<number, { target: ReplyTarget; index: number }>();
  private inlineCron: NodeJS.Timeout | undefined;
  /** raw commands waiting to go into a ring as one message (sendRaw) */
  private readonly run = {
    shard: 0,
    src: undefined as Buffer | undefined,
    start: 0,
    end: 0,
    count: 0,
    client: 0,
    db: 0,
    proto: 2 as Proto,
  };
  /** whether the shards wake this thread for replies (see busy and settle) */
  private idle = true;
  private readonly idleGc = new IdleGc();
  /** the storage settings as the shards have them (a fresh object on each change) */
  settings: EngineSettings = defaultEngineSettings();
  /** keyspace events from the shards and jobs (flat db/event/key triples), to publish */
  onEvents: (events: string[]) => void = () => {};
  /** called after replies were delivered, so the server writes to sockets */
  onReplies: () => void = () => {};

  constructor(shards: number, databases: number, hz: number, ringBytes = RING_BYTES) {
    this.count = Math.max(1, shards);
    this.slotToShard = slotTable(this.count);
    if (shards === 0) {
      const engine = new ShardEngine(0, databases);
      // inline commands are timed by the main thread's Observability, which records them
      engine.latencyTracking = false;
      engine.slowlogSlowerThan = -1;
      this.inline = engine;
      engine.onEvent = () => queueMicrotask(() => this.onEvents(engine.takeEvents()));
      // the inline shard's cron: active expiry at `hz`, like a worker's wait timeout
      this.inlineCron = setInterval(() => this.inlineTick(), 1000 / hz);
      this.inlineCron.unref();
    } else {
      const onDeath = (id: number, why: string): void => {
        if (this.stopping) return;
        log("warning", `Shard ${id} worker died (${why}); its data cannot be served, shutting down`);
        process.exit(1);
      };
      // the coordinator and its channel to each shard, for cross-shard jobs
      const shardEnds: (ChannelInit | undefined)[] = new Array(shards).fill(undefined);
      if (shards >= 2) {
        const coordEnds: ChannelInit[] = [];
        for (let i = 0; i < shards; i++) {
          const requests = createRingBuffers(1 << 20);
          const replies = createRingBuffers(1 << 20);
          const { port1, port2 } = new MessageChannel();
          coordEnds.push({ requests, replies, port: port1 });
          shardEnds[i] = { requests, replies, port: port2 };
        }
        const { port1, port2 } = new MessageChannel();
        const ls = logSettings();
        const init: CoordinatorInit = {
          shards,
          channels: coordEnds,
          port: port2,
          logLevel: ls.level,
          logFile: ls.file,
        };
        const entry = fileURLToPath(new URL("../../workers/coordinator.js", import.meta.url));
        this.coordinator = new Worker(entry, {
          workerData: init,
          transferList: [port2, ...coordEnds.map((c) => c.port)],
          name: "coordinator",
        });
        this.coordinator.on("error", (e) => onDeath(-1, e instanceof Error ? (e.stack ?? e.message) : String(e)));
        this.coordinator.on("exit", (code) => onDeath(-1, `exit code ${code}`));
        this.coordPort = port1;
        port1.on("message", (r: JobResult) => this.jobDone(r));
      }
      for (let i = 0; i < shards; i++) {
        this.workers.push(new WorkerShard(i, databases, hz, ringBytes, onDeath, shardEnds[i], (e) => this.onEvents(e)));
      }
      for (const w of this.workers) this.armReplyWait(w);
    }
  }

  /** The inline shard's cron: active expiry, and a collection once quiet after writes. */
  private inlineTick(): void {
    const engine = this.inline as ShardEngine;
    engine.activeExpireCycle();
    this.idleGc.maybe(engine.dirty, performance.now());
  }

  shardOfSlot(slot: number): number {
    return this.count === 1 ? 0 : this.slotToShard[slot];
  }

  shardOfKey(key: string): number {
    return this.count === 1 ? 0 : this.slotToShard[keyHashSlot(key)];
  }

  /** Queues a command for a worker shard; the reply goes to target.deliver(reply, index). */
  send(
    shard: number,
    db: number,
    proto: Proto,
    argv: string[],
    client: number,
    target: ReplyTarget,
    index: number,
  ): void {
    this.enqueue(this.workers[shard], REQ_COMMAND, db, proto, argv, client, target, index);
  }

  /**
   * send(), for a command still in the bytes the client sent: [start, end) of `src`, a
   * complete multibulk request (see Server.processRaw). A client's pipelined commands for
   * one shard lie back to back in its read; they go into the ring as one message, copied
   * at once, when the run ends: at the next command that does not continue it, at any
   * other request to any shard (so ring order stays the order of `targets`), and at the
   * end of the read (endRead), before `src` is reused.
   */
  sendRaw(
    shard: number,
    db: number,
    proto: Proto,
    src: Buffer,
    start: number,
    end: number,
    client: number,
    target: ReplyTarget,
    index: number,
  ): void {
    const run = this.run;
    if (
      run.count > 0 &&
      (run.end !== start ||
        run.src !== src ||
        run.shard !== shard ||
        run.client !== client ||
        run.db !== db ||
        run.proto !== proto ||
        end - run.start > RAW_RUN_BYTES)
    )
      this.endRead();
    if (run.count === 0) {
      run.shard = shard;
      run.src = src;
      run.start = start;
      run.client = client;
      run.db = db;
      run.proto = proto;
    }
    run.end = end;
    run.count++;
    const w = this.workers[shard];
    w.targets.push(target);
    w.indexes.push(index);
  }

  /** Writes the pending run of raw commands (sendRaw) into its shard's ring. */
  endRead(): void {
    const run = this.run;
    if (run.count === 0) return;
    const w = this.workers[run.shard];
    const src = run.src as Buffer;
    if (
      w.backlog.length > 0 ||
      !writeRawRequest(w.req, run.db, run.proto, src, run.start, run.end, run.count, run.client)
    ) {
      // the ring is full: they wait in the backlog, as strings (src is only lent to us)
      for (const argv of rawCommands(src, run.start, run.count))
        w.backlog.push({ kind: REQ_COMMAND, db: run.db, proto: run.proto, argv, client: run.client });
    }
    w.signalPending = true;
    run.count = 0;
    run.src = undefined;
  }

  /** Queues an internal operation (see control.ts) for a worker shard. */
  control(shard: number, argv: string[], target: ReplyTarget, index: number): void {
    this.enqueue(this.workers[shard], REQ_CONTROL, 0, 2, argv, 0, target, index);
  }

  /** Runs an internal operation on one shard, in order with the commands sent before it. */
  controlOne(shard: number, argv: string[]): Promise<string> {
    if (this.inline !== undefined) return Promise.resolve(shardControl(this.inline, argv).reply);
    return new Promise((resolve) => {
      this.control(shard, argv, { deliver: (reply) => resolve(reply) }, 0);
      this.flush();
    });
  }

  /** Runs an internal operation on every shard; resolves with the replies in shard order. */
  controlAll(argv: string[]): Promise<string[]> {
    if (this.inline !== undefined) return Promise.resolve([shardControl(this.inline, argv).reply]);
    return new Promise((resolve) => {
      const out: string[] = new Array(this.workers.length);
      let left = this.workers.length;
      const target: ReplyTarget = {
        deliver(reply, index) {
          out[index] = reply;
          if (--left === 0) resolve(out);
        },
      };
      for (let i = 0; i < this.workers.length; i++) this.control(i, argv, target, i);
      this.flush();
    });
  }

  private enqueue(
    w: WorkerShard,
    kind: number,
    db: number,
    proto: number,
    argv: string[],
    client: number,
    target: ReplyTarget,
    index: number,
  ): void {
    this.endRead();
    w.targets.push(target);
    w.indexes.push(index);
    if (w.backlog.length > 0 || !writeRequest(w.req, w.port, kind, db, proto, argv, client)) {
      w.backlog.push({ kind, db, proto, argv, client });
    }
    w.signalPending = true;
  }

  /**
   * A cross-shard job (src/shards/jobs.ts): hold every involved shard at this point of the
   * global order, and let the coordinator run the job against them. Needs two shards or
   * more; one shard never has cross-shard work.
   */
  runJob(
    name: string,
    argv: string[],
    db: number,
    proto: Proto,
    shards: number[],
    target: ReplyTarget,
    index: number,
  ): void {
    const port = this.coordPort;
    if (port === undefined) throw new Error("cross-shard job without a coordinator");
    const id = ++this.jobSeq;
    for (const s of shards) this.control(s, ["hold", String(id)], IGNORE, 0);
    this.jobs.set(id, { target, index });
    port.postMessage({ id, name, argv, db, proto, settings: this.settings, shards } satisfies JobRequest);
    this.flush();
  }

  private jobDone(r: JobResult): void {
    const j = this.jobs.get(r.id);
    if (j === undefined) return;
    this.jobs.delete(r.id);
    if (r.events !== undefined && r.events.length > 0) {
      // a shard's events from before the job's hold were posted before it answered HELD:
      // publish those first, so that each key's events keep the order they happened in
      for (const w of this.workers) {
        for (let m = receiveMessageOnPort(w.events); m !== undefined; m = receiveMessageOnPort(w.events)) {
          this.onEvents(m.message as string[]);
        }
      }
      this.onEvents(r.events);
    }
    j.target.deliver(r.reply, j.index);
    this.onReplies();
  }

  /**
   * The main thread is at work (a socket read): shards that publish replies meanwhile need
   * not wake it, since settle() at the end of the tick looks at their rings. A wake-up
   * (Atomics.notify, a task posted to this thread, an eventfd write and read) costs both
   * threads more than the look.
   */
  busy(): void {
    if (!this.idle) return;
    this.idle = false;
    for (const w of this.workers) Atomics.store(w.rep.ctrl, CTRL_SLEEP, 0);
  }

  /**
   * The end of a tick: from here on shards wake us. Then one more look at every reply
   * ring, for what was published while they would not have: the flag is set before the
   * look and a shard reads it after publishing (both Atomics, sequentially consistent),
   * so each reply is seen here or wakes us. True when replies were delivered.
   */
  settle(): boolean {
    this.idle = true;
    let n = 0;
    for (const w of this.workers) {
      Atomics.store(w.rep.ctrl, CTRL_SLEEP, 1);
      n += this.drainReplies(w);
    }
    return n > 0;
  }

  /** End of an event-loop tick: wake the shards that got work in it. */
  flush(): void {
    this.endRead();
    for (const w of this.workers) {
      if (!w.signalPending) continue;
      w.signalPending = false;
      w.req.signal(false);
    }
  }

  private drainBacklog(w: WorkerShard): void {
    let moved = false;
    while (w.backlog.length > 0) {
      const p = w.backlog.peek() as PendingRequest;
      if (!writeRequest(w.req, w.port, p.kind, p.db, p.proto, p.argv, p.client)) break;
      w.backlog.shift();
      moved = true;
    }
    if (moved) w.req.signal(false);
  }

  /** Reads every reply a worker has published and hands each to its target. */
  private drainReplies(w: WorkerShard): number {
    let n = 0;
    for (;;) {
      const reply = readReply(w.rep, w.port);
      if (reply === undefined) break;
      n++;
      const target = w.targets.shift() as ReplyTarget;
      const index = w.indexes.shift() as number;
      target.deliver(reply, index);
    }
    if (w.backlog.length > 0) this.drainBacklog(w);
    return n;
  }

  /**
   * Waits, without blocking the event loop, for the worker to bump its reply SEQ, then
   * drains and waits again (Atomics.waitAsync).
   */
  private armReplyWait(w: WorkerShard): void {
    const onWake = (): void => {
      if (this.stopping) return;
      w.replySeq = Atomics.load(w.rep.ctrl, CTRL_SEQ);
      const n = this.drainReplies(w);
      if (n > 0) this.onReplies();
      this.armReplyWait(w);
    };
    const r = Atomics.waitAsync(w.rep.ctrl, CTRL_SEQ, w.replySeq);
    if (r.async) void r.value.then(onWake);
    else queueMicrotask(onWake);
  }

  /** A storage setting changed (CONFIG SET, and once per setting at start). */
  setSetting(name: keyof EngineSettings, value: number): void {
    this.settings = { ...this.settings, [name]: value };
    if (this.inline !== undefined) this.inline.settings = this.settings;
    else void this.controlAll(["config", name, String(value)]);
  }

  /** CONFIG SET hz */
  setHz(hz: number): void {
    if (this.inline !== undefined && this.inlineCron !== undefined) {
      clearInterval(this.inlineCron);
      this.inlineCron = setInterval(() => this.inlineTick(), 1000 / Math.max(1, Math.min(500, hz)));
      this.inlineCron.unref();
    } else void this.controlAll(["hz", String(hz)]);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.inlineCron !== undefined) clearInterval(this.inlineCron);
    this.coordPort?.close();
    await Promise.all([...this.workers.map((w) => w.worker.terminate()), this.coordinator?.terminate()]);
  }
}
