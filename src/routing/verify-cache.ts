/**
 * A bounded LRU of Update signatures already verified, keyed by (originator, prefix, seqno). A
 * periodic refresh repeats the same triple with the same signature, so it costs one Map lookup and
 * a 64-byte compare instead of an Ed25519 verification (≈ 1 ms in JavaScript).
 *
 * Why a byte compare is enough: the entry holds the exact signature that verified. A different
 * signature for the same triple is verified again (Ed25519 signatures are not unique), and only a
 * signature that verified is ever stored or re-advertised.
 */

import { bytesEqual } from './_keys.js';

/**
 * Keys are what _keys.ts verifyKey() returns: normally a number (originator id × 2^16 + seqno), so
 * an entry costs a Map slot and a pointer to the shared, interned signature; no per-entry string
 * or copy.
 */
export type VerifyKey = string | number;

export class VerifyCache {
  readonly #max: number;
  readonly #entries = new Map<VerifyKey, Uint8Array>();

  /** `max` is the number of entries kept; the least recently used is dropped past it. */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** True when exactly this signature was verified for `key`; refreshes the entry's recency. */
  has(key: VerifyKey, signature: Uint8Array): boolean {
    return this.get(key, signature) !== undefined;
  }

  /**
   * The stored (canonical) signature when exactly `signature` was verified for `key`, else
   * undefined; refreshes the entry's recency.
   */
  get(key: VerifyKey, signature: Uint8Array): Uint8Array | undefined {
    const cached = this.#entries.get(key);
    if (cached === undefined || !bytesEqual(cached, signature)) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, cached);
    return cached;
  }

  /** Returns the signature that verified for `key`, or undefined; does not refresh its recency. */
  peek(key: VerifyKey): Uint8Array | undefined {
    return this.#entries.get(key);
  }

  /**
   * Records a signature that verified. It is stored as given, not copied: pass an array nobody
   * mutates (update.ts passes the interned one from internSignature).
   */
  add(key: VerifyKey, signature: Uint8Array): void {
    this.#entries.delete(key);
    this.#entries.set(key, signature);
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
