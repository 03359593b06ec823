/*
 * Stream commands (t_stream.c).
 */
import type { CommandSpec } from "./types.js";

export const streamCommands: CommandSpec[] = [];
