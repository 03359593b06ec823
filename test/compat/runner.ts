/*
 * The compat runner: one script, two servers (real redis-server and shardis), the same
 * commands on one connection per server, raw reply bytes compared.
 *
 * Script syntax (test/compat/scripts/*.redis), one step per line:
 *
 *   SET k "a b\x00" EX 10     a command, split like redis-cli does (sdssplitargs): "double
 *                             quotes" with \x41 \n \r \t \b \a \\ \" escapes, 'single quotes'
 *                             with only \' as escape; sent as a RESP multibulk
 *   # comment                 ignored, as are blank lines
 *   ~CMD ...                  compare the reply's shape only (types and sizes, not content)
 *   ?CMD ...                  ignore the reply (it is still read)
 *   &CMD ...                  compare with the top-level aggregate's elements sorted
 *                             (for replies in hash order: KEYS, SMEMBERS, CONFIG GET a b)
 *   @raw "bytes" ["more"]     send raw bytes and compare all that comes back until the server
 *                             closes the connection or is silent for 300 ms; whether it
 *                             closed is compared too. Each argument is a separate write,
 *                             20 ms apart, to exercise requests split across reads
 *   @sleep MS                 wait MS milliseconds
 *   @flushall                 FLUSHALL on both (replies compared)
 *   @resp3 / @resp2           HELLO 3 / HELLO 2 on both, replies compared by shape only
 *   @reconnect                close both connections and open new ones
 *
 * The prefixes combine with @raw (`~@raw ...`, `?@raw ...`). Before the first line the
 * runner sends FLUSHALL on both; a connection the server closed (after a protocol error,
 * QUIT) is reopened before the next step, so its RESP version and SELECTed db reset.
 * Scripts that change config with CONFIG SET must set it back: servers are shared.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  ConnectionClosedError,
  encodeCommand,
  formatBytes,
  RawClient,
  RespFormatError,
  replyLength,
  replyShape,
  sortedReply,
} from "../helpers/resp.js";

export type Check = "exact" | "shape" | "ignore" | "unordered";

interface StepBase {
  /** 1-based line number in the script. */
  line: number;
  /** The line as written. */
  text: string;
}
export type Step =
  | (StepBase & { kind: "command"; check: Check; args: Buffer[] })
  | (StepBase & { kind: "raw"; check: Check; chunks: Buffer[] })
  | (StepBase & { kind: "sleep"; ms: number })
  | (StepBase & { kind: "reconnect" });

/** Pause between the writes of a multi-argument @raw. */
const RAW_CHUNK_GAP_MS = 20;

export class ScriptError extends Error {
  override name = "ScriptError";
}

// ---------------------------------------------------------------- sdssplitargs
function isSpace(c: number | undefined): boolean {
  // isspace(): space, \t, \n, \v, \f, \r
  return c === 32 || (c !== undefined && c >= 9 && c <= 13);
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Split a line into arguments exactly as redis-cli does (Redis's sdssplitargs), working on
 * the line's UTF-8 bytes. Returns null on unbalanced quotes or a closing quote that is not
 * followed by a space.
 */
export function splitArgs(line: string | Buffer): Buffer[] | null {
  const s = Buffer.isBuffer(line) ? line : Buffer.from(line, "utf8");
  const out: Buffer[] = [];
  let p = 0;
  for (;;) {
    while (p < s.length && isSpace(s[p])) p++;
    if (p >= s.length) return out;
    let inq = false;
    let insq = false;
    let done = false;
    const cur: number[] = [];
    while (!done) {
      const c = s[p]; // undefined at the end of the line, like C's '\0'
      if (inq) {
        if (c === 92 && s[p + 1] === 120 && hexValue(s[p + 2]) >= 0 && hexValue(s[p + 3]) >= 0) {
          cur.push(hexValue(s[p + 2]) * 16 + hexValue(s[p + 3]));
          p += 3;
        } else if (c === 92 && p + 1 < s.length) {
          p++;
          const e = s[p]!;
          const map: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 97: 7 };
          cur.push(map[e] ?? e);
        } else if (c === 34) {
          // a closing quote must be followed by a space or nothing at all
          if (p + 1 < s.length && !isSpace(s[p + 1])) return null;
          done = true;
        } else if (c === undefined) {
          return null; // unterminated quotes
        } else {
          cur.push(c);
        }
      } else if (insq) {
        if (c === 92 && s[p + 1] === 39) {
          p++;
          cur.push(39);
        } else if (c === 39) {
          if (p + 1 < s.length && !isSpace(s[p + 1])) return null;
          done = true;
        } else if (c === undefined) {
          return null;
        } else {
          cur.push(c);
        }
      } else if (c === undefined || c === 32 || c === 10 || c === 13 || c === 9 || c === 0) {
        done = true;
      } else if (c === 34) {
        inq = true;
      } else if (c === 39) {
        insq = true;
      } else {
        cur.push(c);
      }
      if (p < s.length) p++;
    }
    out.push(Buffer.from(cur));
  }
}

// ---------------------------------------------------------------- script parsing
const PREFIXES: Record<string, Check> = { "~": "shape", "?": "ignore", "&": "unordered" };

/** Parse a script's text into steps. `name` is used in error messages. */
export function parseScript(text: string, name = "script"): Step[] {
  const steps: Step[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i]!;
    let body = raw.trim();
    if (body === "" || body.startsWith("#")) continue;
    const fail = (msg: string): never => {
      throw new ScriptError(`${name}:${line}: ${msg}: ${raw}`);
    };
    let check: Check = "exact";
    const prefix = PREFIXES[body[0]!];
    if (prefix !== undefined) {
      check = prefix;
      body = body.slice(1).trimStart();
    }
    const args = splitArgs(body);
    if (args === null) fail("unbalanced quotes");
    if (args!.length === 0) fail("empty command");
    const base = { line, text: raw.trim() };

    if (!body.startsWith("@")) {
      steps.push({ ...base, kind: "command", check, args: args! });
      continue;
    }
    const directive = args![0]!.toString("latin1").toLowerCase();
    const params = args!.slice(1);
    const noParams = (): void => {
      if (params.length !== 0) fail(`${directive} takes no arguments`);
    };
    switch (directive) {
      case "@raw":
        if (params.length === 0) fail("@raw needs the bytes to send");
        steps.push({ ...base, kind: "raw", check, chunks: params });
        break;
      case "@sleep": {
        const ms = Number(params[0]?.toString("latin1"));
        if (params.length !== 1 || !Number.isInteger(ms) || ms < 0) fail("@sleep needs a number of milliseconds");
        steps.push({ ...base, kind: "sleep", ms });
        break;
      }
      case "@flushall":
        noParams();
        steps.push({ ...base, kind: "command", check, args: [Buffer.from("FLUSHALL")] });
        break;
      case "@resp3":
      case "@resp2":
        noParams();
        steps.push({
          ...base,
          kind: "command",
          check: check === "exact" ? "shape" : check,
          args: [Buffer.from("HELLO"), Buffer.from(directive === "@resp3" ? "3" : "2")],
        });
        break;
      case "@reconnect":
        noParams();
        steps.push({ ...base, kind: "reconnect" });
        break;
      default:
        fail(`unknown directive ${directive}`);
    }
  }
  return steps;
}

// ---------------------------------------------------------------- running
export interface Target {
  /** Shown in mismatch reports, e.g. "redis-server", "shardis". */
  name: string;
  port: number;
}

export interface RunOptions {
  /** How long to wait for a command's reply. Default 5000 ms. */
  replyTimeoutMs?: number;
  /** Silence that ends an @raw read. Default 300 ms. */
  idleMs?: number;
  /** Called with a transcript line per step (both replies), e.g. console.log. */
  trace?: (line: string) => void;
}

export interface Mismatch {
  line: number;
  text: string;
  detail: string;
}

/** What one server did in one step. */
interface Outcome {
  data: Buffer;
  closed: boolean;
  /** A timeout or connect failure, in words. */
  failure?: string;
}

class Side {
  client: RawClient | undefined;
  constructor(readonly target: Target) {}

  async connection(): Promise<RawClient> {
    if (this.client === undefined || this.client.isClosed) {
      this.client = await RawClient.connect(this.target.port);
    }
    return this.client;
  }

  async close(): Promise<void> {
    await this.client?.close();
    this.client = undefined;
  }

  async run(step: Step & { kind: "command" | "raw" }, opts: Required<RunOptions>): Promise<Outcome> {
    let client: RawClient;
    try {
      client = await this.connection();
    } catch (err) {
      return { data: Buffer.alloc(0), closed: true, failure: `cannot connect: ${(err as Error).message}` };
    }
    if (step.kind === "raw") {
      for (let i = 0; i < step.chunks.length; i++) {
        if (i > 0) await sleep(RAW_CHUNK_GAP_MS);
        client.send(step.chunks[i]!);
      }
      return client.readUntilIdle(opts.idleMs, Math.max(opts.replyTimeoutMs, opts.idleMs));
    }
    client.send(encodeCommand(step.args));
    try {
      return { data: await client.readReply(opts.replyTimeoutMs), closed: false };
    } catch (err) {
      if (err instanceof ConnectionClosedError) return { data: Buffer.from(client.pending()), closed: true };
      return { data: Buffer.from(client.pending()), closed: client.isClosed, failure: (err as Error).message };
    }
  }
}

/** Split received bytes into whole replies; a tail that is not one is kept as is. */
function splitReplies(data: Buffer): { replies: Buffer[]; rest: Buffer } {
  const replies: Buffer[] = [];
  let buf = data;
  while (buf.length > 0) {
    let len: number;
    try {
      len = replyLength(buf);
    } catch (err) {
      if (err instanceof RespFormatError) break;
      throw err;
    }
    if (len < 0) break;
    replies.push(buf.subarray(0, len));
    buf = buf.subarray(len);
  }
  return { replies, rest: buf };
}

/** The form of an outcome that a check compares. */
function comparable(o: Outcome, check: Check): string {
  const tail = `${o.closed ? " +closed" : ""}${o.failure ? ` +failure(${o.failure.split(";")[0]})` : ""}`;
  if (check === "exact") return formatBytes(o.data) + tail;
  const { replies, rest } = splitReplies(o.data);
  const parts = replies.map((r) => (check === "shape" ? replyShape(r) : formatBytes(sortedReply(r))));
  if (rest.length > 0) parts.push(`<not a reply: ${formatBytes(rest)}>`);
  return parts.join(" ") + tail;
}

function describeOutcome(o: Outcome, check: Check): string {
  let s = formatBytes(o.data);
  if (check === "shape") s += `  shape ${comparable(o, "shape")}`;
  if (o.closed) s += "  (connection closed)";
  if (o.failure) s += `  (${o.failure})`;
  return s;
}

/**
 * Run a parsed script against two servers and return the differences (empty = same).
 * Every step runs even after a mismatch, so one report shows all of them.
 */
export async function runScript(steps: Step[], a: Target, b: Target, options: RunOptions = {}): Promise<Mismatch[]> {
  const opts: Required<RunOptions> = {
    replyTimeoutMs: options.replyTimeoutMs ?? 5000,
    idleMs: options.idleMs ?? 300,
    trace: options.trace ?? (() => {}),
  };
  const sides = [new Side(a), new Side(b)] as const;
  const width = Math.max(a.name.length, b.name.length) + 1;
  const mismatches: Mismatch[] = [];
  try {
    // A clean keyspace for every script.
    const reset = {
      line: 0,
      text: "(FLUSHALL before the script)",
      kind: "command" as const,
      check: "exact" as const,
      args: [Buffer.from("FLUSHALL")],
    };
    for (const side of sides) {
      const o = await side.run(reset, opts);
      if (o.data.toString("latin1") !== "+OK\r\n") {
        mismatches.push({ line: 0, text: reset.text, detail: `  ${side.target.name}: ${describeOutcome(o, "exact")}` });
        return mismatches;
      }
    }

    for (const step of steps) {
      if (step.kind === "sleep") {
        await sleep(step.ms);
        continue;
      }
      if (step.kind === "reconnect") {
        await Promise.all(sides.map((s) => s.close()));
        continue;
      }
      const [oa, ob] = await Promise.all(sides.map((s) => s.run(step, opts)));
      opts.trace(
        `${step.line}: ${step.text}\n  ${a.name}: ${describeOutcome(oa!, step.check)}\n  ${b.name}: ${describeOutcome(ob!, step.check)}`,
      );
      if (step.check === "ignore") continue;
      if (comparable(oa!, step.check) !== comparable(ob!, step.check)) {
        mismatches.push({
          line: step.line,
          text: step.text,
          detail: [
            `  ${`${a.name}:`.padEnd(width)} ${describeOutcome(oa!, step.check)}`,
            `  ${`${b.name}:`.padEnd(width)} ${describeOutcome(ob!, step.check)}`,
          ].join("\n"),
        });
      }
    }

    // Nothing may arrive that no command asked for.
    const extra = await Promise.all(
      sides.map(async (s) => (s.client && !s.client.isClosed ? (await s.client.readUntilIdle(50, 1000)).data : null)),
    );
    if (extra.some((e) => e !== null && e.length > 0)) {
      mismatches.push({
        line: 0,
        text: "(after the last line)",
        detail: sides
          .map(
            (s, i) => `  ${`${s.target.name}:`.padEnd(width)} unread bytes ${formatBytes(extra[i] ?? Buffer.alloc(0))}`,
          )
          .join("\n"),
      });
    }
  } finally {
    await Promise.all(sides.map((s) => s.close()));
  }
  return mismatches;
}

/** A failure message listing every mismatch with its line, command and both replies. */
export function formatMismatches(script: string, mismatches: Mismatch[], max = 20): string {
  const shown = mismatches.slice(0, max).map((m) => `${script}:${m.line}: ${m.text}\n${m.detail}`);
  if (mismatches.length > max) shown.push(`... and ${mismatches.length - max} more`);
  return `${mismatches.length} mismatch(es) in ${script}\n\n${shown.join("\n\n")}`;
}
