/*
 * The request parser on its own: whatever way a stream of requests is cut into reads, and
 * whichever requests the sink takes on the raw path (commandRaw), the commands that come
 * out are the ones that went in, in order. Reads arrive in one reused buffer, as the
 * server's socket hands them over, so a parser that kept a view of it would fail here.
 */
import { describe, expect, it } from "vitest";
import { type CommandSink, RequestParser } from "../../src/resp/parser.js";

function multibulk(argv: string[]): string {
  return `*${argv.length}\r\n${argv.map((a) => `$${a.length}\r\n${a}\r\n`).join("")}`;
}

/** A seeded generator (mulberry32), so a failure names its case. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Requests of every shape the parser frames: small, many-argument, big-argument, inline, empty. */
function requests(rand: () => number): { wire: string; expected: string[][] } {
  const expected: string[][] = [];
  let wire = "";
  for (let i = 0; i < 60; i++) {
    const r = rand();
    if (r < 0.5) {
      const argv = ["SET", `key:${i}`, "x".repeat(Math.floor(rand() * 20))];
      wire += multibulk(argv);
      expected.push(argv);
    } else if (r < 0.65) {
      const argv = ["MSET"];
      const n = 1 + Math.floor(rand() * 80); // over and under the raw path's argument cap
      for (let j = 0; j < n; j++) argv.push(`k${j}`, `v\r\n${j}`);
      wire += multibulk(argv);
      expected.push(argv);
    } else if (r < 0.72) {
      const argv = ["SET", "big", "b".repeat(32 * 1024 + Math.floor(rand() * 5000))];
      wire += multibulk(argv);
      expected.push(argv);
    } else if (r < 0.85) {
      wire += `PING  "a b" ${i}\r\n`;
      expected.push(["PING", "a b", String(i)]);
    } else if (r < 0.9) {
      wire += "*0\r\n";
    } else {
      const argv = ["GET", ""];
      wire += multibulk(argv);
      expected.push(argv);
    }
  }
  return { wire, expected };
}

class Sink implements CommandSink {
  readonly got: string[][] = [];
  readonly viaRaw: boolean[] = [];

  constructor(private readonly takeRaw: () => boolean) {}

  command(argv: string[]): boolean {
    this.got.push(argv);
    this.viaRaw.push(false);
    return true;
  }

  commandRaw(buf: Buffer, start: number, end: number, offs: Int32Array, argc: number): boolean | undefined {
    if (!this.takeRaw()) return undefined;
    const argv: string[] = [];
    for (let i = 0; i < argc; i++) argv.push(buf.toString("latin1", offs[2 * i], offs[2 * i] + offs[2 * i + 1]));
    // the bytes given are exactly the request as sent
    expect(buf.toString("latin1", start, end)).toBe(multibulk(argv));
    this.got.push(argv);
    this.viaRaw.push(true);
    return true;
  }

  protocolError(what: string): void {
    throw new Error(`protocol error: ${what}`);
  }

  authRequired(): boolean {
    return false;
  }

  maxBulkLen(): number {
    return 512 * 1024 * 1024;
  }
}

/** Feeds `wire` cut at the given lengths, each piece copied into one reused read buffer. */
function feedInPieces(wire: Buffer, sizes: () => number, sink: Sink): void {
  const parser = new RequestParser();
  const readBuffer = Buffer.alloc(64 * 1024);
  for (let at = 0; at < wire.length; ) {
    const n = Math.min(sizes(), wire.length - at, readBuffer.length);
    wire.copy(readBuffer, 0, at, at + n);
    parser.feed(readBuffer.subarray(0, n), sink);
    readBuffer.fill(0x23); // what the next read would overwrite
    at += n;
  }
  expect(parser.pending()).toBe(0);
}

describe("RequestParser", () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`frames the same commands whatever the reads and the raw path take (seed ${seed})`, () => {
      const rand = rng(seed);
      const { wire, expected } = requests(rand);
      const bytes = Buffer.from(wire, "latin1");
      const sizeChoices = [1, 2, 7, 100, 4096, 65536];
      const size = sizeChoices[seed % sizeChoices.length];
      const sizes = seed % 2 === 0 ? () => size : () => 1 + Math.floor(rand() * 3000);
      const sink = new Sink(() => rand() < 0.7);
      feedInPieces(bytes, sizes, sink);
      expect(sink.got).toEqual(expected);
      // requests that arrived whole in one read went the raw way when the sink took them
      if (size >= 4096) expect(sink.viaRaw.some((r) => r)).toBe(true);
    });
  }

  it("passes only whole requests of at most 64 arguments to commandRaw", () => {
    const sink = new Sink(() => true);
    const small = ["SET", "a", "b"];
    const many = ["DEL", ...Array.from({ length: 64 }, (_, i) => `k${i}`)];
    feedInPieces(Buffer.from(multibulk(small) + multibulk(many), "latin1"), () => 65536, sink);
    expect(sink.got).toEqual([small, many]);
    expect(sink.viaRaw).toEqual([true, false]);
  });

  it("falls back to command() when commandRaw declines", () => {
    const sink = new Sink(() => false);
    feedInPieces(Buffer.from(multibulk(["GET", "k"]) + multibulk(["GET", "j"]), "latin1"), () => 65536, sink);
    expect(sink.got).toEqual([
      ["GET", "k"],
      ["GET", "j"],
    ]);
    expect(sink.viaRaw).toEqual([false, false]);
  });
});
