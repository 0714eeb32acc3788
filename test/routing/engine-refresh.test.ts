/**
 * Periodic refreshes (Route Digests, or full refreshes to a neighbour without digests) are not
 * acknowledged, so on a lossy link a selected route can go three refresh intervals without one and
 * expire under a live neighbour. Before that, the engine asks
 * the neighbour for the route (a one-hop route request, answered with an acknowledged Update).
 */
import { describe, expect, it } from 'vitest';
import { TlvType } from '../../src/wire/babel/types.js';
import { Net } from './harness.js';

describe('a selected route near its expiry', () => {
  it('is refreshed by asking its neighbour when every periodic refresh is lost', () => {
    const net = new Net(2);
    net.connect(0, 1);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    // From now on node 0 never hears 1's periodic refreshes (Route Digests, and packets of Updates
    // without an Ack Request); acknowledged packets (answers to requests) still pass.
    net.setDrop(
      1,
      0,
      (from, _to, tlvs) =>
        from === 1 &&
        (tlvs.some((t) => t.type === TlvType.RouteDigest) ||
          (tlvs.some((t) => t.type === TlvType.Update) && !tlvs.some((t) => t.type === TlvType.AckRequest))),
    );
    let lost = 0;
    for (let t = 0; t < 600; t++) {
      net.drive(1_000);
      if (net.node(0).nextHop(net.node(1)) === undefined) lost++;
    }
    expect(lost).toBe(0); // 600 s: without the request the route expires after 210 s
    expect(net.node(0).counter('route.expired')).toBe(0);
    expect(net.node(0).counter('request.route.refresh')).toBeGreaterThanOrEqual(2);
  });
});
