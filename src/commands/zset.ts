/*
 * Sorted set commands (t_zset.c).
 */
import type { CommandSpec } from "./types.js";

export const zsetCommands: CommandSpec[] = [];
