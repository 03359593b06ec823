/*
 * HyperLogLog (hyperloglog.c): PFADD PFCOUNT PFMERGE, Redis's dense and sparse representations.
 */
import type { CommandSpec } from "./types.js";

export const hllCommands: CommandSpec[] = [];
