/**
 * "Did you mean …?" for hand-written names: unknown keys, enum values, placeholders. People type `fieldz`,
 * `half_life_days` for `halfLifeDays`, or the start of a long word (`pro` for `professional`), so all three
 * count as close: a small edit distance, the same name once case and separators are ignored, or a prefix.
 */

/** Lower case without `_`, `-`, spaces: `half_life_days`, `Half-Life-Days` and `halfLifeDays` are one name. */
function normalise(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/**
 * The candidate the input most likely meant, or undefined when none is close enough to be worth suggesting.
 * A wrong suggestion is worse than none, so the allowed distance grows slowly with the length of the input.
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const wanted = normalise(input);
  if (wanted === '') return undefined;
  const sameName = candidates.find((c) => normalise(c) === wanted);
  if (sameName !== undefined) return sameName;

  const allowed = Math.min(4, Math.max(1, Math.floor(wanted.length / 3)));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, normalise(candidate));
    if (distance <= allowed && (best === undefined || distance < best.distance)) {
      best = { candidate, distance };
    }
  }
  if (best) return best.candidate;

  // The start of exactly one candidate (`pro` → `professional`, `hi` → `high`), or a candidate followed by
  // extra letters (`geography` → `geo`).
  if (wanted.length >= 2) {
    const starting = candidates.filter((c) => normalise(c).startsWith(wanted));
    if (starting.length === 1) return starting[0];
  }
  const extended = candidates.filter((c) => normalise(c).length >= 3 && wanted.startsWith(normalise(c)));
  return extended.length === 1 ? extended[0] : undefined;
}
