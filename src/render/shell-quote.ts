// Quoting a word for a POSIX shell: for commands supervise writes (hooks, settings) and shows.

/** A word for a POSIX shell: bare when it is plainly safe, else in single quotes ('\'' for a quote). */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
