import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/daemon/signing.js';
import { identityFromSeed, sign } from '../../src/identity/keys.js';

describe('createVerifier (OpenSSL Ed25519)', () => {
  const verify = createVerifier(2);
  const ids = [1, 2, 3].map((i) => identityFromSeed(new Uint8Array(32).fill(i)));

  it('accepts what the node signs and refuses any change to key, message or signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(2), fc.nat(63), (msg, who, flip) => {
        const id = ids[who]!;
        const sig = sign(id, msg);
        expect(verify(id.publicKey, msg, sig)).toBe(true);
        const bad = sig.slice();
        bad[flip]! ^= 1;
        expect(verify(id.publicKey, msg, bad)).toBe(false);
        expect(verify(ids[(who + 1) % 3]!.publicKey, msg, sig)).toBe(false);
        const other = Uint8Array.from([...msg, 0]);
        expect(verify(id.publicKey, other, sig)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('returns false, never throws, for keys and signatures of the wrong size or off the curve', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 70 }), (pk, sig) => {
        expect(verify(pk, new Uint8Array(3), sig)).toBe(false);
      }),
    );
  });
});
