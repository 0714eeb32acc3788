/**
 * Returns the optimal-string-alignment distance between two strings: Levenshtein plus adjacent
 * transpositions, so `lisetn_port` is one edit from `listen_port`.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}

/** Folds the spellings people mix up (`listen-port`, `ListenPort`, `LISTEN_PORT`) to one form. */
function fold(s: string): string {
  return s.toLowerCase().replace(/[-_.\s]/g, '');
}

/**
 * Returns the candidate nearest to `name`, or undefined when none is close enough to be a likely typo.
 * A candidate also matches on its last dotted segment, so `enabled` suggests `discovery.enabled`.
 */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
  const folded = fold(name);
  if (folded.length === 0) return undefined;
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const leaf = c.slice(c.lastIndexOf('.') + 1);
    const score = Math.min(editDistance(folded, fold(c)), editDistance(folded, fold(leaf)) + 0.5);
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  // About one typo per three characters, and at least two, before a guess stops being helpful.
  const limit = Math.max(2, Math.floor(folded.length / 3));
  return bestScore <= limit ? best : undefined;
}
