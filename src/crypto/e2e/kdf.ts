/**
 * The end-to-end key schedule (docs/protocol/end-to-end.md, "Key derivation"):
 *
 *   es     = X25519(e_S, X_D)             the sender's fresh ephemeral with the destination's static
 *   ss     = X25519(x_S, X_D)             static-static, cached per peer (the same in both directions)
 *   key    = HKDF-SHA256(ikm = es || ss, salt = "hypha e2e v1",
 *                        info = "hypha e2e v1 send" || alg || X_S || X_D || E_S, L = 32)
 *   key id = alg << 31 | SHA-256("hypha e2e v1 key id" || alg || X_S || X_D || E_S)[0..4] & 0x7fffffff
 *
 * Raw DH output is never a key: both terms go through HKDF (RFC 5869) with a protocol label, and
 * the info binds the direction (X_S before X_D), both identities, the ephemeral and the algorithm.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  E2E_INFO_SEND,
  E2E_KEY_BYTES,
  E2E_KEY_ID_LABEL,
  E2E_SALT,
  E2eAlgorithmId,
  KEY_ID_ALGORITHM_BIT,
  KEY_ID_HASH_MASK,
  X25519_KEY_BYTES,
} from './constants.js';

/** The AEAD algorithm names of src/crypto/aead.ts, by their e2e algorithm id. */
export type E2eAlgorithmName = 'aes-256-gcm' | 'chacha20-poly1305';

/** Returns the algorithm id a key id names (bit 31). */
export function algorithmOfKeyId(keyId: number): E2eAlgorithmId {
  return (keyId & KEY_ID_ALGORITHM_BIT) !== 0 ? E2eAlgorithmId.ChaCha20Poly1305 : E2eAlgorithmId.Aes256Gcm;
}

/** Returns the AEAD name of an algorithm id. */
export function algorithmName(id: E2eAlgorithmId): E2eAlgorithmName {
  return id === E2eAlgorithmId.ChaCha20Poly1305 ? 'chacha20-poly1305' : 'aes-256-gcm';
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function checkKey(name: string, k: Uint8Array): void {
  if (k.length !== X25519_KEY_BYTES)
    throw new RangeError(`${name} must be ${X25519_KEY_BYTES} bytes, got ${k.length}`);
}

/** Returns the 32-byte send key for S → D from the two agreements (see the file comment). */
export function deriveSendKey(
  alg: E2eAlgorithmId,
  es: Uint8Array,
  ss: Uint8Array,
  senderX25519: Uint8Array,
  destinationX25519: Uint8Array,
  ephemeralPublic: Uint8Array,
): Uint8Array {
  checkKey('es', es);
  checkKey('ss', ss);
  checkKey('senderX25519', senderX25519);
  checkKey('destinationX25519', destinationX25519);
  checkKey('ephemeralPublic', ephemeralPublic);
  const ikm = concat([es, ss]);
  const info = concat([E2E_INFO_SEND, Uint8Array.of(alg), senderX25519, destinationX25519, ephemeralPublic]);
  try {
    return hkdf(sha256, ikm, E2E_SALT, info, E2E_KEY_BYTES);
  } finally {
    ikm.fill(0);
  }
}

/** Returns the key id of the S → D key made with ephemeral E_S (see the file comment). */
export function deriveKeyId(
  alg: E2eAlgorithmId,
  senderX25519: Uint8Array,
  destinationX25519: Uint8Array,
  ephemeralPublic: Uint8Array,
): number {
  checkKey('senderX25519', senderX25519);
  checkKey('destinationX25519', destinationX25519);
  checkKey('ephemeralPublic', ephemeralPublic);
  const h = sha256(
    concat([E2E_KEY_ID_LABEL, Uint8Array.of(alg), senderX25519, destinationX25519, ephemeralPublic]),
  );
  const hashed = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) & KEY_ID_HASH_MASK;
  return (alg === E2eAlgorithmId.ChaCha20Poly1305 ? KEY_ID_ALGORITHM_BIT + hashed : hashed) >>> 0;
}
