/*
 * Hash commands (t_hash.c).
 */
import type { CommandSpec } from "./types.js";

export const hashCommands: CommandSpec[] = [];
