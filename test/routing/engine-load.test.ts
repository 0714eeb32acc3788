/** Control load: mechanisms that keep a converged network quiet (docs/protocol/routing-engine.md). */
import { describe, expect, it } from 'vitest';
import { TlvType } from '../../src/wire/babel/types.js';
import { Net, prefixHex } from './harness.js';

describe('steady-state control load', () => {
  it('our own route announced back at our current seqno does not bump the seqno', () => {
    // 0-1 is slow, 0-2-1 fast: node 1 reaches 0 through 2, so it announces 0's prefix to 0 itself
    // (split horizon only hides it from 2). That must not look like a restart to node 0.
    const net = new Net(3);
    let echoes = 0;
    net.connect(0, 1, 200, (_from, to, tlvs) => {
      for (const t of tlvs)
        if (to === 0 && t.type === TlvType.Update && prefixHex(t.prefix) === prefixHex(net.node(0).prefix))
          echoes++;
      return tlvs;
    });
    net.connect(0, 2, 5);
    net.connect(2, 1, 5);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    net.drive(10_000);
    expect(net.node(1).nextHop(net.node(0))).toBe('2');
    const bumps = net.node(0).counter('seqno.bump');
    const sent = net.node(1).counter('out.update') + net.node(2).counter('out.update');
    net.drive(30_000);
    expect(echoes).toBeGreaterThan(0);
    expect(net.node(0).counter('seqno.bump')).toBe(bumps);
    // Quiet: no triggered wave per second, only Hellos (and no periodic refresh within 30 s here).
    expect(net.node(1).counter('out.update') + net.node(2).counter('out.update') - sent).toBeLessThan(20);
    expect(net.checkLoopFree()).toBe(6);
  });

  it('a node whose route slots are full takes a better route from a new neighbour at once', () => {
    // Node 0 already holds maxRoutesPerPrefix (2) slow routes to node 3 (via 1 and 2). A new
    // neighbour 4 with a fast path must get its table to 0 once the link is usable, not while 0
    // still counts it unreachable (an infinite-metric route cannot evict anything).
    const net = new Net(5, { config: { maxRoutesPerPrefix: 2 } });
    net.connect(0, 1, 50);
    net.connect(0, 2, 60);
    net.connect(1, 3, 50);
    net.connect(2, 3, 60);
    net.connect(4, 3, 5);
    expect(net.driveUntil((n) => n.node(0).nextHop(n.node(3)) !== undefined, 30_000)).toBeDefined();
    net.drive(5_000);
    expect(net.node(0).nextHop(net.node(3))).toBe('1');
    const at = net.time;
    net.connect(0, 4, 5);
    const t = net.driveUntil((n) => n.node(0).nextHop(n.node(3)) === '4', 30_000);
    expect(t).toBeDefined();
    expect(t! - at).toBeLessThan(1_000);
    expect(net.checkLoopFree()).toBe(20);
  });
});
