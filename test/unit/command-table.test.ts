/*
 * The command table against an outside oracle: the metadata in @ioredis/commands, which
 * is generated from a real server's COMMAND reply. Arity, flags and key positions of every
 * command and subcommand we declare must match it. (test/integration/server-commands.test.ts
 * checks the same against the installed redis-server's COMMAND INFO.)
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { allSpecs } from "../../src/commands/table.js";

interface OracleSpec {
  arity: number;
  flags: string[];
  keyStart: number;
  keyStop: number;
  step: number;
  subcommands?: Record<string, OracleSpec>;
}

const require = createRequire(import.meta.url);
const oracle = require("@ioredis/commands/built/commands.json") as Record<string, OracleSpec>;

/**
 * Where @ioredis/commands (generated from Redis 7.2+) and our reference, Redis 7.0.15,
 * disagree, we follow 7.0.15 (`redis-cli COMMAND INFO` on Debian's 7.0.15 says so).
 */
const FOLLOWS_7_0: Record<string, Partial<OracleSpec>> = {
  // 7.0.15: `wait 3 noscript`; 7.2 made WAIT a blocking command
  wait: { flags: ["noscript"] },
  // 7.0.15: arity -4; 7.2 allows COMMAND GETKEYS with a command and no arguments
  "command|getkeys": { arity: -4 },
  "command|getkeysandflags": { arity: -4 },
  // 7.0.15 `COMMAND INFO subscribe`: no denyoom (7.2 added it to the subscribe commands)
  subscribe: { flags: ["pubsub", "noscript", "loading", "stale"] },
  psubscribe: { flags: ["pubsub", "noscript", "loading", "stale"] },
  ssubscribe: { flags: ["pubsub", "noscript", "loading", "stale"] },
  // 7.0.15: blocking commands are noscript (7.2 lets scripts call them)
  blpop: { flags: ["write", "noscript", "blocking"] },
  brpop: { flags: ["write", "noscript", "blocking"] },
  blmove: { flags: ["write", "denyoom", "noscript", "blocking"] },
  brpoplpush: { flags: ["write", "denyoom", "noscript", "blocking"] },
  bzpopmin: { flags: ["write", "noscript", "blocking", "fast"] },
  bzpopmax: { flags: ["write", "noscript", "blocking", "fast"] },
  // 7.0.15: ZRANK/ZREVRANK take no WITHSCORE (7.2), arity 3
  zrank: { arity: 3 },
  zrevrank: { arity: 3 },
};

function oracleSpec(name: string): OracleSpec | undefined {
  const [parent, sub] = name.split("|");
  const p = oracle[parent];
  return sub === undefined ? p : p?.subcommands?.[sub];
}

describe("command table vs @ioredis/commands", () => {
  const specs = allSpecs();

  it("declares a good number of commands", () => {
    expect(specs.length).toBeGreaterThan(60);
  });

  for (const spec of specs) {
    it(`${spec.name}: arity, flags and key positions`, () => {
      const found = oracleSpec(spec.name);
      const o = found === undefined ? undefined : { ...found, ...FOLLOWS_7_0[spec.name] };
      expect(o, `${spec.name} is not in @ioredis/commands`).toBeDefined();
      if (o === undefined) return;
      expect(spec.arity).toBe(o.arity);
      // as COMMAND INFO shows them: a command with a key finder of its own is movablekeys
      const flags = new Set<string>(spec.flags);
      if (spec.getKeys !== undefined) flags.add("movablekeys");
      expect([...flags].sort()).toEqual([...o.flags].sort());
      expect([spec.keys.first, spec.keys.last, spec.keys.step]).toEqual([o.keyStart, o.keyStop, o.step]);
    });
  }
});
