/**
 * The one route this node originates (babeld's xroute.c): its own /64, with its seqno and the
 * signature over it. The signature is made once per seqno and reused for every announcement.
 *
 * Seqno on restart. The engine starts from a random seqno (deps.random), not 0 or a stored value:
 * a restarted node's first updates then have a 50% chance of being "newer" than what the network
 * still holds and are accepted at once. If they are older, neighbours hold only infeasible routes
 * to us, and recover the standard way: they send a seqno request for FD.seqno + 1 and we bump to
 * it (rate-limited); we also bump past any announcement of our own prefix, signed by our key, that
 * carries a seqno at least as new as ours: a neighbour that sees us announce a seqno behind its
 * feasibility distance echoes our newest signed Update back (update.ts, echoNewerSeqno).
 */

import { updateSignedBytes } from '../wire/babel/signed.js';
import { type Prefix, TlvType, type Update } from '../wire/babel/types.js';
import { prefixKeyOfId, retainPrefix } from './_keys.js';
import type { Millis } from './api.js';
import { SEQNO_BUMP_MIN_INTERVAL_MS, UPDATE_INTERVAL_CS } from './constants.js';
import { seqnoCompare, seqnoPlus } from './seqno.js';

export class XRoute {
  readonly prefix: Prefix;
  /** The prefix's interned id (held for the engine's life) and key string. */
  readonly id: number;
  readonly key: string;
  readonly #publicKey: Uint8Array;
  readonly #routerId: Uint8Array;
  readonly #sign: (message: Uint8Array) => Uint8Array;
  #seqno: number;
  #signature: { seqno: number; sig: Uint8Array } | undefined;
  #lastBumpAt: Millis | undefined;
  /** A bump target waiting for the rate limit; undefined when none. */
  pendingBump: number | undefined;
  /** Signatures made, for the `sign` counter. */
  signatures = 0;

  constructor(
    prefix: Prefix,
    publicKey: Uint8Array,
    sign: (m: Uint8Array) => Uint8Array,
    initialSeqno: number,
  ) {
    this.prefix = prefix;
    this.id = retainPrefix(prefix);
    this.key = prefixKeyOfId(this.id);
    this.#publicKey = Uint8Array.from(publicKey);
    this.#routerId = this.#publicKey.slice(0, 8);
    this.#sign = sign;
    this.#seqno = initialSeqno & 0xffff;
  }

  get seqno(): number {
    return this.#seqno;
  }

  /**
   * Moves the seqno to at least `target` (never backwards). Returns true if it moved now; if the
   * rate limit forbids it, remembers the target in `pendingBump` and returns false.
   */
  bumpSeqno(target: number, now: Millis): boolean {
    if (seqnoCompare(target, this.#seqno) <= 0) return false;
    // Compare with the same sum nextBumpAt() reports: `now - last < interval` can be true at that very
    // instant under float rounding, and the timer would fire forever without progress.
    if (this.#lastBumpAt !== undefined && now < this.#lastBumpAt + SEQNO_BUMP_MIN_INTERVAL_MS) {
      if (this.pendingBump === undefined || seqnoCompare(target, this.pendingBump) > 0)
        this.pendingBump = target;
      return false;
    }
    this.#seqno = target;
    this.#lastBumpAt = now;
    this.pendingBump = undefined;
    return true;
  }

  /** When a pending bump may run, or undefined. */
  bumpDeadline(): Millis | undefined {
    if (this.pendingBump === undefined) return undefined;
    return (this.#lastBumpAt ?? 0) + SEQNO_BUMP_MIN_INTERVAL_MS;
  }

  /** Returns the signed Update announcing our prefix with metric 0 (signing only on a new seqno). */
  makeUpdate(intervalCs: number = UPDATE_INTERVAL_CS): Update {
    if (this.#signature?.seqno !== this.#seqno) {
      this.#signature = {
        seqno: this.#seqno,
        sig: this.#sign(updateSignedBytes(this.prefix, this.#seqno, this.#publicKey)),
      };
      this.signatures++;
    }
    return {
      type: TlvType.Update,
      flags: 0,
      interval: intervalCs,
      seqno: this.#seqno,
      metric: 0,
      prefix: this.prefix,
      routerId: this.#routerId,
      originator: this.#publicKey,
      signature: this.#signature.sig,
    };
  }

  /** Returns seqno + 1, the value to bump to when a request asks for more than we have. */
  nextSeqno(): number {
    return seqnoPlus(this.#seqno, 1);
  }
}
