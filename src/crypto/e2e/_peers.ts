/**
 * Per-peer static material shared by the sender and the receiver: the peer's public identity and
 * ss = X25519(x_self, X_peer), which is the same in both directions. Bounded, approximately LRU.
 */
import type { KeyObject } from 'node:crypto';
import type { PublicIdentity } from '../../identity/keys.js';
import { equalAt } from '../../util/bytes.js';
import { SUBNET_PREFIX_BYTES } from './constants.js';
import { x25519Agree } from './x25519.js';

/** A peer as the e2e layer knows it. */
export interface PeerStatic {
  readonly identity: PublicIdentity;
  /** The map key: the peer's address as a latin1 string. */
  readonly key: string;
  /** X25519(own static secret, peer's X25519 key); never a key by itself, only HKDF input. */
  readonly ss: Uint8Array;
}

/** Returns the map key of a 16-byte address at `bytes[offset..]`. */
export function addressKey(bytes: Uint8Array, offset: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, 16).toString('latin1');
}

/** True when the 8-byte /64 prefixes at a[ao..] and b[bo..] are equal. */
export function samePrefix64(a: Uint8Array, ao: number, b: Uint8Array, bo: number): boolean {
  return equalAt(a, ao, b, bo, SUBNET_PREFIX_BYTES);
}

/** True when two 16-byte ranges are equal. */
export function sameAddress(a: Uint8Array, ao: number, b: Uint8Array, bo: number): boolean {
  return equalAt(a, ao, b, bo, 16);
}

/** The static agreement cache. */
export class PeerStatics {
  private readonly peers = new Map<string, PeerStatic>();

  constructor(
    private readonly ownStatic: KeyObject,
    private readonly cap: number,
  ) {}

  /** Returns the cached peer at this address key, refreshing its LRU position. */
  find(key: string): PeerStatic | undefined {
    const peer = this.peers.get(key);
    if (peer !== undefined) {
      this.peers.delete(key);
      this.peers.set(key, peer);
    }
    return peer;
  }

  /**
   * Returns the peer for `identity`, computing ss (one X25519) on a miss; undefined when the peer's
   * X25519 key is of low order, so no key can be agreed with it.
   */
  resolve(identity: PublicIdentity): PeerStatic | undefined {
    const key = addressKey(identity.address, 0);
    const found = this.find(key);
    if (found !== undefined) return found;
    const ss = x25519Agree(this.ownStatic, identity.x25519PublicKey);
    if (ss === undefined) return undefined;
    const peer: PeerStatic = { identity, key, ss };
    this.peers.set(key, peer);
    if (this.peers.size > this.cap) this.peers.delete(this.peers.keys().next().value!);
    return peer;
  }

  /** Number of cached peers. */
  get size(): number {
    return this.peers.size;
  }
}
