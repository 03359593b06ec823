/*
 * Helpers to declare commands as data. Every family file ends with its table built with
 * `cmd(...)`; src/commands/table.ts collects them.
 */
import type { CommandFlag, CommandSpec, KeyRange, KeySpec } from "./types.js";

export const noKeys: KeyRange = { first: 0, last: 0, step: 0 };
export const keys1: KeyRange = { first: 1, last: 1, step: 1 };
export const keysAll: KeyRange = { first: 1, last: -1, step: 1 };

/**
 * The usual key spec: keys from argument `index`, up to `lastkey` past it (negative: from
 * the end of argv) every `step`; `flags` as Redis declares them (RO/RW/OW/RM + access,
 * update, insert, delete, ...).
 */
export function keySpec(flags: string[], index: number, lastkey = 0, step = 1, notes?: string): KeySpec {
  return {
    ...(notes !== undefined ? { notes } : {}),
    flags,
    beginSearch: { index },
    findKeys: { range: { lastkey, step, limit: 0 } },
  };
}

type Extra = Partial<
  Omit<CommandSpec, "name" | "arity" | "flags" | "keys" | "group" | "since" | "summary" | "complexity">
>;

export function cmd(
  name: string,
  arity: number,
  flags: CommandFlag[],
  keys: KeyRange,
  group: string,
  since: string,
  summary: string,
  complexity: string,
  extra: Extra,
): CommandSpec {
  const runsOn =
    extra.runsOn ?? (extra.shard !== undefined && keys.first > 0 ? "shard" : extra.main !== undefined ? "main" : "all");
  return { name, arity, flags, keys, group, since, summary, complexity, ...extra, runsOn };
}

/** A keyless command that runs on the main thread (connection and server state). */
export function mainCmd(
  name: string,
  arity: number,
  flags: CommandFlag[],
  group: string,
  since: string,
  summary: string,
  complexity: string,
  handler: NonNullable<CommandSpec["main"]>,
  acl?: string[],
): CommandSpec {
  const extra: Extra = acl === undefined ? { main: handler, runsOn: "main" } : { main: handler, runsOn: "main", acl };
  return cmd(name, arity, flags, noKeys, group, since, summary, complexity, extra);
}

/** A container command (CONFIG, CLIENT, ...) whose subcommands carry the real specs. */
export function container(
  name: string,
  arity: number,
  group: string,
  since: string,
  summary: string,
  subs: CommandSpec[],
): CommandSpec {
  const subcommands = new Map<string, CommandSpec>();
  for (const s of subs) subcommands.set(s.name.slice(name.length + 1), s);
  return {
    name,
    arity,
    flags: [],
    keys: noKeys,
    group,
    since,
    summary,
    complexity: "Depends on subcommand.",
    runsOn: "main",
    subcommands,
  };
}

/** Whether `argc` arguments (the name included) break the command's arity (processCommand's check). */
export function wrongArity(spec: CommandSpec, argc: number): boolean {
  return (spec.arity > 0 && spec.arity !== argc) || argc < -spec.arity;
}

/** The last key position of the spec's fixed key range for `argc` arguments (a negative `last` counts from the end). */
export function lastKeyPosition(spec: CommandSpec, argc: number): number {
  const last = spec.keys.last;
  return last < 0 ? argc + last : last;
}

/**
 * The key positions of argv for a spec (getKeysFromCommand): from `first` to `last`
 * (negative counts from the end) every `step`, or the spec's own getKeys.
 */
export function keyPositions(spec: CommandSpec, argv: readonly string[]): number[] {
  if (spec.getKeys !== undefined) return spec.getKeys(argv as string[]);
  const { first, step } = spec.keys;
  if (first === 0) return [];
  const last = lastKeyPosition(spec, argv.length);
  const out: number[] = [];
  for (let i = first; i <= last && i < argv.length; i += step) out.push(i);
  return out;
}
