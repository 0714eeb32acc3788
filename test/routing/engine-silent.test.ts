/**
 * Silent link failure (issue #3): a link whose packets just stop, with no neighbourDown, is
 * replaced within 2 × the Hello interval, while a live link at 20% loss each way is not declared
 * dead.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32, Net } from './harness.js';

/** A square 0-1-2-3-0 with `helloIntervalMs`. */
function square(helloIntervalMs: number): Net {
  const net = new Net(4, { config: { helloIntervalMs } });
  for (const [a, b] of [
    [0, 1],
    [1, 2],
    [2, 3],
    [3, 0],
  ] as const)
    net.connect(a, b);
  return net;
}

describe('silent link failure', () => {
  for (const hello of [4_000, 2_000]) {
    it(`with ${hello / 1000} s Hellos, routes over a silently cut link are replaced within 2 × the interval, at any phase of the Hellos`, () => {
      // Eight cut times spread over one Hello interval: the worst case is a cut just after a Hello.
      for (let phase = 0; phase < 8; phase++) {
        const net = square(hello);
        expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
        net.drive(20_000 + (phase * hello) / 8);
        expect(net.node(0).nextHop(net.node(1))).toBe('1');
        net.onStep = (n) => n.checkLoopFree();
        const cutAt = net.time;
        net.cut(0, 1);
        const t = net.driveUntil(
          (n) => n.node(0).nextHop(n.node(1)) === '3' && n.node(1).nextHop(n.node(0)) === '2',
          4 * hello,
        );
        expect(t, `phase ${phase}`).toBeDefined();
        expect(t! - cutAt, `phase ${phase}`).toBeLessThan(2 * hello);
        expect(net.node(0).counter('neighbour.unreachable')).toBe(1);
        expect(net.node(1).counter('neighbour.unreachable')).toBe(1);
      }
    });
  }

  it('a live link at 20% loss each way is not declared dead in 10,000 Hello slots', () => {
    const net = new Net(2, { config: { helloIntervalMs: 2_000 } });
    const rnd = mulberry32(11);
    net.connect(0, 1);
    net.setDrop(0, 1, () => rnd() < 0.2);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    // Expected false "dead" declarations: 2 directions × 10^4 slots × 0.2 × 0.36^12 ≈ 0.02.
    for (let i = 0; i < 200; i++) {
      net.drive(100_000);
      if (net.node(0).counter('neighbour.unreachable') + net.node(1).counter('neighbour.unreachable') > 0)
        break;
    }
    expect(net.node(0).counter('neighbour.unreachable')).toBe(0);
    expect(net.node(1).counter('neighbour.unreachable')).toBe(0);
    expect(net.converged()).toBe(true);
    // Probing really ran: about one silence per lost Hello, 1.6 probes each.
    expect(net.node(0).counter('probe.sent')).toBeGreaterThan(1_000);
  });
});
