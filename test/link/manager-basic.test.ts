import { describe, expect, it } from 'vitest';
import { FrameType } from '../../src/wire/link/constants.js';
import { Net, type Node } from './harness.js';

/** Both directions of control between two up nodes work: returns the bodies each received. */
function exchange(net: Net, a: Node, b: Node): void {
  const before = [a.controlsFrom(b).length, b.controlsFrom(a).length];
  expect(a.manager.sendControl(b.id, Uint8Array.of(42, 2, 0, 0, 1), net.now)).toBe(true);
  expect(b.manager.sendControl(a.id, Uint8Array.of(42, 2, 0, 0, 2), net.now)).toBe(true);
  net.drain(a);
  net.drain(b);
  net.runFor(100);
  expect(b.controlsFrom(a).length).toBe(before[1]! + 1);
  expect(a.controlsFrom(b).length).toBe(before[0]! + 1);
  expect(Array.from(b.controlsFrom(a).at(-1)!.body)).toEqual([42, 2, 0, 0, 1]);
  expect(Array.from(a.controlsFrom(b).at(-1)!.body)).toEqual([42, 2, 0, 0, 2]);
}

describe('link sessions: handshake and control', () => {
  it('brings a static peer up on both sides and carries control both ways', () => {
    const net = new Net();
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.runFor(1_000);

    const upA = a.ofKind('up');
    const upB = b.ofKind('up');
    expect(upA.map((e) => e.action.neighbour)).toEqual([b.id]);
    expect(upB.map((e) => e.action.neighbour)).toEqual([a.id]);
    expect(Buffer.from(upA[0]!.action.publicKey).equals(Buffer.from(b.identity.publicKey))).toBe(true);
    expect(upA[0]!.action.endpoint).toEqual(b.endpoint);
    expect(upB[0]!.action.endpoint).toEqual(a.endpoint);
    // XX is 1.5 round trips; the initiator's keypair is confirmed by the responder's keepalive.
    expect(upB[0]!.at).toBe(15);
    expect(upA[0]!.at).toBe(20);
    exchange(net, a, b);

    const [viewA] = a.manager.links();
    expect(viewA).toMatchObject({ neighbour: b.id, origin: 'static', state: 'up', endpoint: b.endpoint });
    expect(b.manager.links()[0]).toMatchObject({ neighbour: a.id, origin: 'inbound', state: 'up' });
    expect(viewA!.txPackets).toBeGreaterThan(0);
    expect(viewA!.lastHandshakeAt).toBe(20);

    const ca = a.counters();
    expect(ca['handshake.started']).toBe(1);
    expect(ca['handshake.completed']).toBe(1);
    expect(ca['tx.initiation']).toBe(1);
    expect(ca['rx.response']).toBe(1);
    expect(ca['tx.finish']).toBe(1);
    expect(b.count('rx.initiation')).toBe(1);
    expect(b.count('tx.response')).toBe(1);
    expect(b.count('rx.finish')).toBe(1);
    expect(b.count('tx.keepalive')).toBe(1);
    expect(ca['rx.control']).toBe(1);
    expect(Object.keys(ca).filter((k) => k.startsWith('drop.'))).toEqual([]);
  });

  it('maps Data-frame indexes both ways: dataTarget on one side names a session of the other', () => {
    const net = new Net();
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.runFor(1_000);
    const ta = a.manager.dataTarget(b.id, 100)!;
    const tb = b.manager.dataTarget(a.id, 200)!;
    expect(ta.to).toEqual(b.endpoint);
    expect(tb.to).toEqual(a.endpoint);
    expect(b.manager.neighbourForIndex(ta.remoteIndex, 100)).toBe(a.id);
    expect(a.manager.neighbourForIndex(tb.remoteIndex, 200)).toBe(b.id);
    expect(a.manager.neighbourForIndex(ta.remoteIndex ^ 1, 100)).toBeUndefined();
    expect(a.manager.dataTarget('00'.repeat(32), 1)).toBeUndefined();
    // The same object comes back: no allocation per packet.
    expect(a.manager.dataTarget(b.id, 100)).toBe(ta);
    const view = b.manager.links()[0]!;
    expect(view.rxBytes).toBeGreaterThanOrEqual(100);
  });

  it('refuses a Data frame whose source is not the session endpoint, when the shell says where it came from', () => {
    const net = new Net();
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.runFor(1_000);
    const ta = a.manager.dataTarget(b.id, 100)!;
    expect(b.manager.neighbourForIndex(ta.remoteIndex, 100, a.endpoint)).toBe(a.id);
    const spoofed = { address: a.endpoint.address, port: a.endpoint.port + 1 };
    expect(b.manager.neighbourForIndex(ta.remoteIndex, 100, spoofed)).toBeUndefined();
    expect(b.count('drop.data-wrong-source')).toBe(1);
  });

  it('sendControl is false for an unknown or down neighbour', () => {
    const net = new Net();
    const a = net.addNode();
    const b = net.addNode();
    expect(a.manager.sendControl(b.id, Uint8Array.of(42), 0)).toBe(false);
    net.connect(a, b);
    // Not up yet: message 1 only.
    expect(a.manager.sendControl(b.id, Uint8Array.of(42), 0)).toBe(false);
    expect(net.sentOfType(FrameType.HandshakeInitiation, a)).toHaveLength(1);
  });

  it('removePeer takes the session down; close takes every session down and stops', () => {
    const net = new Net();
    const a = net.addNode();
    const b = net.addNode();
    const c = net.addNode();
    net.connect(a, b);
    net.connect(a, c);
    net.runFor(1_000);
    expect(a.up.size).toBe(2);
    expect(a.manager.removePeer({ address: '198.18.0.9', port: 9651 }, net.now)).toBe(false);
    expect(a.manager.removePeer(b.endpoint, net.now)).toBe(true);
    net.drain(a);
    expect(a.ofKind('down').map((e) => e.action)).toEqual([
      { kind: 'down', neighbour: b.id, reason: 'removed' },
    ]);
    a.manager.close(net.now);
    net.drain(a);
    expect(a.ofKind('down').at(-1)!.action).toEqual({ kind: 'down', neighbour: c.id, reason: 'closed' });
    expect(a.manager.nextTimeout()).toBeUndefined();
    expect(a.manager.sendControl(c.id, Uint8Array.of(42), net.now)).toBe(false);
    const sent = net.sent.length;
    net.runFor(60_000);
    expect(net.sent.filter((d) => d.from === a.endpoint).length).toBe(
      net.sent.slice(0, sent).filter((d) => d.from === a.endpoint).length,
    );
    expect(a.up.size).toBe(0);
  });

  it('refuses bad arguments at the boundary', () => {
    const net = new Net();
    const a = net.addNode();
    expect(() => a.manager.addPeer({ endpoint: { address: '', port: 1 }, origin: 'static' }, 0)).toThrow(
      TypeError,
    );
    expect(() =>
      a.manager.addPeer({ endpoint: { address: '198.18.0.2', port: 0 }, origin: 'static' }, 0),
    ).toThrow(RangeError);
    expect(() =>
      a.manager.addPeer(
        { endpoint: { address: '198.18.0.2', port: 1 }, origin: 'static', expectedKey: new Uint8Array(3) },
        0,
      ),
    ).toThrow(RangeError);
  });
});
