/**
 * Hashing for the link handshake: SHA-256, HMAC-SHA-256, Noise's HKDF (Noise spec §4.3) and RFC 5869
 * HKDF, on node:crypto. Outputs are fresh Uint8Arrays the caller owns and may wipe.
 */
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { HASH_LEN } from './constants.js';

/** Returns SHA-256 of the concatenation of `parts`. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** Returns HMAC-SHA-256 under `key` of the concatenation of `parts`. */
export function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  const d = h.digest();
  const out = new Uint8Array(d);
  d.fill(0);
  return out;
}

const ONE = Uint8Array.of(1);
const TWO = Uint8Array.of(2);
const THREE = Uint8Array.of(3);

/**
 * Noise's HKDF(chaining_key, input_key_material, num_outputs) (Noise spec §4.3): 2 or 3 outputs of
 * HASH_LEN bytes. temp_key = HMAC(ck, ikm); output1 = HMAC(temp_key, 0x01); output_i =
 * HMAC(temp_key, output_{i-1} || i). temp_key is wiped before returning.
 */
export function noiseHkdf(chainingKey: Uint8Array, ikm: Uint8Array, outputs: 2): [Uint8Array, Uint8Array];
export function noiseHkdf(
  chainingKey: Uint8Array,
  ikm: Uint8Array,
  outputs: 3,
): [Uint8Array, Uint8Array, Uint8Array];
export function noiseHkdf(chainingKey: Uint8Array, ikm: Uint8Array, outputs: 2 | 3): Uint8Array[] {
  if (chainingKey.length !== HASH_LEN)
    throw new RangeError(`chaining key must be ${HASH_LEN} bytes, got ${chainingKey.length}`);
  if (outputs !== 2 && outputs !== 3) throw new RangeError(`outputs must be 2 or 3, got ${outputs}`);
  const tempKey = hmacSha256(chainingKey, ikm);
  const out1 = hmacSha256(tempKey, ONE);
  const out2 = hmacSha256(tempKey, out1, TWO);
  if (outputs === 2) {
    tempKey.fill(0);
    return [out1, out2];
  }
  const out3 = hmacSha256(tempKey, out2, THREE);
  tempKey.fill(0);
  return [out1, out2, out3];
}

/** RFC 5869 HKDF-SHA-256: extract with `salt`, expand with `info` to `length` bytes. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > 255 * HASH_LEN)
    throw new RangeError(`length must be in [1, ${255 * HASH_LEN}] (RFC 5869 §2.3), got ${length}`);
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
}

/** Returns the UTF-8 bytes of a label. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Zero-fills every array given (noble's `clean`). */
export function clean(...arrays: (Uint8Array | undefined)[]): void {
  for (const a of arrays) a?.fill(0);
}

/** Compares two byte arrays in time that depends only on their lengths. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
