import { createCipheriv, createHash, hkdfSync } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  algorithmOfKeyId,
  chooseE2eAlgorithm,
  cpuInfoHasAes,
  deriveKeyId,
  deriveSendKey,
  E2e,
  E2eAlgorithmId,
} from '../../src/crypto/e2e/index.js';
import { x25519Agree, x25519PrivateKey, x25519PublicFromPrivate } from '../../src/crypto/e2e/x25519.js';
import { identityFromSeed, publicIdentityFromEd25519 } from '../../src/identity/keys.js';
import vectors from '../vectors/e2e.json' with { type: 'json' };

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const S = identityFromSeed(bytes(vectors.sender.seed));
const D = identityFromSeed(bytes(vectors.destination.seed));

describe('e2e known answers (test/vectors/e2e.json)', () => {
  it('the identities in the file are the ones these seeds make', () => {
    expect(hex(S.x25519PublicKey)).toBe(vectors.sender.x25519Public);
    expect(hex(D.x25519PublicKey)).toBe(vectors.destination.x25519Public);
    expect(hex(S.address)).toBe(vectors.sender.address);
    expect(hex(D.address)).toBe(vectors.destination.address);
  });

  for (const v of vectors.cases) {
    it(`${v.algorithm}: the file agrees with an independent computation (node:crypto hkdfSync, noble x25519)`, () => {
      const eSecret = bytes(v.ephemeralSecret);
      expect(hex(x25519.getPublicKey(eSecret))).toBe(v.ephemeralPublic);
      expect(hex(x25519.getSharedSecret(eSecret, D.x25519PublicKey))).toBe(v.es);
      expect(hex(x25519.getSharedSecret(S.x25519SecretKey, D.x25519PublicKey))).toBe(v.ss);
      const key = hkdfSync('sha256', bytes(v.ikm), bytes(v.salt), bytes(v.info), 32);
      expect(Buffer.from(key).toString('hex')).toBe(v.key);
      const h = createHash('sha256').update(bytes(v.keyIdInput)).digest();
      expect((((h.readUInt32BE(0) & 0x7fffffff) | (v.algorithmId << 31)) >>> 0) >>> 0).toBe(v.keyId);
    });

    it(`${v.algorithm}: src/crypto/e2e derives the same agreements, key and key id`, () => {
      const alg = v.algorithmId as E2eAlgorithmId;
      const eKey = x25519PrivateKey(bytes(v.ephemeralSecret));
      const ePub = x25519PublicFromPrivate(eKey);
      expect(hex(ePub)).toBe(v.ephemeralPublic);
      const es = x25519Agree(eKey, D.x25519PublicKey)!;
      const ss = x25519Agree(x25519PrivateKey(S.x25519SecretKey), D.x25519PublicKey)!;
      expect(hex(es)).toBe(v.es);
      expect(hex(ss)).toBe(v.ss);
      // The receiver's side of both agreements gives the same bytes.
      expect(hex(x25519Agree(x25519PrivateKey(D.x25519SecretKey), ePub)!)).toBe(v.es);
      expect(hex(x25519Agree(x25519PrivateKey(D.x25519SecretKey), S.x25519PublicKey)!)).toBe(v.ss);
      expect(hex(deriveSendKey(alg, es, ss, S.x25519PublicKey, D.x25519PublicKey, ePub))).toBe(v.key);
      const keyId = deriveKeyId(alg, S.x25519PublicKey, D.x25519PublicKey, ePub);
      expect(keyId).toBe(v.keyId);
      expect(algorithmOfKeyId(keyId)).toBe(alg);
    });

    it(`${v.algorithm}: the first Data frame matches byte for byte, and the destination opens it`, () => {
      const alg = v.algorithmId as E2eAlgorithmId;
      const sender = new E2e({ identity: S, algorithm: alg, randomBytes: () => bytes(v.ephemeralSecret) });
      const r = sender.seal(
        publicIdentityFromEd25519(D.publicKey),
        v.hopLimit,
        v.receiverIndex,
        bytes(v.packet),
        0,
      );
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(hex(r.frame)).toBe(v.frame);
      const receiver = new E2e({
        identity: D,
        algorithm: E2eAlgorithmId.Aes256Gcm,
        randomBytes: () => new Uint8Array(32).fill(7),
      });
      const o = receiver.open(bytes(v.frame), 0, () => S.publicKey);
      expect(o.ok && o.kind === 'packet' && hex(o.packet)).toBe(v.packet);
    });
  }

  it('the independent route also reproduces the frame (createCipheriv over the header bytes 8..84)', () => {
    for (const v of vectors.cases) {
      const frame = bytes(v.frame);
      const c = createCipheriv(v.algorithm as 'chacha20-poly1305', bytes(v.key), new Uint8Array(12), {
        authTagLength: 16,
      });
      c.setAAD(frame.subarray(8, 84), { plaintextLength: 48 });
      const body = Buffer.concat([c.update(bytes(v.packet)), c.final(), c.getAuthTag()]);
      expect(hex(frame.subarray(84))).toBe(body.toString('hex'));
    }
  });
});

describe('X25519 on node:crypto', () => {
  it('RFC 7748 §6.1: Alice and Bob agree on the published shared secret', () => {
    const a = bytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const b = bytes('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    const aPub = x25519PublicFromPrivate(x25519PrivateKey(a));
    const bPub = x25519PublicFromPrivate(x25519PrivateKey(b));
    expect(hex(aPub)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(hex(bPub)).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(hex(x25519Agree(x25519PrivateKey(a), bPub)!)).toBe(shared);
    expect(hex(x25519Agree(x25519PrivateKey(b), aPub)!)).toBe(shared);
  });

  it('refuses low-order and malformed public keys without throwing', () => {
    const k = x25519PrivateKey(new Uint8Array(32).fill(9));
    expect(x25519Agree(k, new Uint8Array(32))).toBeUndefined();
    expect(x25519Agree(k, Uint8Array.of(1, ...new Array<number>(31).fill(0)))).toBeUndefined();
    expect(x25519Agree(k, new Uint8Array(31))).toBeUndefined();
  });
});

describe('algorithm choice', () => {
  it('reads the aes flag from x86 and arm64 /proc/cpuinfo text', () => {
    expect(cpuInfoHasAes('processor\t: 0\nflags\t\t: fpu vme sse2 aes avx2\n')).toBe(true);
    expect(cpuInfoHasAes('processor\t: 0\nFeatures\t: fp asimd aes pmull sha1\n')).toBe(true);
    expect(cpuInfoHasAes('flags\t\t: fpu vme sse2 avx2 vaes_not\n')).toBe(false);
    expect(cpuInfoHasAes('model name\t: aes-less cpu\nflags\t: fpu\n')).toBe(false);
    expect(cpuInfoHasAes('')).toBe(false);
  });

  it('picks AES-256-GCM with AES instructions, ChaCha20-Poly1305 without', () => {
    expect(chooseE2eAlgorithm(true)).toBe(E2eAlgorithmId.Aes256Gcm);
    expect(chooseE2eAlgorithm(false)).toBe(E2eAlgorithmId.ChaCha20Poly1305);
  });

  it('the key id names the algorithm in bit 31, and the key differs per algorithm', () => {
    const e = new Uint8Array(32).fill(3);
    const aes = deriveKeyId(E2eAlgorithmId.Aes256Gcm, S.x25519PublicKey, D.x25519PublicKey, e);
    const cha = deriveKeyId(E2eAlgorithmId.ChaCha20Poly1305, S.x25519PublicKey, D.x25519PublicKey, e);
    expect(aes >>> 31).toBe(0);
    expect(cha >>> 31).toBe(1);
    const z = new Uint8Array(32).fill(5);
    const k0 = deriveSendKey(E2eAlgorithmId.Aes256Gcm, z, z, S.x25519PublicKey, D.x25519PublicKey, e);
    const k1 = deriveSendKey(E2eAlgorithmId.ChaCha20Poly1305, z, z, S.x25519PublicKey, D.x25519PublicKey, e);
    const k2 = deriveSendKey(E2eAlgorithmId.Aes256Gcm, z, z, D.x25519PublicKey, S.x25519PublicKey, e);
    expect(hex(k0)).not.toBe(hex(k1));
    expect(hex(k0)).not.toBe(hex(k2)); // direction is bound
  });
});
