import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACK_RETRY_MS,
  DERIVE_BURST,
  deriveKeyId,
  E2e,
  E2eAlgorithmId,
  EPOCH_MS,
  KEY_IDLE_MS,
  KEY_MAX_AGE_MS,
  KEYS_PER_SOURCE,
  REQUEST_INTERVAL_MS,
  SOURCE_IDLE_MS,
} from '../../src/crypto/e2e/index.js';
import { identityFromSeed, type NodeIdentity, type PublicIdentity } from '../../src/identity/keys.js';

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

const seed = (b: number) => new Uint8Array(32).fill(b);
const idS = identityFromSeed(seed(0x11));
const idD = identityFromSeed(seed(0x22));
const others = Array.from({ length: 12 }, (_, i) => identityFromSeed(seed(0x40 + i)));
const known = new Map(
  [idS, idD, ...others].map((n) => [Buffer.from(n.address).toString('hex'), n.publicKey] as const),
);
const lookup = (addr: Uint8Array) => known.get(Buffer.from(addr).toString('hex'));
const AES = E2eAlgorithmId.Aes256Gcm;

let boots = 0;
/** A node start: a fresh E2e with its own randomness, as a restart with a CSPRNG would have. */
function boot(identity: NodeIdentity, opts: { maxSources?: number; maxDestinations?: number } = {}): E2e {
  return new E2e({ identity, algorithm: AES, randomBytes: rng(`boot ${boots++}`), ...opts });
}

function ipv6(src: PublicIdentity, dst: PublicIdentity, tag: number): Uint8Array {
  const p = new Uint8Array(48);
  p[0] = 0x60;
  p[5] = 8;
  p[6] = 59;
  p[7] = 64;
  p.set(src.address, 8);
  p.set(dst.address, 24);
  p.fill(tag & 0xff, 40);
  return p;
}

function seal(e: E2e, src: NodeIdentity, dst: PublicIdentity, tag: number, now: number): Uint8Array {
  const r = e.seal(dst, 64, 0, ipv6(src, dst, tag), now);
  if (!r.ok) throw new Error(r.reason);
  return r.frame;
}

/** Delivers `from`'s queued control frames to `to` (those addressed to it); returns the count. */
function flush(from: E2e, to: E2e, toId: NodeIdentity, now: number): number {
  let n = 0;
  for (let c = from.pollControl(); c !== undefined; c = from.pollControl()) {
    if (!Buffer.from(c.destination).equals(Buffer.from(toId.address))) continue;
    to.open(c.frame, now, lookup);
    n++;
  }
  return n;
}

/** The raw send key S currently uses for `dst` (test-only access to private state). */
function currentKey(e: E2e, dst: PublicIdentity): string {
  const keys = (e.sender as unknown as { keys: Map<string, { key: { key: { export(): Buffer } } }> }).keys;
  return keys.get(Buffer.from(dst.address).toString('latin1'))!.key.key.export().toString('hex');
}

const keyIdOf = (f: Uint8Array) => Buffer.from(f).readUInt32BE(40);

describe('e2e nonce discipline', () => {
  it('sender restarts, rotations and evictions never repeat a (key, counter) pair; the receivers keep up', () => {
    const dsts = others.slice(0, 3);
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 6, arbitrary: fc.record({ op: fc.constant('send' as const), to: fc.nat({ max: 2 }) }) },
            { weight: 1, arbitrary: fc.record({ op: fc.constant('restart' as const) }) },
            {
              weight: 2,
              arbitrary: fc.record({
                op: fc.constant('wait' as const),
                ms: fc.integer({ min: 1, max: EPOCH_MS }),
              }),
            },
          ),
          { minLength: 1, maxLength: 30 },
        ),
        (ops) => {
          const seen = new Set<string>();
          let s = boot(idS, { maxDestinations: 2 }); // 3 destinations: evictions happen
          const receivers = dsts.map((d) => boot(d));
          let now = 0;
          let tag = 0;
          for (const op of ops) {
            if (op.op === 'restart') s = boot(idS, { maxDestinations: 2 });
            else if (op.op === 'wait') now += op.ms;
            else {
              const dst = dsts[op.to]!;
              const frame = seal(s, idS, dst, tag++, now);
              const pair = `${currentKey(s, dst)}/${Buffer.from(frame).readBigUInt64BE(44)}`;
              expect(seen.has(pair), `(key, counter) reused: ${pair}`).toBe(false);
              seen.add(pair);
              const r = receivers[op.to]!.open(frame, now, lookup);
              expect(r.ok, r.ok ? '' : r.reason).toBe(true);
              flush(receivers[op.to]!, s, idS, now);
              flush(s, receivers[op.to]!, dst, now);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a restarted sender starts again at counter 0 under a new key id, and the receiver accepts it', () => {
    const d = boot(idD);
    const s1 = boot(idS);
    const a = seal(s1, idS, idD, 1, 0);
    for (let i = 0; i < 5; i++) expect(d.open(seal(s1, idS, idD, i, 0), 0, lookup).ok).toBe(true);
    const s2 = boot(idS);
    const b = seal(s2, idS, idD, 2, 10);
    expect(Buffer.from(b).readBigUInt64BE(44)).toBe(0n);
    expect(keyIdOf(b)).not.toBe(keyIdOf(a));
    expect(d.open(b, 10, lookup).ok).toBe(true);
    expect(d.open(b, 10, lookup)).toEqual({ ok: false, reason: 'replay' });
  });

  it('rotates the send key every EPOCH_MS and attaches the new ephemeral key until acknowledged', () => {
    const s = boot(idS);
    const d = boot(idD);
    const f0 = seal(s, idS, idD, 0, 0);
    d.open(f0, 0, lookup);
    flush(d, s, idS, 0);
    const f1 = seal(s, idS, idD, 1, EPOCH_MS - 1);
    expect(f1[2]).toBe(0);
    expect(keyIdOf(f1)).toBe(keyIdOf(f0));
    const f2 = seal(s, idS, idD, 2, EPOCH_MS);
    expect(f2[2]).toBe(1);
    expect(keyIdOf(f2)).not.toBe(keyIdOf(f0));
    expect(Buffer.from(f2).readBigUInt64BE(44)).toBe(0n);
    expect(d.open(f1, EPOCH_MS, lookup).ok).toBe(true); // in flight across the rotation
    expect(d.open(f2, EPOCH_MS, lookup).ok).toBe(true);
  });
});

describe('e2e recovery and signals', () => {
  it('a restarted receiver recovers within one packet: KeyRequest, then the ephemeral key again', () => {
    const s = boot(idS);
    const d1 = boot(idD);
    expect(d1.open(seal(s, idS, idD, 0, 0), 0, lookup).ok).toBe(true);
    flush(d1, s, idS, 0);
    flush(s, d1, idD, 0);
    expect(seal(s, idS, idD, 1, 0)[2]).toBe(0); // acknowledged: no ephemeral key

    const d2 = boot(idD); // the receiver restarts and loses its keys
    let dropped = 0;
    let delivered = 0;
    for (let i = 0; i < 10; i++) {
      const r = d2.open(seal(s, idS, idD, i, 100), 100, lookup);
      if (r.ok) delivered++;
      else {
        expect(r.reason).toBe('unknown-key-id');
        dropped++;
      }
      flush(d2, s, idS, 100);
      flush(s, d2, idD, 100);
    }
    expect(dropped).toBe(1);
    expect(delivered).toBe(9);
    expect(d2.drops.receive['unknown-key-id']).toBe(1);
  });

  it('KeyRequests are rate-limited per source; a lost request is repeated after REQUEST_INTERVAL_MS', () => {
    const s = boot(idS);
    const d1 = boot(idD);
    d1.open(seal(s, idS, idD, 0, 0), 0, lookup);
    flush(d1, s, idS, 0);
    const d2 = boot(idD);
    for (let i = 0; i < 5; i++) expect(d2.open(seal(s, idS, idD, i, 0), 0, lookup).ok).toBe(false);
    let requests = 0;
    while (d2.pollControl() !== undefined) requests++; // lost on the way
    expect(requests).toBe(1);
    expect(d2.open(seal(s, idS, idD, 9, REQUEST_INTERVAL_MS), REQUEST_INTERVAL_MS, lookup).ok).toBe(false);
    expect(flush(d2, s, idS, REQUEST_INTERVAL_MS)).toBe(1);
    expect(d2.open(seal(s, idS, idD, 10, REQUEST_INTERVAL_MS), REQUEST_INTERVAL_MS, lookup).ok).toBe(true);
  });

  it('a lost KeyAck is repeated after ACK_RETRY_MS while frames still carry the ephemeral key', () => {
    const s = boot(idS);
    const d = boot(idD);
    d.open(seal(s, idS, idD, 0, 0), 0, lookup);
    expect(d.pollControl()).toBeDefined(); // the KeyAck, lost
    d.open(seal(s, idS, idD, 1, 10), 10, lookup);
    expect(d.pollControl()).toBeUndefined();
    d.open(seal(s, idS, idD, 2, ACK_RETRY_MS), ACK_RETRY_MS, lookup);
    expect(flush(d, s, idS, ACK_RETRY_MS)).toBe(1);
    expect(seal(s, idS, idD, 3, ACK_RETRY_MS)[2]).toBe(0);
  });

  it('an ack for another key id does not stop the ephemeral key', () => {
    const s = boot(idS);
    const d = boot(idD);
    const f = seal(s, idS, idD, 0, 0);
    s.sender.handleKeyAck(Buffer.from(idD.address).toString('latin1'), (keyIdOf(f) ^ 1) >>> 0);
    expect(seal(s, idS, idD, 1, 0)[2]).toBe(1);
    expect(d.open(f, 0, lookup).ok).toBe(true);
  });
});

describe('e2e state bounds and expiry', () => {
  it('unknown key ids without the ephemeral key are counted drops that store nothing', () => {
    const d = boot(idD);
    const s = boot(idS);
    const f = seal(s, idS, idD, 0, 0);
    const noEph = new Uint8Array(f.length - 32);
    noEph.set(f.subarray(0, 52));
    noEph[2] = 0;
    noEph.set(f.subarray(84), 52);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (keyId) => {
        Buffer.from(noEph.buffer).writeUInt32BE(keyId, 40);
        expect(d.open(noEph, 0, lookup)).toEqual({ ok: false, reason: 'unknown-key-id' });
      }),
      { numRuns: 500 },
    );
    expect(d.drops.receive['unknown-key-id']).toBe(500);
    expect(d.receiver.size.keys).toBe(0);
    let requests = 0;
    while (d.pollControl() !== undefined) requests++;
    expect(requests).toBe(1);
  });

  it('forged ephemeral keys: a wrong key id costs no X25519; a right one costs one, keeps nothing, and is rate-limited', () => {
    const d = boot(idD);
    const s = boot(idS);
    const f = seal(s, idS, idD, 0, 0);
    const random = rng('forger');
    for (let i = 0; i < 50; i++) {
      const t = Uint8Array.from(f);
      t.set(random(32), 52);
      expect(d.open(t, 0, lookup)).toEqual({ ok: false, reason: 'bad-key-id' });
    }
    const reasons = new Map<string, number>();
    for (let i = 0; i < DERIVE_BURST + 50; i++) {
      const t = Uint8Array.from(f);
      const eph = random(32);
      t.set(eph, 52);
      Buffer.from(t.buffer).writeUInt32BE(
        deriveKeyId(AES, idS.x25519PublicKey, idD.x25519PublicKey, eph),
        40,
      );
      const r = d.open(t, 0, lookup);
      const reason = r.ok ? 'ok' : r.reason;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    expect(reasons.get('ok')).toBeUndefined();
    expect(reasons.get('rate-limited')).toBeGreaterThanOrEqual(50);
    expect(d.receiver.size).toEqual({ sources: 0, keys: 0, requests: 0 });
    // The bucket refills with time; the real frame still opens.
    expect(d.open(f, 1000, lookup).ok).toBe(true);
  });

  it('caches stay bounded under many authenticated sources, unknown sources and restarts', () => {
    const d = boot(idD, { maxSources: 4 });
    let now = 0;
    for (const o of others) {
      const e = boot(o);
      for (let k = 0; k < 3; k++) expect(d.open(seal(e, o, idD, k, now), now, lookup).ok).toBe(true);
      now += 2000; // past the derivation bucket's refill and the LRU touch interval
    }
    expect(d.receiver.size.sources).toBeLessThanOrEqual(4);
    const random = rng('addresses');
    const s = boot(idS);
    const f = seal(s, idS, idD, 0, now);
    for (let i = 0; i < 300; i++) {
      const t = Uint8Array.from(f);
      t.set(random(16), 8);
      expect(d.open(t, now, lookup)).toEqual({ ok: false, reason: 'unknown-source' });
    }
    expect(d.receiver.size.sources).toBeLessThanOrEqual(4);
    expect(d.receiver.size.requests).toBe(0);
    // One source restarting again and again keeps at most KEYS_PER_SOURCE keys.
    for (let r = 0; r < KEYS_PER_SOURCE + 4; r++) {
      now += 2000;
      expect(d.open(seal(boot(idS), idS, idD, r, now), now, lookup).ok).toBe(true);
    }
    expect(d.receiver.size.keys).toBeLessThanOrEqual(4 * KEYS_PER_SOURCE);
    const perSource = (d.receiver as unknown as { sources: Map<string, { keys: unknown[] }> }).sources;
    for (const st of perSource.values()) expect(st.keys.length).toBeLessThanOrEqual(KEYS_PER_SOURCE);
  });

  it('evicts the least recently authenticated source, not the busiest', () => {
    const d = boot(idD, { maxSources: 2 });
    const [a, b, c] = others.map((o) => ({ id: o, e: boot(o) }));
    const send = (n: { id: NodeIdentity; e: E2e }, tag: number, now: number) => {
      const r = d.open(seal(n.e, n.id, idD, tag, now), now, lookup);
      flush(d, n.e, n.id, now); // acks: later frames omit the ephemeral key
      return r.ok;
    };
    expect(send(a!, 0, 0)).toBe(true);
    expect(send(b!, 0, 2000)).toBe(true);
    expect(send(a!, 1, 4000)).toBe(true); // A is used again
    expect(send(c!, 0, 6000)).toBe(true); // the cache is full: B, the least recent, goes
    expect(seal(a!.e, a!.id, idD, 2, 6000)[2]).toBe(0);
    expect(send(a!, 2, 6000)).toBe(true); // A's key survived
    expect(d.open(seal(b!.e, b!.id, idD, 1, 6000), 6000, lookup)).toEqual({
      ok: false,
      reason: 'unknown-key-id',
    });
  });

  it('the sender keeps at most maxDestinations keys, and an evicted destination gets a fresh key', () => {
    const s = boot(idS, { maxDestinations: 3 });
    const first = seal(s, idS, others[0]!, 0, 0);
    for (const o of others) seal(s, idS, o, 0, 0);
    expect(s.sender.size).toBe(3);
    const again = seal(s, idS, others[0]!, 1, 0);
    expect(keyIdOf(again)).not.toBe(keyIdOf(first));
    expect(Buffer.from(again).readBigUInt64BE(44)).toBe(0n);
  });

  it('expired keys are forgotten, and replays of their frames stay dead (retired key ids)', () => {
    const s = boot(idS);
    const d = boot(idD);
    const old = seal(s, idS, idD, 0, 0);
    expect(d.open(old, 0, lookup).ok).toBe(true);
    d.expireKeys(KEY_IDLE_MS);
    expect(d.receiver.size.keys).toBe(0);
    expect(d.open(old, KEY_IDLE_MS, lookup)).toEqual({ ok: false, reason: 'stale-key' });
    d.expireKeys(SOURCE_IDLE_MS - 1);
    expect(d.open(old, SOURCE_IDLE_MS - 1, lookup)).toEqual({ ok: false, reason: 'stale-key' });
    // Once the source itself is forgotten, the frame opens again: the documented 0-RTT limit.
    d.expireKeys(KEY_IDLE_MS + SOURCE_IDLE_MS);
    expect(d.receiver.size.sources).toBe(0);
    expect(d.open(old, KEY_IDLE_MS + SOURCE_IDLE_MS, lookup).ok).toBe(true);
    s.expireKeys(EPOCH_MS);
    expect(s.sender.size).toBe(0);
  });

  it('refuses a key KEY_MAX_AGE_MS after deriving it, however busy', () => {
    const s = boot(idS);
    const d = boot(idD);
    const frames = Array.from({ length: 4 }, (_, i) => seal(s, idS, idD, i, 0));
    expect(d.open(frames[0]!, 0, lookup).ok).toBe(true);
    expect(d.open(frames[1]!, KEY_MAX_AGE_MS - 1, lookup).ok).toBe(true);
    expect(d.open(frames[2]!, KEY_MAX_AGE_MS, lookup)).toEqual({ ok: false, reason: 'stale-key' });
    expect(d.open(frames[3]!, KEY_MAX_AGE_MS, lookup)).toEqual({ ok: false, reason: 'stale-key' });
  });
});
