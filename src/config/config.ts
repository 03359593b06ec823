/*
 * The live configuration: CONFIG GET / SET / REWRITE over the directive table, and the
 * config-file reader shared by the config file, stdin and command-line flags.
 *
 * Strings in and out are byte strings (latin1, one char per byte), like everything that comes
 * off the wire; file-system paths are converted where this module touches the disk.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { stringMatch } from "../keyspace/glob.js";
import { ConfigError, FatalConfigError, fatalConfigText, type LineRef } from "./errors.js";
import { asciiLower, bytesToPath, splitArgs, splitSpaces, strerror, toByteString, trimChars } from "./parse.js";
import { RewriteState } from "./rewrite.js";
import {
  DIRECTIVES,
  type Directive,
  type LoadSession,
  type ObufLimits,
  type ReplicaOf,
  type SaveParams,
  type SetContext,
  SetFailure,
} from "./table.js";

/* ---------------------------------------------------------------------------------------------
 * Registry: every name CONFIG GET/SET answers to (primary names, then aliases), in table order
 * ------------------------------------------------------------------------------------------- */

interface Entry {
  /** The name this entry is registered under (a primary name or an alias). */
  readonly name: string;
  readonly directive: Directive;
  readonly isAlias: boolean;
}

const ENTRIES: readonly Entry[] = DIRECTIVES.flatMap((d) => {
  const e: Entry[] = [{ name: d.name, directive: d, isAlias: false }];
  if (d.alias) e.push({ name: d.alias, directive: d, isAlias: true });
  return e;
});

const BY_NAME = new Map<string, Entry>(ENTRIES.map((e) => [e.name, e]));

/** Registered names are looked up case-insensitively (ASCII), as Redis's configs dict does. */
function lookup(name: string): Entry | undefined {
  return BY_NAME.get(asciiLower(name));
}

/** Is this config's CONFIG SET value to be redacted from SLOWLOG / MONITOR? */
export function isSensitiveConfig(name: string): boolean {
  return lookup(name)?.directive.sensitive === true;
}

/** Config-file directives that are not settings (deprecated ones are accepted and ignored). */
const DEPRECATED = new Set(["list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"]);

/** A config-file line that is not a setting and is handed to the server as is. */
export interface FileDirective extends LineRef {
  /** The arguments after the directive name. */
  readonly args: readonly string[];
}

export interface SetOptions {
  /** The client is local (unix socket or loopback): `enable-protected-configs local` lets it. */
  local?: boolean;
  /** The server is loading its dataset: DENY_LOADING configs answer -LOADING. */
  loading?: boolean;
}

type ChangeListener = (value: string) => void;

/** Redis turns newlines of an error reply into spaces so the reply stays one line. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, " ");
}

export class Config {
  /** Absolute path of the config file the server was started with, if any. */
  configFile: string | undefined;
  /** `rename-command from to` lines, for the command table to apply (and to reject unknown ones). */
  readonly renameCommands: FileDirective[] = [];
  /** `user ...` ACL lines. */
  readonly users: FileDirective[] = [];
  /** `loadmodule path args...` lines. */
  readonly loadModules: FileDirective[] = [];
  /** `module.name value` lines (module configs). */
  readonly moduleConfigs: FileDirective[] = [];

  private values = new Map<string, unknown>();
  private readonly listeners = new Map<string, ChangeListener[]>();

  constructor() {
    for (const d of DIRECTIVES) this.values.set(d.name, d.init());
  }

  /* ---------------------------------------------------------------------------------------------
   * Typed access
   * ------------------------------------------------------------------------------------------- */

  private directive(name: string): Directive {
    const e = lookup(name);
    if (!e) throw new Error(`unknown config directive '${name}'`);
    return e.directive;
  }

  private raw(name: string): unknown {
    return this.values.get(this.directive(name).name);
  }

  /** The value as CONFIG GET prints it. */
  getString(name: string): string {
    const d = this.directive(name);
    return d.format(this.values.get(d.name));
  }

  /**
   * Numeric directives (bytes for memory ones), and notify-keyspace-events as its flags.
   * A percentage (maxmemory-clients 10%) reads as its negation (-10), as Redis stores it.
   */
  getNumber(name: string): number {
    const d = this.directive(name);
    if (!d.toNumber) throw new TypeError(`config directive '${d.name}' is not numeric`);
    return d.toNumber(this.values.get(d.name));
  }

  getBool(name: string): boolean {
    const v = this.raw(name);
    if (typeof v !== "boolean") throw new TypeError(`config directive '${name}' is not yes/no`);
    return v;
  }

  getSave(): Array<[seconds: number, changes: number]> {
    return (this.raw("save") as SaveParams).map(([s, c]) => [Number(s), c]);
  }

  getReplicaOf(): { host: string; port: number } | undefined {
    const r = this.raw("replicaof") as ReplicaOf | null;
    return r ? { host: r.host, port: r.port } : undefined;
  }

  /** `bind` addresses ("-" prefix = optional, "*" = all IPv4, "::*" = all IPv6). */
  getBind(): string[] {
    return [...(this.raw("bind") as string[])];
  }

  getClientOutputBufferLimits(): Record<
    "normal" | "replica" | "pubsub",
    { hard: number; soft: number; seconds: number }
  > {
    const [n, r, p] = this.raw("client-output-buffer-limit") as ObufLimits;
    const conv = (l: ObufLimits[number]) => ({ hard: Number(l.hard), soft: Number(l.soft), seconds: l.seconds });
    return { normal: conv(n), replica: conv(r), pubsub: conv(p) };
  }

  /** latency-tracking-info-percentiles */
  getPercentiles(): number[] {
    return [...(this.raw("latency-tracking-info-percentiles") as number[])];
  }

  /** Enum directives as their numeric value (shutdown-on-sigint: SHUTDOWN_* bit flags). */
  getEnum(name: string): number {
    const d = this.directive(name);
    if (d.type !== "enum") throw new TypeError(`config directive '${d.name}' is not an enum`);
    return this.values.get(d.name) as number;
  }

  /* ---------------------------------------------------------------------------------------------
   * CONFIG GET
   * ------------------------------------------------------------------------------------------- */

  /**
   * CONFIG GET pattern [pattern ...]: name/value pairs. A name without glob characters is
   * looked up directly (hidden configs included) and answered under the spelling asked for;
   * a pattern matches every non-hidden registered name (aliases included) case-insensitively.
   * Each name appears once; the order is the table's.
   */
  get(patterns: string[]): Array<[string, string]> {
    const found = new Map<Entry, string>();
    const seen = new Set<string>();
    for (const p of patterns) {
      if (!/[[*?]/.test(p)) {
        const key = asciiLower(p);
        if (seen.has(key)) continue;
        const e = BY_NAME.get(key);
        if (e) {
          found.set(e, p);
          seen.add(key);
        }
        continue;
      }
      for (const e of ENTRIES) {
        if (e.directive.hidden || seen.has(e.name)) continue;
        if (stringMatch(p, e.name, true)) {
          found.set(e, e.name);
          seen.add(e.name);
        }
      }
    }
    const out: Array<[string, string]> = [];
    for (const e of ENTRIES) {
      const replyName = found.get(e);
      if (replyName !== undefined) out.push([replyName, this.getString(e.name)]);
    }
    return out;
  }

  /* ---------------------------------------------------------------------------------------------
   * CONFIG SET
   * ------------------------------------------------------------------------------------------- */

  /**
   * CONFIG SET name value [name value ...], all or nothing (configSetCommand). Throws
   * ConfigError with Redis's text. After the values are set, the onChange listeners of the
   * directives whose value changed run in argument order; a listener that throws (Redis's
   * failing apply hook, e.g. a port that cannot be bound) rolls every value back, runs the
   * listeners already called again with the restored value, and fails the command with
   * "CONFIG SET failed (possibly related to argument '<name>') - <error message>".
   */
  set(args: string[], opts: SetOptions = {}): void {
    if (args.length < 2) throw new ConfigError("ERR wrong number of arguments for 'config|set' command");
    if (args.length % 2 !== 0) throw new ConfigError("ERR syntax error");

    let invalid = false;
    let invalidArgName: string | undefined;
    let errstr: string | undefined;
    let errArgName = "";
    let denyLoading = false;
    const targets: Array<{ entry: Entry; value: string }> = [];

    for (let i = 0; i < args.length; i += 2) {
      const name = args[i];
      const entry = lookup(name);
      if (!entry) {
        if (!invalid) {
          invalidArgName = name;
          invalid = true;
        }
        continue;
      }
      if (invalid) continue;
      const d = entry.directive;
      if (!d.mutable || (d.protected && !this.allowProtected(opts))) {
        errstr = d.mutable ? "can't set protected config" : "can't set immutable config";
        errArgName = name;
        invalid = true;
        continue;
      }
      if (opts.loading && d.denyLoading) {
        denyLoading = true;
        invalid = true;
        continue;
      }
      if (targets.some((t) => t.entry === entry)) {
        errstr = "duplicate parameter";
        errArgName = name;
        invalid = true;
        continue;
      }
      targets.push({ entry, value: args[i + 1] });
    }

    const failure = (): ConfigError => {
      if (denyLoading) return new ConfigError("LOADING Redis is loading the dataset in memory");
      if (invalidArgName !== undefined) {
        return new ConfigError(
          oneLine(`ERR Unknown option or number of arguments for CONFIG SET - '${invalidArgName}'`),
        );
      }
      const base = `ERR CONFIG SET failed (possibly related to argument '${errArgName}')`;
      return new ConfigError(oneLine(errstr ? `${base} - ${errstr}` : base));
    };
    if (invalid) throw failure();

    const backup = new Map(this.values);
    const before = targets.map((t) => this.getString(t.entry.name));
    for (const { entry, value } of targets) {
      const d = entry.directive;
      try {
        const argv = d.multiArg ? splitSpaces(value) : [value];
        const ctx: SetContext = { loading: undefined, dir: this.values.get("dir") as string };
        this.values.set(d.name, d.set(argv, this.values.get(d.name), ctx));
      } catch (e) {
        if (!(e instanceof SetFailure)) throw e;
        this.values = backup;
        errArgName = entry.name;
        errstr = e.message;
        throw failure();
      }
    }
    // Apply hooks that adjust the value (hz clamping).
    for (const { entry } of targets) {
      const d = entry.directive;
      if (d.normalize) this.values.set(d.name, d.normalize(this.values.get(d.name)));
    }

    const notified: Directive[] = [];
    const done = new Set<Directive>();
    for (let i = 0; i < targets.length; i++) {
      const d = targets[i].entry.directive;
      if (done.has(d)) continue;
      done.add(d);
      const now = this.getString(d.name);
      if (now === before[i]) continue;
      try {
        for (const cb of this.listeners.get(d.name) ?? []) cb(now);
        notified.push(d);
      } catch (e) {
        this.values = backup;
        for (const n of [...notified, d]) {
          for (const cb of this.listeners.get(n.name) ?? []) {
            try {
              cb(this.getString(n.name));
            } catch {
              // Redis only logs a failure to restore the previous setting.
            }
          }
        }
        errArgName = targets[i].entry.name;
        errstr = e instanceof Error ? e.message : String(e);
        throw failure();
      }
    }
  }

  private allowProtected(opts: SetOptions): boolean {
    const mode = this.values.get("enable-protected-configs") as number; // no=0 yes=1 local=2
    return mode === 1 || (mode === 2 && opts.local === true);
  }

  /**
   * Run `cb` with the new value (as CONFIG GET prints it) after a CONFIG SET changed `name`
   * (an alias names its primary). Never called while loading the config.
   */
  onChange(name: string, cb: (value: string) => void): void {
    const d = this.directive(name);
    const list = this.listeners.get(d.name);
    if (list) list.push(cb);
    else this.listeners.set(d.name, [cb]);
  }

  /* ---------------------------------------------------------------------------------------------
   * CONFIG REWRITE
   * ------------------------------------------------------------------------------------------- */

  /** The text CONFIG REWRITE would write, given the old file's content (a byte string). */
  rewriteContent(oldText: string | undefined): string {
    const state = new RewriteState(oldText, (name) => lookup(name)?.directive.name);
    for (const d of DIRECTIVES) d.rewrite(state, this.values.get(d.name));
    return state.content();
  }

  /**
   * CONFIG REWRITE: rewrite the config file in place, keeping comments, unknown and
   * file-only lines, updating changed options where they are, appending new non-default
   * ones, blanking surplus lines. Written to a temp file, fsync'ed, then renamed over.
   */
  rewrite(): void {
    const file = this.configFile;
    if (file === undefined) throw new ConfigError("ERR The server is running without a config file");
    const failure = (e: unknown) => new ConfigError(`ERR Rewriting config file: ${strerror(e)}`);
    let old: string | undefined;
    try {
      old = fs.readFileSync(file, "latin1");
    } catch (e) {
      if ((e as { code?: string }).code !== "ENOENT") throw failure(e);
    }
    const content = Buffer.from(this.rewriteContent(old), "latin1");
    const tmp = `${file}.${Math.random().toString(36).slice(2, 8).padEnd(6, "0")}`;
    let fd: number | undefined;
    try {
      fd = fs.openSync(tmp, "wx", 0o600);
      fs.writeSync(fd, content);
      fs.fsyncSync(fd);
      fs.fchmodSync(fd, 0o644 & ~currentUmask());
      fs.renameSync(tmp, file);
    } catch (e) {
      if (fd !== undefined) {
        try {
          fs.unlinkSync(tmp);
        } catch {
          // The temp file may not exist.
        }
      }
      throw failure(e);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  /* ---------------------------------------------------------------------------------------------
   * Config file parsing (loadServerConfigFromString / loadServerConfig)
   * ------------------------------------------------------------------------------------------- */

  /**
   * Apply config-file text (one directive per line). Throws FatalConfigError with the report
   * Redis prints. Used by loadConfig; listeners are not called.
   * @internal
   */
  loadFromString(text: string, session: LoadSession): void {
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = trimChars(lines[i], " \t\r\n");
      const at: LineRef = { line: i + 1, text: line };
      const fatal = (err: string) => new FatalConfigError(fatalConfigText(err, at));
      if (line.length === 0 || line[0] === "#") continue;

      const argv = splitArgs(line);
      if (argv === undefined) throw fatal("Unbalanced quotes in configuration line");
      if (argv.length === 0) continue;
      const name = asciiLower(argv[0]);

      const entry = lookup(name);
      if (entry) {
        const d = entry.directive;
        if (!d.multiArg && argv.length !== 2) throw fatal("wrong number of arguments");
        // A multi-argument directive given one non-empty argument ("--save '900 1'") has it
        // split again, so that command-line values can be passed quoted.
        let args = argv.slice(1);
        if (d.multiArg && argv.length === 2 && argv[1].length > 0) args = splitArgs(argv[1]) ?? [];
        try {
          const ctx: SetContext = { loading: session, dir: this.values.get("dir") as string };
          this.values.set(d.name, d.set(args, this.values.get(d.name), ctx));
        } catch (e) {
          if (e instanceof SetFailure) throw fatal(e.message);
          throw e;
        }
        continue;
      }
      if (DEPRECATED.has(name) && argv.length === 2) continue;

      const fileDirective: FileDirective = { ...at, args: argv.slice(1) };
      if (name === "include" && argv.length === 2) {
        this.loadFile(argv[1], session);
      } else if (name === "rename-command" && argv.length === 3) {
        this.renameCommands.push(fileDirective);
      } else if (name === "user" && argv.length >= 2) {
        this.users.push(fileDirective);
      } else if (name === "loadmodule" && argv.length >= 2) {
        this.loadModules.push(fileDirective);
      } else if (name.includes(".")) {
        // Queued for a module to claim; redis-server aborts later when none does.
        this.moduleConfigs.push(fileDirective);
      } else if (name === "sentinel") {
        // A bare "sentinel" selects sentinel mode in main(); shardis has no sentinel mode.
        if (argv.length !== 1) throw fatal("sentinel directive while not in sentinel mode");
      } else {
        throw fatal("Bad directive or wrong number of arguments");
      }
    }

    // Test that the log file can be opened: the server could not fail for it later.
    const logfile = this.values.get("logfile") as string;
    if (logfile !== "") {
      try {
        fs.closeSync(fs.openSync(this.resolvePath(logfile), "a"));
      } catch (e) {
        throw new FatalConfigError(fatalConfigText(`Can't open the log file: ${strerror(e)}`));
      }
    }
    if (this.values.get("cluster-enabled") === true && this.values.get("replicaof") !== null) {
      throw new FatalConfigError(fatalConfigText("replicaof directive not allowed in cluster mode"));
    }
    const hz = DIRECTIVES.find((d) => d.name === "hz");
    if (hz?.normalize) this.values.set("hz", hz.normalize(this.values.get("hz")));
  }

  /**
   * Read a config file (or the files a glob pattern names, concatenated) and apply it.
   * `file` is a byte string; a relative one is relative to the current `dir`.
   * @internal
   */
  loadFile(file: string, session: LoadSession): void {
    this.loadFromString(this.readConfigFiles(file), session);
  }

  /** @internal */
  readConfigFiles(file: string): string {
    const read = (p: string): string => {
      try {
        return fs.readFileSync(p, "latin1");
      } catch (e) {
        // fopen() succeeds on a directory and the first read fails: an empty config.
        if ((e as { code?: string }).code === "EISDIR") return "";
        throw new FatalConfigError(`Fatal error, can't open config file '${bytesToPath(file)}': ${strerror(e)}`, true);
      }
    };
    if (/[*?[]/.test(file)) {
      // A wildcard include matching nothing is fine (an empty conf.d).
      return globFiles(this.resolvePath(file)).map(read).join("");
    }
    return read(this.resolvePath(file));
  }

  /** A byte-string path from the config, as a file-system path relative to `dir`. */
  resolvePath(p: string): string {
    return path.resolve(bytesToPath(this.values.get("dir") as string), bytesToPath(p));
  }
}

function currentUmask(): number {
  try {
    // Reading the umask without changing it is not possible in workers; assume 022 there.
    const old = process.umask(0o022);
    process.umask(old);
    return old;
  } catch {
    return 0o022;
  }
}

/** glob(3) for an absolute pattern: wildcards in any component, sorted, no dot-files by `*`. */
function globFiles(pattern: string): string[] {
  const parts = pattern.split("/").filter((p) => p.length > 0);
  let bases = ["/"];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const base of bases) {
      if (!/[*?[]/.test(part)) {
        const p = path.join(base, part);
        if (fs.existsSync(p)) next.push(p);
        continue;
      }
      let names: string[];
      try {
        names = fs.readdirSync(base);
      } catch {
        continue;
      }
      const bytePart = toByteString(part);
      for (const n of names.sort()) {
        if (n.startsWith(".") && !part.startsWith(".")) continue;
        if (!stringMatch(bytePart, toByteString(n), false)) continue;
        const p = path.join(base, n);
        if (!last) {
          try {
            if (!fs.statSync(p).isDirectory()) continue;
          } catch {
            continue;
          }
        }
        next.push(p);
      }
    }
    bases = next;
  }
  return bases;
}
