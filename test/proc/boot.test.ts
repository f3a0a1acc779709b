import { describe, expect, test } from "bun:test";
import { bootId, loadBootId } from "../../src/proc/boot.ts";

describe("the boot id", () => {
  test("loadBootId gives the boot id bootId() answers with", async () => {
    const id = await loadBootId();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(bootId()).toBe(id);
  });
});
