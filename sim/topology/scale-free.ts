import type { Rng } from '../rng.js';
import {
  checkNodes,
  DEFAULT_LATENCY,
  drawLatency,
  EdgeSet,
  type LatencyRange,
  type Topology,
} from './types.js';

export interface ScaleFreeParams {
  readonly nodes: number;
  /** Edges each new node brings (Barabási–Albert m). Default 2. */
  readonly m?: number;
  readonly latency?: LatencyRange;
}

/**
 * Barabási–Albert preferential attachment: start from a clique of m+1 nodes; each later node links
 * to m distinct existing nodes chosen with probability proportional to degree (sampled from the
 * list of edge endpoints). Connected by construction; degree tail ~ k^-3, so a few hubs.
 */
export function scaleFree(params: ScaleFreeParams, rng: Rng): Topology {
  const m = params.m ?? 2;
  if (!Number.isInteger(m) || m < 1)
    throw new RangeError(`scale-free m must be a positive integer, got ${m}`);
  checkNodes('scale-free', params.nodes, m + 1);
  const n = params.nodes;
  const lat = params.latency ?? DEFAULT_LATENCY;
  const set = new EdgeSet(n);
  const endpoints: number[] = [];
  for (let a = 0; a <= m; a++) {
    for (let b = a + 1; b <= m; b++) {
      set.add(a, b, drawLatency(lat, rng));
      endpoints.push(a, b);
    }
  }
  if (m === 1) endpoints.push(0); // a single seed node has degree 0: give it one ticket
  const chosen = new Set<number>();
  for (let v = m + 1; v < n; v++) {
    chosen.clear();
    while (chosen.size < m) chosen.add(endpoints[rng.int(endpoints.length)]!);
    for (const u of chosen) {
      set.add(v, u, drawLatency(lat, rng));
      endpoints.push(v, u);
    }
  }
  return { name: 'scale-free', nodes: n, edges: set.edges };
}
