import { describe, expect, it } from 'vitest';
import { formatSummary, parseCpuProfile, summariseProfile } from '../../../bench/profile/cpuprofile.js';

const frame = (id: number, functionName: string, url = '', lineNumber = 0) => ({
  id,
  callFrame: { functionName, url, lineNumber },
});

describe('CPU profile summary', () => {
  const profile = parseCpuProfile({
    nodes: [
      frame(1, '(root)'),
      frame(2, '(idle)'),
      frame(3, 'seal', 'file:///repo/dist/src/crypto/aead.js', 9),
      frame(4, '(garbage collector)'),
      frame(5, 'seal', 'file:///repo/dist/src/crypto/aead.js', 9),
    ],
    startTime: 0,
    endTime: 100,
    // A sample's time is the delta to the next one: idle 50, seal 20 + 10, gc 20, last sample 0.
    samples: [2, 3, 4, 5, 2],
    timeDeltas: [0, 50_000, 20_000, 20_000, 10_000],
  });

  it('adds self time per function (merging equal names) and reports idle and GC shares', () => {
    const s = summariseProfile(profile, 'file:///repo/');
    expect(s.totalMs).toBe(100);
    expect(s.idleShare).toBeCloseTo(0.5);
    expect(s.gcShare).toBeCloseTo(0.2);
    expect(s.top[0]).toEqual({ name: '(idle)', selfMs: 50, share: 0.5 });
    expect(s.top).toContainEqual({ name: 'seal (dist/src/crypto/aead.js:10)', selfMs: 30, share: 0.3 });
    expect(formatSummary('x', s)).toContain('| 30 | 30.0 % | seal (dist/src/crypto/aead.js:10) |');
  });

  it('refuses what is not a CPU profile', () => {
    expect(() => parseCpuProfile({ nodes: [] })).toThrow(/not a V8 CPU profile/);
    expect(() => parseCpuProfile(null)).toThrow(/not a V8 CPU profile/);
    expect(() => parseCpuProfile({ nodes: [], samples: [1], timeDeltas: [] })).toThrow();
  });
});
