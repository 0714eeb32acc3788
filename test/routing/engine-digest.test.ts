/**
 * The periodic refresh by Route Digest (src/routing/refresh.ts): once both ends speak digests a
 * refresh is one TLV per neighbour instead of the whole table, it keeps the routes alive, a digest
 * that does not match brings a full dump, and a neighbour that never sends digests keeps getting
 * the full refresh.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Digest, emptyDigest, toggle } from '../../src/routing/digest.js';
import { AE, type Prefix, type Tlv, TlvType } from '../../src/wire/babel/types.js';
import { Net, prefixHex, subnetPrefix } from './harness.js';

function prefixOf(bytes: number[]): Prefix {
  const addr = new Uint8Array(16);
  addr.set(bytes);
  return { ae: AE.IPv6, plen: 64, addr };
}

function hex(d: Digest): string {
  return `${d.count}:${d.hi.toString(16).padStart(8, '0')}${d.lo.toString(16).padStart(8, '0')}`;
}

/**
 * Line 0 —(50 ms)— 1 —(10 ms)— 2, driven for `ms`; `selected(i)` is node i's selected metric to
 * node 0 (~110 at node 1: trigger threshold ~27, drift threshold 16).
 */
function driftLine(ms: number): { net: Net; selected: (i: number) => number } {
  const net = new Net(3, { latencyMs: 10 });
  net.connect(0, 1, 50);
  net.connect(1, 2);
  net.drive(ms);
  const p0 = prefixHex(subnetPrefix(net.node(0).identity));
  const selected = (i: number) =>
    net
      .node(i)
      .engine.routes()
      .find((r) => r.selected && prefixHex(r.prefix) === p0)!.metric;
  return { net, selected };
}

describe('the route digest', () => {
  it('hashes announcements as documented (regression vectors of docs/protocol/routing-messages.md)', () => {
    const d = emptyDigest();
    toggle(d, prefixOf([0x04, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde]), 0x1234, 0x0100, 1);
    expect(hex(d)).toBe('1:9e977b40055bc099');
    toggle(d, prefixOf([0x05, 0, 0, 0, 0, 0, 0, 1]), 7, 96, 1);
    expect(hex(d)).toBe('2:2ddbac79cd1fea2b');
  });

  it('does not depend on order, and removing what was added leaves it empty', () => {
    const entry = fc.record({
      bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 8, maxLength: 8 }),
      seqno: fc.integer({ min: 0, max: 0xffff }),
      metric: fc.integer({ min: 0, max: 0xfffe }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), (entries) => {
        const forward = emptyDigest();
        const backward = emptyDigest();
        for (const e of entries) toggle(forward, prefixOf(e.bytes), e.seqno, e.metric, 1);
        for (const e of [...entries].reverse()) toggle(backward, prefixOf(e.bytes), e.seqno, e.metric, 1);
        expect(hex(forward)).toBe(hex(backward));
        for (const e of entries) toggle(forward, prefixOf(e.bytes), e.seqno, e.metric, -1);
        expect(hex(forward)).toBe(hex(emptyDigest()));
      }),
    );
  });

  it('changes with any field of an announcement', () => {
    const base = (): Digest => {
      const d = emptyDigest();
      toggle(d, prefixOf([4, 1, 2, 3, 4, 5, 6, 7]), 10, 100, 1);
      return d;
    };
    const variants = [
      [prefixOf([4, 1, 2, 3, 4, 5, 6, 8]), 10, 100],
      [prefixOf([4, 1, 2, 3, 4, 5, 6, 7]), 11, 100],
      [prefixOf([4, 1, 2, 3, 4, 5, 6, 7]), 10, 101],
    ] as const;
    for (const [p, seqno, metric] of variants) {
      const d = emptyDigest();
      toggle(d, p, seqno, metric, 1);
      expect(hex(d)).not.toBe(hex(base()));
    }
  });
});

/** Update TLVs sent by node `i` so far. */
function updatesSent(net: Net, i: number): number {
  return net.node(i).counter('out.update');
}

describe('refresh by route digest', () => {
  it('replaces the full periodic refresh once both ends send digests, and keeps routes alive', () => {
    const net = new Net(4);
    net.connect(0, 1);
    net.connect(1, 2);
    net.connect(2, 3);
    net.connect(3, 0);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    net.drive(160_000); // past the first refresh round of every node (45-75 s) and a second one
    const before = [0, 1, 2, 3].map((i) => updatesSent(net, i));
    const matchedBefore = net.node(1).counter('refresh.digest.matched');
    net.drive(600_000); // ten minutes: routes live 210 s without a refresh
    for (let i = 0; i < 4; i++) {
      // No Update at all: every refresh was a digest, and it matched.
      expect(updatesSent(net, i) - before[i]!, `node ${i}`).toBe(0);
      expect(net.node(i).counter('route.expired'), `node ${i}`).toBe(0);
      expect(net.node(i).counter('refresh.digest.mismatched'), `node ${i}`).toBe(0);
    }
    expect(net.node(1).counter('refresh.digest.matched') - matchedBefore).toBeGreaterThanOrEqual(2 * 7);
    expect(net.converged()).toBe(true);
  });

  it('answers a digest that does not match with a request for a full dump, which repairs it', () => {
    const net = new Net(3);
    net.connect(0, 1);
    net.connect(1, 2);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    const answered = net.node(1).counter('request.route.answered');
    // Node 1 claims to announce one route more than node 0 holds from it.
    net.inject(0, '1', [{ type: TlvType.RouteDigest, interval: 6000, count: 99, hi: 1, lo: 2 }]);
    expect(net.node(0).counter('refresh.digest.mismatched')).toBe(1);
    net.drive(1_000);
    expect(net.node(1).counter('request.route.answered')).toBe(answered + 1);
    net.drive(200_000);
    expect(net.node(0).counter('refresh.digest.matched')).toBeGreaterThan(0);
    expect(net.node(0).counter('refresh.digest.mismatched')).toBe(1);
    expect(net.converged()).toBe(true);
  });

  it('answers a request for a full dump with retractions of what goes through the requester', () => {
    const net = new Net(3);
    net.connect(0, 1);
    net.connect(1, 2);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    const toOne: Tlv[] = [];
    net.setFilter(0, 1, (from, _to, tlvs) => {
      if (from === 0) toOne.push(...tlvs);
      return tlvs;
    });
    // Node 0 reaches node 2 through 1: split horizon keeps that route from 1, and the dump says so.
    net.inject(0, '1', [
      {
        type: TlvType.RouteRequest,
        prefix: { ae: AE.Wildcard, plen: 0, addr: new Uint8Array(0) },
        hopCount: 1,
      },
    ]);
    net.drive(1_000);
    const about = (i: number) =>
      toOne.filter((t) => t.type === TlvType.Update && prefixHex(t.prefix) === prefixHex(net.node(i).prefix));
    expect(about(0).map((t) => t.type === TlvType.Update && t.metric)).toEqual([0]); // its own prefix
    expect(about(2).map((t) => t.type === TlvType.Update && t.metric)).toEqual([0xffff]);
    expect(net.converged()).toBe(true);
  });

  it('keeps sending the full refresh to a neighbour that never sends digests (an older hypha)', () => {
    const net = new Net(3);
    const noDigests = (_from: number, _to: number, tlvs: readonly Tlv[]) =>
      tlvs.filter((t) => t.type !== TlvType.RouteDigest);
    net.connect(0, 1, undefined, (from, to, tlvs) => (from === 1 ? noDigests(from, to, tlvs) : tlvs));
    net.connect(1, 2);
    expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
    net.drive(400_000);
    const rounds = net.node(0).counter('update.periodic');
    expect(rounds).toBeGreaterThanOrEqual(5);
    // Node 0 never heard a digest from 1: from 1.5 intervals after the link came up (the first
    // round is left out), each of its rounds is a full refresh to it.
    expect(net.node(0).counter('refresh.full')).toBeGreaterThanOrEqual(rounds - 1);
    // Node 1 heard digests from both: digests only.
    expect(net.node(1).counter('refresh.full')).toBe(0);
    expect(net.node(0).counter('route.expired')).toBe(0);
    expect(net.converged()).toBe(true);
  });

  it('announces a metric that drifted by less than the trigger threshold half an interval after a refresh', () => {
    const { net, selected } = driftLine(130_000);
    const at1 = selected(1);
    const at2 = selected(2);
    // RTT 100 → 124 ms on 0–1: node 1's metric for node 0 (~110) rises by ~24 as the smoothed RTT
    // follows, under the trigger threshold max(16, metric / 4), over the drift one max(16, metric / 8).
    net.links.get('0-1')!.latencyMs = 62;
    net.drive(60_000);
    const drifted = selected(1);
    expect(drifted - at1).toBeGreaterThanOrEqual(Math.max(16, at1 >> 3));
    expect(drifted - at1).toBeLessThanOrEqual(Math.max(16, at1 >> 2));
    // Within one refresh interval (60 s ± 25%) and the half interval after it, node 2 hears it
    // (up to what drifted since, less than the drift threshold).
    net.drive(110_000);
    const cost12 = net.node(2).engine.neighbours()[0]!.cost;
    expect(selected(2) - at2).toBeGreaterThanOrEqual(16);
    expect(Math.abs(selected(2) - (selected(1) + cost12))).toBeLessThan(Math.max(16, selected(1) >> 3));
    expect(net.node(1).counter('update.drift')).toBeGreaterThan(0);
    expect(net.node(2).counter('refresh.digest.mismatched')).toBe(0);
  });

  it('holds a first drift round half an interval after the start, before any refresh', () => {
    const { net, selected } = driftLine(12_000);
    const at1 = selected(1);
    const at2 = selected(2);
    net.links.get('0-1')!.latencyMs = 70;
    net.drive(17_000); // 29 s: node 1's metric moved, under the trigger threshold
    expect(selected(1) - at1).toBeGreaterThanOrEqual(Math.max(16, at1 >> 3));
    expect(selected(2)).toBe(at2);
    net.drive(6_000); // 35 s: past the first drift round (30 s), before any refresh (45 s at the earliest)
    expect(selected(2) - at2).toBeGreaterThanOrEqual(16);
    expect(net.node(1).counter('update.periodic')).toBe(0);
  });
});
