import type { Rng } from '../rng.js';
import {
  checkNodes,
  DEFAULT_LATENCY,
  drawLatency,
  EdgeSet,
  type LatencyRange,
  type Topology,
} from './types.js';

export interface RingParams {
  readonly nodes: number;
  readonly latency?: LatencyRange;
}

/** A cycle of n nodes (n >= 3): every node has degree 2 and two disjoint paths to every other. */
export function ring(params: RingParams, rng: Rng): Topology {
  checkNodes('ring', params.nodes, 3);
  const lat = params.latency ?? DEFAULT_LATENCY;
  const set = new EdgeSet(params.nodes);
  for (let i = 0; i < params.nodes; i++) set.add(i, (i + 1) % params.nodes, drawLatency(lat, rng));
  return { name: 'ring', nodes: params.nodes, edges: set.edges };
}
