import { describe, expect, it } from 'vitest';
import { KEEPALIVE_TIMEOUT_MS } from '../../src/crypto/constants.js';
import { BACKOFF_MAX_MS, DEAD_AFTER_MS } from '../../src/link/constants.js';
import { FrameType } from '../../src/wire/link/constants.js';
import { Net, type Node } from './harness.js';

/** The longest gap between control packets `to` received from `from` in [start, end]. */
function longestGap(to: Node, from: Node, start: number, end: number): number {
  const times = [
    start,
    ...to
      .controlsFrom(from)
      .map((c) => c.at)
      .filter((t) => t >= start && t <= end),
    end,
  ];
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
  return gap;
}

/** True when a Data frame from `a` to `b` would be attributed to `a` at `b`. */
function dataWorks(a: Node, b: Node): boolean {
  const t = a.manager.dataTarget(b.id, 0);
  return t !== undefined && b.manager.neighbourForIndex(t.remoteIndex, 0) === a.id;
}

describe('link sessions over time', () => {
  it('simultaneous initiation converges to one neighbour each side, traffic both ways, no re-handshaking', () => {
    const net = new Net({ latencyMs: 20 });
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.connect(b, a);
    net.startHellos();
    net.runFor(10 * 60_000);
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      expect(x.ofKind('up').map((e) => e.action.neighbour)).toEqual([y.id]);
      expect(x.ofKind('down')).toEqual([]);
      expect(x.manager.links()).toHaveLength(1);
      expect(x.manager.links()[0]).toMatchObject({ neighbour: y.id, origin: 'static', state: 'up' });
      expect(longestGap(y, x, 30_000, net.now)).toBeLessThanOrEqual(4_100);
      expect(dataWorks(x, y)).toBe(true);
    }
    // Two crossing handshakes at the start, then one side owns the rekey: one handshake per
    // REKEY_AFTER_TIME (120 s), not two.
    const started = a.count('handshake.started') + b.count('handshake.started');
    expect(started).toBeGreaterThanOrEqual(2 + 4);
    expect(started).toBeLessThanOrEqual(2 + 5);
    // Both kept the same current keypair: exactly one of them initiated every rekey.
    expect(Math.min(a.count('handshake.started'), b.count('handshake.started'))).toBe(1);
  });

  it('rekeys for 12 virtual minutes with control both ways and never goes down', () => {
    const net = new Net({ latencyMs: 15 });
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.startHellos();
    net.runFor(12 * 60_000);
    expect(a.ofKind('down')).toEqual([]);
    expect(b.ofKind('down')).toEqual([]);
    expect(a.count('session.down') + b.count('session.down')).toBe(0);
    // 720 s / 120 s: a rekey every two minutes, by the initiator of the current keypair.
    expect(a.count('handshake.completed')).toBeGreaterThanOrEqual(6);
    expect(b.count('handshake.started')).toBe(0);
    expect(longestGap(b, a, 1_000, net.now)).toBeLessThanOrEqual(4_100);
    expect(longestGap(a, b, 1_000, net.now)).toBeLessThanOrEqual(4_100);
    expect(
      a.count('drop.decrypt') + b.count('drop.decrypt') + a.count('drop.expired') + b.count('drop.expired'),
    ).toBe(0);
    expect(a.count('tx-fail.expired')).toBe(0);
    expect(dataWorks(a, b) && dataWorks(b, a)).toBe(true);
  });

  it('rekeys even when the message 3 of a rekey is lost, without a gap in control traffic', () => {
    const net = new Net({ latencyMs: 10 });
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.startHellos();
    net.runFor(60_000);
    let dropped = 0;
    net.filter = (d) => !(d.datagram[0] === FrameType.HandshakeFinish && dropped++ === 0);
    net.runFor(5 * 60_000);
    expect(dropped).toBeGreaterThan(1);
    expect(a.ofKind('down')).toEqual([]);
    expect(b.ofKind('down')).toEqual([]);
    expect(a.count('handshake.unconfirmed')).toBe(1);
    expect(longestGap(b, a, 60_000, net.now)).toBeLessThanOrEqual(4_100);
  });

  it('if the initiator of the current keypair cannot rekey, the responder does before the keypair expires', () => {
    const net = new Net({ latencyMs: 10 });
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.startHellos();
    net.runFor(60_000);
    // From now on a's handshake messages 1 are lost: only b can start a handshake.
    net.filter = (d) => !(d.datagram[0] === FrameType.HandshakeInitiation && d.from === a.endpoint);
    net.runFor(6 * 60_000);
    expect(a.ofKind('down')).toEqual([]);
    expect(b.ofKind('down')).toEqual([]);
    expect(b.count('handshake.completed')).toBeGreaterThanOrEqual(2);
    // b stepped in RESPONDER_REKEY_AFTER_MS (150 s) into the keypair's life, before REJECT (180 s).
    const first = b.ofKind('notify').find((e) => e.action.event === 'handshake')!;
    expect(first.action.detail).toMatchObject({ why: 'rekey' });
    expect(first.at).toBeGreaterThanOrEqual(150_000);
    expect(first.at).toBeLessThan(180_000);
    expect(b.count('drop.expired') + a.count('drop.expired')).toBe(0);
    expect(longestGap(b, a, 60_000, net.now)).toBeLessThanOrEqual(4_100);
    expect(longestGap(a, b, 60_000, net.now)).toBeLessThanOrEqual(4_100);
  });

  it('comes up and stays up over a lossy link (10% loss, 40 ms latency)', () => {
    const net = new Net({ latencyMs: 40, loss: 0.1, seed: 7 });
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.connect(b, a);
    net.startHellos();
    expect(net.runUntil(() => a.up.has(b.id) && b.up.has(a.id), 30_000)).toBe(true);
    net.runFor(10 * 60_000);
    expect(a.up.has(b.id) && b.up.has(a.id)).toBe(true);
    expect(a.ofKind('down').length + b.ofKind('down').length).toBeLessThanOrEqual(2);
    expect(longestGap(b, a, net.now - 60_000, net.now)).toBeLessThanOrEqual(13_000);
    expect(dataWorks(a, b) && dataWorks(b, a)).toBe(true);
  });

  it('a silent peer goes down within DEAD_AFTER_MS, then reconnects with growing, jittered, capped backoff', () => {
    const net = new Net({ latencyMs: 5 });
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.startHellos();
    net.runFor(10_000);
    const cutAt = net.now;
    let cut = true;
    net.filter = () => !cut;
    net.runFor(5 * 60_000);
    const down = a.ofKind('down');
    expect(down).toHaveLength(1);
    expect(down[0]!.action.reason).toBe('timeout');
    // The last frame from b arrived at most one Hello interval before the cut.
    expect(down[0]!.at).toBeGreaterThan(cutAt + DEAD_AFTER_MS - 4_100);
    expect(down[0]!.at).toBeLessThanOrEqual(cutAt + DEAD_AFTER_MS);
    expect(b.ofKind('down')).toHaveLength(1);

    // Reconnection attempts after the down: one at once, then 5 s timeout + backoff each.
    const tries = net
      .sentOfType(FrameType.HandshakeInitiation, a, b)
      .map((d) => d.at - net.latencyMs)
      .filter((t) => t >= down[0]!.at);
    expect(tries[0]).toBe(down[0]!.at);
    const waits = tries.slice(1).map((t, i) => t - tries[i]! - 5_000);
    expect(waits.length).toBeGreaterThan(8);
    for (let n = 0; n < waits.length; n++) {
      const nominal = Math.min(1_000 * 2 ** n, Number.POSITIVE_INFINITY);
      expect(waits[n]).toBeGreaterThanOrEqual(Math.min(0.8 * nominal, 0.8 * BACKOFF_MAX_MS) - 1);
      expect(waits[n]).toBeLessThanOrEqual(Math.min(1.2 * nominal, BACKOFF_MAX_MS) + 1);
    }
    expect(waits.slice(0, 5).every((w, n) => Math.abs(w - 1_000 * 2 ** n) > 0.5)).toBe(true); // jittered
    expect(Math.max(...waits)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
    expect(a.manager.links()[0]!.state).toMatch(/connecting|backoff/);
    // Every attempt timed out (plus the probe a started 10 s into the silence), bar one in flight.
    expect(a.count('handshake.timeout')).toBeGreaterThanOrEqual(tries.length);
    expect(a.count('handshake.timeout')).toBeLessThanOrEqual(tries.length + 1);

    // Heal: the next attempt succeeds, within one backoff period.
    cut = false;
    const healAt = net.now;
    expect(net.runUntil(() => a.up.has(b.id) && b.up.has(a.id), BACKOFF_MAX_MS + 6_000)).toBe(true);
    expect(net.now - healAt).toBeLessThanOrEqual(BACKOFF_MAX_MS + 5_100);
    // The backoff was reset: a second silence reconnects at once again.
    net.runFor(20_000);
    cut = true;
    net.runFor(DEAD_AFTER_MS + 1_000);
    const down2 = a.ofKind('down')[1]!;
    net.runFor(10_000);
    const retry = net.sentOfType(FrameType.HandshakeInitiation, a, b).filter((d) => d.at - 5 >= down2.at);
    expect(retry[0]!.at - 5).toBe(down2.at);
    expect(retry[1]!.at - retry[0]!.at - 5_000).toBeLessThanOrEqual(1_200);
  });

  it('an inbound-only side forgets the peer; a static side keeps retrying', () => {
    const net = new Net();
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.startHellos();
    net.runFor(5_000);
    net.filter = () => false;
    net.runFor(60_000);
    expect(b.manager.links()).toEqual([]);
    expect(a.manager.links()).toHaveLength(1);
    expect(a.manager.links()[0]).toMatchObject({ neighbour: undefined, origin: 'static' });
  });

  it('a passive keepalive keeps a one-way flow alive', () => {
    const net = new Net();
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.runFor(1_000);
    // Only a sends control, every 4 s, for 2 minutes.
    for (let t = 0; t < 30; t++) {
      a.manager.sendControl(b.id, Uint8Array.of(42, 2, 0, 0), net.now);
      net.drain(a);
      net.runFor(4_000);
    }
    expect(a.ofKind('down')).toEqual([]);
    expect(b.ofKind('down')).toEqual([]);
    // b answered with keepalives only: one per KEEPALIVE_TIMEOUT_MS + a Hello interval at most.
    expect(b.count('tx.control')).toBe(0);
    expect(b.count('tx.keepalive')).toBeGreaterThanOrEqual(120_000 / (KEEPALIVE_TIMEOUT_MS + 4_000) - 1);
    expect(b.count('tx.keepalive')).toBeLessThanOrEqual(120_000 / KEEPALIVE_TIMEOUT_MS + 1);
    // No probes: the first handshake and one rekey (the initiator's receive-side rule, at 105 s).
    expect(a.count('handshake.started')).toBe(2);
  });

  it('a restarted peer (same key) that handshakes again gets a working session at once', () => {
    const net = new Net({ latencyMs: 5 });
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.startHellos();
    net.runFor(30_000);
    net.restart(b);
    net.connect(b, a);
    const restartAt = net.now;
    expect(net.runUntil(() => b.up.has(a.id), 1_000)).toBe(true);
    net.runFor(9_000);
    // a never noticed a down; it talks to the new b within a Hello interval.
    expect(a.ofKind('down')).toEqual([]);
    const fromA = b.controlsFrom(a).filter((c) => c.at > restartAt);
    expect(fromA.length).toBeGreaterThan(0);
    expect(fromA[0]!.at - restartAt).toBeLessThanOrEqual(4_100);
    expect(dataWorks(a, b) && dataWorks(b, a)).toBe(true);
    expect(a.manager.links()).toHaveLength(1);
  });

  it('a restarted peer that does not dial back is re-keyed by the probe before the session dies', () => {
    const net = new Net({ latencyMs: 5 });
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.startHellos();
    net.runFor(30_000);
    net.restart(b); // b has no peers at all now: only a's handshakes can bring it back.
    const restartAt = net.now;
    expect(net.runUntil(() => b.up.has(a.id), DEAD_AFTER_MS)).toBe(true);
    expect(net.now - restartAt).toBeLessThan(DEAD_AFTER_MS);
    net.runFor(10_000);
    expect(a.ofKind('down')).toEqual([]);
    expect(dataWorks(a, b) && dataWorks(b, a)).toBe(true);
  });

  it('roams on authenticated frames only', () => {
    const net = new Net();
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.startHellos();
    net.runFor(5_000);
    const moved = { address: 'fd00:198:18::b', port: 40000 };
    net.move(b, moved);
    net.runFor(5_000);
    const roamed = a.ofKind('notify').filter((e) => e.action.event === 'roamed');
    expect(roamed).toHaveLength(1);
    expect(roamed[0]!.action.detail).toMatchObject({ neighbour: b.id, to: moved });
    expect(a.manager.links()[0]!.endpoint).toEqual(moved);
    expect(a.manager.dataTarget(b.id, 0)!.to).toEqual(moved);
    expect(a.count('session.roamed')).toBe(1);
    expect(a.ofKind('down')).toEqual([]);

    // Replays and forgeries from a third endpoint never move it.
    const lastFromB = net.sent
      .filter((d) => d.datagram[0] === FrameType.Transport && d.from === moved)
      .at(-1)!;
    const elsewhere = { address: '203.0.113.9', port: 1 };
    net.inject(a, lastFromB.datagram, elsewhere);
    const forged = Uint8Array.from(lastFromB.datagram);
    forged[forged.length - 1]! ^= 1;
    forged[15]! ^= 0x40; // a fresh counter so the replay window does not catch it first
    net.inject(a, forged, elsewhere);
    expect(a.manager.links()[0]!.endpoint).toEqual(moved);
    expect(a.count('drop.replay')).toBeGreaterThanOrEqual(1);
    expect(a.count('drop.decrypt')).toBe(1);
    // b's traffic after the roam still reaches a, and a's reaches b at its new endpoint.
    net.runFor(10_000);
    expect(longestGap(b, a, net.now - 10_000, net.now)).toBeLessThanOrEqual(4_100);
  });
});
