import { describe, expect, it } from 'vitest';
import { Net } from './harness.js';

describe('shutdown', () => {
  it('withdraws every route through the stopping node at once, long before the hello timeout', () => {
    const net = new Net(3);
    net.connect(0, 1);
    net.connect(1, 2);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    net.drive(10_000);
    expect(net.node(2).nextHop(net.node(0))).toBe('1');

    net.handle(0, { kind: 'shutdown' });
    // The retraction crosses two 10 ms links; then node 0 is gone for good.
    net.drive(100);
    net.cut(0, 1);
    expect(net.node(0).counter('shutdown.retraction')).toBe(1);
    expect(net.node(1).nextHop(net.node(0))).toBeUndefined();
    expect(net.node(2).nextHop(net.node(0))).toBeUndefined();
    // The others still reach each other.
    expect(net.node(2).nextHop(net.node(1))).toBe('1');
  });
});
