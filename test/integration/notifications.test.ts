/*
 * Keyspace notifications (notify-keyspace-events) compared with the real redis-server.
 *
 * The same script of commands (a few per family, including removals that empty a
 * collection, multi-key commands whose keys sit in different shards, RENAME, EXPIRE, expiry
 * by time, blocked BLPOP/BLMOVE/BZPOPMIN/XREADGROUP served by a later write, MULTI/EXEC,
 * DEL) runs on redis-server, shardis --shards 0 and shardis --shards 3, while a second
 * connection is PSUBSCRIBEd to `__key*__:*`. Once the message flow is quiet, the frames
 * each server sent (type, size and every element) are compared.
 *
 * Ordering: in shardis every shard raises its events independently, so with several
 * shards the events of keys in different shards may interleave differently than in Redis.
 * Within one key (its `__keyspace@db__:key` messages and the `__keyevent@db__:*` messages
 * naming it) the order must be Redis's, so the comparison is per key (db, key): the ordered
 * list of frames concerning each key. The inline mode (--shards 0) runs everything on one
 * thread and must match Redis's global order too. Known exceptions: CROSS_SHARD_RACES.
 *
 * Passes: all classes with both channel kinds (KEA), narrower class sets (keyevent only for
 * lists and hashes; keyspace only for generic, string and expired events), and a RESP3
 * subscriber (HELLO 3: the messages are `>4` push frames).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReply, RawClient, replyLength } from "../helpers/resp.js";
import { haveRedis, type ServerHandle, startRedis, startShardis } from "../helpers/servers.js";

const redisMissing = !haveRedis();
if (redisMissing)
  console.warn("\n*** redis-server not installed: the keyspace notification comparisons are SKIPPED ***\n");

/**
 * A step: a command for the script connection (its reply awaited), or a directive:
 * `@block cmd...` sends cmd on a third connection without waiting, `@await` waits for that
 * connection's reply, `@sleep ms` pauses.
 */
type Step = string[];

const SCRIPT: Step[] = [
  // strings and generic commands (plain key names spread over the shards)
  ["SET", "str", "v"],
  ["APPEND", "str", "w"],
  ["INCR", "cnt"],
  ["INCRBYFLOAT", "cnt", "1.5"],
  ["SET", "ttl", "v", "EX", "100"],
  ["PERSIST", "ttl"],
  ["EXPIRE", "ttl", "100"],
  ["RENAME", "ttl", "renamed"],
  ["COPY", "renamed", "copied"],
  ["MOVE", "copied", "1"],
  ["DEL", "renamed", "str", "nosuch"],
  ["EXPIRE", "cnt", "0"],
  ["SET", "soon", "v", "PX", "50"],
  ["@sleep", "300"],
  ["EXISTS", "soon"], // expired by now: actively, or lazily by this lookup
  // hashes
  ["HSET", "h", "a", "1", "b", "2"],
  ["HSET", "h", "a", "1"],
  ["HSETNX", "h", "a", "x"],
  ["HSETNX", "h", "c", "3"],
  ["HINCRBY", "h", "n", "5"],
  ["HINCRBYFLOAT", "h", "f", "0.5"],
  ["HDEL", "h", "nosuch"],
  ["HDEL", "h", "a", "b"],
  ["HDEL", "h", "c", "n", "f", "zz"],
  ["HMSET", "h2", "a", "1"],
  // sets
  ["SADD", "s1", "a", "b", "c"],
  ["SADD", "s2", "c", "d"],
  ["SADD", "s1", "a"],
  ["SREM", "s1", "a", "nosuch"],
  ["SREM", "s1", "nosuch"],
  ["SMOVE", "s1", "s2", "b"],
  ["SMOVE", "s1", "s3", "c"],
  ["SMOVE", "s2", "s2", "c"],
  ["SUNIONSTORE", "su", "s2", "s3"],
  ["SINTERSTORE", "si", "s2", "s3"],
  ["SDIFFSTORE", "sd", "s2", "s3"],
  ["SINTERSTORE", "su", "s2", "nosuch"],
  ["SDIFFSTORE", "sd", "s3", "s3"],
  ["SPOP", "s3"],
  ["SPOP", "s2", "0"],
  ["SPOP", "s2", "1"],
  ["SPOP", "s2", "10"],
  ["SADD", "{t}a", "1", "2"],
  ["SADD", "{t}b", "2", "3"],
  ["SINTERSTORE", "{t}c", "{t}a", "{t}b"],
  // bitmaps
  ["SETBIT", "b1", "7", "1"],
  ["SETBIT", "b1", "7", "1"],
  ["SETBIT", "b1", "7", "0"],
  ["SETBIT", "b2", "100", "1"],
  ["BITFIELD", "b1", "SET", "u8", "0", "255", "INCRBY", "u8", "8", "1"],
  ["BITFIELD", "b1", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1"],
  ["BITFIELD", "b1", "SET", "u8", "0", "255"],
  ["BITFIELD", "b1", "GET", "u8", "0"],
  ["BITFIELD_RO", "b1", "GET", "u8", "0"],
  ["BITOP", "AND", "bd", "b1", "b2"],
  ["BITOP", "NOT", "bn", "b2"],
  ["BITOP", "OR", "bd", "nosuch1", "nosuch2"],
  // HyperLogLogs
  ["PFADD", "p1", "a", "b"],
  ["PFADD", "p1", "a"],
  ["PFADD", "p2", "c"],
  ["PFADD", "p3"],
  ["PFMERGE", "pm", "p1", "p2"],
  ["PFMERGE", "pm"],
  ["PFCOUNT", "p1", "p2"],
  // streams
  ["XADD", "x", "1-1", "f", "v"],
  ["XADD", "x", "MAXLEN", "1", "2-1", "f", "v"],
  ["XADD", "x", "MAXLEN", "5", "2-2", "f", "v"],
  ["XADD", "nox", "NOMKSTREAM", "1-1", "f", "v"],
  ["XGROUP", "CREATE", "x", "g", "0"],
  ["XGROUP", "CREATECONSUMER", "x", "g", "c1"],
  ["XGROUP", "CREATECONSUMER", "x", "g", "c1"],
  ["XREADGROUP", "GROUP", "g", "c2", "COUNT", "1", "STREAMS", "x", ">"],
  ["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "x", ">"],
  ["XCLAIM", "x", "g", "c3", "0", "2-1"],
  ["XAUTOCLAIM", "x", "g", "c4", "0", "0"],
  ["XGROUP", "DELCONSUMER", "x", "g", "c1"],
  ["XGROUP", "DELCONSUMER", "x", "g", "nosuch"],
  ["XGROUP", "SETID", "x", "g", "$"],
  ["XDEL", "x", "2-1", "9-9"],
  ["XDEL", "x", "9-9"],
  ["XADD", "x", "3-1", "f", "v"],
  ["XTRIM", "x", "MAXLEN", "0"],
  ["XTRIM", "x", "MAXLEN", "0"],
  ["XSETID", "x", "5-0"],
  ["XGROUP", "DESTROY", "x", "g"],
  ["XGROUP", "DESTROY", "x", "g"],
  ["XGROUP", "CREATE", "x2", "g", "$", "MKSTREAM"],
  ["@block", "XREADGROUP", "GROUP", "g", "cb", "BLOCK", "5000", "STREAMS", "x2", ">"],
  ["@sleep", "150"],
  ["XADD", "x2", "1-1", "f", "v"],
  ["@await"],
  // lists
  ["RPUSH", "l1", "a", "b", "c"],
  ["LPUSH", "l1", "z"],
  ["LPUSHX", "nol", "a"],
  ["RPUSHX", "l1", "d"],
  ["LINSERT", "l1", "BEFORE", "a", "y"],
  ["LINSERT", "l1", "BEFORE", "nosuch", "y"],
  ["LSET", "l1", "0", "q"],
  ["LREM", "l1", "1", "q"],
  ["LREM", "l1", "0", "nosuch"],
  ["LTRIM", "l1", "0", "100"],
  ["LTRIM", "l1", "0", "3"],
  ["LMOVE", "l1", "l2", "LEFT", "RIGHT"],
  ["LMOVE", "l1", "l1", "LEFT", "RIGHT"],
  ["RPOPLPUSH", "l1", "l2"],
  ["LPOP", "l1"],
  ["LPOP", "l1", "0"],
  ["LPOP", "l1", "10"],
  ["BLPOP", "l2", "0"],
  ["RPUSH", "l3", "a"],
  ["LMOVE", "l3", "l2", "LEFT", "LEFT"],
  ["LMPOP", "2", "nol", "l2", "RIGHT", "COUNT", "10"],
  ["RPUSH", "l4", "a", "b"],
  ["LTRIM", "l4", "5", "1"],
  ["@block", "BLPOP", "bl", "5"],
  ["@sleep", "150"],
  ["RPUSH", "bl", "x", "y"],
  ["@await"],
  ["LPOP", "bl"],
  ["@block", "BLMOVE", "{bm}1", "{bm}2", "LEFT", "RIGHT", "5"],
  ["@sleep", "150"],
  ["RPUSH", "{bm}1", "a"],
  ["@await"],
  // sorted sets
  ["ZADD", "z1", "1", "a", "2", "b"],
  ["ZADD", "z1", "1", "a"],
  ["ZADD", "z1", "XX", "1", "nosuch"],
  ["ZADD", "z1", "CH", "5", "a"],
  ["ZADD", "z1", "LT", "1", "a"],
  ["ZINCRBY", "z1", "3", "a"],
  ["ZINCRBY", "z1", "0", "a"],
  ["ZADD", "z1", "INCR", "1", "b"],
  ["ZADD", "z2", "5", "c"],
  ["ZUNIONSTORE", "zu", "2", "z1", "z2"],
  ["ZINTERSTORE", "zi", "2", "z1", "z2"],
  ["ZDIFFSTORE", "zd", "2", "z1", "z2"],
  ["ZRANGESTORE", "zr", "z1", "0", "0"],
  ["ZRANGESTORE", "zr", "z1", "5", "6"],
  ["ZREM", "z1", "a"],
  ["ZREMRANGEBYRANK", "zu", "0", "0"],
  ["ZREMRANGEBYLEX", "zu", "[x", "[y"],
  ["ZREMRANGEBYSCORE", "zu", "-inf", "+inf"],
  ["ZPOPMIN", "z1"],
  ["ZPOPMAX", "z2", "0"],
  ["ZPOPMAX", "z2", "5"],
  ["ZADD", "z3", "1", "a", "2", "b"],
  ["ZMPOP", "1", "z3", "MIN"],
  ["BZPOPMAX", "z3", "0"],
  ["@block", "BZPOPMIN", "bz", "5"],
  ["@sleep", "150"],
  ["ZADD", "bz", "1", "a", "2", "b"],
  ["@await"],
  // a transaction over keys of several shards
  ["MULTI"],
  ["SADD", "m1", "a"],
  ["LPUSH", "m2", "b"],
  ["ZADD", "m3", "1", "c"],
  ["SREM", "m1", "a"],
  ["LPOP", "m2"],
  ["EXEC"],
  // SORT ... STORE, then a DEL of several keys in several shards
  ["RPUSH", "sl", "3", "1", "2"],
  ["SORT", "sl", "STORE", "sorted"],
  ["DEL", "sl", "sorted", "si", "sd", "b1", "b2", "bd", "bn", "p1", "p2", "pm", "x", "x2", "h2", "{t}a", "{t}b"],
];

/**
 * A command that runs in a key's shard, then a cross-shard job touching the same key: the
 * shard's events travel on its event port, the job's with its result, and the main thread
 * must publish the shard's first (Router.jobDone drains the shards' ports before the job's
 * events). Two cases: a BLMOVE between keys of different shards served by a push on its
 * source, and a transaction that pushes to a key and then RENAMEs it to another shard's.
 */
const CROSS_SHARD_RACES: Step[] = [
  ["@block", "BLMOVE", "bm1", "bm2", "LEFT", "RIGHT", "5"],
  ["@sleep", "150"],
  ["RPUSH", "bm1", "a"],
  ["@await"],
  ["DEL", "bm2"],
  ["MULTI"],
  ["LPUSH", "m2", "b"],
  ["RENAME", "m2", "m4"],
  ["EXEC"],
  ["DEL", "m4"],
];

/**
 * One pass: every frame the subscriber got, as `>4 pmessage <pattern> <channel> <message>`
 * (the frame's type and size, then its elements: the whole of a well-formed frame).
 */
async function runPass(port: number, classes: string, proto: 2 | 3, script = SCRIPT): Promise<string[]> {
  const cmd = await RawClient.connect(port);
  const sub = await RawClient.connect(port);
  const blocker = await RawClient.connect(port);
  try {
    await cmd.command("FLUSHALL");
    expect((await cmd.command("CONFIG", "SET", "notify-keyspace-events", classes)).toString()).toBe("+OK\r\n");
    if (proto === 3) await sub.command("HELLO", "3");
    await sub.command("PSUBSCRIBE", "__key*__:*");
    let blocked: Promise<Buffer> | undefined;
    for (const step of script) {
      if (step[0] === "@sleep") await sleep(Number(step[1]));
      else if (step[0] === "@block") blocked = blocker.command(...step.slice(1));
      else if (step[0] === "@await") await blocked;
      else await cmd.command(...step);
    }
    const { data } = await sub.readUntilIdle(500, 20_000);
    const frames: string[] = [];
    let buf = data;
    while (buf.length > 0) {
      const len = replyLength(buf);
      if (len < 0) throw new Error(`incomplete frame ${JSON.stringify(buf.toString("latin1"))}`);
      const n = parseReply(buf.subarray(0, len));
      const parts = n.children?.map((c) => `${c.type === "$" ? "" : c.type}${c.value?.toString("latin1")}`) ?? [];
      frames.push(`${n.type}${parts.length} ${parts.join(" ")}`);
      buf = buf.subarray(len);
    }
    return frames;
  } finally {
    await cmd.command("CONFIG", "SET", "notify-keyspace-events", "").catch(() => undefined);
    for (const c of [cmd, sub, blocker]) await c.close();
  }
}

/** The frames grouped by the key they concern: "db key" -> frames in arrival order. */
function perKey(frames: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of frames) {
    const parts = f.split(" ").slice(1);
    if (parts[0] !== "pmessage") throw new Error(`unexpected frame ${JSON.stringify(f)}`);
    const channel = parts[2];
    const m = /^__key(space|event)@(\d+)__:(.*)$/s.exec(channel);
    if (m === null) throw new Error(`unexpected channel ${channel}`);
    const key = `${m[2]} ${m[1] === "space" ? m[3] : parts[3]}`;
    (out[key] ??= []).push(f);
  }
  return out;
}

const PASSES: Array<{ classes: string; proto: 2 | 3 }> = [
  { classes: "KEA", proto: 2 },
  { classes: "Elh", proto: 2 },
  { classes: "Kg$x", proto: 2 },
  { classes: "Eszt", proto: 2 },
  { classes: "KEA", proto: 3 },
];

describe.skipIf(redisMissing)("keyspace notifications compared with redis-server", () => {
  let redis: ServerHandle;
  const servers: Array<[string, ServerHandle]> = [];
  const expected = new Map<string, string[]>();

  beforeAll(async () => {
    redis = await startRedis();
    servers.push(["--shards 0", await startShardis(["--shards", "0"])]);
    servers.push(["--shards 3", await startShardis(["--shards", "3"])]);
    for (const p of PASSES) expected.set(`${p.classes}/${p.proto}`, await runPass(redis.port, p.classes, p.proto));
    expected.set("cross-shard-races", await runPass(redis.port, "KEA", 2, CROSS_SHARD_RACES));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([redis?.stop(), ...servers.map(([, s]) => s.stop())]);
  });

  it("redis-server raised events in every pass (the script exercises every family)", () => {
    const all = perKey(expected.get("KEA/2") ?? []);
    for (const k of ["0 h", "0 s1", "0 b1", "0 p1", "0 x", "0 l1", "0 z1", "0 soon", "1 copied"])
      expect(all[k], k).toBeDefined();
    for (const p of PASSES) expect(expected.get(`${p.classes}/${p.proto}`)?.length).toBeGreaterThan(0);
  });

  for (const mode of ["--shards 0", "--shards 3"]) {
    for (const p of PASSES) {
      it(`${mode}: ${p.classes} (RESP${p.proto}): the same events per key, in the same order`, async () => {
        const srv = servers.find(([m]) => m === mode)?.[1] as ServerHandle;
        const got = await runPass(srv.port, p.classes, p.proto);
        const want = expected.get(`${p.classes}/${p.proto}`) as string[];
        expect(perKey(got)).toEqual(perKey(want));
        // one thread: Redis's global order too
        if (mode === "--shards 0") expect(got).toEqual(want);
      }, 60_000);
    }

    it.todo(
      `${mode}: RESP3, a subscribed client's own write: Redis sends the event's push before the reply (shardis sends the reply first)`,
    );

    it(`${mode}: a shard's events, then a cross-shard job's on the same key: the same events per key`, async () => {
      const srv = servers.find(([m]) => m === mode)?.[1] as ServerHandle;
      const frames = await runPass(srv.port, "KEA", 2, CROSS_SHARD_RACES);
      const got = perKey(frames);
      const want = perKey(expected.get("cross-shard-races") as string[]);
      expect(Object.keys(want).sort()).toEqual(["0 bm1", "0 bm2", "0 m2", "0 m4"]);
      // each key's events in the order Redis raised them
      expect(got).toEqual(want);
    });
  }
});
