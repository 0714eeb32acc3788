import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../sim/queue.js';
import { Rng } from '../../sim/rng.js';

describe('EventQueue', () => {
  it('pops in time order, and same-time events in insertion order', () => {
    const q = new EventQueue<string>();
    q.push(5, 'e');
    q.push(1, 'a');
    q.push(3, 'c1');
    q.push(3, 'c2');
    q.push(1, 'b');
    q.push(3, 'c3');
    const out: string[] = [];
    for (let e = q.pop(); e !== undefined; e = q.pop()) out.push(e.item);
    expect(out).toEqual(['a', 'b', 'c1', 'c2', 'c3', 'e']);
  });

  it('agrees with a stable sort on 10,000 random pushes interleaved with pops', () => {
    const r = new Rng(11);
    const q = new EventQueue<number>();
    const ref: { t: number; s: number }[] = [];
    const popped: number[] = [];
    const expected: number[] = [];
    let seq = 0;
    for (let i = 0; i < 10_000; i++) {
      const t = r.int(200);
      q.push(t, seq);
      ref.push({ t, s: seq++ });
      if (r.chance(0.3)) {
        ref.sort((x, y) => x.t - y.t || x.s - y.s);
        expected.push(ref.shift()!.s);
        popped.push(q.pop()!.item);
      }
    }
    ref.sort((x, y) => x.t - y.t || x.s - y.s);
    expected.push(...ref.map((x) => x.s));
    while (q.size > 0) popped.push(q.pop()!.item);
    expect(popped).toEqual(expected);
  });

  it('peek does not remove; an empty queue pops undefined; non-finite times are refused', () => {
    const q = new EventQueue<number>();
    expect(q.pop()).toBeUndefined();
    q.push(2, 2);
    expect(q.peek()?.item).toBe(2);
    expect(q.size).toBe(1);
    expect(() => q.push(Number.NaN, 0)).toThrow(RangeError);
  });
});
