// Table rendering: widths, the flexible column cut to the terminal, columns dropped when
// even that does not fit, colour codes never counted as width.

import { describe, expect, test } from "bun:test";
import { cut, printable, renderTable, type Column } from "../../src/render/table.ts";

const visible = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");
const widest = (text: string) => Math.max(...visible(text).trimEnd().split("\n").map((l) => l.length));

describe("cut", () => {
  const cases: Array<[string, number, string]> = [
    ["abcdef", 6, "abcdef"],
    ["abcdef", 5, "abcd…"],
    ["abcdef", 1, "…"],
    ["abcdef", 0, ""],
    ["", 3, ""],
  ];
  for (const [text, max, expected] of cases) test(`${JSON.stringify(text)} to ${max}`, () => expect(cut(text, max)).toBe(expected));
});

describe("printable", () => {
  const cases: Array<[string, string]> = [
    ["plain words", "plain words"],
    ["tab\there", "tab\\there"],
    ["bell\x07", "bell\\x07"],
    ["del\x7f", "del\\x7f"],
    ["unicode ✓ é", "unicode ✓ é"],
  ];
  for (const [input, expected] of cases) test(JSON.stringify(input), () => expect(printable(input)).toBe(expected));
});

describe("renderTable", () => {
  const columns: Column[] = [{ title: "ID" }, { title: "N", align: "right" }, { title: "OPT", dropOrder: 1 }, { title: "CMD", flex: true }];
  const rows = [
    ["a1", "7", "x", "a long command line that goes on and on"],
    ["b22", "1234", "yy", "short"],
  ];

  test("no width: nothing cut, columns padded, right alignment", () => {
    expect(renderTable(columns, rows, null)).toBe(
      ["ID      N  OPT  CMD", "a1      7  x    a long command line that goes on and on", "b22  1234  yy   short", ""].join("\n"),
    );
  });

  for (const width of [60, 40, 30, 24, 20, 16, 12, 8, 3, 1]) {
    test(`width ${width}: no line is wider`, () => {
      const out = renderTable(columns, rows, width);
      expect(widest(out)).toBeLessThanOrEqual(width);
      expect(out.split("\n")).toHaveLength(4);
    });
  }

  test("the flexible column is cut first, with an ellipsis", () => {
    const out = renderTable(columns, rows, 30);
    expect(out).toContain("OPT");
    expect(out).toContain("a1      7  x    a long comman…");
  });

  test("when the flexible column would get too narrow, optional columns go", () => {
    const out = renderTable(columns, rows, 20);
    expect(out).not.toContain("OPT");
    expect(out.split("\n")[1]).toBe("a1      7  a long c…");
  });

  test("colour codes are not counted and survive a cut", () => {
    const painted: Column[] = [{ title: "S", paint: (p) => `\x1b[31m${p}\x1b[0m` }, { title: "CMD", flex: true }];
    const out = renderTable(painted, [["running", "command"]], 12);
    expect(widest(out)).toBeLessThanOrEqual(12);
    expect(out).toContain("\x1b[31mrunning\x1b[0m");
    expect(visible(out).split("\n")[1]).toBe("running  co…");
  });

  test("hostile cells (newline, tab, escape sequences, C1) stay on their row and drive nothing", () => {
    const out = renderTable([{ title: "CMD", flex: true }], [["a\nb\tc"], ["\x1b]0;pwned\x07\x1b[2J\x9bx"]], null);
    expect(out).toBe("CMD\na\\nb\\tc\n\\x1b]0;pwned\\x07\\x1b[2J\\x9bx\n");
  });
});
