import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CookieGenerator } from '../../src/crypto/cookie.js';
import { createHandshakeContext, createInitiation, retransmit } from '../../src/crypto/handshake.js';
import type { Endpoint } from '../../src/link/api.js';
import { FrameType, INITIATION_OFFSET_MAC2, MAC_SIZE } from '../../src/wire/link/constants.js';
import { Net, OTHER_PSK, seededBytes, testIdentity, testKeys } from './harness.js';

function attackerSource(i: number): Endpoint {
  return { address: `2001:db8::${(i + 1).toString(16)}`, port: 1024 + i };
}

describe('link sessions under attack and misconfiguration', () => {
  it('never brings up a node with another PSK, and counts why', () => {
    const net = new Net();
    const a = net.addNode();
    const b = net.addNode({ psk: OTHER_PSK });
    net.connect(a, b);
    net.connect(b, a);
    net.runFor(120_000);
    expect(a.ofKind('up')).toEqual([]);
    expect(b.ofKind('up')).toEqual([]);
    expect(a.count('drop.bad-mac1')).toBeGreaterThan(3);
    expect(b.count('drop.bad-mac1')).toBeGreaterThan(3);
    expect(a.count('tx.response') + b.count('tx.response')).toBe(0);
    expect(a.count('handshake.timeout')).toBeGreaterThan(3);
  });

  it('refuses a peer whose key is not the expected one, and keeps retrying with backoff', () => {
    const net = new Net();
    const a = net.addNode();
    const b = net.addNode();
    const c = net.addNode();
    net.connect(a, b, c.identity.publicKey);
    net.runFor(60_000);
    expect(a.ofKind('up')).toEqual([]);
    expect(b.ofKind('up')).toEqual([]);
    expect(a.count('drop.wrong-peer-key')).toBeGreaterThanOrEqual(3);
    expect(a.count('handshake.failed')).toBe(a.count('drop.wrong-peer-key'));
    expect(a.count('tx.finish')).toBe(0);
    const failed = a.ofKind('notify').find((e) => e.action.event === 'handshake-failed')!;
    expect(failed.action.detail).toMatchObject({ reason: 'wrong-peer-key', got: b.id, expected: c.id });
    expect(a.manager.links()).toMatchObject([{ neighbour: undefined, origin: 'static' }]);
    // With the right key it works.
    const d = net.addNode();
    net.connect(d, b, b.identity.publicKey);
    net.runFor(1_000);
    expect(d.up.has(b.id)).toBe(true);
  });

  it('refuses itself, by expected key at once and by handshake otherwise', () => {
    const net = new Net();
    const a = net.addNode();
    a.manager.addPeer(
      { endpoint: { address: '198.18.9.9', port: 1 }, origin: 'static', expectedKey: a.identity.publicKey },
      0,
    );
    expect(a.count('drop.self')).toBe(1);
    expect(a.manager.links()).toEqual([]);
    net.connect(a, a);
    net.runFor(30_000);
    expect(a.ofKind('up')).toEqual([]);
    expect(a.count('drop.self')).toBeGreaterThanOrEqual(2);
    expect(a.count('handshake.failed')).toBeGreaterThanOrEqual(1);
  });

  it('makes no second session for a peer that already has one', () => {
    const net = new Net();
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.startHellos();
    net.runFor(2_000);
    expect(b.manager.links()).toMatchObject([{ neighbour: a.id, origin: 'inbound' }]);
    // A beacon from a: discovered, same key, already live.
    b.manager.addPeer(
      { endpoint: a.endpoint, origin: 'discovered', expectedKey: a.identity.publicKey },
      net.now,
    );
    // A static entry for a's key at another address: attached, no handshake.
    b.manager.addPeer(
      { endpoint: { address: 'fd00::a', port: 9651 }, origin: 'static', expectedKey: a.identity.publicKey },
      net.now,
    );
    net.drain(b);
    net.runFor(10_000);
    expect(b.count('handshake.started')).toBe(0);
    expect(b.manager.links()).toMatchObject([{ neighbour: a.id, origin: 'static', state: 'up' }]);
    // a dialling b's endpoint twice (as a discovered peer too) does not duplicate anything.
    a.manager.addPeer(
      { endpoint: b.endpoint, origin: 'discovered', expectedKey: b.identity.publicKey },
      net.now,
    );
    net.drain(a);
    net.runFor(1_000);
    expect(a.count('handshake.started')).toBe(1);
    expect(a.manager.links()).toHaveLength(1);
    expect(a.ofKind('up')).toHaveLength(1);
  });

  it('forgets a discovered peer that never answers; keeps a static one', () => {
    const net = new Net();
    const a = net.addNode();
    const gone = { address: '198.18.7.7', port: 9651 };
    a.manager.addPeer({ endpoint: gone, origin: 'discovered', expectedKey: testIdentity(7).publicKey }, 0);
    a.manager.addPeer({ endpoint: { address: '198.18.7.8', port: 9651 }, origin: 'static' }, 0);
    net.drain(a);
    net.runFor(30_000);
    // Beacons repeat every few seconds: they do not reset the backoff.
    const before = a.count('handshake.started');
    for (let i = 0; i < 5; i++) {
      a.manager.addPeer(
        { endpoint: gone, origin: 'discovered', expectedKey: testIdentity(7).publicKey },
        net.now,
      );
      net.drain(a);
    }
    expect(a.count('handshake.started')).toBe(before);
    net.runFor(150_000);
    expect(a.manager.links().map((l) => l.endpoint.address)).toEqual(['198.18.7.8']);
    expect(a.ofKind('notify').some((e) => e.action.event === 'peer-forgotten')).toBe(true);
  });

  it('caps sessions', () => {
    const net = new Net();
    const b = net.addNode({ config: { maxSessions: 1 } });
    const a = net.addNode();
    const c = net.addNode();
    net.connect(a, b);
    net.runFor(1_000);
    net.connect(c, b);
    net.runFor(1_000);
    expect(b.up.size).toBe(1);
    expect(c.up.size).toBe(0);
    expect(b.count('drop.session-cap')).toBeGreaterThanOrEqual(1);
  });

  it('counts replayed handshake and transport frames and is not harmed by them', () => {
    const net = new Net();
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.startHellos();
    net.runFor(10_000);
    const captured = [...net.sent];
    const controls = [a.ofKind('control').length, b.ofKind('control').length];
    for (const d of captured) {
      const to = d.to.address === a.endpoint.address ? a : b;
      net.inject(to, d.datagram, d.from);
    }
    // No frame was accepted twice.
    expect(a.ofKind('control').length).toBe(controls[0]);
    expect(b.ofKind('control').length).toBe(controls[1]);
    expect(b.count('drop.replay')).toBeGreaterThanOrEqual(2);
    expect(a.count('drop.replay')).toBeGreaterThanOrEqual(2);
    // Message 2 and 3 name handshakes that are spent.
    expect(a.count('drop.wrong-index')).toBeGreaterThanOrEqual(1);
    expect(b.count('drop.wrong-index')).toBeGreaterThanOrEqual(1);
    // A replayed message 1 costs the responder one message 2; the initiator drops it; it expires.
    net.runFor(20_000);
    expect(b.count('handshake.responder-expired')).toBeGreaterThanOrEqual(1);
    expect(a.ofKind('up')).toHaveLength(1);
    expect(b.ofKind('up')).toHaveLength(1);
    expect(a.ofKind('down')).toEqual([]);
    expect(b.ofKind('down')).toEqual([]);
    expect(a.controlsFrom(b).at(-1)!.at).toBeGreaterThan(net.now - 4_100);
  });

  it('never throws on random, truncated or mutated datagrams, and never makes a neighbour from them', () => {
    const net = new Net();
    const a = net.addNode();
    const b = net.addNode();
    net.connect(a, b);
    net.startHellos();
    net.runFor(10_000);
    const samples = net.sent.map((d) => d.datagram);
    const victim = net.addNode(); // no peers, no sessions
    const ups = () => victim.ofKind('up').length + b.ofKind('up').length;
    const upsBefore = ups();
    const address = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.constantFrom('fe80::1%eth0', 'not an address', '1.2.3', '::ffff:1.2.3.4'),
    );
    const from = fc.record({ address, port: fc.integer({ min: 1, max: 65535 }) });
    const mutated = fc
      .tuple(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.uint8Array({ maxLength: 8 }),
      )
      .map(([base, flips, cut, tail]) => {
        const out = Uint8Array.from(base);
        for (const [at, x] of flips) out[at % out.length]! ^= x;
        const truncated = cut === undefined ? out : out.subarray(0, cut % (out.length + 1));
        return Uint8Array.from([...truncated, ...tail]);
      });
    const random = fc.uint8Array({ maxLength: 200 }).map((d) => {
      if (d.length > 0) d[0] = d[0]! % 9; // mostly known frame types
      return d;
    });
    fc.assert(
      fc.property(fc.oneof(mutated, random, fc.constantFrom(...samples)), from, (datagram, src) => {
        net.inject(victim, datagram, src);
        net.inject(b, datagram, src);
        victim.manager.handleTimer(net.now);
        net.drain(victim);
      }),
      { numRuns: 600, seed: 42 },
    );
    expect(ups()).toBe(upsBefore);
    expect(victim.manager.links()).toEqual([]);
    const dropped = Object.entries(victim.counters()).filter(([k]) => k.startsWith('drop.'));
    expect(dropped.length).toBeGreaterThan(3);
    // b's real session survived it all.
    net.runFor(10_000);
    expect(b.ofKind('down')).toEqual([]);
    expect(b.up.has(a.id)).toBe(true);
  });

  it('answers an initiation flood with cookies, keeps the responder table bounded, and still lets a peer in', () => {
    const net = new Net();
    const b = net.addNode({ config: { maxPendingResponders: 32, loadThresholdPerSecond: 1_000 } });
    const a = net.addNode();
    const keys = testKeys();
    const ctx = createHandshakeContext(testIdentity(9), keys, seededBytes('attacker'));
    const flood: Array<{
      src: Endpoint;
      gen: CookieGenerator;
      hs: ReturnType<typeof createInitiation>['handshake'];
    }> = [];
    for (let i = 0; i < 200; i++) {
      const gen = new CookieGenerator(keys);
      const m1 = createInitiation(ctx, i + 1, net.now, gen);
      const src = attackerSource(i);
      flood.push({ src, gen, hs: m1.handshake });
      net.inject(b, m1.frame, src);
    }
    // The table half full means under load: mac2 needed from then on, and CookieReplies instead of DH.
    expect(b.count('tx.response')).toBe(16);
    expect(b.count('cookie.sent')).toBe(200 - 16);
    // Attackers that can receive at their addresses come back with mac2: the table fills, no further.
    const replies = net.sent.filter((d) => d.datagram[0] === FrameType.CookieReply);
    for (const f of flood) {
      const reply = replies.find((d) => d.to.address === f.src.address && d.to.port === f.src.port);
      if (!reply) continue;
      expect(f.gen.consumeReply(reply.datagram, net.now)).toBe(true);
      net.inject(b, retransmit(f.hs, net.now)!, f.src);
    }
    expect(b.count('tx.response')).toBe(32);
    expect(b.count('drop.pending-cap')).toBe(200 - 32);
    // A real peer meanwhile: cookie, retransmit with mac2, and in once the flood's state expires.
    net.connect(a, b);
    expect(net.runUntil(() => a.up.has(b.id) && b.up.has(a.id), 30_000)).toBe(true);
    expect(a.count('cookie.received')).toBeGreaterThanOrEqual(1);
    const withMac2 = net
      .sentOfType(FrameType.HandshakeInitiation, a)
      .filter((d) =>
        d.datagram.subarray(INITIATION_OFFSET_MAC2, INITIATION_OFFSET_MAC2 + MAC_SIZE).some((x) => x),
      );
    expect(withMac2.length).toBeGreaterThanOrEqual(1);
    expect(b.count('handshake.responder-expired')).toBe(32);
  });

  it('goes under load above the message rate threshold', () => {
    const net = new Net();
    const b = net.addNode({ config: { loadThresholdPerSecond: 10 } });
    const a = net.addNode();
    const keys = testKeys();
    const ctx = createHandshakeContext(testIdentity(9), keys, seededBytes('attacker-2'));
    for (let i = 0; i < 40; i++) {
      net.inject(b, createInitiation(ctx, i + 1, net.now).frame, attackerSource(i));
      net.runFor(10); // 100 per second
    }
    expect(b.count('load.start')).toBe(1);
    expect(b.count('tx.response')).toBe(10);
    expect(b.count('cookie.sent')).toBe(30);
    expect(b.ofKind('notify').some((e) => e.action.event === 'under-load')).toBe(true);
    // Still under load (held a second after the rate falls): a's first message 1 gets a cookie.
    net.connect(a, b);
    expect(net.runUntil(() => a.up.has(b.id), 10_000)).toBe(true);
    expect(a.count('cookie.received')).toBe(1);
    expect(a.count('handshake.timeout')).toBe(0);
  });
});
