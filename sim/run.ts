/**
 * One run from options to summary: topology, faults, simulator, wall-clock and heap measurement.
 * Shared by the CLI, the bench and the tests. The only wall-clock reads in sim/ are here (and the
 * CLI's progress display); they never feed back into the simulation.
 */
import type { RoutingConfig } from '../src/routing/api.js';
import { realEngine } from './engine.js';
import { type Fault, randomFaults, readFaultSchedule, validateFaults } from './faults.js';
import { Rng } from './rng.js';
import { type EngineFactory, type SimOptions, type SimResult, Simulator } from './simulator.js';
import { type Summary, toSummary } from './summary.js';
import { buildTopology, type TopologyOptions } from './topology/index.js';
import type { Topology } from './topology/types.js';

export interface Scenario extends Omit<SimOptions, 'topology' | 'engine' | 'faults' | 'durationMs' | 'seed'> {
  readonly topology: TopologyOptions | Topology;
  readonly seed: number;
  /** Default: 120 s, or the last fault + quiet + 10 s if that is later. */
  readonly durationMs?: number;
  /** A compact schedule string, a .json path, or parsed faults. */
  readonly faults?: string | readonly Fault[];
  readonly randomFaults?: number;
  /** Engine factory; default the real engine with `engineConfig`. */
  readonly engine?: EngineFactory;
  readonly engineConfig?: Partial<RoutingConfig>;
}

export interface ScenarioRun {
  readonly topology: Topology;
  readonly faults: readonly Fault[];
  readonly result: SimResult;
  readonly summary: Summary;
}

const DEFAULT_DURATION_MS = 120_000;

function isTopology(t: TopologyOptions | Topology): t is Topology {
  return 'edges' in t;
}

/** Builds the topology and the fault list for a scenario (validated against each other). */
export function prepare(s: Scenario): { topology: Topology; faults: Fault[]; durationMs: number } {
  const root = new Rng(s.seed);
  const topology = isTopology(s.topology) ? s.topology : buildTopology(s.topology, root.fork('topology'));
  const quiet = s.quietMs ?? 30_000;
  let faults: Fault[] = typeof s.faults === 'string' ? readFaultSchedule(s.faults) : [...(s.faults ?? [])];
  validateFaults(faults, topology);
  let durationMs = s.durationMs;
  if (s.randomFaults !== undefined && s.randomFaults > 0) {
    const total = durationMs ?? Math.max(DEFAULT_DURATION_MS, 20_000 + s.randomFaults * 20_000 + quiet);
    faults = randomFaults(
      s.randomFaults,
      topology,
      root.fork('random-faults'),
      Math.min(10_000, total / 10),
      total - quiet - 1,
    );
    durationMs = total;
  }
  const last = faults.length > 0 ? faults[faults.length - 1]!.at : 0;
  durationMs ??= Math.max(DEFAULT_DURATION_MS, last + quiet + 10_000);
  return { topology, faults, durationMs };
}

/** The JS heap plus ArrayBuffer memory (the engines' typed-array tables live outside the heap). */
function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Runs one scenario with the real engine unless `engine` is given. */
export function runScenario(s: Scenario): ScenarioRun {
  const { topology, faults, durationMs } = prepare(s);
  const heapBefore = heapUsed();
  const t0 = performance.now();
  const sim = new Simulator({
    ...s,
    topology,
    faults,
    durationMs,
    engine: s.engine ?? realEngine(s.engineConfig),
  });
  const result = sim.run();
  const wallMs = performance.now() - t0;
  const heapAfter = heapUsed();
  const summary = toSummary(result, { wallMs, heapBytes: heapAfter, heapDeltaBytes: heapAfter - heapBefore });
  return { topology, faults, result, summary };
}
