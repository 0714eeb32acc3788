/**
 * A bounded LRU of Update signatures already verified, keyed by (originator, prefix, seqno). A
 * periodic refresh repeats the same triple with the same signature, so it costs one Map lookup and
 * a 64-byte compare instead of an Ed25519 verification (≈ 1 ms in JavaScript).
 *
 * Why a byte compare is enough: the entry holds the exact signature that verified. A different
 * signature for the same triple is verified again (Ed25519 signatures are not unique), and only a
 * signature that verified is ever stored or re-advertised.
 */

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class VerifyCache {
  readonly #max: number;
  readonly #entries = new Map<string, Uint8Array>();

  /** `max` is the number of entries kept; the least recently used is dropped past it. */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** True when exactly this signature was verified for `key`; refreshes the entry's recency. */
  has(key: string, signature: Uint8Array): boolean {
    const cached = this.#entries.get(key);
    if (cached === undefined || !bytesEqual(cached, signature)) return false;
    this.#entries.delete(key);
    this.#entries.set(key, cached);
    return true;
  }

  /** Returns the signature that verified for `key`, or undefined; does not refresh its recency. */
  peek(key: string): Uint8Array | undefined {
    return this.#entries.get(key);
  }

  /** Records a signature that verified. */
  add(key: string, signature: Uint8Array): void {
    this.#entries.delete(key);
    this.#entries.set(key, Uint8Array.from(signature));
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
