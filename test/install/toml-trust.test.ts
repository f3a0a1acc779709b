// Codex's trust entries in config.toml: set and removed line by line, every other byte kept,
// the result parsed again; forms supervise does not edit are refused, never rewritten.

import { describe, expect, test } from "bun:test";
import { TomlEditError, withTrustedHashes } from "../../src/install/toml-trust.ts";

const KEY = "/p/.codex/hooks.json:session_start:0:0";
const add = (hash = "sha256:aa") => new Map([[KEY, hash]]);
const none = new Map<string, string>();

describe("withTrustedHashes: add, then remove, gives back the very bytes", () => {
  const originals: Array<[string, string]> = [
    ["no file", ""],
    ["a file without a final newline", 'model = "o3"'],
    ["comments, tables and blank lines", '# mine\nmodel = "o3"\n\n[projects."/x"]\ntrust_level = "trusted"  # yes\n\n'],
    ["other hook state", '[hooks.state."/q/hooks.json:stop:0:0"]\ntrusted_hash = "sha256:bb"\n'],
    ["CRLF line ends", 'model = "o3"\r\n[tui]\r\nx = 1\r\n'],
  ];
  for (const [name, text] of originals) {
    test(name, () => {
      const added = withTrustedHashes(text, add(), none);
      expect((Bun.TOML.parse(added) as any).hooks.state[KEY]).toEqual({ trusted_hash: "sha256:aa" });
      expect(added.startsWith(text.replace(/\n$/, ""))).toBe(true);
      expect(withTrustedHashes(added, none, add())).toBe(text === "" || text.endsWith("\n") ? text : `${text}\n`);
    });
  }
});

describe("withTrustedHashes: what is there already", () => {
  test("the same hash: the text is returned as it is", () => {
    const text = `x = 1\n\n[hooks.state.${JSON.stringify(KEY)}]\ntrusted_hash = "sha256:aa"\n`;
    expect(withTrustedHashes(text, add(), none)).toBe(text);
  });

  test("an old hash in a table with other keys: only that line changes; removal leaves the other keys", () => {
    const text = `[hooks.state.${JSON.stringify(KEY)}]\nenabled = true\ntrusted_hash = "sha256:old"\n[tui]\n`;
    const added = withTrustedHashes(text, add(), none);
    expect(added).toBe(`[hooks.state.${JSON.stringify(KEY)}]\nenabled = true\ntrusted_hash = "sha256:aa"\n[tui]\n`);
    expect(withTrustedHashes(added, none, add())).toBe(`[hooks.state.${JSON.stringify(KEY)}]\nenabled = true\n[tui]\n`);
  });

  test("a literal-string key, as a person may write it, is found", () => {
    const text = `[hooks.state.'${KEY}']\ntrusted_hash = "sha256:old"\n`;
    expect(withTrustedHashes(text, add(), none)).toBe(`[hooks.state.'${KEY}']\ntrusted_hash = "sha256:aa"\n`);
  });

  test("removal takes only a hash that is still supervise's (one the user approved since stays)", () => {
    const text = `[hooks.state.${JSON.stringify(KEY)}]\ntrusted_hash = "sha256:theirs"\n`;
    expect(withTrustedHashes(text, none, add())).toBe(text);
  });

  test("a key with quotes and backslashes round-trips", () => {
    const key = '/a "b"\\c/hooks.json:session_end:1:0';
    const added = withTrustedHashes("", new Map([[key, "sha256:cc"]]), none);
    expect((Bun.TOML.parse(added) as any).hooks.state[key].trusted_hash).toBe("sha256:cc");
    expect(withTrustedHashes(added, none, new Map([[key, "sha256:cc"]]))).toBe("");
  });
});

describe("withTrustedHashes: refused, nothing written", () => {
  const refused: Array<[string, string]> = [
    ["not TOML", "model = \n[[["],
    ["a duplicate table", "[a]\nx = 1\n[a]\ny = 2\n"],
    ["hooks.state as an inline table", "[hooks]\nstate = { other = { trusted_hash = \"x\" } }\n"],
    ["the entry as a dotted key", `hooks.state.${JSON.stringify(KEY)}.trusted_hash = "sha256:old"\n`],
  ];
  for (const [name, text] of refused) test(name, () => expect(() => withTrustedHashes(text, add(), none)).toThrow(TomlEditError));
});
