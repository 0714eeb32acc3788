import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplayWindow, WINDOW_BITS } from '../../src/crypto/replay.js';

/** The obvious model: a set of seen counters and the highest one. */
function modelAccepts(seen: Set<number>, top: number, c: number): boolean {
  if (c > top) return true;
  if (top - c >= WINDOW_BITS) return false;
  return !seen.has(c);
}

describe('replay window (RFC 6479)', () => {
  it('accepts each counter once, in any order within the window', () => {
    const w = new ReplayWindow();
    for (const c of [5, 3, 4, 100, 6, 99]) expect(w.update(c)).toBe(true);
    for (const c of [5, 3, 4, 100, 6, 99]) expect(w.update(c)).toBe(false);
    expect(w.highest).toBe(100);
  });

  it('refuses counters older than the window and accepts the oldest still inside it', () => {
    const w = new ReplayWindow();
    w.update(10_000);
    expect(w.check(10_000 - WINDOW_BITS)).toBe(false);
    expect(w.check(10_000 - WINDOW_BITS + 1)).toBe(true);
  });

  it('check does not record: only update moves the window', () => {
    const w = new ReplayWindow();
    expect(w.check(7)).toBe(true);
    expect(w.check(7)).toBe(true);
    expect(w.highest).toBe(-1);
  });

  it('agrees with a set-based model on random sequences, including big jumps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 2 ** 40 })), {
          maxLength: 400,
        }),
        (counters) => {
          const w = new ReplayWindow();
          const seen = new Set<number>();
          let top = -1;
          for (const c of counters) {
            const expected = modelAccepts(seen, top, c);
            expect(w.update(c)).toBe(expected);
            if (expected) {
              seen.add(c);
              top = Math.max(top, c);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses negative and non-integer counters', () => {
    const w = new ReplayWindow();
    expect(w.update(-1)).toBe(false);
    expect(w.update(1.5)).toBe(false);
    expect(w.update(2 ** 53)).toBe(false);
  });
});
