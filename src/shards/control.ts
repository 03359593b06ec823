/*
 * Internal operations a shard serves besides commands: what INFO needs, CONFIG RESETSTAT,
 * DEBUG SET-ACTIVE-EXPIRE, hz changes. Shared by the worker loop and the inline shard.
 * Replies are RESP like any other, so they travel the same way.
 */
import { bulk, error, OK } from "../resp/reply.js";
import type { ShardEngine } from "./engine.js";

export function shardControl(engine: ShardEngine, argv: string[]): { reply: string; hz?: number } {
  switch (argv[0]) {
    case "stats":
      return { reply: bulk(JSON.stringify(engine.stats())) };
    case "resetstat":
      engine.resetStats();
      return { reply: OK };
    case "active-expire":
      engine.activeExpireEnabled = argv[1] === "1";
      return { reply: OK };
    case "hz":
      return { reply: OK, hz: Math.max(1, Math.min(500, Number(argv[1]) || 10)) };
    case "saved":
      engine.dirty = 0;
      return { reply: OK };
    default:
      return { reply: error(`ERR unknown shard control '${argv[0]}'`) };
  }
}
