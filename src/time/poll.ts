// Polling for a condition that no event announces (a process leaving /proc): start fast,
// back off, never sleep past the deadline.

/** Poll (10 ms, backing off to 50 ms) while `busy()` holds and the time (ms since epoch) allows. */
export async function waitWhile(busy: () => boolean, until = Number.POSITIVE_INFINITY): Promise<void> {
  let delay = 10;
  while (busy() && Date.now() < until) {
    await Bun.sleep(Math.min(delay, Math.max(1, until - Date.now())));
    delay = Math.min(delay * 2, 50);
  }
}
