/*
 * What the aggregate families share: removing members one by one (HDEL, SREM), deleting the
 * key as soon as the collection is empty, as Redis never keeps an empty aggregate.
 */
import { NOTIFY_GENERIC } from "../config/keyspace-events.js";
import { integer } from "../resp/reply.js";
import type { ShardCtx } from "./types.js";

/**
 * Removes argv[from..] from the collection at argv[1] (`remove` answers whether a member was
 * there), deletes the key once empty, raises `event` of class `type` (then "del") and
 * answers how many were removed.
 */
export function removeMembers(
  ctx: ShardCtx,
  argv: string[],
  from: number,
  coll: { readonly size: number },
  remove: (member: string) => boolean,
  type: number,
  event: string,
): string {
  let deleted = 0;
  let keyremoved = false;
  for (let j = from; j < argv.length; j++) {
    if (remove(argv[j])) {
      deleted++;
      if (coll.size === 0) {
        ctx.engine.deleteKey(ctx.db, argv[1]);
        // deleteKey counted one change; the removed members count instead
        ctx.engine.dirty--;
        keyremoved = true;
        break;
      }
    }
  }
  if (deleted > 0) {
    ctx.engine.notify(type, event, argv[1], ctx.dbIndex);
    if (keyremoved) ctx.engine.notify(NOTIFY_GENERIC, "del", argv[1], ctx.dbIndex);
  }
  ctx.engine.dirty += deleted;
  return integer(deleted);
}
