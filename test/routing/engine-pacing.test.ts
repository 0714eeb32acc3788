/**
 * Pacing (docs/protocol/routing-engine.md "Pacing"): at most PACING_WINDOW acknowledged packets of
 * Updates in flight per neighbour, the rest queued per prefix (latest wins) until Acks open the
 * window. Node 0 learns a table of TABLE prefixes from a scripted neighbour 'src' and dumps it to
 * node 1 when the link 0–1 comes up: TABLE / 10 packets, more than the window.
 */
import { describe, expect, it } from 'vitest';
import { identityFromSeed, type NodeIdentity } from '../../src/identity/keys.js';
import { PACING_WINDOW, UPDATES_PER_PACKET } from '../../src/routing/constants.js';
import { AE, type Tlv, TlvType, type Update } from '../../src/wire/babel/types.js';
import { mulberry32, Net, prefixHex, signedUpdate, subnetPrefix, testIdentity } from './harness.js';

const TABLE = (PACING_WINDOW + 8) * UPDATES_PER_PACKET;

const identities: NodeIdentity[] = [];
/** TABLE distinct originators (testIdentity repeats after 256). */
function originator(i: number): NodeIdentity {
  for (let k = identities.length; k <= i; k++) {
    const seed = new Uint8Array(32).fill(0xa5);
    seed[0] = k & 0xff;
    seed[1] = k >> 8;
    identities.push(identityFromSeed(seed));
  }
  return identities[i]!;
}

/** A signed Update of `id` for its own prefix. */
function update(id: NodeIdentity, seqno: number, metric: number): Update {
  return signedUpdate(id, subnetPrefix(id), seqno, metric);
}

/**
 * A scripted neighbour `id` of node `at`: up, reachable (Hello + IHU), and kept so by a Hello every
 * 3 s while the net runs. Returns a function that sends it `tlvs` as a packet.
 */
function scripted(net: Net, at: number, id: string, key: Uint8Array): (tlvs: Tlv[]) => void {
  let seqno = 1;
  const hello = (): Tlv[] => [
    { type: TlvType.Hello, unicast: true, seqno: seqno++, interval: 400 },
    { type: TlvType.IHU, rxcost: 256, interval: 400, ae: AE.Wildcard, address: new Uint8Array(0) },
  ];
  net.handle(at, { kind: 'neighbourUp', neighbour: id, publicKey: key });
  net.inject(at, id, hello());
  let next = net.time + 3_000;
  const prev = net.onStep;
  net.onStep = (n) => {
    prev?.(n);
    if (n.time >= next) {
      next = n.time + 3_000;
      n.inject(at, id, hello());
    }
  };
  return (tlvs) => net.inject(at, id, tlvs);
}

/** Two nodes; node 0 holds TABLE prefixes from 'src' (metric `metric`) before the link 0–1 comes up. */
function bigTable(latencyMs: number, metric = 100): { net: Net; src: (tlvs: Tlv[]) => void } {
  const net = new Net(2, { latencyMs });
  const src = scripted(net, 0, 'src', testIdentity(200).publicKey);
  const ups: Update[] = [];
  for (let i = 0; i < TABLE; i++) ups.push(update(originator(i), 1, metric));
  src(ups);
  expect(net.node(0).engine.gauges!()['table.prefixes']).toBe(TABLE);
  return { net, src };
}

/** Prefixes of the big table that node 1 has a forwarding entry for. */
function learnt(net: Net): number {
  let k = 0;
  for (let i = 0; i < TABLE; i++) if (net.node(1).fib.has(prefixHex(subnetPrefix(originator(i))))) k++;
  return k;
}

/** Watches the Ack Requests 0 → 1 and the Acks 1 → 0 on the wire; `max` is the most outstanding at once. */
function watchWindow(net: Net): { max: number; updatePackets: number; withoutAckRequest: number } {
  const w = { max: 0, updatePackets: 0, withoutAckRequest: 0 };
  const open = new Set<number>();
  net.setFilter(0, 1, (from, _to, tlvs) => {
    for (const t of tlvs) {
      if (from === 0 && t.type === TlvType.AckRequest) open.add(t.opaque);
      if (from === 1 && t.type === TlvType.Ack) open.delete(t.opaque);
    }
    if (from === 0 && tlvs.some((t) => t.type === TlvType.Update)) {
      w.updatePackets++;
      if (!tlvs.some((t) => t.type === TlvType.AckRequest)) w.withoutAckRequest++;
    }
    w.max = Math.max(w.max, open.size);
    return tlvs;
  });
  return w;
}

describe('pacing', () => {
  it('a full dump bigger than the window keeps at most the window in flight and delivers everything', () => {
    const { net } = bigTable(100); // 200 ms round trips: the window fills long before the first Ack
    net.connect(0, 1);
    const w = watchWindow(net);
    let maxInflight = 0;
    const prev = net.onStep;
    net.onStep = (n) => {
      prev?.(n);
      maxInflight = Math.max(maxInflight, n.node(0).counter('pacing.inflight.max'));
    };
    const t = net.driveUntil((n) => learnt(n) === TABLE, 10_000);
    expect(t).toBeDefined();
    expect(t!).toBeLessThan(2_000);
    expect(w.max).toBe(PACING_WINDOW);
    expect(maxInflight).toBe(PACING_WINDOW);
    expect(w.withoutAckRequest).toBe(0); // every packet of Updates is acknowledged, none untracked
    expect(w.updatePackets).toBeGreaterThan(PACING_WINDOW);
    const c = net.node(0).engine.counters();
    expect(c['pacing.stalled']).toBeGreaterThan(0);
    expect(c['ack.dropped'] ?? 0).toBe(0);
  });

  it('two changes of a prefix waiting behind a full window leave as one Update', () => {
    const { net, src } = bigTable(100);
    const last = originator(TABLE - 1); // the dump's last packet: still queued one round trip later
    const p = prefixHex(subnetPrefix(last));
    const seen: number[] = [];
    let dumping = false;
    net.connect(0, 1);
    net.setFilter(0, 1, (from, _to, tlvs) => {
      for (const t of tlvs) {
        if (from !== 0 || t.type !== TlvType.Update) continue;
        dumping = true;
        if (prefixHex(t.prefix) === p) seen.push(t.seqno);
      }
      return tlvs;
    });
    // Node 0 dumps when 1 becomes reachable (one round trip); its first Ack is a round trip later.
    expect(net.driveUntil(() => dumping, 1_000)).toBeDefined();
    src([update(last, 2, 100)]);
    src([update(last, 3, 100)]);
    expect(net.driveUntil((n) => n.node(1).fib.get(p)?.seqno === 3, 5_000)).toBeDefined();
    net.drive(2_000);
    expect(seen).toEqual([3]);
    expect(net.node(0).counter('pacing.coalesced')).toBeGreaterThanOrEqual(2);
  });

  it('an Update still queued to the neighbour that becomes the next hop is replaced by a retraction (split horizon, poisoned reverse)', () => {
    const { net } = bigTable(100, 2_000);
    const last = originator(TABLE - 1);
    const p = prefixHex(subnetPrefix(last));
    // Node 1 has a much better route to `last` and announces it in its own dump to 0, which
    // arrives while 0's dump (with `last` in its final packet) waits behind the window.
    const src1 = scripted(net, 1, 'src1', testIdentity(201).publicKey);
    src1([update(last, 1, 0)]);
    const sent: number[] = [];
    net.connect(0, 1);
    net.setFilter(0, 1, (from, _to, tlvs) => {
      for (const t of tlvs)
        if (from === 0 && t.type === TlvType.Update && prefixHex(t.prefix) === p) sent.push(t.metric);
      return tlvs;
    });
    expect(net.driveUntil((n) => n.node(0).nextHop(n.node(1)) === '1', 2_000)).toBeDefined();
    expect(net.driveUntil((n) => learnt(n) === TABLE, 5_000)).toBeDefined();
    net.drive(2_000);
    expect(net.node(0).fib.get(p)?.neighbour).toBe('1');
    // The queued announcement never left; the new next hop heard at most a retraction.
    expect(sent.filter((m) => m < 0xffff)).toEqual([]);
    expect(net.node(0).counter('update.poisoned')).toBeGreaterThanOrEqual(1);
  });

  it('a newer Update for a prefix waits until the packet with the older one is acknowledged (no reordering)', () => {
    const net = new Net(2, { latencyMs: 100 }); // 200 ms round trips
    const src = scripted(net, 0, 'src', testIdentity(200).publicKey);
    net.connect(0, 1);
    net.drive(10_000);
    const a = originator(0);
    const pa = prefixHex(subnetPrefix(a));
    const sends: { at: number; metric: number; opaque: number | undefined }[] = [];
    const acksLeft = new Map<number, number>();
    net.setFilter(0, 1, (from, _to, tlvs) => {
      const u = tlvs.find((t) => t.type === TlvType.Update && prefixHex(t.prefix) === pa);
      if (from === 0 && u?.type === TlvType.Update) {
        const req = tlvs.find((t) => t.type === TlvType.AckRequest);
        sends.push({
          at: net.time,
          metric: u.metric,
          opaque: req?.type === TlvType.AckRequest ? req.opaque : undefined,
        });
      }
      if (from === 1) for (const t of tlvs) if (t.type === TlvType.Ack) acksLeft.set(t.opaque, net.time);
      return tlvs;
    });
    src([update(a, 1, 1_000)]);
    net.drive(5);
    src([update(a, 1, 10)]); // a big improvement while the first announcement is in flight
    net.drive(5);
    src([update(a, 1, 20)]); // and another change: it replaces the waiting one
    expect(net.driveUntil((n) => (n.node(1).fib.get(pa)?.metric ?? 0xffff) < 1_000, 3_000)).toBeDefined();
    net.drive(2_000);
    expect(sends.length).toBe(2);
    const first = sends[0]!;
    expect(first.opaque).toBeDefined();
    const ackLeft = acksLeft.get(first.opaque!);
    expect(ackLeft).toBeDefined();
    // The second left only once the Ack of the first had come back (100 ms on the link).
    expect(sends[1]!.at).toBeGreaterThanOrEqual(ackLeft! + 100);
    expect(sends[1]!.metric).toBeLessThan(first.metric);
    expect(net.node(1).fib.get(pa)?.metric).toBe(sends[1]!.metric + net.node(1).engine.neighbours()[0]!.cost);
  });

  it('a small packet held behind a lost one leaves after half a round trip, not the Ack timeout', () => {
    const net = new Net(2, { latencyMs: 20 }); // RTT 40 ms: hold 20 ms, Ack timeout 250 ms
    const src = scripted(net, 0, 'src', testIdentity(200).publicKey);
    net.connect(0, 1);
    net.drive(10_000);
    const [a, b] = [originator(0), originator(1)];
    const pb = prefixHex(subnetPrefix(b));
    let lost = 0;
    let sentB: number | undefined;
    net.setDrop(0, 1, (from, _to, tlvs) => {
      if (from !== 0 || !tlvs.some((t) => t.type === TlvType.Update)) return false;
      if (sentB === undefined && tlvs.some((t) => t.type === TlvType.Update && prefixHex(t.prefix) === pb))
        sentB = net.time;
      return lost++ === 0; // the first packet of Updates (a's) is lost
    });
    const t0 = net.time;
    src([update(a, 1, 100)]);
    net.drive(5);
    src([update(b, 1, 100)]); // a lone change while a's packet is in flight: held
    expect(net.driveUntil(() => sentB !== undefined, 2_000)).toBeDefined();
    expect(sentB! - t0).toBeLessThan(100);
    expect(net.node(0).counter('pacing.held')).toBeGreaterThan(0);
    expect(net.driveUntil((n) => n.node(1).fib.has(prefixHex(subnetPrefix(a))), 2_000)).toBeDefined();
  });

  it('a newer Update parked behind a lost packet leaves after 2 round trips, not the Ack timeout', () => {
    const net = new Net(2, { latencyMs: 20 }); // RTT 40 ms: park at most 80 ms; Ack timeout 250 ms
    const src = scripted(net, 0, 'src', testIdentity(200).publicKey);
    net.connect(0, 1);
    net.drive(10_000);
    const a = originator(0);
    const pa = prefixHex(subnetPrefix(a));
    const sends: number[] = [];
    net.setDrop(0, 1, (from, _to, tlvs) => {
      if (from !== 0 || !tlvs.some((t) => t.type === TlvType.Update && prefixHex(t.prefix) === pa))
        return false;
      sends.push(net.time);
      return sends.length === 1; // the first announcement of `a` is lost
    });
    src([update(a, 1, 1_000)]);
    net.drive(5);
    src([update(a, 1, 10)]); // better: parked behind the lost packet
    expect(net.driveUntil((n) => (n.node(1).fib.get(pa)?.metric ?? 0xffff) < 1_000, 2_000)).toBeDefined();
    expect(sends.length).toBeGreaterThanOrEqual(2);
    expect(sends[1]! - sends[0]!).toBeGreaterThanOrEqual(75);
    expect(sends[1]! - sends[0]!).toBeLessThan(150);
  });

  it('a retraction is not held behind a packet in flight (bad news travels at once)', () => {
    const net = new Net(2, { latencyMs: 100 }); // RTT 200 ms: Nagle's hold would be 100 ms
    const src = scripted(net, 0, 'src', testIdentity(200).publicKey);
    net.connect(0, 1);
    const [a, b] = [originator(0), originator(1)];
    src([update(a, 1, 100)]);
    net.drive(10_000);
    const pa = prefixHex(subnetPrefix(a));
    expect(net.node(1).fib.has(pa)).toBe(true);
    let retractedAt: number | undefined;
    net.setFilter(0, 1, (from, _to, tlvs) => {
      const r = tlvs.find(
        (t) => t.type === TlvType.Update && prefixHex(t.prefix) === pa && t.metric === 0xffff,
      );
      if (from === 0 && r !== undefined && retractedAt === undefined) retractedAt = net.time;
      return tlvs;
    });
    src([update(b, 1, 100)]); // a packet of Updates to node 1 is now in flight
    net.drive(5);
    const t0 = net.time;
    src([{ ...update(a, 1, 0xffff), originator: undefined, signature: undefined }]); // and a is withdrawn
    expect(net.driveUntil(() => retractedAt !== undefined, 1_000)).toBeDefined();
    expect(retractedAt! - t0).toBeLessThan(10);
    expect(net.driveUntil((n) => !n.node(1).fib.has(pa), 1_000)).toBeDefined();
  });

  it('a neighbour that never acknowledges still gets the whole dump', () => {
    const { net } = bigTable(20);
    net.connect(0, 1);
    // Every Ack from 1 to 0 is removed in flight.
    net.setFilter(0, 1, (from, _to, tlvs) =>
      from === 1 ? tlvs.filter((t) => t.type !== TlvType.Ack) : tlvs,
    );
    const t = net.driveUntil((n) => learnt(n) === TABLE, 10_000);
    expect(t).toBeDefined();
    expect(t!).toBeLessThan(3_000);
    expect(net.node(0).counter('ack.received')).toBe(0);
  });

  it('at 20% loss each way a big dump arrives whole, long before the periodic refresh', () => {
    const { net } = bigTable(20);
    net.connect(0, 1);
    const rnd = mulberry32(11);
    net.setDrop(0, 1, () => rnd() < 0.2);
    let maxInflight = 0;
    const prev = net.onStep;
    net.onStep = (n) => {
      prev?.(n);
      maxInflight = Math.max(maxInflight, n.node(0).counter('pacing.inflight.max'));
    };
    const t = net.driveUntil((n) => learnt(n) === TABLE, 40_000); // the refresh is 45–75 s away
    expect(t).toBeDefined();
    expect(t!).toBeLessThan(15_000);
    expect(maxInflight).toBeLessThanOrEqual(PACING_WINDOW);
    const c = net.node(0).engine.counters();
    expect(c['ack.resent']).toBeGreaterThan(0);
    expect(c['ack.dropped'] ?? 0).toBe(0);
    expect(c['ack.gave-up'] ?? 0).toBe(0);
    expect(c['update.periodic'] ?? 0).toBe(0);
  });
});
