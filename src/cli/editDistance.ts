// Edit distance for "did you mean": Levenshtein distance with adjacent transpositions (optimal
// string alignment), so `--ndoe` is one step from `--node`. Pure.

export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (d[i - 1]?.[j] ?? 0) + 1,
        (d[i]?.[j - 1] ?? 0) + 1,
        (d[i - 1]?.[j - 1] ?? 0) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, (d[i - 2]?.[j - 2] ?? 0) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return d[a.length]?.[b.length] ?? 0;
}

/**
 * The candidate nearest to `given`, if near enough to be a typo: at most 1 edit for short words,
 * 2 from five letters on, 3 from nine on. A candidate that `given` starts (an abbreviation) counts too.
 */
export function closest(given: string, candidates: readonly string[]): string | null {
  const allowed = given.length >= 9 ? 3 : given.length >= 5 ? 2 : 1;
  let best: { name: string; distance: number } | null = null;
  for (const name of candidates) {
    const distance = name.startsWith(given) && given.length >= 2 ? 1 : editDistance(given, name);
    if (distance <= allowed && (best === null || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? null;
}
