/*
 * Set commands (t_set.c).
 */
import type { CommandSpec } from "./types.js";

export const setCommands: CommandSpec[] = [];
