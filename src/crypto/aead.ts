/**
 * The bulk AEAD, on OpenSSL: measured ~10x faster here than a JS implementation per 1400-byte
 * packet. Everything else in src/crypto is pure; this file is the one door to OpenSSL for packet
 * encryption. Two ways through it, same bytes: the native addon (native/src/aead.c: one OpenSSL
 * context per key, Node's own OpenSSL) when it is built, node:crypto otherwise (a Cipheriv per
 * message, several times slower per packet).
 *
 * Nonces are 96 bits: 4 zero bytes then a 64-bit big-endian counter. A key is never used with the
 * same counter twice: callers take counters from a strictly increasing sequence per key.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { type AeadContext, nativeAead } from './native-aead.js';

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
  /** Native contexts, made on first use when the addon is built. */
  sealer?: AeadContext;
  opener?: AeadContext;
}

/** Prepares a 32-byte key for `algorithm`. */
export function aeadKey(algorithm: AeadAlgorithm, raw: Uint8Array): AeadKey {
  if (raw.length !== AEAD_KEY_BYTES)
    throw new RangeError(`AEAD key must be ${AEAD_KEY_BYTES} bytes, got ${raw.length}`);
  if (!AEAD_ALGORITHMS.includes(algorithm))
    throw new TypeError(`unknown AEAD algorithm ${String(algorithm)}`);
  return { algorithm, key: createSecretKey(raw) };
}

const TWO_32 = 0x1_0000_0000;

function checkCounter(counter: number): void {
  if (!Number.isSafeInteger(counter) || counter < 0)
    throw new RangeError(`counter must be an integer in [0, 2^53), got ${counter}`);
}

// Safe to share: seal/open are synchronous and fill it before every use.
const scratchNonce = Buffer.alloc(AEAD_NONCE_BYTES);

function nonceFor(counter: number): Buffer {
  checkCounter(counter);
  scratchNonce.writeUInt32BE(0, 0);
  scratchNonce.writeUInt32BE(Math.floor(counter / TWO_32), 4);
  scratchNonce.writeUInt32BE(counter >>> 0, 8);
  return scratchNonce;
}

/**
 * Encrypts `plaintext` under `key` with nonce `counter`, authenticating `ad`; returns
 * ciphertext || 16-byte tag.
 */
export function seal(key: AeadKey, counter: number, ad: Uint8Array, plaintext: Uint8Array): Buffer {
  if (nativeAead !== undefined) {
    const out = Buffer.allocUnsafe(plaintext.length + AEAD_TAG_BYTES);
    sealInto(key, counter, ad, plaintext, out, 0);
    return out;
  }
  return sealWithNodeCrypto(key, counter, ad, plaintext);
}

/**
 * seal() into `out` at `offset` (which must have room for the plaintext and the tag); returns the
 * bytes written. Saves the copy when the ciphertext goes into a frame that is already allocated.
 */
export function sealInto(
  key: AeadKey,
  counter: number,
  ad: Uint8Array,
  plaintext: Uint8Array,
  out: Uint8Array,
  offset: number,
): number {
  if (nativeAead === undefined) {
    const sealed = sealWithNodeCrypto(key, counter, ad, plaintext);
    out.set(sealed, offset);
    return sealed.length;
  }
  checkCounter(counter);
  key.sealer ??= nativeAead.create(key.algorithm, key.key.export(), true);
  return nativeAead.seal(key.sealer, Math.floor(counter / TWO_32), counter >>> 0, ad, plaintext, out, offset);
}

/** The node:crypto way (and the reference the native one is tested against). */
export function sealWithNodeCrypto(
  key: AeadKey,
  counter: number,
  ad: Uint8Array,
  plaintext: Uint8Array,
): Buffer {
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
  if (nativeAead === undefined) return openWithNodeCrypto(key, counter, ad, sealed);
  key.opener ??= nativeAead.create(key.algorithm, key.key.export(), false);
  const out = Buffer.allocUnsafe(sealed.length - AEAD_TAG_BYTES);
  const n = nativeAead.open(key.opener, Math.floor(counter / TWO_32), counter >>> 0, ad, sealed, out, 0);
  return n < 0 ? undefined : out;
}

/** The node:crypto way (and the reference the native one is tested against). */
export function openWithNodeCrypto(
  key: AeadKey,
  counter: number,
  ad: Uint8Array,
  sealed: Uint8Array,
): Buffer | undefined {
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
