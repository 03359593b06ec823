/*
 * The shard side of the thread boundary: a synchronous loop that drains the request ring,
 * executes each command on the ShardEngine, writes each reply into the reply ring, and
 * sleeps on the ring's SEQ word (Atomics.wait) when there is nothing to do. The wait's
 * timeout doubles as the shard's cron (active expiry at `hz`).
 */
// The command table first: command modules and the engine import each other, and the
// table is the one entry into that cycle that initialises every module in order.
import "../commands/table.js";
import { performance } from "node:perf_hooks";
import type { MessagePort } from "node:worker_threads";
import { OK } from "../resp/reply.js";
import { IdleGc } from "../util/gc.js";
import { configureLog, log } from "../util/log.js";
import { REQ_CONTROL, readRequest, writeReply } from "./contract.js";
import { shardControl } from "./control.js";
import type { ChannelInit } from "./coordinator-loop.js";
import { ShardEngine } from "./engine.js";
import { CTRL_SEQ, CTRL_SLEEP, Ring, type RingBuffers } from "./ring.js";

export interface ShardWorkerInit {
  id: number;
  databases: number;
  hz: number;
  requests: RingBuffers;
  replies: RingBuffers;
  /** large requests arrive here, large replies leave here */
  port: MessagePort;
  logLevel: string;
  logFile: string;
  /** this shard's end of the coordinator channel (present with two shards or more) */
  coord?: ChannelInit;
  /** keyspace events go to the main thread here, a batch at a time */
  events: MessagePort;
}

/**
 * Held for a cross-shard job: answer HELD to the coordinator, then serve only its
 * internal operations until it releases us. Everything the main thread sends meanwhile
 * waits in our request ring, in order.
 */
function holdForCoordinator(engine: ShardEngine, coord: ChannelInit, req: Ring, rep: Ring): void {
  const send = (r: string): void => {
    while (!writeReply(rep, coord.port, r)) Atomics.wait(req.ctrl, CTRL_SEQ, Atomics.load(req.ctrl, CTRL_SEQ), 1);
    rep.signal(true);
  };
  send("+HELD\r\n");
  for (;;) {
    const r = readRequest(req, coord.port);
    if (r === undefined) {
      const seq = Atomics.load(req.ctrl, CTRL_SEQ);
      if (req.isEmpty()) Atomics.wait(req.ctrl, CTRL_SEQ, seq, 1000);
      continue;
    }
    if (r.argv[0] === "release") {
      req.publishTail();
      return;
    }
    send(shardControl(engine, r.argv).reply);
  }
}

export function runShardWorker(init: ShardWorkerInit): never {
  configureLog(init.logLevel, init.logFile);
  const engine = new ShardEngine(init.id, init.databases);
  const req = new Ring(init.requests);
  const rep = new Ring(init.replies);
  // the coordinator's channel: kept for the worker's life (each side of a ring keeps its own index)
  const coordReq = init.coord === undefined ? undefined : new Ring(init.coord.requests);
  const coordRep = init.coord === undefined ? undefined : new Ring(init.coord.replies);
  let cronEvery = 1000 / init.hz;
  let nextCron = performance.now() + cronEvery;
  const idleGc = new IdleGc();
  log("verbose", `shard ${init.id} ready`);

  const reply = (r: string): void => {
    // the main thread frees room as it reads; wait for it in short naps
    while (!writeReply(rep, init.port, r)) {
      rep.signal(true);
      Atomics.wait(rep.ctrl, CTRL_SEQ, Atomics.load(rep.ctrl, CTRL_SEQ), 1);
    }
  };

  for (;;) {
    let handled = 0;
    let nextPublish = 256;
    engine.now = Date.now();
    for (;;) {
      const r = readRequest(req, init.port);
      if (r === undefined) break;
      handled++;
      if (r.kind === REQ_CONTROL && r.argv[0] === "hold" && init.coord !== undefined) {
        // let the main thread have what is answered so far before we stop for the job
        rep.signal(true);
        // events raised before the hold go out first: the job's own come after them
        if (engine.events.length > 0) init.events.postMessage(engine.takeEvents());
        holdForCoordinator(engine, init.coord, coordReq as Ring, coordRep as Ring);
        engine.now = Date.now();
        reply(OK);
      } else if (r.kind === REQ_CONTROL) {
        const out = shardControl(engine, r.argv);
        if (out.hz !== undefined) cronEvery = 1000 / out.hz;
        reply(out.reply);
      } else if (r.batch !== undefined) {
        for (let i = 0; i < r.batch.length; i++) {
          if (i > 0) handled++;
          reply(engine.execute(r.batch[i], r.db, r.proto, undefined, r.client));
        }
      } else {
        reply(engine.execute(r.argv, r.db, r.proto, undefined, r.client));
      }
      // a long batch: publish what is ready so the main thread can start writing
      if (handled >= nextPublish) {
        nextPublish = handled + 256;
        rep.signal(false);
        engine.now = Date.now();
      }
    }
    // the main thread is woken only when it is idle (Router.settle)
    if (handled > 0) rep.signal(false);
    if (engine.events.length > 0) init.events.postMessage(engine.takeEvents());

    const t = performance.now();
    if (t >= nextCron) {
      engine.activeExpireCycle();
      idleGc.maybe(engine.dirty, t);
      nextCron = t + cronEvery;
      if (engine.events.length > 0) init.events.postMessage(engine.takeEvents());
    }
    // sleep until the next batch or the next cron tick
    Atomics.store(req.ctrl, CTRL_SLEEP, 1);
    const seq = Atomics.load(req.ctrl, CTRL_SEQ);
    if (req.isEmpty()) Atomics.wait(req.ctrl, CTRL_SEQ, seq, Math.max(1, nextCron - performance.now()));
    Atomics.store(req.ctrl, CTRL_SLEEP, 0);
  }
}
