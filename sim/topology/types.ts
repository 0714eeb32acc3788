/** What every topology generator returns: node count and undirected edges with one-way latency. */
export interface Edge {
  readonly a: number;
  readonly b: number;
  /** One-way latency in ms. */
  readonly latencyMs: number;
}

export interface Topology {
  readonly name: string;
  readonly nodes: number;
  readonly edges: readonly Edge[];
}

/** Latency range for generated links, ms (uniform). */
export interface LatencyRange {
  readonly minMs: number;
  readonly maxMs: number;
}

export const DEFAULT_LATENCY: LatencyRange = { minMs: 5, maxMs: 50 };

/** Builds edges while rejecting self-loops and duplicates. */
export class EdgeSet {
  readonly edges: Edge[] = [];
  private readonly seen = new Set<number>();
  readonly degree: Int32Array;
  readonly adjacency: number[][];

  constructor(readonly nodes: number) {
    this.degree = new Int32Array(nodes);
    this.adjacency = Array.from({ length: nodes }, () => []);
  }

  has(a: number, b: number): boolean {
    return this.seen.has(a < b ? a * this.nodes + b : b * this.nodes + a);
  }

  /** Adds the edge unless it is a self-loop or already present; returns whether it was added. */
  add(a: number, b: number, latencyMs: number): boolean {
    if (a === b || this.has(a, b)) return false;
    this.seen.add(a < b ? a * this.nodes + b : b * this.nodes + a);
    this.edges.push({ a, b, latencyMs });
    this.degree[a]!++;
    this.degree[b]!++;
    this.adjacency[a]!.push(b);
    this.adjacency[b]!.push(a);
    return true;
  }
}

/** Returns integer ms latency drawn from the range. */
export function drawLatency(range: LatencyRange, rng: { float(): number }): number {
  return Math.round(range.minMs + (range.maxMs - range.minMs) * rng.float());
}

/** Returns the connected components of a topology as a component id per node. */
export function components(nodes: number, edges: readonly Edge[]): Int32Array {
  const parent = new Int32Array(nodes);
  for (let i = 0; i < nodes; i++) parent[i] = i;
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[x] !== r) {
      const n = parent[x]!;
      parent[x] = r;
      x = n;
    }
    return r;
  };
  for (const e of edges) {
    const ra = find(e.a);
    const rb = find(e.b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  const out = new Int32Array(nodes);
  for (let i = 0; i < nodes; i++) out[i] = find(i);
  return out;
}

/** True when every node is reachable from node 0. */
export function isConnected(nodes: number, edges: readonly Edge[]): boolean {
  const c = components(nodes, edges);
  for (let i = 0; i < nodes; i++) if (c[i] !== 0) return false;
  return true;
}

export function checkNodes(name: string, nodes: number, min: number): void {
  if (!Number.isInteger(nodes) || nodes < min) {
    throw new RangeError(`${name} topology needs an integer node count >= ${min}, got ${nodes}`);
  }
}
