/**
 * The bulk AEAD, on node:crypto (OpenSSL): measured ~10x faster here than a JS implementation per
 * 1400-byte packet. Everything else in src/crypto is pure; this file is the one door to OpenSSL
 * for packet encryption.
 *
 * Nonces are 96 bits: 4 zero bytes then a 64-bit big-endian counter. A key is never used with the
 * same counter twice: callers take counters from a strictly increasing sequence per key.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';

export const AEAD_KEY_BYTES = 32;
export const AEAD_TAG_BYTES = 16;
export const AEAD_NONCE_BYTES = 12;
/** Counters stay plain JS numbers on the wire (src/wire/link): at most 2^53 - 1. */
export const MAX_COUNTER = Number.MAX_SAFE_INTEGER;

export type AeadAlgorithm = 'aes-256-gcm' | 'chacha20-poly1305';
export const AEAD_ALGORITHMS: readonly AeadAlgorithm[] = ['aes-256-gcm', 'chacha20-poly1305'];

/** A key bound to an algorithm, prepared once (the KeyObject avoids re-importing raw bytes per packet). */
export interface AeadKey {
  readonly algorithm: AeadAlgorithm;
  readonly key: KeyObject;
}

/** Prepares a 32-byte key for `algorithm`. */
export function aeadKey(algorithm: AeadAlgorithm, raw: Uint8Array): AeadKey {
  if (raw.length !== AEAD_KEY_BYTES)
    throw new RangeError(`AEAD key must be ${AEAD_KEY_BYTES} bytes, got ${raw.length}`);
  if (!AEAD_ALGORITHMS.includes(algorithm))
    throw new TypeError(`unknown AEAD algorithm ${String(algorithm)}`);
  return { algorithm, key: createSecretKey(raw) };
}

// Safe to share: seal/open are synchronous and fill it before every use.
const scratchNonce = Buffer.alloc(AEAD_NONCE_BYTES);

function nonceFor(counter: number): Buffer {
  if (!Number.isSafeInteger(counter) || counter < 0)
    throw new RangeError(`counter must be an integer in [0, 2^53), got ${counter}`);
  scratchNonce.writeUInt32BE(0, 0);
  scratchNonce.writeUInt32BE(Math.floor(counter / 0x1_0000_0000), 4);
  scratchNonce.writeUInt32BE(counter >>> 0, 8);
  return scratchNonce;
}

/**
 * Encrypts `plaintext` under `key` with nonce `counter`, authenticating `ad`; returns
 * ciphertext || 16-byte tag.
 */
export function seal(key: AeadKey, counter: number, ad: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv(key.algorithm as 'chacha20-poly1305', key.key, nonceFor(counter), {
    authTagLength: AEAD_TAG_BYTES,
  });
  cipher.setAAD(ad, { plaintextLength: plaintext.length });
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  return Buffer.concat([head, tail, cipher.getAuthTag()], head.length + tail.length + AEAD_TAG_BYTES);
}

/**
 * Decrypts ciphertext || tag; returns the plaintext, or undefined when it does not authenticate
 * (wrong key, tampered bytes, wrong AD, too short). Never throws for bad input.
 */
export function open(key: AeadKey, counter: number, ad: Uint8Array, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < AEAD_TAG_BYTES || !Number.isSafeInteger(counter) || counter < 0) return undefined;
  const ctLen = sealed.length - AEAD_TAG_BYTES;
  const decipher = createDecipheriv(key.algorithm as 'chacha20-poly1305', key.key, nonceFor(counter), {
    authTagLength: AEAD_TAG_BYTES,
  });
  decipher.setAAD(ad, { plaintextLength: ctLen });
  decipher.setAuthTag(sealed.subarray(ctLen));
  const head = decipher.update(sealed.subarray(0, ctLen));
  try {
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    return undefined;
  }
}
