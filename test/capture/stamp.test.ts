// Arrival marks and the lines they time: table tests, torn and hostile mark files included.

import { describe, expect, test } from "bun:test";
import { arrivalOf, formatMark, parseMarks } from "../../src/capture/marks.ts";
import { createStamper, joinLines, selectLines, stampOf, timedLines } from "../../src/capture/stamp.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const T0 = Date.parse("2026-12-03T10:00:00.000Z");

describe("parseMarks", () => {
  const cases: [string, string, { offset: number; at: number }[]][] = [
    ["empty", "", []],
    ["two marks", formatMark(0, T0) + formatMark(7, T0 + 5), [{ offset: 0, at: T0 }, { offset: 7, at: T0 + 5 }]],
    ["a torn last line (a write cut short)", `0 ${T0}\n7 17647`, [{ offset: 0, at: T0 }, { offset: 7, at: 17647 }]],
    ["a torn last line with no time", `0 ${T0}\n7`, [{ offset: 0, at: T0 }]],
    ["an offset going back is skipped", `5 ${T0}\n2 ${T0 + 1}\n9 ${T0 + 2}\n`, [{ offset: 5, at: T0 }, { offset: 9, at: T0 + 2 }]],
    ["junk, signs, exponents, blanks and a 16-digit number", `x y\n-1 ${T0}\n1e3 ${T0}\n 1 ${T0}\n1  ${T0}\n1234567890123456 1\n3 ${T0}\n`, [{ offset: 3, at: T0 }]],
    ["CRLF is not a mark", `1 ${T0}\r\n`, []],
  ];
  for (const [name, input, expected] of cases) test(name, () => expect(parseMarks(input)).toEqual(expected));
});

describe("arrivalOf", () => {
  const marks = [{ offset: 0, at: 100 }, { offset: 10, at: 200 }, { offset: 10, at: 250 }, { offset: 30, at: 300 }];
  const cases: [number, number | null][] = [[0, 100], [9, 100], [10, 250], [29, 250], [30, 300], [10_000, 300]];
  for (const [offset, at] of cases) test(`offset ${offset}`, () => expect(arrivalOf(marks, offset)).toBe(at));
  test("before the first mark, or with none: unknown", () => {
    expect(arrivalOf([{ offset: 5, at: 1 }], 4)).toBeNull();
    expect(arrivalOf([], 0)).toBeNull();
  });
});

describe("timedLines, selectLines, joinLines", () => {
  // "old\n" arrived 2 h before "mid\n", and "new\n" with "tail" (no newline) 2 s after that.
  const content = bytes("old\nmid\nnew\ntail");
  const marks = [{ offset: 0, at: T0 }, { offset: 4, at: T0 + 7_200_000 }, { offset: 8, at: T0 + 7_202_000 }];
  const lines = timedLines(content, marks);

  test("a line's time is its first byte's; the last line may have no newline", () => {
    expect(lines.map((line) => [text(line.bytes), line.at])).toEqual([["old\n", T0], ["mid\n", T0 + 7_200_000], ["new\n", T0 + 7_202_000], ["tail", T0 + 7_202_000]]);
  });
  test("a line that began inside a mark's chunk keeps that mark's time", () => {
    expect(timedLines(bytes("ab\ncd\n"), [{ offset: 1, at: 5 }]).map((line) => line.at)).toEqual([null, 5]);
  });
  test("--since keeps what arrived at or after it, then --tail takes the last N", () => {
    expect(selectLines(lines, T0 + 7_200_000, null).map((line) => text(line.bytes))).toEqual(["mid\n", "new\n", "tail"]);
    expect(selectLines(lines, T0 + 7_200_001, 1).map((line) => text(line.bytes))).toEqual(["tail"]);
    expect(selectLines(lines, null, 0)).toEqual([]);
    expect(selectLines(lines, T0 + 9e9, null)).toEqual([]);
  });
  test("a line with no time is kept by --since: nothing shows it older", () => {
    expect(selectLines(timedLines(bytes("a\n"), []), T0, null)).toHaveLength(1);
  });
  test("stamps: ISO 8601 UTC, then one space; a line with no time gets a blank stamp of the same width", () => {
    expect(text(joinLines(lines.slice(0, 2), true))).toBe("2026-12-03T10:00:00.000Z old\n2026-12-03T12:00:00.000Z mid\n");
    expect(stampOf(null)).toHaveLength(stampOf(T0).length);
    expect(text(joinLines(lines, false))).toBe(text(content));
  });
  test("empty content: no lines", () => expect(timedLines(bytes(""), marks)).toEqual([]));
});

describe("createStamper: pieces as --follow reads them", () => {
  const marks = [{ offset: 0, at: T0 }, { offset: 5, at: T0 + 1 }];
  test("a stamp at each line start, none where a piece continues a line", () => {
    const stamper = createStamper(true);
    const out = [stamper.stamp(bytes("par"), 0, marks), stamper.stamp(bytes("t\nb"), 3, marks), stamper.stamp(bytes("\n"), 6, marks)].map(text).join("");
    expect(out).toBe("2026-12-03T10:00:00.000Z part\n2026-12-03T10:00:00.001Z b\n");
  });
  test("following on from the middle of a line: no stamp until the next line", () => {
    expect(text(createStamper(false).stamp(bytes("rest\nnext"), 0, marks))).toBe("rest\n2026-12-03T10:00:00.001Z next");
  });
});
