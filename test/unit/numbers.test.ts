/*
 * src/util/numbers.ts: Redis's integer parsing (string2ll) and INCRBYFLOAT's x87 long
 * double arithmetic (string2ld, `value += incr`, ld2string in human mode). Every expected
 * string below was obtained from redis-server 7.0.15 on x86-64 (`SET u a` then
 * `INCRBYFLOAT u b`).
 */
import { describe, expect, it } from "vitest";
import {
  addLongDouble,
  formatLongDoubleHuman,
  INT64_MAX,
  INT64_MIN,
  longDoubleFromInteger,
  parseInteger,
  parseLongDouble,
} from "../../src/util/numbers.js";

/** What INCRBYFLOAT answers for a stored `a` and an increment `b`. */
function incrbyfloat(a: string, b: string): string {
  const x = parseLongDouble(a);
  const y = parseLongDouble(b);
  if (x === undefined || y === undefined) return "ERR value is not a valid float";
  if (typeof x === "number" || typeof y === "number") return "ERR increment would produce NaN or Infinity";
  const sum = addLongDouble(x, y);
  return sum === undefined ? "ERR increment would produce NaN or Infinity" : formatLongDoubleHuman(sum);
}

describe("parseInteger (string2ll)", () => {
  it("accepts canonical int64 integers only", () => {
    expect(parseInteger("0")).toBe(0);
    expect(parseInteger("-42")).toBe(-42);
    expect(parseInteger("9223372036854775807")).toBe(INT64_MAX);
    expect(parseInteger("-9223372036854775808")).toBe(INT64_MIN);
    for (const bad of ["", "-", "01", "-0", "+1", " 1", "1 ", "1.5", "1e3", "9223372036854775808"]) {
      expect(parseInteger(bad), bad).toBeUndefined();
    }
  });
});

describe("INCRBYFLOAT arithmetic (long double)", () => {
  const cases: Array<[string, string, string]> = [
    ["10.5", "0.1", "10.6"],
    ["3.0e3", "200", "3200"],
    ["5.0e3", "2.0e5", "205000"],
    ["0", "0.1", "0.1"],
    ["0.1", "0.2", "0.3"],
    ["0.3", "-0.3", "0"],
    ["1", "1e-19", "1"],
    ["0.1", "0.00000000000000001", "0.10000000000000001"],
    ["1234567890.12345678901234", "0", "1234567890.12345678906422108"],
    ["12345678901234567890", "1", "12345678901234567891"],
    ["9007199254740993", "1", "9007199254740994"],
    ["-0.0001", "0.0001", "0"],
    ["1.5e-17", "0", "0.00000000000000002"],
    ["2.5e-17", "0", "0.00000000000000002"],
    ["0.5e-17", "-0", "0"],
    [
      "1e300",
      "0",
      "1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144",
    ],
    [
      "1.7976931348623157e308",
      "1.7976931348623157e308",
      "359538626972463139991842093548208868096772893888658356970628841530353257046248792709403737216774171128857586838851041378617416726902272110715794556052955234146997955372576789671236326588091188869859074894581254961338834769297758245552436667197907705664206565009503223382416235440319971852753604933726679072768",
    ],
    ["4e-4951", "0", "0"],
    ["0x1p-16445", "0", "0"],
    ["0x.8", "0x1P+3", "8.5"],
    ["-2E1", ".5", "-19.5"],
    ["3.14159265358979323846", "2.71828182845904523536", "5.85987448204883847"],
    ["-1e-10", "1e-10", "0"],
    ["123.456", "-123.455", "0.001"],
    ["0001.2500", "5.", "6.25"],
    ["1e20", "-1", "100000000000000000000"],
    ["inf", "1", "ERR increment would produce NaN or Infinity"],
    ["-inf", "inf", "ERR increment would produce NaN or Infinity"],
    ["0", "INFINITY", "ERR increment would produce NaN or Infinity"],
    ["1.1e4932", "1e4932", "ERR increment would produce NaN or Infinity"],
  ];
  for (const [a, b, want] of cases) {
    it(`${a} + ${b}`, () => {
      expect(incrbyfloat(a, b)).toBe(want);
    });
  }

  it("prints values near LDBL_MAX in full", () => {
    const out = incrbyfloat("1.1e4932", "0");
    expect(out).toHaveLength(4933);
    expect(out.startsWith("1099999999999999999974373107528241817659030869279")).toBe(true);
    expect(out.endsWith("2088136704")).toBe(true);
  });

  it("adds int-encoded values exactly", () => {
    expect(formatLongDoubleHuman(longDoubleFromInteger(42))).toBe("42");
    expect(formatLongDoubleHuman(longDoubleFromInteger(INT64_MIN))).toBe("-9223372036854775808");
  });

  it("rejects what string2ld rejects", () => {
    const bad = [
      "",
      "nan",
      "NaN",
      "nan(123)",
      " 1",
      "1 ",
      "\t1",
      "abc",
      "1e",
      "1e+",
      ".",
      "-",
      "0x",
      "1_0",
      "infx",
      "1e5000",
      "1e-5000",
      "1.2e4932",
      "1e-4951",
      "1.5\0junk",
      "\0junk",
      `1.${"0".repeat(5118)}`,
    ];
    for (const s of bad) expect(parseLongDouble(s), JSON.stringify(s.slice(0, 20))).toBeUndefined();
    expect(parseLongDouble(`1.${"0".repeat(5117)}`)).toBeDefined();
    expect(parseLongDouble("0e99999")).toEqual({ neg: false, mant: 0n, exp: 0 });
  });
});
