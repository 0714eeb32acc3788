import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AEAD_ALGORITHMS, aeadKey, open, seal } from '../../src/crypto/aead.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s/g, ''), 'hex'));

describe('AEAD', () => {
  it('uses nonce = 4 zero bytes || 64-bit big-endian counter, output = ciphertext || tag', () => {
    const raw = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const ad = hex('50515253c0c1c2c3c4c5c6c7');
    const pt = new TextEncoder().encode('Ladies and Gentlemen of the class of 99');
    for (const alg of AEAD_ALGORITHMS) {
      const counter = 0x0102_0304_0506;
      const c = createCipheriv(alg as 'chacha20-poly1305', raw, hex('000000000000010203040506'), {
        authTagLength: 16,
      });
      c.setAAD(ad, { plaintextLength: pt.length });
      const expected = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
      expect(seal(aeadKey(alg, raw), counter, ad, pt).toString('hex')).toBe(expected.toString('hex'));
    }
  });

  for (const alg of AEAD_ALGORITHMS) {
    it(`${alg}: round-trips, and any change to key, counter, AD or bytes fails to open`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
          fc.uint8Array({ maxLength: 48 }),
          fc.uint8Array({ maxLength: 1500 }),
          fc.nat(),
          (raw, counter, ad, pt, flip) => {
            const key = aeadKey(alg, raw);
            const sealed = seal(key, counter, ad, pt);
            expect(open(key, counter, ad, sealed)).toEqual(Buffer.from(pt));
            const tampered = Buffer.from(sealed);
            tampered[flip % tampered.length]! ^= 1;
            expect(open(key, counter, ad, tampered)).toBeUndefined();
            expect(open(key, counter === 0 ? 1 : counter - 1, ad, sealed)).toBeUndefined();
            expect(open(key, counter, Uint8Array.from([...ad, 0]), sealed)).toBeUndefined();
            const other = Uint8Array.from(raw);
            other[0]! ^= 0x80;
            expect(open(aeadKey(alg, other), counter, ad, sealed)).toBeUndefined();
          },
        ),
        { numRuns: 80 },
      );
    });
  }

  it('refuses short input and bad counters without throwing; checks arguments on the way in', () => {
    const key = aeadKey('aes-256-gcm', new Uint8Array(32));
    expect(open(key, 0, new Uint8Array(0), new Uint8Array(15))).toBeUndefined();
    expect(open(key, -1, new Uint8Array(0), new Uint8Array(32))).toBeUndefined();
    expect(() => seal(key, 2 ** 53, new Uint8Array(0), new Uint8Array(1))).toThrow(RangeError);
    expect(() => aeadKey('aes-256-gcm', new Uint8Array(16))).toThrow(RangeError);
  });
});
