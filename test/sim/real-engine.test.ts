/** Scenarios on the real engine (src/routing/engine.ts), the one the daemon runs. */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { WALL_CLOCK_FIELDS } from '../../sim/summary.js';

describe('simulator on the real routing engine', () => {
  it('grid 100: a link fault and a crash/restart converge with zero loops, nothing forged selected', () => {
    const { summary } = runScenario({
      topology: { name: 'grid', nodes: 100 },
      seed: 1,
      faults: '12s:link-down:44-45,20s:link-up:44-45,24s:crash:12,26s:restart:12,30s:malicious:55',
      quietMs: 20_000,
    });
    expect(summary.violations).toEqual([]);
    expect(summary.loopsDetected).toBe(0);
    expect(summary.forgedRoutesSelected).toBe(0);
    expect(summary.forgedUpdatesSent).toBeGreaterThan(0);
    expect(summary.converged).toBe(true);
    expect(summary.unreachablePairs).toBe(0);
    expect(summary.convergenceMs).not.toBeNull();
    expect(summary.faults.find((f) => f.fault === 'link-down 44-45')!.recoveryMs).not.toBeNull();
    expect(summary.encodeErrors).toBe(0);
    expect(summary.meanStretch).toBeGreaterThanOrEqual(1);
  });

  it('runs on a fractional-millisecond clock like the daemon’s (no timer livelock at a deadline)', () => {
    const { summary } = runScenario({
      topology: { name: 'grid', nodes: 100 },
      seed: 1,
      floatTime: true,
      durationMs: 20_000,
    });
    expect(summary.violations).toEqual([]);
    expect(summary.converged).toBe(true);
  });

  it('is deterministic on the real engine too', () => {
    const run = () => {
      const s: Record<string, unknown> = {
        ...runScenario({
          topology: { name: 'random', nodes: 25 },
          seed: 3,
          durationMs: 30_000,
          faults: '10s:crash:3',
        }).summary,
      };
      for (const k of WALL_CLOCK_FIELDS) delete s[k];
      return JSON.stringify(s);
    };
    expect(run()).toBe(run());
  });
});
