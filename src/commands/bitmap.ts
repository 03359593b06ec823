/*
 * Bitmap commands (bitops.c): SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
 */
import type { CommandSpec } from "./types.js";

export const bitmapCommands: CommandSpec[] = [];
