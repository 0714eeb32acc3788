/**
 * Route metrics and the selection rule (babeld's route.c), on the table's integer routes
 * (table.ts): per prefix, at most one route per neighbour that announced it, and the selected one.
 *
 * Selection (RFC 8966 §3.6): a route is a candidate when its metric is finite, it has not
 * expired, and it is feasible against the current feasibility distance of its source. Among
 * candidates the smallest metric wins. Hysteresis, after babeld's "strong ordering": the selected
 * route is replaced by a better candidate only when the candidate is better both in its current
 * metric, by at least SWITCH_MIN_GAIN, and in its smoothed metric (an exponential average with a
 * SMOOTHING_HALF_LIFE_MS half-life). A brief RTT spike on one path does not move the smoothed
 * metric enough, and a gain of a few ms is not worth reordering packets for, so two near-equal
 * paths do not flap; a path that is clearly and persistently better wins within a few seconds.
 * If the selected route stops being a candidate, the best candidate is taken at once. A switch held
 * back only by the smoothed metric is reported (`onHeld`), so the caller looks again later: nothing
 * else may re-run selection for that prefix while the network is quiet.
 */
import type { Millis } from './api.js';
import { METRIC_INFINITY, SMOOTHING_HALF_LIFE_MS, SWITCH_MIN_GAIN } from './constants.js';
import { NONE, type RouteTable } from './table.js';

/** Returns the metric of route `r` through its neighbour: refMetric + link cost, infinity when either is. */
export function routeMetric(t: RouteTable, r: number): number {
  const ref = t.rRef[r]!;
  const cost = t.nbr[t.rNbr[r]!]!.cost;
  if (ref >= METRIC_INFINITY || cost >= METRIC_INFINITY) return METRIC_INFINITY;
  return Math.min(METRIC_INFINITY, ref + cost);
}

/**
 * Returns the smoothed metric of `r` at `now`: it decays toward the metric in force with a
 * half-life of SMOOTHING_HALF_LIFE_MS, then starts decaying toward the current metric.
 */
export function smoothedMetric(t: RouteTable, r: number, now: Millis): number {
  const m = routeMetric(t, r);
  const prev = t.rSmoothed[r]!;
  const target = t.rSmTarget[r]!;
  let sm: number;
  if (m >= METRIC_INFINITY || prev >= METRIC_INFINITY || target >= METRIC_INFINITY) {
    sm = m;
  } else if (prev === target) {
    sm = target; // settled: no decay left to compute
  } else {
    const decay = 2 ** (-Math.max(0, now - t.smoothedAt(r)) / SMOOTHING_HALF_LIFE_MS);
    sm = target + (prev - target) * decay;
  }
  t.rSmoothed[r] = sm;
  t.setSmoothedAt(r, now);
  t.rSmTarget[r] = m;
  return t.rSmoothed[r]!;
}

/**
 * Returns the route to select in slot `p` under the rules above (NONE when there is no candidate).
 * `feasible(r)` tells whether a route satisfies the feasibility condition.
 */
export function selectRoute(
  t: RouteTable,
  p: number,
  now: Millis,
  feasible: (r: number) => boolean,
  onHeld?: () => void,
): number {
  const cur = t.sel[p]!;
  let best = NONE;
  let bestM = METRIC_INFINITY;
  let bestSm = METRIC_INFINITY;
  let curIsCandidate = false;
  let curM = METRIC_INFINITY;
  let curSm = METRIC_INFINITY;
  for (let r = t.head[p]!; r !== NONE; r = t.rNext[r]!) {
    const sm = smoothedMetric(t, r, now);
    const m = routeMetric(t, r);
    if (m >= METRIC_INFINITY || t.expiresAt(r) <= now || !feasible(r)) continue;
    if (r === cur) {
      curIsCandidate = true;
      curM = m;
      curSm = sm;
    }
    if (
      best === NONE ||
      m < bestM ||
      (m === bestM && (sm < bestSm || (sm === bestSm && t.nbr[t.rNbr[r]!]!.id < t.nbr[t.rNbr[best]!]!.id)))
    ) {
      best = r;
      bestM = m;
      bestSm = sm;
    }
  }
  if (!curIsCandidate || best === NONE || best === cur) return best;
  if (bestM + SWITCH_MIN_GAIN > curM) return cur;
  if (bestSm < curSm) return best;
  // Better by enough now, not yet on the smoothed metric: worth looking again once it caught up.
  onHeld?.();
  return cur;
}

/** True when the metric moved enough since it was last advertised to deserve a triggered update. */
export function significantChange(oldMetric: number, newMetric: number, minDelta: number): boolean {
  if (oldMetric >= METRIC_INFINITY !== newMetric >= METRIC_INFINITY) return true;
  return Math.abs(newMetric - oldMetric) > Math.max(minDelta, oldMetric >> 2);
}
