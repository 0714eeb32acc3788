/**
 * X25519 on node:crypto (OpenSSL), from raw 32-byte keys. Measured ~6x faster here than
 * @noble/curves; it runs once per new end-to-end key, never per packet. Raw keys are wrapped in
 * fixed DER prefixes (RFC 8410: PKCS #8 for the secret, SPKI for the public key).
 */
import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { X25519_KEY_BYTES } from './constants.js';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** Wraps a raw X25519 secret as a KeyObject. The caller may wipe `secret` afterwards. */
export function x25519PrivateKey(secret: Uint8Array): KeyObject {
  if (secret.length !== X25519_KEY_BYTES)
    throw new RangeError(`X25519 secret must be ${X25519_KEY_BYTES} bytes, got ${secret.length}`);
  const der = Buffer.concat([PKCS8_PREFIX, secret]);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

/** Wraps a raw X25519 public key as a KeyObject. */
export function x25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== X25519_KEY_BYTES)
    throw new RangeError(`X25519 public key must be ${X25519_KEY_BYTES} bytes, got ${publicKey.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

/** Returns the raw public key of an X25519 private KeyObject. */
export function x25519PublicFromPrivate(privateKey: KeyObject): Uint8Array {
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(SPKI_PREFIX.length));
}

/**
 * Returns X25519(privateKey, publicKey) (RFC 7748 §6.1), or undefined when the public key is
 * malformed or of low order (OpenSSL refuses an all-zero shared secret). Never throws.
 */
export function x25519Agree(privateKey: KeyObject, publicKey: Uint8Array): Uint8Array | undefined {
  if (publicKey.length !== X25519_KEY_BYTES) return undefined;
  try {
    return new Uint8Array(diffieHellman({ privateKey, publicKey: x25519PublicKeyObject(publicKey) }));
  } catch {
    return undefined;
  }
}
