/*
 * The seeded random comparison test's building blocks. A family contributes a generator
 * (test/compat/random/<family>.ts) that draws one command at a time from a Rand; the
 * harness (test/compat/random.test.ts) sends the same stream to redis-server and shardis
 * and compares the raw replies, printing the seed and the command on a mismatch.
 */

/** How a reply is compared: exactly, with the top-level aggregate sorted, or by shape. */
export type RandomCheck = "exact" | "sorted" | "shape";

export interface RandomCommand {
  argv: string[];
  check?: RandomCheck;
}

/** A deterministic stream of choices (mulberry32), so that a seed replays a whole run. */
export class Rand {
  private state: number;

  constructor(
    readonly seed: number,
    /** the small key set every family draws from, so that commands collide on keys */
    readonly keys: readonly string[],
  ) {
    this.state = seed >>> 0;
  }

  /** uniform in [0, 1) */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** an integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** an integer in [lo, hi] */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }

  key(): string {
    return this.pick(this.keys);
  }

  /**
   * A value as clients send them: mostly short words from a small alphabet (so members
   * repeat), sometimes integers (int encodings), floats, the empty string, or binary bytes.
   */
  value(): string {
    const k = this.int(10);
    if (k < 5) return this.pick(["a", "b", "c", "d", "e", "f", "foo", "bar", "x1", "zz"]);
    if (k < 7) return String(this.range(-20, 100));
    if (k === 7) return this.pick(["", " ", "0", "-0", "1.5", "-2.25", "1e3", "inf", "nan", "9223372036854775807"]);
    if (k === 8) return String.fromCharCode(...Array.from({ length: this.range(1, 6) }, () => this.int(256)));
    return "v".repeat(this.range(1, 80));
  }
}

/** A family's generator: one random command of that family per call. */
export type RandomGenerator = (r: Rand) => RandomCommand;
