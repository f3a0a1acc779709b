// Gemini's settings.json may hold comments (it reads it through strip-json-comments).

import { describe, expect, test } from "bun:test";
import { withoutComments } from "../../src/install/jsonc.ts";

describe("withoutComments", () => {
  const cases: Array<[string, string, unknown]> = [
    ["a line comment", '{ // theme\n "a": 1 }', { a: 1 }],
    ["a block comment over lines", '{ /* one\n two */ "a": 1 }', { a: 1 }],
    ["slashes inside a string are text", '{ "url": "https://x//y", "c": "/* no */" } // yes', { url: "https://x//y", c: "/* no */" }],
    ["an escaped quote does not end the string", '{ "q": "a\\" // b" }', { q: 'a" // b' }],
    ["an unterminated block comment runs to the end", '{ "a": 1 } /* x', { a: 1 }],
  ];
  for (const [name, text, data] of cases) test(name, () => expect(JSON.parse(withoutComments(text) ?? text)).toEqual(data));

  test("no comment: null (the file is plain JSON); a block comment keeps its newlines", () => {
    expect(withoutComments('{ "a": "//" }')).toBeNull();
    expect(withoutComments("/* a\nb */{}")).toBe("    \n    {}");
  });
});
