import { describe, expect, it } from 'vitest';
import { Net } from './harness.js';

describe('routing engine on a virtual network', () => {
  it('two nodes learn each other', () => {
    const net = new Net(2);
    net.connect(0, 1);
    const t = net.driveUntil((n) => n.converged(), 10_000);
    expect(t).toBeDefined();
    expect(net.node(0).nextHop(net.node(1))).toBe('1');
    expect(net.node(1).nextHop(net.node(0))).toBe('0');
    const nb = net.node(0).engine.neighbours();
    expect(nb).toHaveLength(1);
    expect(nb[0]!.rttMs).toBeDefined();
    expect(nb[0]!.rttMs!).toBeCloseTo(20, 0);
  });

  it('a line of 5 converges with correct next hops', () => {
    const net = new Net(5);
    for (let i = 0; i < 4; i++) net.connect(i, i + 1);
    const t = net.driveUntil((n) => n.converged(), 30_000);
    expect(t).toBeDefined();
    for (const a of net.nodes) {
      for (const b of net.nodes) {
        if (a === b) continue;
        expect(a.nextHop(b)).toBe(String(b.index > a.index ? a.index + 1 : a.index - 1));
      }
    }
    expect(net.checkLoopFree()).toBe(20);
  });
});
