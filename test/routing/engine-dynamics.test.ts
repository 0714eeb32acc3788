import { describe, expect, it } from 'vitest';
import { TlvType } from '../../src/wire/babel/types.js';
import { Net } from './harness.js';

/** 0-1-2-3-0, all links 10 ms. */
function square(): Net {
  const net = new Net(4);
  net.connect(0, 1);
  net.connect(1, 2);
  net.connect(2, 3);
  net.connect(3, 0);
  return net;
}

describe('topology changes', () => {
  it('a square with one link cut silently reroutes in bounded time and never loops', () => {
    const net = square();
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    net.drive(20_000);
    expect(net.node(0).nextHop(net.node(1))).toBe('1');
    net.onStep = (n) => n.checkLoopFree();
    const cutAt = net.time;
    net.cut(0, 1);
    // Unreachable after 12 unanswered probes (≤ 1.75 × 4 s after its last packet), then rerouted at once.
    const t = net.driveUntil(
      (n) => n.node(0).nextHop(n.node(1)) === '3' && n.node(1).nextHop(n.node(0)) === '2',
      20_000,
    );
    expect(t).toBeDefined();
    expect(t! - cutAt).toBeLessThan(8_000);
    expect(net.node(0).counter('neighbour.unreachable')).toBe(1);
    net.drive(30_000);
    expect(net.checkLoopFree()).toBe(12);
  });

  it('neighbourDown reroutes at once, loop-free at every step', () => {
    const net = square();
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    net.onStep = (n) => n.checkLoopFree();
    const at = net.time;
    net.disconnect(0, 1);
    expect(net.node(0).nextHop(net.node(1))).not.toBe('1');
    const t = net.driveUntil(
      (n) => n.node(0).nextHop(n.node(1)) === '3' && n.node(1).nextHop(n.node(0)) === '2' && n.converged(),
      10_000,
    );
    expect(t).toBeDefined();
    expect(t! - at).toBeLessThan(1_000);
    net.drive(10_000);
    expect(net.checkLoopFree()).toBe(12);
  });

  it('retracts the routes of a node that goes away', () => {
    const net = new Net(3);
    net.connect(0, 1);
    net.connect(1, 2);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    net.disconnect(1, 2);
    const t = net.driveUntil((n) => n.node(0).nextHop(n.node(2)) === undefined, 2_000);
    expect(t).toBeDefined();
    expect(net.node(1).counter('route.retracted')).toBeGreaterThanOrEqual(1);
    expect(net.node(0).actions.some((a) => a.kind === 'removeRoute')).toBe(true);
    expect(net.node(0).notifications('routeLost').length).toBeGreaterThanOrEqual(1);
    // And a node that vanishes without a word: detected by missing Hellos.
    const net2 = new Net(3);
    net2.connect(0, 1);
    net2.connect(1, 2);
    expect(net2.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    const at = net2.time;
    net2.cut(1, 2);
    const t2 = net2.driveUntil((n) => n.node(0).nextHop(n.node(2)) === undefined, 30_000);
    expect(t2).toBeDefined();
    expect(t2! - at).toBeLessThan(8_000);
  });

  it('starvation is resolved by a seqno request to the originator', () => {
    // 0 is the destination. Fast path 0-1-2 (5 ms links), slow path 0-3-2 (200 ms links).
    const net = new Net(4);
    net.connect(0, 1, 5);
    net.connect(1, 2, 5);
    net.connect(0, 3, 200);
    net.connect(3, 2, 200);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    net.drive(20_000);
    expect(net.node(2).nextHop(net.node(0))).toBe('1');
    const seqnoBefore = net.node(0).counter('seqno');
    net.disconnect(1, 2);
    // 3's route is infeasible for 2 (its metric is above 2's feasibility distance): 2 asks for a new seqno.
    expect(net.node(2).counter('request.seqno.sent')).toBeGreaterThanOrEqual(1);
    const t = net.driveUntil((n) => n.node(2).nextHop(n.node(0)) === '3', 5_000);
    expect(t).toBeDefined();
    expect(net.node(3).counter('request.seqno.forwarded')).toBeGreaterThanOrEqual(1);
    expect(net.node(0).counter('seqno.bump')).toBeGreaterThanOrEqual(1);
    expect(net.node(0).counter('seqno')).not.toBe(seqnoBefore);
  });

  it('a route request finds a destination the node has not heard of', () => {
    const net = new Net(3);
    net.connect(0, 1);
    // Updates from 2 to 1 are lost for now: neither 0 nor 1 learns 2's prefix.
    net.connect(1, 2, 10, (from, _to, tlvs) =>
      from === 2 ? tlvs.filter((t) => t.type !== TlvType.Update) : tlvs,
    );
    net.drive(20_000);
    expect(net.node(0).nextHop(net.node(2))).toBeUndefined();
    expect(net.node(1).nextHop(net.node(2))).toBeUndefined();
    net.setFilter(1, 2, undefined);
    const at = net.time;
    net.handle(0, { kind: 'wantRoute', address: net.node(2).identity.address });
    const t = net.driveUntil((n) => n.node(0).nextHop(n.node(2)) === '1', 10_000);
    expect(t).toBeDefined();
    expect(t! - at).toBeLessThan(1_000); // a few round trips, not a refresh interval
    expect(net.node(0).counter('request.route.sent')).toBe(1);
    expect(net.node(1).counter('request.route.forwarded')).toBe(1);
    expect(net.node(2).counter('request.route.answered')).toBe(1);
    // A second wantRoute while the route exists sends nothing.
    net.handle(0, { kind: 'wantRoute', address: net.node(2).identity.address });
    expect(net.node(0).counter('request.route.sent')).toBe(1);
  });

  it('a restarted node whose seqno is behind recovers its routes', () => {
    const net = new Net(3);
    net.connect(0, 1);
    net.connect(1, 2);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    const old = net.node(2).counter('seqno');
    net.disconnect(1, 2);
    // Pick an RNG seed that makes the restarted node start with a seqno older than its last one.
    let seed = 1;
    for (; ; seed++) {
      net.node(2).restart(net.time, seed);
      const s = net.node(2).counter('seqno');
      const d = (s - old + 0x10000) % 0x10000;
      if (d >= 0x8000) break;
    }
    net.connect(1, 2);
    const t = net.driveUntil((n) => n.converged(), 20_000);
    expect(t).toBeDefined();
    expect(net.node(2).counter('seqno.bump')).toBeGreaterThanOrEqual(1);
    expect(net.node(0).nextHop(net.node(2))).toBe('1');
  });
});
