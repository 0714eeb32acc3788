import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareTai64n,
  decodeTai64n,
  encodeTai64n,
  TAI64N_MAX_SECONDS,
} from '../../../src/wire/link/tai64n.js';
import { hex } from './_vectors.js';

const code = (b: Uint8Array) => {
  const r = decodeTai64n(b);
  return r.ok ? 'ok' : r.error.code;
};

describe('TAI64N', () => {
  it('round-trips any time it accepts', () => {
    const time = fc.tuple(
      fc.integer({ min: 0, max: TAI64N_MAX_SECONDS }),
      fc.integer({ min: 0, max: 999_999_999 }),
    );
    fc.assert(
      fc.property(time, ([seconds, nanoseconds]) => {
        expect(decodeTai64n(encodeTai64n(seconds, nanoseconds))).toEqual({
          ok: true,
          value: { seconds, nanoseconds },
        });
      }),
    );
  });

  it('byte order is time order', () => {
    const time = fc.tuple(
      fc.integer({ min: 0, max: TAI64N_MAX_SECONDS }),
      fc.integer({ min: 0, max: 999_999_999 }),
    );
    fc.assert(
      fc.property(time, time, ([s1, n1], [s2, n2]) => {
        const want = Math.sign(s1 - s2 || n1 - n2);
        expect(Math.sign(compareTai64n(encodeTai64n(s1, n1), encodeTai64n(s2, n2)))).toBe(want);
      }),
    );
  });

  it('rejects labels and nanoseconds out of range, never throwing', () => {
    expect(code(hex('3fffffffffffffff00000000'))).toBe('bad-timestamp'); // before 2^62
    expect(code(hex('400000000000000900000000'))).toBe('bad-timestamp'); // 1969
    expect(code(hex('800000000000000a00000000'))).toBe('bad-timestamp'); // reserved label range
    expect(code(hex('400000000000000a3b9aca00'))).toBe('bad-timestamp'); // 1e9 ns
    expect(code(hex('400000000000000a3b9ac9ff'))).toBe('ok');
    expect(code(new Uint8Array(11))).toBe('bad-length');
    expect(code(new Uint8Array(13))).toBe('bad-length');
    fc.assert(fc.property(fc.uint8Array({ maxLength: 16 }), (b) => void decodeTai64n(b)));
  });

  it('checks encoder arguments', () => {
    expect(() => encodeTai64n(-1, 0)).toThrow(/seconds/);
    expect(() => encodeTai64n(1.5, 0)).toThrow(RangeError);
    expect(() => encodeTai64n(TAI64N_MAX_SECONDS + 1, 0)).toThrow(/seconds/);
    expect(() => encodeTai64n(0, 1_000_000_000)).toThrow(/nanoseconds/);
    expect(() => compareTai64n(new Uint8Array(12), new Uint8Array(8))).toThrow(/\bb\b/);
  });
});
