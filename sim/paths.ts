/** Shortest paths on true link latencies, for path stretch. */

export interface WeightedGraph {
  readonly nodes: number;
  /** Adjacency: for each node, [neighbour, weight] pairs over usable links. */
  neighbours(node: number): Iterable<readonly [number, number]>;
}

/** Dijkstra from `source`: returns the distance (ms) to every node, Infinity when unreachable. */
export function dijkstra(g: WeightedGraph, source: number): Float64Array {
  const dist = new Float64Array(g.nodes).fill(Number.POSITIVE_INFINITY);
  dist[source] = 0;
  // Binary heap of [dist, node] with lazy deletion.
  const hd: number[] = [0];
  const hn: number[] = [source];
  const push = (d: number, n: number): void => {
    let i = hd.length;
    hd.push(d);
    hn.push(n);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (hd[p]! <= d) break;
      hd[i] = hd[p]!;
      hn[i] = hn[p]!;
      i = p;
    }
    hd[i] = d;
    hn[i] = n;
  };
  const pop = (): [number, number] => {
    const top: [number, number] = [hd[0]!, hn[0]!];
    const ld = hd.pop()!;
    const ln = hn.pop()!;
    const size = hd.length;
    if (size > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= size) break;
        if (c + 1 < size && hd[c + 1]! < hd[c]!) c++;
        if (hd[c]! >= ld) break;
        hd[i] = hd[c]!;
        hn[i] = hn[c]!;
        i = c;
      }
      hd[i] = ld;
      hn[i] = ln;
    }
    return top;
  };
  while (hd.length > 0) {
    const [d, u] = pop();
    if (d > dist[u]!) continue;
    for (const [v, w] of g.neighbours(u)) {
      const nd = d + w;
      if (nd < dist[v]!) {
        dist[v] = nd;
        push(nd, v);
      }
    }
  }
  return dist;
}

/** Summary statistics of a list of numbers (empty → zeros). */
export function summarize(values: readonly number[]): {
  count: number;
  mean: number;
  max: number;
  p50: number;
  p95: number;
} {
  if (values.length === 0) return { count: 0, mean: 0, max: 0, p50: 0, p95: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    mean: sum / sorted.length,
    max: sorted[sorted.length - 1]!,
    p50: q(0.5),
    p95: q(0.95),
  };
}
