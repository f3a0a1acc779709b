// Whether a periodic sweep is due, from <state>/reap-due: claimed once, scheduled after.

import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claimReap, dueFile, isReapDue, scheduleNext } from "../../src/hooks/periodic-reap.ts";

describe("the due file", () => {
  test("missing or unreadable: due; claimed: not due for a minute; scheduled: due at the interval; none: rechecked hourly", async () => {
    const dir = mkdtempSync(join(tmpdir(), "supervise-due-"));
    try {
      const now = 1_000_000;
      expect(await isReapDue(dir, now)).toBe(true);
      await Bun.write(dueFile(dir), "garbage");
      expect(await isReapDue(dir, now)).toBe(true);
      expect(await claimReap(dir, now)).toBe(true);
      expect(await isReapDue(dir, now + 59_999)).toBe(false);
      expect(await isReapDue(dir, now + 60_000)).toBe(true);
      await scheduleNext(dir, 300_000, now);
      expect(await isReapDue(dir, now + 299_999)).toBe(false);
      expect(await isReapDue(dir, now + 300_000)).toBe(true);
      await scheduleNext(dir, Number.POSITIVE_INFINITY, now);
      expect(await isReapDue(dir, now + 3_599_999)).toBe(false);
      // A missing state dir is created 0700 (as everywhere); one that cannot exist is no claim.
      expect(await claimReap(join(dir, "new"), now)).toBe(true);
      expect(statSync(join(dir, "new")).mode & 0o777).toBe(0o700);
      await Bun.write(join(dir, "a-file"), "");
      expect(await claimReap(join(dir, "a-file", "state"), now)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
