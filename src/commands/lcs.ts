/*
 * LCS (t_string.c): longest common subsequence of two strings.
 */
import type { CommandSpec } from "./types.js";

export const lcsCommands: CommandSpec[] = [];
