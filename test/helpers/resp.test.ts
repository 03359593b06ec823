/*
 * The test helpers themselves: RESP reply framing (every RESP2/RESP3 type), and RawClient
 * plus startRedis against a real redis-server (skipped, loudly, when it is not installed).
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCommand, parseReply, RawClient, RespFormatError, replyLength, replyShape, sortedReply } from "./resp.js";
import { freePort, haveRedis, type ServerHandle, startRedis } from "./servers.js";

const b = (s: string): Buffer => Buffer.from(s, "latin1");

describe("encodeCommand", () => {
  it("encodes strings as UTF-8, Buffers as is, numbers as text", () => {
    expect(encodeCommand(["SET", "é", Buffer.from([0, 255]), 12]).toString("latin1")).toBe(
      "*4\r\n$3\r\nSET\r\n$2\r\n\xc3\xa9\r\n$2\r\n\x00\xff\r\n$2\r\n12\r\n",
    );
  });
});

describe("replyLength", () => {
  const complete: [string, string][] = [
    ["simple string", "+OK\r\n"],
    ["error", "-ERR x\r\n"],
    ["integer", ":-12\r\n"],
    ["bulk", "$3\r\na\r\n\r\n"],
    ["empty bulk", "$0\r\n\r\n"],
    ["null bulk", "$-1\r\n"],
    ["null array", "*-1\r\n"],
    ["empty array", "*0\r\n"],
    ["RESP3 null", "_\r\n"],
    ["double", ",3.14\r\n"],
    ["boolean", "#t\r\n"],
    ["big number", "(123456789012345678901234567890\r\n"],
    ["blob error", "!5\r\nERR x\r\n"],
    ["verbatim", "=8\r\ntxt:abcd\r\n"],
    ["nested", "*2\r\n*1\r\n:1\r\n$-1\r\n"],
    ["map", "%2\r\n+a\r\n:1\r\n+b\r\n*1\r\n_\r\n"],
    ["set", "~2\r\n+a\r\n+b\r\n"],
    ["push", ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"],
    ["attribute before a value", "|1\r\n+key\r\n:1\r\n$2\r\nhi\r\n"],
    ["attribute inside an array", "*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n"],
    ["bulk with CRLF inside", "$4\r\n\r\n\r\n\r\n"],
  ];
  for (const [name, reply] of complete) {
    it(`frames a ${name}`, () => {
      expect(replyLength(b(reply))).toBe(reply.length);
      expect(replyLength(b(`${reply}+NEXT\r\n`))).toBe(reply.length);
      // every strict prefix is incomplete
      for (let i = 0; i < reply.length; i++) expect(replyLength(b(reply.slice(0, i)))).toBe(-1);
    });
  }

  it("rejects bytes that cannot be a reply", () => {
    expect(() => replyLength(b("x\r\n"))).toThrow(RespFormatError);
    expect(() => replyLength(b("$x\r\n"))).toThrow(RespFormatError);
    expect(() => replyLength(b("$1\r\nab\r\n"))).toThrow(RespFormatError);
    expect(() => replyLength(b("%-1\r\n"))).toThrow(RespFormatError);
  });
});

describe("replyShape and sortedReply", () => {
  it("describes types and sizes, not content", () => {
    const hello = "%3\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n$7\r\nmodules\r\n*0\r\n";
    expect(replyShape(b(hello))).toBe("%3{$,$,$,:,$,*0[]}");
    expect(replyShape(b("$-1\r\n"))).toBe("$-1");
    expect(replyShape(b("|1\r\n+k\r\n+v\r\n:1\r\n"))).toBe("|1{+,+}:");
  });

  it("sorts the elements of a top-level aggregate, map pairs kept together", () => {
    expect(sortedReply(b("*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n")).toString("latin1")).toBe(
      "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
    );
    expect(sortedReply(b("%2\r\n+b\r\n:1\r\n+a\r\n:2\r\n")).toString("latin1")).toBe("%2\r\n+a\r\n:2\r\n+b\r\n:1\r\n");
    expect(sortedReply(b("+OK\r\n")).toString("latin1")).toBe("+OK\r\n");
  });

  it("parseReply exposes values", () => {
    const n = parseReply(b("*2\r\n$2\r\nhi\r\n:5\r\n"));
    expect(n.children?.map((c) => c.value?.toString())).toEqual(["hi", "5"]);
    expect(() => parseReply(b("+OK\r\n+OK\r\n"))).toThrow(RespFormatError);
  });
});

describe.skipIf(!haveRedis())("RawClient and startRedis against redis-server", () => {
  let redis: ServerHandle;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("reads exactly one reply per call, in order when pipelined", async () => {
    const c = await RawClient.connect(redis.port);
    c.send(Buffer.concat([encodeCommand(["SET", "k", "v"]), encodeCommand(["GET", "k"]), b("PING\r\n")]));
    const replies = await Promise.all([c.readReply(), c.readReply(), c.readReply()]);
    expect(replies.map((r) => r.toString("latin1"))).toEqual(["+OK\r\n", "$1\r\nv\r\n", "+PONG\r\n"]);
    expect((await c.command("HELLO", "3")).toString("latin1")).toMatch(/^%7\r\n/);
    expect((await c.command("GET", "nope")).toString("latin1")).toBe("_\r\n");
    await c.close();
    expect(c.isClosed).toBe(true);
  });

  it("sees the server close the connection after a protocol error", async () => {
    const c = await RawClient.connect(redis.port);
    c.send("*1\r\n$x\r\n");
    const { data, closed } = await c.readUntilIdle(300);
    expect(data.toString("latin1")).toBe("-ERR Protocol error: invalid bulk length\r\n");
    expect(closed).toBe(true);
    await c.closed;
    await expect(c.readReply()).rejects.toThrow(/closed/);
  });

  it("times out waiting for a reply that does not come", async () => {
    const c = await RawClient.connect(redis.port);
    c.send("*1\r\n$4\r\nPI");
    await expect(c.readReply(200)).rejects.toThrow(/no complete reply/);
    await c.close();
  });

  it("stop() is idempotent, kills the process and removes the temp dir", async () => {
    const s = await startRedis();
    expect(existsSync(s.dir)).toBe(true);
    expect(s.running()).toBe(true);
    await Promise.all([s.stop(), s.stop()]);
    await s.stop();
    expect(s.running()).toBe(false);
    expect(existsSync(s.dir)).toBe(false);
    await expect(RawClient.connect(s.port)).rejects.toThrow();
  });

  it("fails a bad start with the server's output", async () => {
    await expect(startRedis(["--no-such-directive", "x"])).rejects.toThrow(
      /exited.*before it was ready[\s\S]*Bad directive/,
    );
  });

  it("freePort returns a bindable port", async () => {
    const p = await freePort();
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(65536);
  });
});
