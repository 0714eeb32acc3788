import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFeasible, updateDistance } from '../../src/routing/feasibility.js';
import { seqnoCompare, seqnoMinus, seqnoPlus } from '../../src/routing/seqno.js';

const seqno = fc.integer({ min: 0, max: 0xffff });
const metric = fc.integer({ min: 0, max: 0xfffe });

describe('seqno arithmetic (RFC 8966 §3.2.1)', () => {
  it('wraps around 2^16', () => {
    expect(seqnoPlus(0xffff, 1)).toBe(0);
    expect(seqnoPlus(0, -1)).toBe(0xffff);
    expect(seqnoCompare(0, 0xffff)).toBe(1);
    expect(seqnoCompare(0xffff, 0)).toBe(-1);
    expect(seqnoCompare(5, 5)).toBe(0);
    expect(seqnoMinus(3, 0xfffe)).toBe(5);
    expect(seqnoCompare(0x7fff, 0)).toBe(1);
    expect(seqnoCompare(0x8000, 0)).toBe(-1); // exactly half-way counts as older
  });

  it('s + n is newer than s for 0 < n < 2^15, and minus inverts plus', () => {
    fc.assert(
      fc.property(seqno, fc.integer({ min: 1, max: 0x7fff }), (s, n) => {
        expect(seqnoCompare(seqnoPlus(s, n), s)).toBe(1);
        expect(seqnoCompare(s, seqnoPlus(s, n))).toBe(-1);
        expect(seqnoMinus(seqnoPlus(s, n), s)).toBe(n);
      }),
    );
  });
});

describe('feasibility condition (RFC 8966 §3.5.1)', () => {
  it('matches the RFC cases', () => {
    expect(isFeasible(undefined, 1, 100)).toBe(true);
    expect(isFeasible({ seqno: 10, metric: 100 }, 10, 99)).toBe(true);
    expect(isFeasible({ seqno: 10, metric: 100 }, 10, 100)).toBe(false);
    expect(isFeasible({ seqno: 10, metric: 100 }, 11, 5000)).toBe(true);
    expect(isFeasible({ seqno: 10, metric: 100 }, 9, 1)).toBe(false);
    expect(isFeasible({ seqno: 10, metric: 100 }, 9, 0xffff)).toBe(true); // a retraction
    expect(isFeasible({ seqno: 0xffff, metric: 100 }, 0, 500)).toBe(true); // newer across the wrap
  });

  it('an update at the feasibility distance itself, or worse with the same seqno, is never feasible', () => {
    fc.assert(
      fc.property(seqno, metric, fc.integer({ min: 0, max: 1000 }), (s, m, extra) => {
        expect(isFeasible({ seqno: s, metric: m }, s, Math.min(0xfffe, m + extra))).toBe(false);
      }),
    );
  });

  it('the distance only improves, and whatever was advertised stays infeasible unless strictly better', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(seqno, metric), { minLength: 1, maxLength: 30 }), (ads) => {
        let fd = updateDistance(undefined, ads[0]![0], ads[0]![1]);
        for (const [s, m] of ads.slice(1)) {
          const before = fd!;
          fd = updateDistance(fd, s, m);
          const c = seqnoCompare(fd!.seqno, before.seqno);
          expect(c > 0 || (c === 0 && fd!.metric <= before.metric)).toBe(true);
          // A route that passed the old FD's test... the new FD is never weaker than the old one:
          // anything infeasible before (and not a retraction) is still infeasible now.
        }
        const last = fd!;
        expect(isFeasible(last, last.seqno, last.metric)).toBe(false);
      }),
    );
  });

  it('feasible updates keep the metric chain strictly decreasing toward the source (no loop)', () => {
    // Along any path of feasible acceptances with the same seqno, each node's neighbour advertised
    // strictly less than the node's FD, so metrics strictly decrease along next hops: no cycle.
    fc.assert(
      fc.property(seqno, fc.array(metric, { minLength: 2, maxLength: 10 }), (s, fds) => {
        const chainOk = fds.every((fd, i) => i === 0 || isFeasible({ seqno: s, metric: fds[i - 1]! }, s, fd));
        if (chainOk) for (let i = 1; i < fds.length; i++) expect(fds[i]!).toBeLessThan(fds[i - 1]!);
      }),
    );
  });
});
