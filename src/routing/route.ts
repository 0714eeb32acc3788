/**
 * The route table (babeld's route.c): per prefix, at most one route per neighbour that announced
 * it, and the selected one.
 *
 * Selection (RFC 8966 §3.6): a route is a candidate when its metric is finite, it has not
 * expired, and it is feasible against the current feasibility distance of its source. Among
 * candidates the smallest metric wins. Hysteresis, after babeld's "strong ordering": the selected
 * route is replaced by a better candidate only when the candidate is better both in its current
 * metric, by at least SWITCH_MIN_GAIN, and in its smoothed metric (an exponential average with a
 * SMOOTHING_HALF_LIFE_MS half-life). A brief RTT spike on one path does not move the smoothed
 * metric enough, and a gain of a few ms is not worth reordering packets for, so two near-equal
 * paths do not flap; a path that is clearly and persistently better wins within a few seconds.
 * If the selected route stops being a candidate, the best candidate is taken at once.
 */
import type { Prefix } from '../wire/babel/types.js';
import type { Millis } from './api.js';
import { METRIC_INFINITY, SMOOTHING_HALF_LIFE_MS, SWITCH_MIN_GAIN } from './constants.js';
import type { Neighbour } from './neighbour.js';

/**
 * One route. Memory: sourceKey, originator and signature are shared, interned objects (_keys.ts:
 * sourceKey, internKey, internSignature), never per-route copies; the rest are numbers. Nothing
 * here may be mutated in place (assign a new canonical object instead).
 */
export interface Route {
  readonly neighbour: Neighbour;
  readonly sourceKey: string;
  readonly originator: Uint8Array;
  seqno: number;
  /** The metric the neighbour advertised (without our link cost). */
  refMetric: number;
  /** The originator's signature over (prefix, seqno, originator), verified. */
  signature: Uint8Array;
  expiresAt: Millis;
  /** Smoothed metric, the time it was computed, and the metric in force since then. */
  smoothed: number;
  smoothedAt: Millis;
  smoothedTarget: number;
}

export interface PrefixEntry {
  readonly key: string;
  readonly prefix: Prefix;
  routes: Route[];
  selected: Route | undefined;
  /** What we last installed in the forwarding table (neighbour id + metric + seqno), to emit changes only. */
  installed: { neighbour: string; metric: number; seqno: number; originator: Uint8Array } | undefined;
  /** The (seqno, metric) of the last update we sent for this prefix, to decide when to trigger one. */
  advertised: { seqno: number; metric: number } | undefined;
}

/** Returns the metric of a route through its neighbour: refMetric + link cost, infinity when either is. */
export function routeMetric(r: Route): number {
  if (r.refMetric >= METRIC_INFINITY || r.neighbour.cost >= METRIC_INFINITY) return METRIC_INFINITY;
  return Math.min(METRIC_INFINITY, r.refMetric + r.neighbour.cost);
}

/**
 * Returns the smoothed metric at `now`: it decays toward the metric in force with a half-life of
 * SMOOTHING_HALF_LIFE_MS, then starts decaying toward the current metric.
 */
export function smoothedMetric(r: Route, now: Millis): number {
  const m = routeMetric(r);
  let sm: number;
  if (m >= METRIC_INFINITY || r.smoothed >= METRIC_INFINITY || r.smoothedTarget >= METRIC_INFINITY) {
    sm = m;
  } else {
    const decay = 2 ** (-Math.max(0, now - r.smoothedAt) / SMOOTHING_HALF_LIFE_MS);
    sm = r.smoothedTarget + (r.smoothed - r.smoothedTarget) * decay;
  }
  r.smoothed = sm;
  r.smoothedAt = now;
  r.smoothedTarget = m;
  return sm;
}

/** Returns the route a neighbour announced for this prefix, or undefined. */
export function findRoute(e: PrefixEntry, neighbourId: string): Route | undefined {
  for (const r of e.routes) if (r.neighbour.id === neighbourId) return r;
  return undefined;
}

/**
 * Adds a route to the entry. The array is rebuilt at its exact size: `push` on a fresh `[]` gives
 * it room for 16 (≈ 150 bytes per prefix per node), and most prefixes have one to four routes.
 */
export function addRoute(e: PrefixEntry, r: Route): void {
  const old = e.routes;
  const a = new Array<Route>(old.length + 1);
  for (let i = 0; i < old.length; i++) a[i] = old[i]!;
  a[old.length] = r;
  e.routes = a;
}

/**
 * Removes the route through `neighbourId`; returns it, or undefined if there was none. If it was
 * the selected route, `e.selected` still names it until the caller re-runs selection (which then
 * sees the loss and retracts or replaces it).
 */
export function flushRoute(e: PrefixEntry, neighbourId: string): Route | undefined {
  const i = e.routes.findIndex((r) => r.neighbour.id === neighbourId);
  if (i < 0) return undefined;
  return e.routes.splice(i, 1)[0];
}

function better(a: Route, am: number, asm: number, b: Route, bm: number, bsm: number): boolean {
  if (am !== bm) return am < bm;
  if (asm !== bsm) return asm < bsm;
  return a.neighbour.id < b.neighbour.id;
}

/**
 * Returns the route to select for this prefix under the rules above. `feasible(r)` tells whether
 * a route satisfies the feasibility condition against its source's current distance.
 */
export function selectRoute(e: PrefixEntry, now: Millis, feasible: (r: Route) => boolean): Route | undefined {
  let best: Route | undefined;
  let bestM = METRIC_INFINITY;
  let bestSm = METRIC_INFINITY;
  let curIsCandidate = false;
  let curM = METRIC_INFINITY;
  let curSm = METRIC_INFINITY;
  for (const r of e.routes) {
    const sm = smoothedMetric(r, now);
    const m = routeMetric(r);
    if (m >= METRIC_INFINITY || r.expiresAt <= now || !feasible(r)) continue;
    if (r === e.selected) {
      curIsCandidate = true;
      curM = m;
      curSm = sm;
    }
    if (best === undefined || better(r, m, sm, best, bestM, bestSm)) {
      best = r;
      bestM = m;
      bestSm = sm;
    }
  }
  if (!curIsCandidate || best === undefined) return best;
  const cur = e.selected!;
  if (best === cur) return cur;
  return bestM + SWITCH_MIN_GAIN <= curM && bestSm < curSm ? best : cur;
}

/** True when the metric moved enough since it was last advertised to deserve a triggered update. */
export function significantChange(oldMetric: number, newMetric: number, minDelta: number): boolean {
  if (oldMetric >= METRIC_INFINITY !== newMetric >= METRIC_INFINITY) return true;
  return Math.abs(newMetric - oldMetric) > Math.max(minDelta, oldMetric >> 2);
}
