import { describe, expect, it } from 'vitest';
import { runScenario, type Scenario } from '../../sim/run.js';
import { WALL_CLOCK_FIELDS } from '../../sim/summary.js';
import { createStandInEngine, type StandInBug } from './stand-in-engine.js';

const standIn =
  (bugs: StandInBug[] = [], updateIntervalMs = 4000): Scenario['engine'] =>
  (deps, now) =>
    createStandInEngine(deps, { bugs, updateIntervalMs }, now);

function withoutWallClock(s: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...s };
  for (const k of WALL_CLOCK_FIELDS) delete out[k];
  return out;
}

describe('simulator on the stand-in engine', () => {
  const base: Scenario = {
    topology: { name: 'grid', nodes: 36 },
    seed: 7,
    faults: '10s:link-down:0-1,20s:link-up:0-1,28s:crash:14,36s:restart:14,44s:latency:20-21:200ms',
    quietMs: 20_000,
    engine: standIn(),
  };

  it('converges through faults with no loops and measures what it should', () => {
    const { summary, result } = runScenario(base);
    expect(summary.violations).toEqual([]);
    expect(summary.converged).toBe(true);
    expect(summary.loopsDetected).toBe(0);
    expect(summary.unreachablePairs).toBe(0);
    expect(summary.convergenceMs).toBeGreaterThan(0);
    expect(summary.faults).toHaveLength(5);
    expect(summary.faults.every((f) => f.recoveryMs !== null)).toBe(true);
    expect(summary.controlMsgsPerNodePerSec).toBeGreaterThan(0);
    expect(summary.controlBytesPerNodePerSec.max).toBeGreaterThanOrEqual(
      summary.controlBytesPerNodePerSec.mean,
    );
    expect(summary.meanStretch).toBeGreaterThanOrEqual(1);
    expect(summary.stretchPairs).toBeGreaterThan(0);
    expect(result.series.at(-1)!.reachable).toBe(1);
  });

  it('is deterministic: the same seed gives the same summary and trace hash, another seed does not', () => {
    const a = runScenario(base).summary;
    const b = runScenario(base).summary;
    expect(JSON.stringify(withoutWallClock(a))).toBe(JSON.stringify(withoutWallClock(b)));
    const c = runScenario({ ...base, seed: 8 }).summary;
    expect(c.traceHash).not.toBe(a.traceHash);
  });

  it('catches a forwarding loop (engine without feasibility or retractions) and reports the last events', () => {
    const { summary, result } = runScenario({
      topology: { name: 'line', nodes: 4 },
      seed: 1,
      faults: '10s:link-down:2-3',
      engine: standIn(['no-feasibility', 'no-retract']),
    });
    expect(summary.loopsDetected).toBe(1);
    expect(summary.converged).toBe(false);
    const v = result.violations[0]!;
    expect(v.kind).toBe('loop');
    expect(v.message).toMatch(/forwarding loop towards node 3: (1 -> 2 -> 1|2 -> 1 -> 2)/);
    expect(v.trace.length).toBeGreaterThan(5);
    expect(v.trace.at(-1)).toMatch(/installRoute/);
  });

  it('catches a forged route selected by an engine that does not verify', () => {
    const { summary, result } = runScenario({
      topology: { name: 'grid', nodes: 16 },
      seed: 2,
      faults: '5s:malicious:5',
      engine: standIn(['no-verify']),
    });
    expect(summary.forgedUpdatesSent).toBeGreaterThan(0);
    expect(summary.forgedRoutesSelected).toBe(1);
    expect(result.violations[0]!.kind).toBe('forged-route');
  });

  it('a verifying engine never selects the forgeries', () => {
    const { summary } = runScenario({
      topology: { name: 'grid', nodes: 16 },
      seed: 2,
      faults: '5s:malicious:5',
      durationMs: 40_000,
      engine: standIn(),
    });
    expect(summary.forgedUpdatesSent).toBeGreaterThan(0);
    expect(summary.forgedRoutesSelected).toBe(0);
    expect(summary.violations.filter((v) => v.kind === 'forged-route')).toEqual([]);
  });

  it('fails a run whose engine leaves stale routes after the quiet period', () => {
    const { summary, result } = runScenario({
      topology: { name: 'line', nodes: 6 },
      seed: 3,
      faults: '10s:crash:5',
      quietMs: 20_000,
      engine: standIn(['no-retract'], 30_000),
    });
    expect(summary.converged).toBe(false);
    expect(summary.staleRoutes).toBeGreaterThan(0);
    expect(result.violations.map((v) => v.kind)).toEqual(['unconverged']);
  });

  it('partitions: routes to the other side must go, and come back after heal', () => {
    const { summary } = runScenario({
      topology: { name: 'grid', nodes: 16 },
      seed: 4,
      faults: '10s:partition:0-7|8-15',
      quietMs: 20_000,
      engine: standIn(),
    });
    // Still partitioned at the end: converged means each half reaches exactly itself.
    expect(summary.converged).toBe(true);
    expect(summary.staleRoutes).toBe(0);
    const healed = runScenario({
      topology: { name: 'grid', nodes: 16 },
      seed: 4,
      faults: '10s:partition:0-7|8-15,20s:heal',
      quietMs: 20_000,
      engine: standIn(),
    }).summary;
    expect(healed.converged).toBe(true);
    expect(healed.faults.map((f) => f.fault)).toEqual(['partition 8 nodes | 8 nodes', 'heal']);
  });
});
