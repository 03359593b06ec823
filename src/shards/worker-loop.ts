/*
 * The shard side of the thread boundary: a synchronous loop that drains the request ring,
 * executes each command on the ShardEngine, writes each reply into the reply ring, and
 * sleeps on the ring's SEQ word (Atomics.wait) when there is nothing to do. The wait's
 * timeout doubles as the shard's cron (active expiry at `hz`).
 */
import type { MessagePort } from "node:worker_threads";
import { configureLog, log } from "../util/log.js";
import { REQ_CONTROL, readRequest, writeReply } from "./contract.js";
import { shardControl } from "./control.js";
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
}

export function runShardWorker(init: ShardWorkerInit): never {
  configureLog(init.logLevel, init.logFile);
  const engine = new ShardEngine(init.id, init.databases);
  const req = new Ring(init.requests);
  const rep = new Ring(init.replies);
  let cronEvery = 1000 / init.hz;
  let nextCron = performance.now() + cronEvery;
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
    engine.now = Date.now();
    for (;;) {
      const r = readRequest(req, init.port);
      if (r === undefined) break;
      handled++;
      if (r.kind === REQ_CONTROL) {
        const out = shardControl(engine, r.argv);
        if (out.hz !== undefined) cronEvery = 1000 / out.hz;
        reply(out.reply);
      } else {
        reply(engine.execute(r.argv, r.db, r.proto));
      }
      // a long batch: publish what is ready so the main thread can start writing
      if ((handled & 255) === 0) {
        rep.signal(true);
        engine.now = Date.now();
      }
    }
    if (handled > 0) rep.signal(true);

    const t = performance.now();
    if (t >= nextCron) {
      engine.activeExpireCycle();
      nextCron = t + cronEvery;
    }
    // sleep until the next batch or the next cron tick
    Atomics.store(req.ctrl, CTRL_SLEEP, 1);
    const seq = Atomics.load(req.ctrl, CTRL_SEQ);
    if (req.isEmpty()) Atomics.wait(req.ctrl, CTRL_SEQ, seq, Math.max(1, nextCron - performance.now()));
    Atomics.store(req.ctrl, CTRL_SLEEP, 0);
  }
}
