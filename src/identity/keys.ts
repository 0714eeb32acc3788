import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { addressFromX25519, maskPrefix, NODE_SUBNET_LEN } from './address.js';

/** Length of the root secret: an Ed25519 seed (RFC 8032 §5.1.5). */
export const SEED_BYTES = 32;
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

/** What anyone can know about a node from its Ed25519 public key alone. */
export interface PublicIdentity {
  /** Ed25519 public key: the node's identity and its router id. */
  readonly publicKey: Uint8Array;
  /** X25519 public key for key agreement: the Montgomery form of `publicKey`. */
  readonly x25519PublicKey: Uint8Array;
  /** Overlay address (16 bytes, in 400::/7), derived from `x25519PublicKey`. */
  readonly address: Uint8Array;
  /** The /64 the node owns (16 bytes, host bits zero). */
  readonly subnet: Uint8Array;
}

/** A node's full identity, secrets included. */
export interface NodeIdentity extends PublicIdentity {
  readonly seed: Uint8Array;
  /** X25519 secret: SHA-512(seed)[0..32], clamped (RFC 7748 §5), the key Zero-OS gives Mycelium. */
  readonly x25519SecretKey: Uint8Array;
}

/** Returns the X25519 secret a seed converts to: the first 32 bytes of SHA-512(seed), clamped. */
export function x25519SecretFromSeed(seed: Uint8Array): Uint8Array {
  if (seed.length !== SEED_BYTES)
    throw new RangeError(`seed must be ${SEED_BYTES} bytes, got ${seed.length}`);
  const h = sha512(seed);
  const sk = h.slice(0, 32);
  h.fill(0);
  sk[0]! &= 248;
  sk[31]! &= 127;
  sk[31]! |= 64;
  return sk;
}

/** Returns the public identity (X25519 key, address, subnet) of an Ed25519 public key. */
export function publicIdentityFromEd25519(publicKey: Uint8Array): PublicIdentity {
  if (publicKey.length !== PUBLIC_KEY_BYTES) {
    throw new RangeError(`Ed25519 public key must be ${PUBLIC_KEY_BYTES} bytes, got ${publicKey.length}`);
  }
  const x25519PublicKey = ed25519.utils.toMontgomery(publicKey);
  const address = addressFromX25519(x25519PublicKey);
  return {
    publicKey: Uint8Array.from(publicKey),
    x25519PublicKey,
    address,
    subnet: maskPrefix(address, NODE_SUBNET_LEN),
  };
}

/** Builds the full identity of a node from its 32-byte seed. */
export function identityFromSeed(seed: Uint8Array): NodeIdentity {
  if (seed.length !== SEED_BYTES)
    throw new RangeError(`seed must be ${SEED_BYTES} bytes, got ${seed.length}`);
  const publicKey = ed25519.getPublicKey(seed);
  const x25519SecretKey = x25519SecretFromSeed(seed);
  const x25519PublicKey = x25519.getPublicKey(x25519SecretKey);
  const address = addressFromX25519(x25519PublicKey);
  return {
    seed: Uint8Array.from(seed),
    publicKey,
    x25519SecretKey,
    x25519PublicKey,
    address,
    subnet: maskPrefix(address, NODE_SUBNET_LEN),
  };
}

/** Generates a new seed from the given source of randomness. */
export function generateSeed(randomBytes: (n: number) => Uint8Array): Uint8Array {
  const seed = randomBytes(SEED_BYTES);
  if (seed.length !== SEED_BYTES) throw new RangeError('random source returned the wrong number of bytes');
  return seed;
}

/** Signs `message` with the node's Ed25519 key (RFC 8032). */
export function sign(identity: NodeIdentity, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, identity.seed);
}

/** Verifies an Ed25519 signature; false (never a throw) for malformed keys or signatures. */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  try {
    return ed25519.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}
