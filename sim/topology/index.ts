/** The topology registry: name → generator, used by the CLI and the benches. */
import type { Rng } from '../rng.js';
import { loadTopologyFile } from './file.js';
import { grid } from './grid.js';
import { hubsAndLeaves } from './hubs.js';
import { line } from './line.js';
import { random } from './random.js';
import { ring } from './ring.js';
import { scaleFree } from './scale-free.js';
import type { LatencyRange, Topology } from './types.js';

export type { Edge, LatencyRange, Topology } from './types.js';
export { components, isConnected } from './types.js';

export const TOPOLOGY_NAMES = ['line', 'ring', 'grid', 'random', 'scale-free', 'hubs', 'file'] as const;
export type TopologyName = (typeof TOPOLOGY_NAMES)[number];

export interface TopologyOptions {
  readonly name: TopologyName;
  readonly nodes: number;
  /** For `file`. */
  readonly file?: string;
  /** Mean degree (random), m (scale-free), hub count (hubs). */
  readonly degree?: number;
  readonly latency?: LatencyRange;
}

/** Builds the named topology. */
export function buildTopology(opts: TopologyOptions, rng: Rng): Topology {
  const { nodes, latency } = opts;
  switch (opts.name) {
    case 'line':
      return line({ nodes, latency }, rng);
    case 'ring':
      return ring({ nodes, latency }, rng);
    case 'grid':
      return grid({ nodes, latency }, rng);
    case 'random':
      return random({ nodes, latency, meanDegree: opts.degree }, rng);
    case 'scale-free':
      return scaleFree({ nodes, latency, m: opts.degree }, rng);
    case 'hubs':
      return hubsAndLeaves(
        { nodes, hubs: opts.degree, ...(latency ? { hubLatency: latency, leafLatency: latency } : {}) },
        rng,
      );
    case 'file':
      if (opts.file === undefined) throw new RangeError('the file topology needs a path (--topology-file)');
      return loadTopologyFile(opts.file);
  }
}
