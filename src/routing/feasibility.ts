/**
 * The feasibility condition (RFC 8966 §3.5.1), the rule that keeps Babel loop-free: an Update
 * (seqno, metric) for a source is feasible when the source has no feasibility distance, when it is
 * a retraction, when its seqno is newer than FD.seqno, or when the seqno is equal and the metric
 * strictly smaller than FD.metric. babeld's update_feasible() is this predicate.
 */
import { METRIC_INFINITY } from './constants.js';
import { seqnoCompare } from './seqno.js';

/** A feasibility distance: the best (seqno, metric) this node has advertised for a source. */
export interface FeasibilityDistance {
  readonly seqno: number;
  readonly metric: number;
}

/** True when an Update (seqno, metric) satisfies the feasibility condition against `fd`. */
export function isFeasible(fd: FeasibilityDistance | undefined, seqno: number, metric: number): boolean {
  return feasibleAgainst(fd !== undefined, fd?.seqno ?? 0, fd?.metric ?? 0, seqno, metric);
}

/**
 * Returns the feasibility distance after advertising (seqno, metric): it only ever gets "better"
 * (newer seqno, or the same seqno with a smaller metric); retractions leave it unchanged
 * (RFC 8966 §3.7.3).
 */
export function updateDistance(
  fd: FeasibilityDistance | undefined,
  seqno: number,
  metric: number,
): FeasibilityDistance | undefined {
  if (metric >= METRIC_INFINITY) return fd;
  if (fd === undefined) return { seqno, metric };
  const c = seqnoCompare(seqno, fd.seqno);
  if (c > 0 || (c === 0 && metric < fd.metric)) return { seqno, metric };
  return fd;
}

/** isFeasible on a distance held as numbers (`hasFd` false: no distance yet). */
export function feasibleAgainst(
  hasFd: boolean,
  fdSeqno: number,
  fdMetric: number,
  seqno: number,
  metric: number,
): boolean {
  if (!hasFd || metric >= METRIC_INFINITY) return true;
  const c = seqnoCompare(seqno, fdSeqno);
  return c > 0 || (c === 0 && metric < fdMetric);
}
