// A cheap look before anything is loaded: no blind kill is written without one of these words
// (in any case: `$KILL_CMD -f vite` runs one we cannot read).
export const MAY_BE_BLIND_KILL = /kill|fuser/i;
