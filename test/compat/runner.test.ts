/*
 * The compat runner itself: redis-cli's argument splitting, script parsing, and that a
 * difference between two servers is reported with line, command and both replies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveRedis, type ServerHandle, startRedis } from "../helpers/servers.js";
import { formatMismatches, parseScript, runScript, ScriptError, splitArgs } from "./runner.js";

const split = (line: string): string[] | null => splitArgs(line)?.map((a) => a.toString("latin1")) ?? null;

describe("splitArgs (sdssplitargs)", () => {
  it("splits on whitespace and handles quotes", () => {
    expect(split("  SET  k\tv  ")).toEqual(["SET", "k", "v"]);
    expect(split(`SET "a b" 'c d'`)).toEqual(["SET", "a b", "c d"]);
    expect(split(`""`)).toEqual([""]);
    expect(split("")).toEqual([]);
    expect(split(`foo"bar baz"`)).toEqual(["foobar baz"]);
  });

  it("decodes escapes in double quotes only", () => {
    expect(split(`"\\x00\\xff\\x4A" "\\n\\r\\t\\b\\a" "\\"\\\\" "\\q"`)).toEqual([
      "\x00\xff\x4a",
      "\n\r\t\b\x07",
      '"\\',
      "q",
    ]);
    expect(split(`"\\x4"`)).toEqual(["x4"]);
    expect(split(`'\\x41' 'it\\'s'`)).toEqual(["\\x41", "it's"]);
  });

  it("keeps UTF-8 bytes", () => {
    expect(splitArgs("é")![0]).toEqual(Buffer.from([0xc3, 0xa9]));
  });

  it("rejects unbalanced quotes and text glued to a closing quote", () => {
    expect(split(`"abc`)).toBeNull();
    expect(split(`'abc`)).toBeNull();
    expect(split(`"a"b`)).toBeNull();
    expect(split(`'a'b`)).toBeNull();
    expect(split(`"abc\\"`)).toBeNull();
  });
});

describe("parseScript", () => {
  it("parses commands, prefixes and directives", () => {
    const steps = parseScript(
      [
        "# comment",
        "",
        "SET k v",
        "~HELLO 3",
        "?  GET k",
        "&KEYS *",
        '@raw "PING\\r\\n" "x"',
        "?@raw x",
        "@sleep 10",
        "@flushall",
        "@resp3",
        "@reconnect",
      ].join("\n"),
    );
    expect(steps.map((s) => [s.line, s.kind, "check" in s ? s.check : "-"])).toEqual([
      [3, "command", "exact"],
      [4, "command", "shape"],
      [5, "command", "ignore"],
      [6, "command", "unordered"],
      [7, "raw", "exact"],
      [8, "raw", "ignore"],
      [9, "sleep", "-"],
      [10, "command", "exact"],
      [11, "command", "shape"],
      [12, "reconnect", "-"],
    ]);
    const raw = steps[4]!;
    expect(raw.kind === "raw" && raw.chunks.map((c) => c.toString())).toEqual(["PING\r\n", "x"]);
    const flush = steps[7]!;
    expect(flush.kind === "command" && flush.args.map(String)).toEqual(["FLUSHALL"]);
    const hello = steps[8]!;
    expect(hello.kind === "command" && hello.args.map(String)).toEqual(["HELLO", "3"]);
  });

  it("reports bad lines with file and line number", () => {
    expect(() => parseScript('PING\nSET "a', "x.redis")).toThrow(ScriptError);
    expect(() => parseScript('PING\nSET "a', "x.redis")).toThrow(/x\.redis:2: unbalanced quotes/);
    expect(() => parseScript("@nope", "x.redis")).toThrow(/unknown directive @nope/);
    expect(() => parseScript("@sleep abc", "x.redis")).toThrow(/@sleep/);
    expect(() => parseScript("@raw", "x.redis")).toThrow(/@raw/);
  });
});

describe.skipIf(!haveRedis())("runScript against two different redis-servers", () => {
  let a: ServerHandle;
  let b: ServerHandle;
  beforeAll(async () => {
    [a, b] = await Promise.all([startRedis(), startRedis(["--databases", "4"])]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("passes when the replies are the same", async () => {
    const steps = parseScript('SET k "\\xff"\nGET k\n~CONFIG GET port\n?CONFIG GET databases\n@raw "PING\\r\\n"');
    expect(await runScript(steps, { name: "a", port: a.port }, { name: "b", port: b.port })).toEqual([]);
  });

  it("reports every difference with line, command and both replies", async () => {
    const steps = parseScript(
      ["PING", "SELECT 5", "CONFIG GET databases", "~CONFIG GET databases", "&CONFIG GET databases", "ECHO ok"].join(
        "\n",
      ),
    );
    const m = await runScript(steps, { name: "a", port: a.port }, { name: "b", port: b.port });
    expect(m.map((x) => x.line)).toEqual([2, 3, 5]);
    const text = formatMismatches("t.redis", m);
    expect(text).toContain("t.redis:2: SELECT 5");
    expect(text).toContain(`a: "+OK\\r\\n"`);
    expect(text).toContain(`b: "-ERR DB index is out of range\\r\\n"`);
    expect(text).toContain(`"*2\\r\\n$9\\r\\ndatabases\\r\\n$1\\r\\n4\\r\\n"`);
  });

  it("compares whether the connection was closed after @raw", async () => {
    const steps = parseScript('@raw "*1\\r\\n$x\\r\\n"\nPING');
    expect(await runScript(steps, { name: "a", port: a.port }, { name: "b", port: b.port })).toEqual([]);
  });
});
