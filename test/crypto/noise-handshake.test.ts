import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  COOKIE_REFRESH_MS,
  HANDSHAKE_PENDING_TIMEOUT_MS,
  NOISE_PROLOGUE,
  NOISE_PROTOCOL_NAME,
  REJECT_AFTER_MESSAGES,
  REJECT_AFTER_TIME_MS,
  REKEY_AFTER_MESSAGES,
  REKEY_AFTER_TIME_MS,
  REKEY_AFTER_TIME_RECEIVING_MS,
} from '../../src/crypto/constants.js';
import { CookieGenerator, checkMac1, computeMac1 } from '../../src/crypto/cookie.js';
import {
  consumeFinish,
  consumeInitiation,
  consumeResponse,
  createFinish,
  createHandshakeContext,
  createInitiation,
  createResponse,
  peerStaticToX25519,
  retransmit,
} from '../../src/crypto/handshake.js';
import { utf8 } from '../../src/crypto/kdf.js';
import { IndexTable, Keypair } from '../../src/crypto/keypair.js';
import { networkKeys, privateNetworkKey, publicNetworkKey } from '../../src/crypto/network-key.js';
import { SymmetricState } from '../../src/crypto/noise.js';
import { WINDOW_BITS } from '../../src/crypto/replay.js';
import { decryptTransport, encryptKeepalive, encryptTransport } from '../../src/crypto/transport.js';
import { toHex } from '../../src/util/bytes.js';
import {
  ContentType,
  FINISH_OFFSET_MAC1,
  FINISH_OFFSET_MAC2,
  INITIATION_OFFSET_MAC2,
  INITIATION_SIZE,
  RESPONSE_OFFSET_MAC1,
  RESPONSE_OFFSET_MAC2,
} from '../../src/wire/link/constants.js';
import { encodeHandshakeInitiation } from '../../src/wire/link/handshake.js';
import {
  context,
  countingDh,
  handshake,
  identity,
  SOURCE_A,
  SOURCE_B,
  seededRandom,
} from './_handshake-helpers.js';

const alice = identity(1);
const bob = identity(2);
const raw = (k: { key: { export(): Buffer } }) => toHex(k.key.export());

/** Flips one bit of byte `at` in a copy. */
function flip(frame: Uint8Array, at: number): Uint8Array {
  const c = Uint8Array.from(frame);
  c[at]! ^= 0x01;
  return c;
}

describe('XXpsk0 create → consume between two in-memory peers', () => {
  it('derives the same keys both ways, and each side learns the other’s Ed25519 key', () => {
    const a = context(alice, 'a');
    const b = context(bob, 'b');
    const { initiator, responder, frames } = handshake(a, b);
    expect(frames.map((f) => f.length)).toEqual([88, 140, 104]);
    expect(raw(initiator.sendKey)).toBe(raw(responder.recvKey));
    expect(raw(initiator.recvKey)).toBe(raw(responder.sendKey));
    expect(raw(initiator.sendKey)).not.toBe(raw(initiator.recvKey));
    expect(toHex(initiator.handshakeHash)).toBe(toHex(responder.handshakeHash));
    expect(toHex(initiator.peerPublicKey)).toBe(toHex(bob.publicKey));
    expect(toHex(responder.peerPublicKey)).toBe(toHex(alice.publicKey));
    expect([initiator.localIndex, initiator.remoteIndex]).toEqual([
      responder.remoteIndex,
      responder.localIndex,
    ]);
    expect([initiator.isInitiator, responder.isInitiator]).toEqual([true, false]);
  });

  it('fresh ephemerals give fresh keys for the same two nodes', () => {
    const one = handshake(context(alice, 'a1'), context(bob, 'b1'));
    const two = handshake(context(alice, 'a2'), context(bob, 'b2'));
    expect(raw(one.initiator.sendKey)).not.toBe(raw(two.initiator.sendKey));
  });

  it('message 1 carries no static key; statics travel only encrypted', () => {
    const { frames } = handshake(context(alice, 'a'), context(bob, 'b'));
    const hexes = frames.map(toHex);
    for (const h of hexes) {
      expect(h).not.toContain(toHex(alice.publicKey));
      expect(h).not.toContain(toHex(bob.publicKey));
      expect(h).not.toContain(toHex(alice.x25519PublicKey));
      expect(h).not.toContain(toHex(bob.x25519PublicKey));
    }
  });

  it('refuses to talk to itself', () => {
    const a = context(alice, 'a');
    const self = context(alice, 'a-again');
    expect(() => handshake(a, self)).toThrow(/self/);
  });
});

describe('network key', () => {
  it('a node of another private network fails at mac1, before any DH, and never sees a static', () => {
    const dh = countingDh();
    const a = context(alice, 'a');
    const outsider = context(bob, 'b', { psk: new Uint8Array(32).fill(9), dh });
    const m1 = createInitiation(a, 1, 0);
    expect(consumeInitiation(outsider, m1.frame, { now: 0, source: SOURCE_A })).toEqual({
      ok: false,
      reason: 'bad-mac1',
    });
    expect([dh.keygens, dh.dhs]).toEqual([0, 0]);
  });

  it('the same name with another PSK, or another name with the same PSK, is another network', () => {
    const k = (psk: Uint8Array, name: string) => toHex(privateNetworkKey(psk, name));
    const psk = new Uint8Array(32).fill(1);
    expect(k(psk, 'x')).not.toBe(k(new Uint8Array(32).fill(2), 'x'));
    expect(k(psk, 'x')).not.toBe(k(psk, 'y'));
    expect(toHex(publicNetworkKey())).not.toBe(k(psk, 'x'));
  });

  it('where mac1 is known (the public network) the psk0 tag still refuses a wrong network key', () => {
    // An attacker that computes mac1 but lacks the psk: same mac1 key, different psk.
    const a = context(alice, 'a');
    const realKeys = networkKeys(privateNetworkKey(new Uint8Array(32).fill(7), 'lab'));
    const b = createHandshakeContext(bob, { ...realKeys, mac1Key: a.keys.mac1Key }, seededRandom('b'));
    const m1 = createInitiation(a, 1, 0);
    expect(consumeInitiation(b, m1.frame, { now: 0, source: SOURCE_A })).toEqual({
      ok: false,
      reason: 'decrypt',
    });
  });

  it('rejects malformed network key input', () => {
    expect(() => privateNetworkKey(new Uint8Array(31), 'x')).toThrow(RangeError);
    expect(() => privateNetworkKey(new Uint8Array(32), '')).toThrow(TypeError);
    expect(() => networkKeys(new Uint8Array(16))).toThrow(RangeError);
  });
});

describe('tampering', () => {
  it('every bit of message 1 that mac1 or the tag covers is checked', () => {
    const a = context(alice, 'a');
    const b = context(bob, 'b');
    const { frame } = createInitiation(a, 7, 0);
    for (let at = 0; at < INITIATION_OFFSET_MAC2; at++) {
      expect(consumeInitiation(b, flip(frame, at), { now: 0, source: SOURCE_A }).ok, `byte ${at}`).toBe(
        false,
      );
    }
    // mac2 is only looked at under load (as in WireGuard); then every bit of it counts too.
    for (let at = INITIATION_OFFSET_MAC2; at < INITIATION_SIZE; at++) {
      const r = consumeInitiation(b, flip(frame, at), { now: 0, source: SOURCE_A, underLoad: true });
      expect(r.ok ? 'ok' : r.reason).toBe('cookie-required');
    }
  });

  it('every bit of message 1 past mac1 is caught by the psk0 tag when mac1 is recomputed', () => {
    const a = context(alice, 'a');
    const b = context(bob, 'b');
    const { frame } = createInitiation(a, 7, 0);
    for (let at = 8; at < 56; at++) {
      const f = flip(frame, at);
      f.set(computeMac1(b.keys, f)!, 56);
      const r = consumeInitiation(b, f, { now: 0, source: SOURCE_A });
      expect(r.ok ? 'ok' : r.reason, `byte ${at}`).toBe('decrypt');
    }
  });

  it('every tampered message 2 and 3 is refused, and leaves the pending handshake usable', () => {
    const a = context(alice, 'a');
    const b = context(bob, 'b');
    const m1 = createInitiation(a, 1, 0);
    const c1 = consumeInitiation(b, m1.frame, { now: 0, source: SOURCE_A });
    if (!c1.ok) throw new Error(c1.reason);
    const m2 = createResponse(b, c1.initiation, 2, 0);
    if (!m2.ok) throw new Error(m2.reason);
    for (let at = 0; at < RESPONSE_OFFSET_MAC2; at++) {
      const bad = flip(m2.frame, at);
      // Past the sender index (see the next test), recompute mac1 so the Noise layer is what refuses.
      if (at >= 8 && at < RESPONSE_OFFSET_MAC1) bad.set(computeMac1(a.keys, bad)!, RESPONSE_OFFSET_MAC1);
      expect(consumeResponse(a, m1.handshake, bad, { now: 0, source: SOURCE_B }).ok, `msg2 byte ${at}`).toBe(
        false,
      );
    }
    const c2 = consumeResponse(a, m1.handshake, m2.frame, { now: 0, source: SOURCE_B });
    expect(c2.ok).toBe(true);
    if (!c2.ok) return;
    const m3 = createFinish(a, c2.handshake, 0);
    for (let at = 0; at < FINISH_OFFSET_MAC2; at++) {
      const bad = flip(m3.frame, at);
      if (at >= 8 && at < FINISH_OFFSET_MAC1) bad.set(computeMac1(b.keys, bad)!, FINISH_OFFSET_MAC1);
      expect(consumeFinish(b, m2.handshake, bad, { now: 0 }).ok, `msg3 byte ${at}`).toBe(false);
    }
    const c3 = consumeFinish(b, m2.handshake, m3.frame, { now: 0 });
    expect(c3.ok).toBe(true);
    if (c3.ok) expect(raw(c3.keypair.recvKey)).toBe(raw(m3.keypair.sendKey));
  });
});

describe('indexes', () => {
  it('sit outside the transcript (as in WireGuard): a member rewriting one only misdirects the handshake', () => {
    const a = context(alice, 'a');
    const b = context(bob, 'b');
    const m1 = createInitiation(a, 1, 0);
    const c1 = consumeInitiation(b, m1.frame, { now: 0, source: SOURCE_A });
    if (!c1.ok) throw new Error(c1.reason);
    const m2 = createResponse(b, c1.initiation, 2, 0);
    if (!m2.ok) throw new Error(m2.reason);
    const rewritten = flip(m2.frame, 7); // responder's sender index 2 → 3, mac1 recomputed by a member
    rewritten.set(computeMac1(a.keys, rewritten)!, RESPONSE_OFFSET_MAC1);
    const c2 = consumeResponse(a, m1.handshake, rewritten, { now: 0, source: SOURCE_B });
    if (!c2.ok) throw new Error(c2.reason);
    expect(c2.handshake.remoteIndex).toBe(3);
    const m3 = createFinish(a, c2.handshake, 0);
    // Message 3 now names index 3: the responder's pending handshake (index 2) never sees it.
    expect(consumeFinish(b, m2.handshake, m3.frame, { now: 0 })).toEqual({
      ok: false,
      reason: 'wrong-index',
    });
  });
});

describe('replays', () => {
  it('message 2 and message 3 replays find their handshake consumed', () => {
    const a = context(alice, 'a');
    const b = context(bob, 'b');
    const m1 = createInitiation(a, 1, 0);
    const c1 = consumeInitiation(b, m1.frame, { now: 0, source: SOURCE_A });
    if (!c1.ok) throw new Error(c1.reason);
    const m2 = createResponse(b, c1.initiation, 2, 0);
    if (!m2.ok) throw new Error(m2.reason);
    const c2 = consumeResponse(a, m1.handshake, m2.frame, { now: 0, source: SOURCE_B });
    if (!c2.ok) throw new Error(c2.reason);
    expect(consumeResponse(a, m1.handshake, m2.frame, { now: 0, source: SOURCE_B })).toEqual({
      ok: false,
      reason: 'consumed',
    });
    const m3 = createFinish(a, c2.handshake, 0);
    expect(consumeFinish(b, m2.handshake, m3.frame, { now: 0 }).ok).toBe(true);
    expect(consumeFinish(b, m2.handshake, m3.frame, { now: 0 })).toEqual({ ok: false, reason: 'consumed' });
    // An accepted initiation answers once.
    expect(createResponse(b, c1.initiation, 3, 0)).toEqual({ ok: false, reason: 'consumed' });
  });

  it('a replayed message 1 only buys the replayer a response it cannot finish', () => {
    const a = context(alice, 'a');
    const b = context(bob, 'b');
    const m1 = createInitiation(a, 1, 0);
    const first = consumeInitiation(b, m1.frame, { now: 0, source: SOURCE_A });
    const replay = consumeInitiation(b, m1.frame, { now: 10, source: SOURCE_B });
    if (!first.ok || !replay.ok) throw new Error('both accepted');
    const r1 = createResponse(b, first.initiation, 2, 0);
    const r2 = createResponse(b, replay.initiation, 3, 10);
    if (!r1.ok || !r2.ok) throw new Error('responses');
    // The responder's fresh ephemeral makes each response (and its keys) unique.
    expect(toHex(r1.frame.subarray(12, 44))).not.toBe(toHex(r2.frame.subarray(12, 44)));
    // The genuine initiator finishes the first; the replayed one can only be finished by the e secret holder.
    expect(consumeResponse(a, m1.handshake, r1.frame, { now: 0, source: SOURCE_B }).ok).toBe(true);
  });

  it('a pending handshake expires', () => {
    const a = context(alice, 'a');
    const b = context(bob, 'b');
    const m1 = createInitiation(a, 1, 0);
    const c1 = consumeInitiation(b, m1.frame, { now: 0, source: SOURCE_A });
    if (!c1.ok) throw new Error(c1.reason);
    const m2 = createResponse(b, c1.initiation, 2, 0);
    if (!m2.ok) throw new Error(m2.reason);
    expect(
      consumeResponse(a, m1.handshake, m2.frame, { now: HANDSHAKE_PENDING_TIMEOUT_MS + 1, source: SOURCE_B }),
    ).toEqual({ ok: false, reason: 'expired' });
  });

  it('a message for another index is refused', () => {
    const a = context(alice, 'a');
    const b = context(bob, 'b');
    const m1 = createInitiation(a, 1, 0);
    const other = createInitiation(a, 99, 0);
    const c1 = consumeInitiation(b, m1.frame, { now: 0, source: SOURCE_A });
    if (!c1.ok) throw new Error(c1.reason);
    const m2 = createResponse(b, c1.initiation, 2, 0);
    if (!m2.ok) throw new Error(m2.reason);
    expect(consumeResponse(a, other.handshake, m2.frame, { now: 0, source: SOURCE_B })).toEqual({
      ok: false,
      reason: 'wrong-index',
    });
  });
});

describe('peer static keys', () => {
  const smallOrder = [
    '0100000000000000000000000000000000000000000000000000000000000000', // identity
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // (0, -1), order 2
    '0000000000000000000000000000000000000000000000000000000000000080', // order 4
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  ];

  it('small-order and mixed-order Ed25519 keys have no X25519 form here; a real key has its own', () => {
    for (const h of smallOrder) expect(peerStaticToX25519(Buffer.from(h, 'hex'))).toBeUndefined();
    const mixed = ed25519.Point.fromBytes(bob.publicKey).add(
      ed25519.Point.fromBytes(Buffer.from(smallOrder[1]!, 'hex')),
    );
    expect(peerStaticToX25519(mixed.toBytes())).toBeUndefined();
    expect(toHex(peerStaticToX25519(bob.publicKey)!)).toBe(toHex(bob.x25519PublicKey));
    expect(peerStaticToX25519(new Uint8Array(31))).toBeUndefined();
  });

  it('a responder presenting a small-order key is refused by the initiator', () => {
    for (const h of smallOrder) {
      const liar = { publicKey: Buffer.from(h, 'hex'), x25519SecretKey: bob.x25519SecretKey };
      expect(() => handshake(context(alice, 'a'), context(liar, 'b'))).toThrow(/msg2: bad-static/);
    }
  });

  it('a key holder cannot pose as its key plus a torsion point (same X25519 DH, different identity)', () => {
    const torsion = ed25519.Point.fromBytes(Buffer.from(smallOrder[1]!, 'hex'));
    const shifted = ed25519.Point.fromBytes(alice.publicKey).add(torsion).toBytes();
    const liar = { publicKey: shifted, x25519SecretKey: alice.x25519SecretKey };
    expect(() => handshake(context(liar, 'a'), context(bob, 'b'))).toThrow(/msg3: bad-static/);
  });

  it('−A shares A’s X25519 key: only A’s holder can use it, and the handshake reports what was sent', () => {
    const minusA = ed25519.Point.fromBytes(alice.publicKey).negate().toBytes();
    expect(toHex(peerStaticToX25519(minusA)!)).toBe(toHex(alice.x25519PublicKey));
    const holder = { publicKey: minusA, x25519SecretKey: alice.x25519SecretKey };
    const { responder } = handshake(context(holder, 'a'), context(bob, 'b'));
    expect(toHex(responder.peerPublicKey)).toBe(toHex(minusA));
    // Someone without the scalar cannot claim −A.
    const thief = { publicKey: minusA, x25519SecretKey: bob.x25519SecretKey };
    expect(() => handshake(context(thief, 'a'), context(identity(3), 'c'))).toThrow(/msg3: decrypt/);
  });

  it('a small-order initiator ephemeral (from a member who knows the psk) gets no response', () => {
    const b = context(bob, 'b');
    for (const e of [new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31))]) {
      // Message 1 written by hand with the Noise core's SymmetricState: `psk`, then `e` = a low-order u.
      const ss = new SymmetricState(utf8(NOISE_PROTOCOL_NAME));
      ss.mixHash(utf8(NOISE_PROLOGUE));
      ss.mixKeyAndHash(b.keys.psk);
      ss.mixHash(e);
      ss.mixKey(e);
      const tag = ss.encryptAndHash(new Uint8Array(0));
      const frame = encodeHandshakeInitiation({
        senderIndex: 9,
        ephemeral: e,
        encryptedPayload: tag,
        mac1: new Uint8Array(16),
        mac2: new Uint8Array(16),
      });
      new CookieGenerator(b.keys).addMacs(frame, 0);
      const c1 = consumeInitiation(b, frame, { now: 0, source: SOURCE_A });
      if (!c1.ok) throw new Error(c1.reason); // no DH yet, so nothing to catch it
      expect(createResponse(b, c1.initiation, 2, 0)).toEqual({ ok: false, reason: 'low-order' });
    }
  });
});

describe('mac1 and cookies bound the work before any DH', () => {
  it('garbage costs no DH, a valid message 1 costs nothing until createResponse (keygen + 2 DH)', () => {
    const dh = countingDh();
    const a = context(alice, 'a');
    const b = context(bob, 'b', { dh });
    const random = seededRandom('garbage');
    for (let i = 0; i < 200; i++) {
      const g = random(INITIATION_SIZE);
      g[0] = 1;
      g[1] = g[2] = g[3] = 0;
      expect(consumeInitiation(b, g, { now: 0, source: SOURCE_A })).toEqual({
        ok: false,
        reason: 'bad-mac1',
      });
    }
    expect([dh.keygens, dh.dhs]).toEqual([0, 0]);
    const m1 = createInitiation(a, 1, 0);
    const c1 = consumeInitiation(b, m1.frame, { now: 0, source: SOURCE_A });
    if (!c1.ok) throw new Error(c1.reason);
    expect([dh.keygens, dh.dhs]).toEqual([0, 0]);
    const m2 = createResponse(b, c1.initiation, 2, 0);
    if (!m2.ok) throw new Error(m2.reason);
    expect([dh.keygens, dh.dhs]).toEqual([1, 2]);
    // A garbage message 3 with a right mac1 dies at the AEAD: still no `se` DH.
    const c2 = consumeResponse(a, m1.handshake, m2.frame, { now: 0, source: SOURCE_B });
    if (!c2.ok) throw new Error(c2.reason);
    const m3 = createFinish(a, c2.handshake, 0);
    const junk = flip(m3.frame, 20);
    junk.set(computeMac1(b.keys, junk)!, FINISH_OFFSET_MAC1);
    expect(consumeFinish(b, m2.handshake, junk, { now: 0 })).toEqual({ ok: false, reason: 'decrypt' });
    expect(dh.dhs).toBe(2);
    expect(consumeFinish(b, m2.handshake, m3.frame, { now: 0 }).ok).toBe(true);
    expect(dh.dhs).toBe(3);
  });

  it('under load: cookie reply without DH, retry with mac2 accepted, bound to the source address', () => {
    const dh = countingDh();
    const a = context(alice, 'a');
    const b = context(bob, 'b', { dh });
    const cookie = new CookieGenerator(a.keys);
    const m1 = createInitiation(a, 5, 0, cookie);
    const refused = consumeInitiation(b, m1.frame, { now: 0, source: SOURCE_A, underLoad: true });
    expect(refused.ok ? 'ok' : refused.reason).toBe('cookie-required');
    if (refused.ok || !refused.cookieReply) throw new Error('expected a cookie reply');
    expect(refused.cookieReply.length).toBe(64);
    expect(refused.cookieReply[0]).toBe(3);
    expect([dh.keygens, dh.dhs]).toEqual([0, 0]);

    // A tampered reply is refused; the real one is taken once.
    expect(cookie.consumeReply(flip(refused.cookieReply, 40), 10)).toBe(false);
    expect(cookie.consumeReply(refused.cookieReply, 10)).toBe(true);
    expect(cookie.consumeReply(refused.cookieReply, 10)).toBe(false);

    const retry = retransmit(m1.handshake, 20)!;
    expect(checkMac1(b.keys, retry)).toBe(true);
    expect(consumeInitiation(b, retry, { now: 20, source: SOURCE_A, underLoad: true }).ok).toBe(true);
    // From another address the same cookie is worthless.
    const elsewhere = consumeInitiation(b, retry, { now: 20, source: SOURCE_B, underLoad: true });
    expect(elsewhere.ok ? 'ok' : elsewhere.reason).toBe('cookie-required');
    // A new initiation to the same peer reuses the cookie.
    const again = createInitiation(a, 6, 30, cookie);
    expect(consumeInitiation(b, again.frame, { now: 30, source: SOURCE_A, underLoad: true }).ok).toBe(true);
    // After the responder's secret rotates, the old cookie no longer counts.
    const later = createInitiation(a, 7, COOKIE_REFRESH_MS + 40, cookie);
    const stale = consumeInitiation(b, later.frame, {
      now: COOKIE_REFRESH_MS + 40,
      source: SOURCE_A,
      underLoad: true,
    });
    expect(stale.ok ? 'ok' : stale.reason).toBe('cookie-required');
    expect([dh.keygens, dh.dhs]).toEqual([0, 0]);
  });

  it('a cookie reply from another network does not open', () => {
    const a = context(alice, 'a');
    const b = context(bob, 'b', { psk: new Uint8Array(32).fill(5) });
    const cookie = new CookieGenerator(a.keys);
    const m1 = createInitiation(a, 5, 0, cookie);
    const reply = b.cookies.createReply(m1.frame, 5, SOURCE_A, 0);
    expect(cookie.consumeReply(reply, 0)).toBe(false);
  });

  it('under load the initiator can demand a cookie for message 2 too', () => {
    const a = context(alice, 'a');
    const b = context(bob, 'b');
    const m1 = createInitiation(a, 1, 0);
    const c1 = consumeInitiation(b, m1.frame, { now: 0, source: SOURCE_A });
    if (!c1.ok) throw new Error(c1.reason);
    const m2 = createResponse(b, c1.initiation, 2, 0);
    if (!m2.ok) throw new Error(m2.reason);
    const r = consumeResponse(a, m1.handshake, m2.frame, { now: 0, source: SOURCE_B, underLoad: true });
    if (r.ok || !r.cookieReply) throw new Error('expected a cookie reply');
    expect(m2.handshake.cookie.consumeReply(r.cookieReply, 1)).toBe(true);
    const resent = retransmit(m2.handshake, 1)!;
    expect(consumeResponse(a, m1.handshake, resent, { now: 1, source: SOURCE_B, underLoad: true }).ok).toBe(
      true,
    );
  });
});

describe('transport', () => {
  const pair = () => handshake(context(alice, 'a'), context(bob, 'b'), 0);

  it('round trips both ways with increasing counters', () => {
    const { initiator, responder } = pair();
    const body = Uint8Array.of(42, 2, 0, 0);
    for (let i = 0; i < 3; i++) {
      const s = encryptTransport(initiator, ContentType.Control, body, 10);
      if (!s.ok) throw new Error(s.reason);
      expect(s.counter).toBe(i);
      const r = decryptTransport(responder, s.frame, 10);
      expect(r.ok && [r.content.contentType, toHex(r.content.body), r.counter]).toEqual([1, '2a020000', i]);
    }
    const k = encryptKeepalive(responder, 10);
    if (!k.ok) throw new Error(k.reason);
    expect(k.frame.length).toBe(33);
    const r = decryptTransport(initiator, k.frame, 10);
    expect(r.ok && r.content.contentType).toBe(ContentType.Keepalive);
  });

  it('drops replays, frames older than the window, tampering, and other sessions’ frames', () => {
    const { initiator, responder } = pair();
    const frames = Array.from({ length: WINDOW_BITS + 10 }, () => {
      const s = encryptKeepalive(initiator, 0);
      if (!s.ok) throw new Error(s.reason);
      return s.frame;
    });
    expect(decryptTransport(responder, frames[5]!, 0).ok).toBe(true);
    expect(decryptTransport(responder, frames[5]!, 0)).toEqual({ ok: false, reason: 'replay' });
    expect(decryptTransport(responder, frames[frames.length - 1]!, 0).ok).toBe(true);
    expect(decryptTransport(responder, frames[6]!, 0)).toEqual({ ok: false, reason: 'replay' }); // too old
    expect(decryptTransport(responder, frames[frames.length - 2]!, 0).ok).toBe(true); // late but in window
    const tampered = flip(frames[frames.length - 3]!, 20);
    expect(decryptTransport(responder, tampered, 0)).toEqual({ ok: false, reason: 'decrypt' });
    // The forgery did not spend the counter: the genuine frame still opens.
    expect(decryptTransport(responder, frames[frames.length - 3]!, 0).ok).toBe(true);
    const header = flip(frames[frames.length - 4]!, 1); // reserved byte: a codec drop
    expect(decryptTransport(responder, header, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(decryptTransport(initiator, frames[0]!, 0)).toEqual({ ok: false, reason: 'wrong-index' });
    const other = handshake(context(alice, 'a9'), context(bob, 'b9'), 0);
    const foreign = encryptKeepalive(other.initiator, 0);
    if (!foreign.ok) throw new Error(foreign.reason);
    // Same indexes (the helper fixes them), different keys: the tag fails.
    expect(decryptTransport(pair().responder, foreign.frame, 0)).toEqual({ ok: false, reason: 'decrypt' });
  });

  it('the keypair reports rekey and reject thresholds by age and by count', () => {
    const { initiator, responder } = pair();
    expect(initiator.sendStatus(REKEY_AFTER_TIME_MS - 1)).toBe('ok');
    expect(initiator.sendStatus(REKEY_AFTER_TIME_MS)).toBe('rekey');
    expect(responder.sendStatus(REKEY_AFTER_TIME_MS)).toBe('ok'); // only the initiator rekeys on time
    expect(initiator.receiveStatus(REKEY_AFTER_TIME_RECEIVING_MS - 1)).toBe('ok');
    expect(initiator.receiveStatus(REKEY_AFTER_TIME_RECEIVING_MS)).toBe('rekey');
    expect(responder.receiveStatus(REKEY_AFTER_TIME_RECEIVING_MS)).toBe('ok');
    for (const kp of [initiator, responder]) {
      expect(kp.sendStatus(REJECT_AFTER_TIME_MS)).toBe('reject');
      expect(kp.receiveStatus(REJECT_AFTER_TIME_MS)).toBe('reject');
    }
    const late = encryptKeepalive(initiator, REJECT_AFTER_TIME_MS);
    expect(late).toEqual({ ok: false, reason: 'expired' });
    const s = encryptKeepalive(initiator, 0);
    if (!s.ok) throw new Error(s.reason);
    expect(decryptTransport(responder, s.frame, REJECT_AFTER_TIME_MS)).toEqual({
      ok: false,
      reason: 'expired',
    });

    responder.sendCounter = REKEY_AFTER_MESSAGES;
    expect(responder.sendStatus(0)).toBe('rekey');
    responder.sendCounter = REJECT_AFTER_MESSAGES;
    const last = encryptKeepalive(responder, 0);
    expect(last.ok && last.counter).toBe(REJECT_AFTER_MESSAGES);
    expect(responder.sendStatus(0)).toBe('reject');
    expect(encryptKeepalive(responder, 0)).toEqual({ ok: false, reason: 'counter-exhausted' });
    if (last.ok) expect(decryptTransport(initiator, last.frame, 0).ok).toBe(true);
  });

  it('a keypair made before its clock reading is not negative-aged', () => {
    const kp = new Keypair({
      ...pair().initiator,
      createdAt: 1_000,
    });
    expect(kp.age(0)).toBe(0);
  });
});

describe('IndexTable', () => {
  it('hands out distinct random indexes and refuses when every try collides', () => {
    const t = new IndexTable<string>();
    const r = seededRandom('idx');
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(t.allocate(r, `v${i}`));
    expect(seen.size).toBe(1000);
    const stuck = new IndexTable<string>();
    const same = () => Uint8Array.of(0, 0, 0, 1);
    expect(stuck.allocate(same, 'a')).toBe(1);
    expect(() => stuck.allocate(same, 'b')).toThrow(/no free/);
    stuck.replace(1, 'c');
    expect(stuck.get(1)).toBe('c');
    expect(() => stuck.replace(2, 'd')).toThrow(RangeError);
    expect(stuck.delete(1)).toBe(true);
    expect(stuck.size).toBe(0);
  });
});
