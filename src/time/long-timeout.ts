// setTimeout holds at most 2^31-1 ms (~24.8 days); longer deadlines re-arm until due.

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Cancel {
  (): void;
}

export function setLongTimeout(atMs: number, fire: () => void): Cancel {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    const left = atMs - Date.now();
    if (left <= 0) return fire();
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
  };
  arm();
  return () => clearTimeout(timer);
}
