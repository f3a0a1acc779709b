// The bars of `supervise stats`, in eighths of a cell.

import { describe, expect, test } from "bun:test";
import { bar } from "../../src/render/stats.ts";

describe("bar", () => {
  const cases: Array<[number, number, number, string]> = [
    [0, 10, 10, ""],
    [10, 10, 10, "██████████"],
    [5, 10, 10, "█████"],
    [1, 80, 10, "▏"],
    [1, 16, 1, "▏"],
    [3, 4, 1, "▊"],
    [-1, 10, 10, ""],
    [5, 0, 10, ""],
  ];
  for (const [value, max, width, expected] of cases) test(`${value}/${max} in ${width}`, () => expect(bar(value, max, width)).toBe(expected));
});
