/*
 * List commands (t_list.c).
 */
import type { CommandSpec } from "./types.js";

export const listCommands: CommandSpec[] = [];
