import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AEAD_ALGORITHMS,
  aeadKey,
  open,
  openWithNodeCrypto,
  seal,
  sealInto,
  sealWithNodeCrypto,
} from '../../src/crypto/aead.js';
import { nativeAead } from '../../src/crypto/native-aead.js';

const counters = fc.oneof(fc.nat(), fc.constantFrom(0, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1), fc.maxSafeNat());

describe.skipIf(nativeAead === undefined)(
  'native AEAD (one OpenSSL context per key) against node:crypto',
  () => {
    for (const alg of AEAD_ALGORITHMS) {
      it(`${alg}: the same bytes both ways, and each opens the other's output`, () => {
        fc.assert(
          fc.property(
            fc.uint8Array({ minLength: 32, maxLength: 32 }),
            counters,
            fc.uint8Array({ maxLength: 64 }),
            fc.uint8Array({ maxLength: 2000 }),
            (raw, counter, ad, plain) => {
              const key = aeadKey(alg, raw);
              const mine = seal(key, counter, ad, plain);
              const reference = sealWithNodeCrypto(key, counter, ad, plain);
              expect(Buffer.from(mine).equals(reference)).toBe(true);
              expect(open(key, counter, ad, reference)?.equals(Buffer.from(plain))).toBe(true);
              expect(openWithNodeCrypto(key, counter, ad, mine)?.equals(Buffer.from(plain))).toBe(true);
            },
          ),
          { numRuns: 300 },
        );
      });

      it(`${alg}: a key's context survives many messages and any flipped bit fails to open`, () => {
        const key = aeadKey(alg, new Uint8Array(32).fill(7));
        fc.assert(
          fc.property(
            counters,
            fc.uint8Array({ minLength: 1, maxLength: 300 }),
            fc.nat(),
            (counter, plain, bit) => {
              const sealed = seal(key, counter, Uint8Array.of(1, 2), plain);
              const at = bit % (sealed.length * 8);
              sealed[at >> 3]! ^= 1 << (at & 7);
              expect(open(key, counter, Uint8Array.of(1, 2), sealed)).toBeUndefined();
              sealed[at >> 3]! ^= 1 << (at & 7);
              expect(open(key, counter, Uint8Array.of(1, 2), sealed)?.equals(Buffer.from(plain))).toBe(true);
              expect(open(key, counter + 1, Uint8Array.of(1, 2), sealed)).toBeUndefined();
            },
          ),
          { numRuns: 300 },
        );
      });
    }

    it('seals into a frame at an offset without touching the bytes around it', () => {
      const key = aeadKey('aes-256-gcm', new Uint8Array(32).fill(1));
      const frame = new Uint8Array(10 + 100 + 16 + 5).fill(0xee);
      const plain = new Uint8Array(100).fill(3);
      expect(sealInto(key, 9, Uint8Array.of(5), plain, frame, 10)).toBe(116);
      expect([...frame.subarray(0, 10), ...frame.subarray(126)].every((b) => b === 0xee)).toBe(true);
      expect(
        Buffer.from(frame.subarray(10, 126)).equals(sealWithNodeCrypto(key, 9, Uint8Array.of(5), plain)),
      ).toBe(true);
      expect(() => sealInto(key, 9, Uint8Array.of(5), plain, frame, 20)).toThrow(RangeError);
    });
  },
);
