import { describe, expect, it } from 'vitest';
import { RealKeyring, SimKeyring } from '../../sim/keyring.js';
import { Rng } from '../../sim/rng.js';
import { isOverlayAddress } from '../../src/identity/address.js';

describe('keyrings', () => {
  it("SimKeyring: signatures verify only under the signer's own key, and only for the signed bytes", () => {
    const k = new SimKeyring(50, new Rng(1));
    const msg = Uint8Array.from([1, 2, 3, 4]);
    const sig = k.sign(7, msg);
    expect(sig).toHaveLength(64);
    expect(k.verify(k.publicKey(7), msg, sig)).toBe(true);
    expect(k.verify(k.publicKey(8), msg, sig)).toBe(false); // node 8 did not sign it: a forgery
    expect(k.verify(k.publicKey(7), Uint8Array.from([1, 2, 3, 5]), sig)).toBe(false);
    expect(k.verify(new Uint8Array(32), msg, sig)).toBe(false); // unknown key
  });

  it('SimKeyring: deterministic, addresses in 400::/7, key and prefix lookups round-trip', () => {
    const a = new SimKeyring(200, new Rng(2));
    const b = new SimKeyring(200, new Rng(2));
    for (let i = 0; i < 200; i++) {
      expect(a.publicKey(i)).toEqual(b.publicKey(i));
      expect(isOverlayAddress(a.address(i))).toBe(true);
      expect(a.addressOf(a.publicKey(i))).toBe(a.address(i));
      expect(a.nodeOfKey(a.publicKey(i))).toBe(i);
      expect(a.nodeOfPrefix(a.subnet(i))).toBe(i);
    }
    expect(a.nodeOfKey(new Uint8Array(32).fill(9))).toBe(-1);
    expect(isOverlayAddress(a.addressOf(new Uint8Array(32).fill(9)))).toBe(true);
  });

  it('RealKeyring: real Ed25519, same lookups', () => {
    const k = new RealKeyring(3, new Rng(1));
    const msg = Uint8Array.from([9, 9]);
    expect(k.verify(k.publicKey(1), msg, k.sign(1, msg))).toBe(true);
    expect(k.verify(k.publicKey(2), msg, k.sign(1, msg))).toBe(false);
    expect(k.nodeOfPrefix(k.subnet(2))).toBe(2);
  });
});
