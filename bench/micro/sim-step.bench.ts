/**
 * The simulator (sim/) on a scale-free network (Barabási–Albert, m = 2) with the real routing
 * engine and the keyed-hash signature stand-in: the cost of building the network, of one event in
 * steady state, and of one simulated second of steady state.
 *
 * Sizes: 10,000 nodes do not fit the group's two-minute budget — boot and convergence alone take
 * minutes at 500 nodes on a 2-core machine (scale-free 500, 10 s virtual: 171 s wall) — so the group
 * runs 100 and 200 nodes. Steady state is the second half of a 20 s virtual run (convergence takes
 * 2–3 s at these sizes). Simulator has no step API, so the bench times its private
 * dispatch(event) through a wrapper on the instance; sim/ itself is unchanged.
 */
import { realEngine } from '../../sim/engine.js';
import { prepare } from '../../sim/run.js';
import { Simulator } from '../../sim/simulator.js';
import type { MicroGroup, MicroResult, RunOptions } from './harness.js';

/** Simulator internals the wrapper relies on; checked at run time. */
interface SimInternals {
  readonly now: number;
  dispatch(event: { readonly t: string }): void;
}

/** Events that are network work; 'sample' and 'steady' are the simulator's own bookkeeping. */
const NETWORK_EVENTS = new Set(['boot', 'timer', 'packet', 'neighbour']);

const FULL = { sizes: [100, 200], durationMs: 20_000 };
const QUICK = { sizes: [30], durationMs: 4_000 };

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function measure(nodes: number, durationMs: number): MicroResult[] {
  const steadyFromMs = durationMs / 2;
  const buildStart = performance.now();
  const scenario = prepare({
    topology: { name: 'scale-free', nodes, degree: 2 },
    seed: 1,
    durationMs,
    quietMs: steadyFromMs,
  });
  const sim = new Simulator({
    ...scenario,
    seed: 1,
    engine: realEngine(),
    sampleMs: 1000,
    quietMs: steadyFromMs,
    stretchPairs: 10,
  });
  const buildMs = performance.now() - buildStart;

  const internals = sim as unknown as SimInternals;
  if (typeof internals.dispatch !== 'function' || typeof internals.now !== 'number')
    throw new Error(
      'sim/simulator.ts no longer has dispatch(event) and now: update bench/micro/sim-step.bench.ts',
    );
  const dispatch = internals.dispatch.bind(sim);
  const steadyNs: number[] = [];
  internals.dispatch = (event) => {
    const t0 = performance.now();
    dispatch(event);
    if (internals.now >= steadyFromMs && NETWORK_EVENTS.has(event.t))
      steadyNs.push((performance.now() - t0) * 1e6);
  };
  const runStart = performance.now();
  const result = sim.run();
  const runMs = performance.now() - runStart;
  if (steadyNs.length === 0) throw new Error(`sim ${nodes}: no events in the steady window`);

  const sorted = [...steadyNs].sort((a, b) => a - b);
  const totalNs = steadyNs.reduce((a, b) => a + b, 0);
  const meanNs = totalNs / steadyNs.length;
  const steadySeconds = (durationMs - steadyFromMs) / 1000;
  const perSecondNs = totalNs / steadySeconds;
  const eventsPerSecond = Math.round(steadyNs.length / steadySeconds);
  const label = `scale-free ${nodes} nodes`;
  const run = `${durationMs / 1000} s virtual in ${(runMs / 1000).toFixed(1)} s wall, ${result.converged ? `converged at ${result.convergenceMs} ms` : 'NOT converged'}, ${result.eventsProcessed} events`;
  const base = { group: 'sim-step', mbPerSec: undefined, medianNs: undefined } as const;
  return [
    {
      ...base,
      name: `build ${label}`,
      opsPerSec: 1e3 / buildMs,
      meanNs: buildMs * 1e6,
      p99Ns: undefined,
      samples: 1,
      batch: 1,
    },
    {
      ...base,
      name: `one event, steady state, ${label}`,
      opsPerSec: 1e9 / meanNs,
      meanNs,
      medianNs: percentile(sorted, 0.5),
      p99Ns: percentile(sorted, 0.99),
      samples: steadyNs.length,
      batch: 1,
      note: run,
    },
    {
      ...base,
      name: `one simulated second, steady state, ${label}`,
      opsPerSec: 1e9 / perSecondNs,
      meanNs: perSecondNs,
      p99Ns: undefined,
      samples: 1,
      batch: 1,
      note: `${eventsPerSecond} network events per simulated second`,
    },
  ];
}

export const simStepGroup: MicroGroup = {
  name: 'sim-step',
  title: 'simulator steady state on a scale-free network (real routing engine)',
  run: (opts: RunOptions) => {
    const { sizes, durationMs } = opts.quick ? QUICK : FULL;
    return sizes.flatMap((n) => measure(n, durationMs));
  },
};
