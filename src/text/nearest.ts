// "Did you mean": the known word nearest to what was typed.

/** Levenshtein distance with adjacent transpositions (`sohw` is one edit from `show`). */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i]![j] = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i]![j] = Math.min(rows[i]![j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
}

/** The nearest of `known` within `reach` edits (not `word` itself), or null. */
export function nearest(word: string, known: Iterable<string>, reach: number): string | null {
  let best: string | null = null;
  let bestDistance = reach + 1;
  for (const candidate of known) {
    const d = editDistance(word, candidate);
    if (d > 0 && d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** ` (did you mean 'X'?)` for a typo of one of `known`, else "". Two edits, one for words of up to four letters. */
export function didYouMean(word: string, known: Iterable<string>): string {
  const near = nearest(word, known, word.length <= 4 ? 1 : 2);
  return near === null ? "" : ` (did you mean '${near}'?)`;
}
