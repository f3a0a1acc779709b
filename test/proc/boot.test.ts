import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { bootId } from "../../src/proc/boot.ts";

describe("the boot id", () => {
  test("bootId() is the kernel's, read once", () => {
    const id = bootId();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(id).toBe(readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim());
    expect(bootId()).toBe(id);
  });
});
