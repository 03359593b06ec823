/*
 * Every family's random generator, with its weight in the mix that random.test.ts draws
 * from. All families share one small key set, so their commands meet on the same keys
 * (WRONGTYPE, RENAME/COPY of every type across shards, DEL of aggregates, ...).
 *
 * Generators may keep module state (stream.ts counts ids per command): the harness
 * re-imports this module for each seed, so that a seed replays the same stream alone or
 * after other seeds.
 */
import { bitmapGenerator } from "./bitmap.js";
import { hashGenerator } from "./hash.js";
import { hllGenerator } from "./hll.js";
import { keyspaceGenerator } from "./keyspace.js";
import { listGenerator } from "./list.js";
import type { RandomGenerator } from "./rand.js";
import { setGenerator } from "./set.js";
import { streamGenerator } from "./stream.js";
import { zsetGenerator } from "./zset.js";

export interface RandomFamily {
  name: string;
  generator: RandomGenerator;
  /** Relative share of the commands drawn from this family. */
  weight: number;
}

export const families: readonly RandomFamily[] = [
  // strings and keyspace commands touch every type (DEL, RENAME, COPY, TYPE, EXPIRE...)
  { name: "keyspace", generator: keyspaceGenerator, weight: 4 },
  { name: "bitmap", generator: bitmapGenerator, weight: 1 },
  { name: "hll", generator: hllGenerator, weight: 1 },
  { name: "hash", generator: hashGenerator, weight: 2 },
  { name: "set", generator: setGenerator, weight: 2 },
  { name: "list", generator: listGenerator, weight: 2 },
  { name: "zset", generator: zsetGenerator, weight: 2 },
  { name: "stream", generator: streamGenerator, weight: 1 },
];
