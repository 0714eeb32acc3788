import type { Rng } from '../rng.js';
import {
  checkNodes,
  DEFAULT_LATENCY,
  drawLatency,
  EdgeSet,
  type LatencyRange,
  type Topology,
} from './types.js';

export interface LineParams {
  readonly nodes: number;
  readonly latency?: LatencyRange;
}

/** A path 0 – 1 – … – n-1: the worst case for count-to-infinity and the longest convergence. */
export function line(params: LineParams, rng: Rng): Topology {
  checkNodes('line', params.nodes, 1);
  const lat = params.latency ?? DEFAULT_LATENCY;
  const set = new EdgeSet(params.nodes);
  for (let i = 0; i + 1 < params.nodes; i++) set.add(i, i + 1, drawLatency(lat, rng));
  return { name: 'line', nodes: params.nodes, edges: set.edges };
}
