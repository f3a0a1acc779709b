// A cheap look before anything is loaded: no blind kill is written without one of these words.
export const MAY_BE_BLIND_KILL = /kill|fuser/;
