/*
 * The coordinator thread: runs cross-shard jobs (src/shards/jobs.ts) against held shards.
 *
 * Protocol, per job (ids increase in the main thread's order):
 *  1. the main thread has appended CONTROL `hold <id>` to each involved shard's ring, at the
 *     command's point of the global order, and posts {id, name, argv, db, shards} here;
 *  2. each shard, on reaching the hold, answers `+HELD` on its coordinator channel and then
 *     serves only that channel until CONTROL `release`;
 *  3. we wait for every involved shard's `+HELD`, run the job's steps (synchronous calls
 *     over the channels), release the shards, and post {id, reply} back.
 * Jobs run one at a time in id order. Holds sit in every shard's ring in the same id
 * order, so a shard always reaches the hold of the job we wait for: no deadlock.
 */
import type { MessagePort } from "node:worker_threads";
import { keyHashSlot, slotTable } from "../keyspace/slot.js";
import type { Proto } from "../resp/reply.js";
import { configureLog, log } from "../util/log.js";
import { REQ_CONTROL, readReply, writeRequest } from "./contract.js";
import type { EngineSettings } from "./engine.js";
import { JOBS } from "./jobs.js";
import { CTRL_SEQ, Ring, type RingBuffers } from "./ring.js";

/** One end of the coordinator <-> shard channel (the coordinator's end here). */
export interface ChannelInit {
  requests: RingBuffers;
  replies: RingBuffers;
  port: MessagePort;
}

export interface CoordinatorInit {
  shards: number;
  channels: ChannelInit[];
  /** to and from the main thread */
  port: MessagePort;
  logLevel: string;
  logFile: string;
}

export interface JobRequest {
  id: number;
  name: string;
  argv: string[];
  db: number;
  proto: Proto;
  settings: EngineSettings;
  shards: number[];
}

export interface JobResult {
  id: number;
  reply: string;
  /** keyspace events the job raised (flat db/event/key triples) */
  events?: string[];
}

class Channel {
  readonly req: Ring;
  readonly rep: Ring;
  constructor(readonly init: ChannelInit) {
    this.req = new Ring(init.requests);
    this.rep = new Ring(init.replies);
  }

  /** Blocks until the shard's next message on this channel. */
  receive(): string {
    for (;;) {
      const r = readReply(this.rep, this.init.port);
      if (r !== undefined) return r;
      const seq = Atomics.load(this.rep.ctrl, CTRL_SEQ);
      if (this.rep.isEmpty()) Atomics.wait(this.rep.ctrl, CTRL_SEQ, seq, 1000);
    }
  }

  send(argv: string[]): void {
    while (!writeRequest(this.req, this.init.port, REQ_CONTROL, 0, 2, argv, 0)) {
      Atomics.wait(this.rep.ctrl, CTRL_SEQ, Atomics.load(this.rep.ctrl, CTRL_SEQ), 1);
    }
    this.req.signal(true);
  }

  call(argv: string[]): string {
    this.send(argv);
    return this.receive();
  }
}

export function runCoordinator(init: CoordinatorInit): void {
  configureLog(init.logLevel, init.logFile);
  const channels = init.channels.map((c) => new Channel(c));
  const table = slotTable(init.shards);
  const shardOf = (key: string): number => table[keyHashSlot(key)];
  const held = { control: (s: number, argv: string[]) => channels[s].call(argv) };

  init.port.on("message", (job: JobRequest) => {
    for (const s of job.shards) {
      const m = channels[s].receive();
      if (m !== "+HELD\r\n") throw new Error(`shard ${s} answered '${m}' instead of HELD for job ${job.id}`);
    }
    let reply: string;
    const events: string[] = [];
    try {
      const run = JOBS[job.name];
      if (run === undefined) throw new Error(`no job '${job.name}'`);
      reply = run({ held, argv: job.argv, db: job.db, proto: job.proto, settings: job.settings, shardOf, events });
    } catch (e) {
      log(
        "warning",
        `coordinator: job '${job.name}' failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
      reply = `-ERR internal error while executing '${job.name}'\r\n`;
    }
    for (const s of job.shards) channels[s].send(["release"]);
    init.port.postMessage({ id: job.id, reply, events } satisfies JobResult);
  });
  log("verbose", "coordinator ready");
}
