import type { Rng } from '../rng.js';
import {
  checkNodes,
  DEFAULT_LATENCY,
  drawLatency,
  EdgeSet,
  type LatencyRange,
  type Topology,
} from './types.js';

export interface GridParams {
  readonly nodes: number;
  /** Columns; default: ceil(sqrt(nodes)). The last row may be partial. */
  readonly width?: number;
  readonly latency?: LatencyRange;
}

/** A 2-D grid, row-major: node i sits at (i mod width, floor(i / width)), linked to right and below. */
export function grid(params: GridParams, rng: Rng): Topology {
  checkNodes('grid', params.nodes, 1);
  const n = params.nodes;
  const w = params.width ?? Math.ceil(Math.sqrt(n));
  if (!Number.isInteger(w) || w < 1) throw new RangeError(`grid width must be a positive integer, got ${w}`);
  const lat = params.latency ?? DEFAULT_LATENCY;
  const set = new EdgeSet(n);
  for (let i = 0; i < n; i++) {
    if ((i % w) + 1 < w && i + 1 < n) set.add(i, i + 1, drawLatency(lat, rng));
    if (i + w < n) set.add(i, i + w, drawLatency(lat, rng));
  }
  return { name: 'grid', nodes: n, edges: set.edges };
}
