/*
 * Redis-format log lines: `pid:role DD Mon YYYY HH:MM:SS.mmm <lvl> msg`, level marks
 * `.` debug, `-` verbose, `*` notice, `#` warning. Written synchronously (fs.writeSync), so
 * lines from the main thread and from shard workers interleave whole, and the last words
 * before an exit are not lost. Tools and test harnesses wait for `Ready to accept connections`.
 */
import { appendFileSync, writeSync } from "node:fs";

export type LogLevel = "debug" | "verbose" | "notice" | "warning";
const LEVELS: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3 };
const MARKS = [".", "-", "*", "#"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const state = { level: 2, file: "", role: "M" };

export function configureLog(level: string, file: string, role = "M"): void {
  state.level = LEVELS[level as LogLevel] ?? 2;
  state.file = file;
  state.role = role;
}

export function logSettings(): { level: string; file: string } {
  return { level: (Object.keys(LEVELS) as LogLevel[])[state.level], file: state.file };
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

export function formatLogLine(level: LogLevel, msg: string, now = new Date()): string {
  const ts = `${pad(now.getDate())} ${MONTHS[now.getMonth()]} ${now.getFullYear()} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}`;
  return `${process.pid}:${state.role} ${ts} ${MARKS[LEVELS[level]]} ${msg}\n`;
}

export function log(level: LogLevel, msg: string): void {
  if (LEVELS[level] < state.level) return;
  const line = formatLogLine(level, msg);
  try {
    if (state.file === "") writeSync(1, line);
    else appendFileSync(state.file, line);
  } catch {
    // a closed stdout must not take the server down
  }
}

/** serverLogFromHandler: `pid:signal-handler (unixtime) msg`, Redis's line from a signal handler. */
export function logFromSignalHandler(msg: string): void {
  const line = `${process.pid}:signal-handler (${Math.floor(Date.now() / 1000)}) ${msg}\n`;
  try {
    if (state.file === "") writeSync(1, line);
    else appendFileSync(state.file, line);
  } catch {
    // as log()
  }
}
