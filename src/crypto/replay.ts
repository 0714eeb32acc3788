/**
 * Sliding-window replay protection (RFC 6479): a bitmap of the last WINDOW_BITS counters seen,
 * kept as a ring of 32-bit words so advancing the window clears whole words, never shifts bits.
 *
 * Use: `check(counter)` before decrypting (a cheap drop for replays and stale counters), then
 * `update(counter)` only after the packet authenticated, so forged packets cannot move the window.
 */
const WORD_BITS = 32;
const RING_WORDS = 64; // power of two
/** Counters this far behind the highest one seen are still accepted once. */
export const WINDOW_BITS = (RING_WORDS - 1) * WORD_BITS; // one word is the slack the ring needs

export class ReplayWindow {
  private readonly ring = new Uint32Array(RING_WORDS);
  /** Highest counter accepted so far; -1 before the first. */
  private top = -1;

  /** True if `counter` is new: above the window, or inside it and not yet seen. */
  check(counter: number): boolean {
    if (!Number.isSafeInteger(counter) || counter < 0) return false;
    if (counter > this.top) return true;
    if (this.top - counter >= WINDOW_BITS) return false;
    const word = Math.floor(counter / WORD_BITS) & (RING_WORDS - 1);
    return (this.ring[word]! & (1 << (counter % WORD_BITS))) === 0;
  }

  /** Records `counter` as seen; returns false (and records nothing) if `check` would have refused it. */
  update(counter: number): boolean {
    if (!this.check(counter)) return false;
    const index = Math.floor(counter / WORD_BITS);
    if (counter > this.top) {
      const current = this.top < 0 ? index - 1 : Math.floor(this.top / WORD_BITS);
      const advance = Math.min(index - current, RING_WORDS);
      for (let i = 1; i <= advance; i++) this.ring[(current + i) & (RING_WORDS - 1)] = 0;
      this.top = counter;
    }
    this.ring[index & (RING_WORDS - 1)]! |= 1 << (counter % WORD_BITS);
    return true;
  }

  /** The highest counter accepted, or -1. */
  get highest(): number {
    return this.top;
  }
}
