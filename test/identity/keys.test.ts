import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressFromX25519, formatIPv6, isOverlayAddress } from '../../src/identity/address.js';
import {
  identityFromSeed,
  publicIdentityFromEd25519,
  sign,
  verify,
  x25519SecretFromSeed,
} from '../../src/identity/keys.js';
import { toHex } from '../../src/util/bytes.js';
import vectors from '../vectors/identity.json' with { type: 'json' };

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

/** X25519 and Ed25519 public keys of a seed by an independent route: OpenSSL through node:crypto. */
function opensslPublicKeys(seed: Uint8Array): { ed: string; x: string } {
  const edKey = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(seed).toString('base64url'), x: '' },
    format: 'jwk',
  });
  const h = createHash('sha512').update(seed).digest().subarray(0, 32);
  h[0]! &= 248;
  h[31]! &= 127;
  h[31]! |= 64;
  const xKey = createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d: h.toString('base64url'), x: '' },
    format: 'jwk',
  });
  const pub = (k: ReturnType<typeof createPrivateKey>) =>
    Buffer.from(createPublicKey(k).export({ format: 'jwk' }).x as string, 'base64url').toString('hex');
  return { ed: pub(edKey), x: pub(xKey) };
}

describe('node identity known answers', () => {
  for (const v of vectors.vectors) {
    it(`seed ${v.seed.slice(0, 8)}… gives the recorded keys, address and subnet`, () => {
      const id = identityFromSeed(hex(v.seed));
      expect(toHex(id.publicKey)).toBe(v.publicKey);
      expect(toHex(id.x25519PublicKey)).toBe(v.x25519PublicKey);
      expect(formatIPv6(id.address)).toBe(v.address);
      expect(`${formatIPv6(id.subnet)}/64`).toBe(v.subnet);
    });
    it(`address of ${v.x25519PublicKey.slice(0, 8)}… applies the parity rule to b3sum's output`, () => {
      const h = hex(v.blake3_16);
      const parity = [...h[0]!.toString(2)].filter((b) => b === '1').length % 2;
      const expected = Uint8Array.from(h);
      expected[0] = 0x04 | parity;
      expect(toHex(addressFromX25519(hex(v.x25519PublicKey)))).toBe(toHex(expected));
    });
  }
});

describe('identity derivation', () => {
  it('matches OpenSSL for random seeds (Ed25519 key and the SHA-512-clamped X25519 key)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const id = identityFromSeed(seed);
        const ref = opensslPublicKeys(seed);
        expect(toHex(id.publicKey)).toBe(ref.ed);
        expect(toHex(id.x25519PublicKey)).toBe(ref.x);
      }),
      { numRuns: 60 },
    );
  });

  it('puts every address in 400::/7 with byte 0 = 0x04 | parity of the hash byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
        const addr = addressFromX25519(key);
        expect(isOverlayAddress(addr)).toBe(true);
        expect(addr[0] === 0x04 || addr[0] === 0x05).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('derives the same public identity from the Ed25519 key alone as from the seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const full = identityFromSeed(seed);
        const pub = publicIdentityFromEd25519(full.publicKey);
        expect(toHex(pub.x25519PublicKey)).toBe(toHex(full.x25519PublicKey));
        expect(toHex(pub.address)).toBe(toHex(full.address));
        expect(toHex(pub.subnet)).toBe(toHex(full.subnet));
      }),
      { numRuns: 50 },
    );
  });

  it('clamps the X25519 secret as RFC 7748 requires', () => {
    const sk = x25519SecretFromSeed(new Uint8Array(32).fill(0xff));
    expect(sk[0]! & 7).toBe(0);
    expect(sk[31]! & 0x80).toBe(0);
    expect(sk[31]! & 0x40).toBe(0x40);
  });

  it('rejects seeds and keys of the wrong length', () => {
    expect(() => identityFromSeed(new Uint8Array(31))).toThrow(RangeError);
    expect(() => publicIdentityFromEd25519(new Uint8Array(33))).toThrow(RangeError);
    expect(() => addressFromX25519(new Uint8Array(16))).toThrow(RangeError);
  });

  it('signs and verifies; tampering and malformed inputs verify false without throwing', () => {
    const id = identityFromSeed(hex(vectors.vectors[0]!.seed));
    const msg = new TextEncoder().encode('hypha');
    const sig = sign(id, msg);
    expect(verify(id.publicKey, msg, sig)).toBe(true);
    const bad = Uint8Array.from(sig);
    bad[5]! ^= 1;
    expect(verify(id.publicKey, msg, bad)).toBe(false);
    expect(verify(id.publicKey, new TextEncoder().encode('hyphA'), sig)).toBe(false);
    expect(verify(new Uint8Array(32).fill(0xff), msg, sig)).toBe(false);
    expect(verify(id.publicKey, msg, sig.subarray(0, 63))).toBe(false);
  });
});
