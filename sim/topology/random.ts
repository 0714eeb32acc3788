import type { Rng } from '../rng.js';
import {
  checkNodes,
  DEFAULT_LATENCY,
  drawLatency,
  EdgeSet,
  type LatencyRange,
  type Topology,
} from './types.js';

export interface RandomParams {
  readonly nodes: number;
  /** Mean degree; the edge probability is meanDegree / (n - 1). Default 4. */
  readonly meanDegree?: number;
  readonly latency?: LatencyRange;
}

/**
 * Erdős–Rényi G(n, p) with a connectivity guarantee: first a random spanning tree (each node in a
 * shuffled order links to a uniformly chosen earlier one), then every other pair with probability
 * p chosen so the mean degree comes out at `meanDegree` (the tree's n-1 edges count toward it).
 * Pairs are sampled by geometric skipping, so the cost is O(n + edges), not O(n²).
 */
export function random(params: RandomParams, rng: Rng): Topology {
  checkNodes('random', params.nodes, 2);
  const n = params.nodes;
  const k = params.meanDegree ?? 4;
  if (!(k >= 1) || k > n - 1)
    throw new RangeError(`random topology mean degree must be in [1, ${n - 1}], got ${k}`);
  const lat = params.latency ?? DEFAULT_LATENCY;
  const set = new EdgeSet(n);
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  for (let i = 1; i < n; i++) set.add(order[i]!, order[rng.int(i)]!, drawLatency(lat, rng));
  const pairs = (n * (n - 1)) / 2;
  const extra = Math.max(0, (n * k) / 2 - (n - 1));
  const p = Math.min(1, extra / (pairs - (n - 1) || 1));
  if (p > 0) {
    // Walk pair indices 0..pairs-1 with geometric gaps; map index -> (a, b), a < b.
    const logq = Math.log(1 - p);
    let idx = -1;
    for (;;) {
      idx += p >= 1 ? 1 : 1 + Math.floor(Math.log(1 - rng.float()) / logq);
      if (idx >= pairs) break;
      // Row a holds pairs (a, a+1..n-1): start(a) = a*n - a(a+1)/2.
      let a = Math.floor(n - 0.5 - Math.sqrt((n - 0.5) ** 2 - 2 * idx));
      while (a > 0 && a * n - (a * (a + 1)) / 2 > idx) a--;
      while ((a + 1) * n - ((a + 1) * (a + 2)) / 2 <= idx) a++;
      const b = idx - (a * n - (a * (a + 1)) / 2) + a + 1;
      set.add(a, b, drawLatency(lat, rng));
    }
  }
  return { name: 'random', nodes: n, edges: set.edges };
}
