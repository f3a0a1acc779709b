// Whether a command's text asks to be kept (SUPERVISE_KEEP=1 in it): read on the hook's and
// the wrapper's paths, which need none of the keep walk and the /proc readers behind it.

/** A command's text asks to be kept: SUPERVISE_KEEP=1 anywhere in it (keeping too much is the safe side). */
export function asksToBeKept(text: string): boolean {
  return /(?:^|[^A-Za-z0-9_])SUPERVISE_KEEP=(["']?)1\1(?![0-9])/.test(text);
}

/** The same of a ledger row's recorded command (a JSON array of words, its quotes escaped there). */
export function recordedAsksToBeKept(commandJson: string): boolean {
  let words: unknown;
  try {
    words = JSON.parse(commandJson);
  } catch {
    return asksToBeKept(commandJson);
  }
  return Array.isArray(words) ? asksToBeKept(words.join(" ")) : asksToBeKept(commandJson);
}
