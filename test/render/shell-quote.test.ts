import { describe, expect, test } from "bun:test";
import { shellQuote } from "../../src/render/shell-quote.ts";

describe("shellQuote", () => {
  const cases: Array<[string, string]> = [
    ["plain", "plain"],
    ["/a/b-c_d.e:f,g=h@i%j+k", "/a/b-c_d.e:f,g=h@i%j+k"],
    ["", "''"],
    ["a b", "'a b'"],
    ["it's", "'it'\\''s'"],
    ["'", "''\\'''"],
    ["$HOME `x` \\ \" ! *", "'$HOME `x` \\ \" ! *'"],
    ["line\nbreak", "'line\nbreak'"],
    ["日本", "'日本'"],
  ];
  for (const [input, expected] of cases) test(JSON.stringify(input), () => expect(shellQuote(input)).toBe(expected));
});
