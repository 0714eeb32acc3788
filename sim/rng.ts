/**
 * The simulator's only source of randomness: sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator, 32-bit variant, as in PractRand) seeded through splitmix32, so one integer seed gives
 * one stream, and the same seed always gives the same stream on every platform.
 *
 * Nothing in sim/ calls Math.random: every consumer takes an `Rng` or forks one with `fork(label)`,
 * so adding draws in one subsystem (say, link jitter) never shifts another's stream (topology).
 */

/** splitmix32: returns the next state and a well-mixed 32-bit output. Used only to seed sfc32. */
export function splitmix32(state: number): { state: number; value: number } {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return { state: s, value: z >>> 0 };
}

/** Returns a 32-bit hash of a string (FNV-1a then a murmur finaliser), for deriving fork seeds. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A seeded sfc32 generator. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** The seed this generator was built from (after mixing in fork labels). */
  readonly seed: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new TypeError(`seed must be an integer, got ${seed}`);
    this.seed = seed >>> 0;
    let st = this.seed;
    const next = (): number => {
      const r = splitmix32(st);
      st = r.state;
      return r.value;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = 1;
    // Discard the first outputs, as the reference implementation recommends (12 rounds).
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** Returns the next uniform 32-bit unsigned integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Returns a uniform float in [0, 1) with 32 bits of precision. */
  float(): number {
    return this.nextU32() / 4294967296;
  }

  /** Returns a uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
    // Multiply-shift on a 32-bit draw; the bias (n / 2^32) is irrelevant at simulation sizes.
    return Math.floor(this.float() * n);
  }

  /** Returns a uniform float in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Returns true with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  /** Returns one element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty array');
    return items[this.int(items.length)]!;
  }

  /** Shuffles an array in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /** Fills `out` with random bytes and returns it. */
  bytes(out: Uint8Array): Uint8Array {
    for (let i = 0; i < out.length; i += 4) {
      const v = this.nextU32();
      for (let k = 0; k < 4 && i + k < out.length; k++) out[i + k] = (v >>> (8 * k)) & 0xff;
    }
    return out;
  }

  /** Returns an independent generator derived from this one's seed and a label (does not advance this one). */
  fork(label: string): Rng {
    return new Rng((this.seed ^ hashString(label)) >>> 0 || 0x2545f491);
  }
}
