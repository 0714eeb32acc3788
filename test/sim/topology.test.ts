import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/rng.js';
import { grid } from '../../sim/topology/grid.js';
import { hubsAndLeaves } from '../../sim/topology/hubs.js';
import { buildTopology } from '../../sim/topology/index.js';
import { line } from '../../sim/topology/line.js';
import { random } from '../../sim/topology/random.js';
import { ring } from '../../sim/topology/ring.js';
import { scaleFree } from '../../sim/topology/scale-free.js';
import { isConnected, type Topology } from '../../sim/topology/types.js';

function degrees(t: Topology): number[] {
  const d = new Array<number>(t.nodes).fill(0);
  for (const e of t.edges) {
    d[e.a]!++;
    d[e.b]!++;
  }
  return d;
}

function noDuplicates(t: Topology): boolean {
  const seen = new Set<string>();
  for (const e of t.edges) {
    if (e.a === e.b) return false;
    const k = e.a < e.b ? `${e.a}-${e.b}` : `${e.b}-${e.a}`;
    if (seen.has(k)) return false;
    seen.add(k);
  }
  return true;
}

describe('topology generators', () => {
  it('line: n-1 edges, two leaves, connected', () => {
    const t = line({ nodes: 10 }, new Rng(1));
    expect(t.edges).toHaveLength(9);
    expect(degrees(t).filter((d) => d === 1)).toHaveLength(2);
    expect(isConnected(t.nodes, t.edges)).toBe(true);
  });

  it('ring: n edges, every degree 2', () => {
    const t = ring({ nodes: 12 }, new Rng(1));
    expect(t.edges).toHaveLength(12);
    expect(degrees(t).every((d) => d === 2)).toBe(true);
    expect(() => ring({ nodes: 2 }, new Rng(1))).toThrow(RangeError);
  });

  it('grid: 2·w·h − w − h edges for a full w×h grid, corner degree 2, inner degree 4', () => {
    const t = grid({ nodes: 400 }, new Rng(1));
    expect(t.edges).toHaveLength(2 * 20 * 20 - 40);
    const d = degrees(t);
    expect(d[0]).toBe(2);
    expect(d[21]).toBe(4);
    expect(Math.max(...d)).toBe(4);
    // A partial last row is still connected.
    const p = grid({ nodes: 23 }, new Rng(1));
    expect(isConnected(p.nodes, p.edges)).toBe(true);
  });

  it('random: connected even when sparse, mean degree near the target, no duplicates', () => {
    for (const seed of [1, 2, 3]) {
      const t = random({ nodes: 500, meanDegree: 1.2 }, new Rng(seed));
      expect(isConnected(t.nodes, t.edges)).toBe(true);
    }
    const t = random({ nodes: 1000, meanDegree: 6 }, new Rng(4));
    const mean = (2 * t.edges.length) / t.nodes;
    expect(mean).toBeGreaterThan(5.5);
    expect(mean).toBeLessThan(6.5);
    expect(noDuplicates(t)).toBe(true);
  });

  it('scale-free: m·(n − m − 1) + m(m+1)/2 edges, connected, heavy-tailed degrees', () => {
    const n = 2000;
    const m = 2;
    const t = scaleFree({ nodes: n, m }, new Rng(1));
    expect(t.edges).toHaveLength(m * (n - m - 1) + (m * (m + 1)) / 2);
    expect(isConnected(t.nodes, t.edges)).toBe(true);
    expect(noDuplicates(t)).toBe(true);
    const d = degrees(t);
    expect(Math.min(...d)).toBeGreaterThanOrEqual(m);
    // Preferential attachment makes hubs: the top node has far more links than the mean (4).
    expect(Math.max(...d)).toBeGreaterThan(40);
  });

  it('hubs + leaves: leaves peer only with 1..3 hubs, hubs are connected among themselves', () => {
    const t = hubsAndLeaves({ nodes: 1000, hubs: 10 }, new Rng(1));
    expect(isConnected(t.nodes, t.edges)).toBe(true);
    const d = degrees(t);
    for (const e of t.edges) {
      if (e.a >= 10 && e.b >= 10) throw new Error(`leaf-leaf edge ${e.a}-${e.b}`);
    }
    for (let leaf = 10; leaf < 1000; leaf++) {
      expect(d[leaf]).toBeGreaterThanOrEqual(1);
      expect(d[leaf]).toBeLessThanOrEqual(3);
    }
    const hubEdges = t.edges.filter((e) => e.a < 10 && e.b < 10);
    expect(isConnected(10, hubEdges)).toBe(true);
    expect(Math.min(...d.slice(0, 10))).toBeGreaterThan(50);
  });

  it('is deterministic for a seed, latencies within the range', () => {
    const a = buildTopology({ name: 'scale-free', nodes: 300, latency: { minMs: 7, maxMs: 9 } }, new Rng(5));
    const b = buildTopology({ name: 'scale-free', nodes: 300, latency: { minMs: 7, maxMs: 9 } }, new Rng(5));
    expect(a).toEqual(b);
    expect(a.edges.every((e) => e.latencyMs >= 7 && e.latencyMs <= 9)).toBe(true);
  });
});
