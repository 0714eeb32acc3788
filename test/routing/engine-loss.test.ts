/**
 * Lossy links (issue #3): acknowledged updates, retractions and seqno requests, probes of a quiet
 * neighbour, and a lossy link that stays up.
 */
import { describe, expect, it } from 'vitest';
import { type Tlv, TlvType } from '../../src/wire/babel/types.js';
import { mulberry32, Net } from './harness.js';

const hasUpdate = (tlvs: readonly Tlv[]): boolean => tlvs.some((t) => t.type === TlvType.Update);
const isRetraction = (t: Tlv): boolean => t.type === TlvType.Update && t.metric === 0xffff;

describe('lossy links', () => {
  it('a lost packet of Updates is resent until acknowledged (no wait for the periodic refresh)', () => {
    const net = new Net(3);
    net.connect(0, 1);
    net.connect(1, 2);
    // Every packet from 1 to 0 that carries Updates is lost, twice.
    let dropped = 0;
    net.setDrop(0, 1, (from, _to, tlvs) => {
      if (from !== 1 || !hasUpdate(tlvs) || dropped >= 2) return false;
      dropped++;
      return true;
    });
    const t = net.driveUntil((n) => n.node(0).nextHop(n.node(2)) === '1', 10_000);
    expect(t).toBeDefined();
    expect(t!).toBeLessThan(3_000); // the refresh is 60 s away
    expect(dropped).toBe(2);
    expect(net.node(1).counter('ack.resent')).toBeGreaterThanOrEqual(2);
    expect(net.node(0).counter('out.ack')).toBeGreaterThan(0);
  });

  it('a lost retraction is resent until acknowledged', () => {
    const net = new Net(3);
    net.connect(0, 1);
    net.connect(1, 2);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    // 1 loses 2; every retraction 1 sends to 0 is lost for 3 s (both of the old "sent twice").
    const until = net.time + 3_000;
    net.setDrop(0, 1, (from, _to, tlvs) => from === 1 && net.time < until && tlvs.some(isRetraction));
    const at = net.time;
    net.disconnect(1, 2);
    const t = net.driveUntil((n) => n.node(0).nextHop(n.node(2)) === undefined, 20_000);
    expect(t).toBeDefined();
    expect(t! - at).toBeLessThan(6_000); // the hold time is 210 s
    expect(net.node(1).counter('ack.resent')).toBeGreaterThanOrEqual(1);
  });

  it('a forwarded seqno request whose copy was lost is forwarded again when the requester resends', () => {
    // As in "starvation is resolved by a seqno request": 2 starves and asks 3, which forwards to 0.
    const net = new Net(4);
    net.connect(0, 1, 5);
    net.connect(1, 2, 5);
    net.connect(0, 3, 200);
    net.connect(3, 2, 200);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    net.drive(20_000);
    // 3 → 0 loses every seqno request for 4 s, with its Ack Request, so hop-by-hop resends fail too.
    const until = net.time + 4_000;
    net.setDrop(
      0,
      3,
      (from, _to, tlvs) =>
        from === 3 && net.time < until && tlvs.some((x) => x.type === TlvType.SeqnoRequest),
    );
    net.disconnect(1, 2);
    const t = net.driveUntil((n) => n.node(2).nextHop(n.node(0)) === '3', 20_000);
    expect(t).toBeDefined();
    expect(net.node(0).counter('seqno.bump')).toBeGreaterThanOrEqual(1);
  });

  it('two Hellos lost in a row do not take a lossy link down; a probe is answered', () => {
    const net = new Net(2);
    net.connect(0, 1);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    // The next two Hellos from 1 to 0 are lost; everything else gets through.
    let lost = 0;
    net.setDrop(0, 1, (from, _to, tlvs) => {
      if (from !== 1 || lost >= 2 || !tlvs.some((x) => x.type === TlvType.Hello)) return false;
      lost++;
      return true;
    });
    net.drive(20_000);
    expect(lost).toBe(2);
    expect(net.node(0).counter('probe.sent')).toBeGreaterThanOrEqual(1);
    expect(net.node(0).counter('neighbour.unreachable')).toBe(0);
    expect(net.node(0).nextHop(net.node(1))).toBe('1');
  });

  it('a silent neighbour is declared unreachable after 12 unanswered probes, within 2 Hello intervals', () => {
    const net = new Net(2);
    net.connect(0, 1);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    const at = net.time;
    net.cut(0, 1);
    const t = net.driveUntil((n) => n.node(0).nextHop(n.node(1)) === undefined, 30_000);
    expect(t).toBeDefined();
    // At most 1.75 × 4 s after its last packet, which came before the cut.
    expect(t! - at).toBeLessThanOrEqual(7_000 + 100);
    expect(net.node(0).counter('probe.sent')).toBe(12);
  });

  it('a square with 20% loss on every link stays up and keeps its routes for 5 minutes', () => {
    const net = new Net(4);
    const rnd = mulberry32(7);
    for (const [a, b] of [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 0],
    ] as const) {
      net.connect(a, b);
      net.setDrop(a, b, () => rnd() < 0.2);
    }
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    net.onStep = (n) => n.checkLoopFree();
    let lostRoutes = 0;
    for (let i = 0; i < 300; i++) {
      net.drive(1_000);
      if (!net.converged()) lostRoutes++;
    }
    // No link is declared dead, and no route expires: three periodic refreshes in a row lost (they
    // are not acknowledged) used to expire one with this seed at 210 s; a selected route near its
    // expiry is now asked for (engine-refresh.test.ts).
    expect(lostRoutes).toBe(0);
    for (let i = 0; i < 4; i++) expect(net.node(i).counter('neighbour.unreachable')).toBe(0);
  });
});
