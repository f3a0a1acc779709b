// A cheap look before anything is loaded: no blind kill is written without one of these words
// (in any case: `$KILL_CMD -f vite` runs one we cannot read), once quotes and backslashes that
// only split a word are taken out (`'pk'ill`, `ki\ll`) and octal or hex escapes could spell one.
export const MAY_BE_BLIND_KILL = /kill|fuser/i;

export function mayBeBlindKill(command: string): boolean {
  return MAY_BE_BLIND_KILL.test(command) || MAY_BE_BLIND_KILL.test(command.replace(/['"\\]/g, "")) || /\\(x[0-9a-f]|[0-7]{2}|u[0-9a-f]|U[0-9a-f])/i.test(command);
}
