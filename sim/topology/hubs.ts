import type { Rng } from '../rng.js';
import { checkNodes, drawLatency, EdgeSet, type LatencyRange, type Topology } from './types.js';

export interface HubsParams {
  readonly nodes: number;
  /** How many hubs (nodes 0..hubs-1). Default: max(3, round(nodes / 100)). */
  readonly hubs?: number;
  /** Each leaf peers with 1..maxLeafLinks distinct hubs (uniform). Default 3. */
  readonly maxLeafLinks?: number;
  /** Hub–hub links: each hub links to this many others (a full mesh if >= hubs-1). Default 4. */
  readonly hubDegree?: number;
  readonly hubLatency?: LatencyRange;
  readonly leafLatency?: LatencyRange;
}

/**
 * Mycelium's public network in miniature: a few well-connected public hubs (a ring plus random
 * chords, so the hub core is connected) and many leaves, each peered with 1–3 hubs and nothing else.
 * Hubs are nodes 0..hubs-1; leaves follow.
 */
export function hubsAndLeaves(params: HubsParams, rng: Rng): Topology {
  checkNodes('hubs', params.nodes, 2);
  const n = params.nodes;
  const hubs = params.hubs ?? Math.max(3, Math.round(n / 100));
  if (!Number.isInteger(hubs) || hubs < 1 || hubs >= n) {
    throw new RangeError(`hubs must be an integer in [1, ${n - 1}], got ${hubs}`);
  }
  const maxLeaf = Math.min(params.maxLeafLinks ?? 3, hubs);
  if (!Number.isInteger(maxLeaf) || maxLeaf < 1)
    throw new RangeError(`maxLeafLinks must be >= 1, got ${maxLeaf}`);
  const hubDegree = Math.min(params.hubDegree ?? 4, hubs - 1);
  const hubLat = params.hubLatency ?? { minMs: 5, maxMs: 40 };
  const leafLat = params.leafLatency ?? { minMs: 10, maxMs: 80 };
  const set = new EdgeSet(n);
  if (hubs > 1) for (let h = 0; h < hubs; h++) set.add(h, (h + 1) % hubs, drawLatency(hubLat, rng));
  for (let h = 0; h < hubs; h++) {
    let guard = 0;
    while (set.degree[h]! < hubDegree && guard++ < 8 * hubs)
      set.add(h, rng.int(hubs), drawLatency(hubLat, rng));
  }
  const hubIds = Array.from({ length: hubs }, (_, i) => i);
  for (let leaf = hubs; leaf < n; leaf++) {
    const links = 1 + rng.int(maxLeaf);
    rng.shuffle(hubIds);
    for (let i = 0; i < links; i++) set.add(leaf, hubIds[i]!, drawLatency(leafLat, rng));
  }
  return { name: 'hubs', nodes: n, edges: set.edges };
}
