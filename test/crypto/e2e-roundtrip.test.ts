import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { E2e, E2eAlgorithmId } from '../../src/crypto/e2e/index.js';
import { WINDOW_BITS } from '../../src/crypto/replay.js';
import { identityFromSeed, type NodeIdentity, type PublicIdentity } from '../../src/identity/keys.js';
import { DATA_HEADER_SIZE, DATA_HEADER_SIZE_EPHEMERAL } from '../../src/wire/link/constants.js';

const ALGS = [E2eAlgorithmId.Aes256Gcm, E2eAlgorithmId.ChaCha20Poly1305] as const;
const algName = (a: E2eAlgorithmId) => (a === E2eAlgorithmId.Aes256Gcm ? 'AES-256-GCM' : 'ChaCha20-Poly1305');

/** A deterministic stand-in for a CSPRNG: SHA-256(label || counter). */
function rng(label: string): (n: number) => Uint8Array {
  let i = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let o = 0; o < n; o += 32) {
      const h = createHash('sha256').update(`${label}/${i++}`).digest();
      out.set(h.subarray(0, Math.min(32, n - o)), o);
    }
    return out;
  };
}

const SEED_S = new Uint8Array(32).fill(0x11);
const SEED_D = new Uint8Array(32).fill(0x22);
const SEED_M = new Uint8Array(32).fill(0x33);
const idS = identityFromSeed(SEED_S);
const idD = identityFromSeed(SEED_D);
const idM = identityFromSeed(SEED_M);
const known = new Map([idS, idD, idM].map((n) => [Buffer.from(n.address).toString('hex'), n.publicKey]));
const lookup = (addr: Uint8Array) => known.get(Buffer.from(addr).toString('hex'));

function endpoint(identity: NodeIdentity, algorithm: E2eAlgorithmId, label = 'x'): E2e {
  return new E2e({
    identity,
    algorithm,
    randomBytes: rng(`${label}/${Buffer.from(identity.address).toString('hex')}`),
  });
}

/** An IPv6 packet from `src`'s address to `dst`'s, with a payload of `n` bytes tagged by `tag`. */
function ipv6(src: PublicIdentity, dst: PublicIdentity, tag: number, n = 8): Uint8Array {
  const p = new Uint8Array(40 + n);
  p[0] = 0x60;
  p[4] = n >> 8;
  p[5] = n & 0xff;
  p[6] = 59;
  p[7] = 64;
  p.set(src.address, 8);
  p.set(dst.address, 24);
  for (let i = 0; i < n; i++) p[40 + i] = (tag + i) & 0xff;
  return p;
}

function sealOk(e: E2e, dst: PublicIdentity, pkt: Uint8Array, now = 0): Uint8Array {
  const r = e.seal(dst, 64, 7, pkt, now);
  if (!r.ok) throw new Error(`seal failed: ${r.reason}`);
  return r.frame;
}

/** Delivers every queued control frame of `from` to `to`; returns how many were delivered. */
function flushControl(from: E2e, to: E2e, toId: NodeIdentity, now = 0): number {
  let n = 0;
  for (let c = from.pollControl(); c !== undefined; c = from.pollControl()) {
    if (Buffer.compare(Buffer.from(c.destination), Buffer.from(toId.address)) !== 0) continue;
    const r = to.open(c.frame, now, lookup);
    expect(r.ok && r.kind).toBe('control');
    n++;
  }
  return n;
}

describe('e2e seal → open', () => {
  for (const alg of ALGS) {
    it(`${algName(alg)}: round-trips, acknowledges the key, then drops the ephemeral key`, () => {
      const s = endpoint(idS, alg);
      const d = endpoint(idD, alg);
      const p1 = ipv6(idS, idD, 1, 1352 - 40); // a full 1352-byte TUN packet
      const f1 = sealOk(s, idD, p1);
      expect(f1[2]).toBe(1); // ephemeral flag
      expect(f1.length).toBe(DATA_HEADER_SIZE_EPHEMERAL + 1352 + 16);
      expect(f1.length).toBe(1452); // the MTU arithmetic of docs/protocol/link-frames.md holds
      const keyId = Buffer.from(f1).readUInt32BE(40);
      expect(keyId >>> 31).toBe(alg);
      const r1 = d.open(f1, 0, lookup);
      expect(r1.ok && r1.kind === 'packet').toBe(true);
      if (!r1.ok || r1.kind !== 'packet') return;
      expect(Buffer.from(r1.packet).equals(Buffer.from(p1))).toBe(true);
      expect(Buffer.from(r1.source.publicKey).equals(Buffer.from(idS.publicKey))).toBe(true);

      // Until the KeyAck arrives, frames keep the ephemeral key.
      expect(sealOk(s, idD, ipv6(idS, idD, 2))[2]).toBe(1);
      expect(flushControl(d, s, idS)).toBe(1);
      // D's KeyAck came under D's own new key; S acknowledges that one in turn, and it settles.
      expect(flushControl(s, d, idD)).toBe(1);
      expect(flushControl(d, s, idS)).toBe(0);
      const f3 = sealOk(s, idD, ipv6(idS, idD, 3));
      expect(f3[2]).toBe(0);
      expect(f3.length).toBe(DATA_HEADER_SIZE + 48 + 16);
      expect(Buffer.from(f3).readUInt32BE(40)).toBe(keyId);
      const r3 = d.open(f3, 0, lookup);
      expect(r3.ok && r3.kind === 'packet' && r3.packet[40]).toBe(3);
      expect(s.sender.keysCreated).toBe(1);
      expect(d.receiver.keysDerived).toBe(1);
    });
  }

  it('a ChaCha20 sender and an AES receiver interoperate: the key id names the algorithm', () => {
    const s = endpoint(idS, E2eAlgorithmId.ChaCha20Poly1305);
    const d = endpoint(idD, E2eAlgorithmId.Aes256Gcm);
    expect(d.open(sealOk(s, idD, ipv6(idS, idD, 1)), 0, lookup).ok).toBe(true);
    expect(flushControl(d, s, idS)).toBe(1);
    expect(s.open(sealOk(d, idS, ipv6(idD, idS, 2)), 0, lookup).ok).toBe(true);
  });

  it('flipping the algorithm bit of the key id makes the key id unknown to the ephemeral key', () => {
    const s = endpoint(idS, E2eAlgorithmId.Aes256Gcm);
    const d = endpoint(idD, E2eAlgorithmId.Aes256Gcm);
    const f = sealOk(s, idD, ipv6(idS, idD, 1));
    f[40]! ^= 0x80;
    expect(d.open(f, 0, lookup)).toEqual({ ok: false, reason: 'bad-key-id' });
  });
});

describe('e2e integrity', () => {
  for (const alg of ALGS) {
    it(`${algName(alg)}: changing any byte outside the two relay-rewritten fields fails (frame with ephemeral)`, () => {
      const s = endpoint(idS, alg);
      const d = endpoint(idD, alg);
      const f = sealOk(s, idD, ipv6(idS, idD, 9));
      for (let i = 0; i < f.length; i++) {
        const t = Uint8Array.from(f);
        t[i]! ^= i === 1 ? 0x01 : 0x5a;
        if (i === 1 || (i >= 4 && i < 8)) {
          // relays rewrite these; each success consumes counter 0, so use a fresh receiver
          expect(endpoint(idD, alg).open(t, 0, lookup).ok, `byte ${i} (relay field)`).toBe(true);
        } else expect(d.open(t, 0, lookup).ok, `byte ${i}`).toBe(false);
      }
      expect(d.open(f, 0, lookup).ok).toBe(true);
      expect(d.receiver.drops['bad-tag']).toBeGreaterThan(0);
    });

    it(`${algName(alg)}: any single-byte change to an established-key frame fails (property)`, () => {
      const s = endpoint(idS, alg);
      const d = endpoint(idD, alg);
      expect(d.open(sealOk(s, idD, ipv6(idS, idD, 0)), 0, lookup).ok).toBe(true);
      flushControl(d, s, idS);
      let counter = 0;
      fc.assert(
        fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat({ max: 64 }), (pos, mask, n) => {
          const f = sealOk(s, idD, ipv6(idS, idD, counter++, n));
          expect(f[2]).toBe(0);
          const i = pos % f.length;
          if (i === 1 || (i >= 4 && i < 8)) return; // hop limit and receiver index: relays rewrite them
          const t = Uint8Array.from(f);
          t[i]! ^= mask;
          expect(d.open(t, 0, lookup).ok).toBe(false);
          expect(d.open(f, 0, lookup).ok).toBe(true); // the failure did not move the replay window
        }),
        { numRuns: 300 },
      );
    });
  }

  it('a relay may rewrite the hop limit and receiver index', () => {
    const s = endpoint(idS, E2eAlgorithmId.Aes256Gcm);
    const d = endpoint(idD, E2eAlgorithmId.Aes256Gcm);
    const f = sealOk(s, idD, ipv6(idS, idD, 1));
    f[1] = 3;
    Buffer.from(f.buffer).writeUInt32BE(0xdeadbeef, 4);
    expect(d.open(f, 0, lookup).ok).toBe(true);
  });

  it('swapped overlay source and destination fail at both ends', () => {
    const s = endpoint(idS, E2eAlgorithmId.Aes256Gcm);
    const d = endpoint(idD, E2eAlgorithmId.Aes256Gcm);
    const f = sealOk(s, idD, ipv6(idS, idD, 1));
    const t = Uint8Array.from(f);
    t.set(f.subarray(24, 40), 8);
    t.set(f.subarray(8, 24), 24);
    expect(d.open(t, 0, lookup)).toEqual({ ok: false, reason: 'not-for-us' });
    const r = s.open(t, 0, lookup); // now "from D to S": the key id does not match D → S with this ephemeral
    expect(r).toEqual({ ok: false, reason: 'bad-key-id' });
  });

  it('a third node cannot pass its packet off as another source', () => {
    const m = endpoint(idM, E2eAlgorithmId.Aes256Gcm);
    const d = endpoint(idD, E2eAlgorithmId.Aes256Gcm);
    // M seals honestly, then rewrites the overlay source to S: the key id no longer matches.
    const f = sealOk(m, idD, ipv6(idM, idD, 1));
    f.set(idS.address, 8);
    expect(d.open(f, 0, lookup).ok).toBe(false);
    // M puts S's address as the inner source: M's own sender refuses, and so would D.
    expect(m.seal(idD, 64, 0, ipv6(idS, idD, 1), 0)).toEqual({ ok: false, reason: 'source-not-ours' });
  });
});

describe('e2e inner checks', () => {
  /** Seals arbitrary plaintext as S would, bypassing S's own sender checks (a misbehaving source). */
  function rogueFrame(s: E2e, plaintext: Uint8Array): Uint8Array {
    const inner = (
      s.sender as unknown as { sealInner: (...a: unknown[]) => { ok: boolean; frame: Uint8Array } }
    ).sealInner;
    const r = inner.call(s.sender, idD, 64, 0, plaintext, 0);
    expect(r.ok).toBe(true);
    return r.frame;
  }

  it('drops an authenticated packet whose inner source lies outside the sender /64', () => {
    const s = endpoint(idS, E2eAlgorithmId.Aes256Gcm);
    const d = endpoint(idD, E2eAlgorithmId.Aes256Gcm);
    expect(d.open(rogueFrame(s, ipv6(idM, idD, 1)), 0, lookup)).toEqual({
      ok: false,
      reason: 'source-mismatch',
    });
    // A host in the sender's /64 (not the node address itself) is fine.
    const p = ipv6(idS, idD, 2);
    p[23] ^= 0xff;
    const r = d.open(rogueFrame(s, p), 0, lookup);
    expect(r.ok && r.kind).toBe('packet');
    expect(d.receiver.drops['source-mismatch']).toBe(1);
  });

  it('drops an inner destination outside our /64, truncated IPv6, and unknown inner types', () => {
    const s = endpoint(idS, E2eAlgorithmId.Aes256Gcm);
    const d = endpoint(idD, E2eAlgorithmId.Aes256Gcm);
    expect(d.open(rogueFrame(s, ipv6(idS, idM, 1)), 0, lookup)).toEqual({
      ok: false,
      reason: 'destination-mismatch',
    });
    expect(d.open(rogueFrame(s, ipv6(idS, idD, 1).subarray(0, 39)), 0, lookup)).toEqual({
      ok: false,
      reason: 'bad-inner',
    });
    expect(d.open(rogueFrame(s, new Uint8Array(0)), 0, lookup)).toEqual({ ok: false, reason: 'bad-inner' });
    expect(d.open(rogueFrame(s, Uint8Array.of(0x03, 0, 0, 0, 0)), 0, lookup)).toEqual({
      ok: false,
      reason: 'bad-inner',
    });
    expect(d.open(rogueFrame(s, Uint8Array.of(0x01, 0, 0, 0)), 0, lookup)).toEqual({
      ok: false,
      reason: 'bad-inner',
    });
    expect(d.open(rogueFrame(s, Uint8Array.of(0x45, ...new Array<number>(39).fill(0))), 0, lookup)).toEqual({
      ok: false,
      reason: 'bad-inner',
    });
    expect(d.receiver.drops['bad-inner']).toBe(5);
  });

  it('the sender refuses non-IPv6 input and foreign destinations', () => {
    const s = endpoint(idS, E2eAlgorithmId.Aes256Gcm);
    expect(s.seal(idD, 64, 0, new Uint8Array(39).fill(0x60), 0)).toEqual({ ok: false, reason: 'not-ipv6' });
    expect(s.seal(idD, 64, 0, ipv6(idS, idM, 1), 0)).toEqual({ ok: false, reason: 'destination-mismatch' });
    expect(s.drops.send['not-ipv6']).toBe(1);
  });

  it('unknown sources and keys that do not derive the source address are counted drops', () => {
    const s = endpoint(idS, E2eAlgorithmId.Aes256Gcm);
    const d = endpoint(idD, E2eAlgorithmId.Aes256Gcm);
    const f = sealOk(s, idD, ipv6(idS, idD, 1));
    expect(d.open(f, 0, () => undefined)).toEqual({ ok: false, reason: 'unknown-source' });
    expect(d.open(f, 0, () => idM.publicKey)).toEqual({ ok: false, reason: 'source-key-mismatch' });
    expect(d.drops.receive['unknown-source']).toBe(1);
    expect(d.drops.receive['source-key-mismatch']).toBe(1);
    expect(d.open(f, 0, lookup).ok).toBe(true);
  });

  it('drops frames the codec refuses and frames for another node', () => {
    const s = endpoint(idS, E2eAlgorithmId.Aes256Gcm);
    const d = endpoint(idD, E2eAlgorithmId.Aes256Gcm);
    const m = endpoint(idM, E2eAlgorithmId.Aes256Gcm);
    const f = sealOk(s, idD, ipv6(idS, idD, 1));
    expect(m.open(f, 0, lookup)).toEqual({ ok: false, reason: 'not-for-us' });
    expect(d.open(f.subarray(0, 60), 0, lookup)).toEqual({ ok: false, reason: 'malformed' });
    const bad = Uint8Array.from(f);
    bad[2] = 0x80;
    expect(d.open(bad, 0, lookup)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('e2e replay protection', () => {
  for (const alg of ALGS) {
    it(`${algName(alg)}: duplicates and replays are dropped; reordering within the window is accepted`, () => {
      const s = endpoint(idS, alg);
      const d = endpoint(idD, alg);
      const frames = Array.from({ length: 40 }, (_, i) => sealOk(s, idD, ipv6(idS, idD, i)));
      const order = fc.sample(fc.shuffledSubarray(frames.slice(1), { minLength: 39, maxLength: 39 }), 1)[0]!;
      expect(d.open(frames[0]!, 0, lookup).ok).toBe(true);
      for (const f of order) expect(d.open(f, 0, lookup).ok).toBe(true);
      for (const f of frames) expect(d.open(f, 0, lookup)).toEqual({ ok: false, reason: 'replay' });
      expect(d.receiver.drops.replay).toBe(40);
    });
  }

  it('a counter further behind than the window is dropped even if never seen', () => {
    const s = endpoint(idS, E2eAlgorithmId.Aes256Gcm);
    const d = endpoint(idD, E2eAlgorithmId.Aes256Gcm);
    const first = sealOk(s, idD, ipv6(idS, idD, 0));
    let last = first;
    for (let i = 1; i <= WINDOW_BITS + 1; i++) last = sealOk(s, idD, ipv6(idS, idD, i));
    expect(d.open(last, 0, lookup).ok).toBe(true);
    expect(d.open(first, 0, lookup)).toEqual({ ok: false, reason: 'replay' });
  });
});
