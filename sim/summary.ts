/** The JSON summary the CLI prints with --json (one object; wall-clock fields named in WALL_CLOCK_FIELDS). */
import type { SimResult } from './simulator.js';

export interface Summary {
  readonly nodes: number;
  readonly edges: number;
  readonly topology: string;
  readonly seed: number;
  readonly durationMs: number;
  readonly converged: boolean;
  /** Time from start until every node had a correct route to every other (sampled). */
  readonly convergenceMs: number | null;
  readonly loopsDetected: number;
  readonly forgedRoutesSelected: number;
  readonly unreachablePairs: number;
  readonly staleRoutes: number;
  /** Control packets sent per node per second over the whole run: mean over nodes. */
  readonly controlMsgsPerNodePerSec: number;
  readonly controlMsgsPerNodePerSecMax: number;
  readonly controlTlvsPerNodePerSec: { readonly mean: number; readonly max: number };
  readonly controlBytesPerNodePerSec: { readonly mean: number; readonly max: number };
  readonly steady: {
    readonly msgsPerNodePerSec: { readonly mean: number; readonly max: number };
    readonly bytesPerNodePerSec: { readonly mean: number; readonly max: number };
    /** Forwarding-table changes in the steady window, all nodes (flapping once converged). */
    readonly routeChanges: number;
  };
  readonly updatesPerNodePerSec: number;
  /** Forwarding-table changes over the run, and after the network last became correct (flapping). */
  readonly routeChanges: number;
  readonly routeChangesAfterConvergence: number | null;
  readonly routeTable: { readonly mean: number; readonly max: number };
  readonly maxStretch: number;
  readonly meanStretch: number;
  readonly p95Stretch: number;
  readonly stretchPairs: number;
  readonly faults: readonly {
    readonly atMs: number;
    readonly fault: string;
    readonly recoveryMs: number | null;
  }[];
  readonly quietPeriodOk: boolean;
  /** Neighbour liveness over the run, all engines: a live link declared dead shows as `unreachable`. */
  readonly neighbourEvents: {
    readonly down: number;
    readonly reachable: number;
    readonly unreachable: number;
    readonly probes: number;
  };
  readonly forgedUpdatesSent: number;
  readonly packetsDropped: number;
  readonly encodeErrors: number;
  readonly eventsProcessed: number;
  readonly traceHash: string;
  readonly violations: readonly { readonly kind: string; readonly atMs: number; readonly message: string }[];
  readonly wallMs: number;
  readonly heapMB: number;
  /** (heap + ArrayBuffers after the run − the same before the engines were built) / nodes: engine state plus the simulator's share. */
  readonly engineBytesPerNode: number;
  /** Every engine counter summed over the nodes (crashed incarnations included), sorted by name. */
  readonly engineCounters: Readonly<Record<string, number>>;
}

/** Fields that depend on the machine, not the seed: left out when comparing two runs. */
export const WALL_CLOCK_FIELDS = ['wallMs', 'heapMB', 'engineBytesPerNode'] as const;

const round = (v: number, d = 3): number => (Number.isFinite(v) ? Math.round(v * 10 ** d) / 10 ** d : v);
const mm = (x: { mean: number; max: number }): { mean: number; max: number } => ({
  mean: round(x.mean),
  max: round(x.max),
});

/** Builds the summary from a result and the wall-clock measurements taken around the run. */
export function toSummary(
  r: SimResult,
  wall: { wallMs: number; heapBytes: number; heapDeltaBytes: number },
): Summary {
  return {
    nodes: r.nodes,
    edges: r.edges,
    topology: r.topology,
    seed: r.seed,
    durationMs: r.durationMs,
    converged: r.converged,
    convergenceMs: r.convergenceMs,
    loopsDetected: r.loopsDetected,
    forgedRoutesSelected: r.forgedRoutesSelected,
    unreachablePairs: r.unreachablePairs,
    staleRoutes: r.staleRoutes,
    controlMsgsPerNodePerSec: round(r.controlMsgsPerNodePerSec.mean),
    controlMsgsPerNodePerSecMax: round(r.controlMsgsPerNodePerSec.max),
    controlTlvsPerNodePerSec: mm(r.controlTlvsPerNodePerSec),
    controlBytesPerNodePerSec: mm(r.controlBytesPerNodePerSec),
    steady: {
      msgsPerNodePerSec: mm(r.steadyMsgsPerNodePerSec),
      bytesPerNodePerSec: mm(r.steadyBytesPerNodePerSec),
      routeChanges: r.steadyRouteChanges,
    },
    updatesPerNodePerSec: round(r.updatesPerNodePerSec),
    routeChanges: r.routeChanges,
    routeChangesAfterConvergence: r.routeChangesAfterConvergence,
    routeTable: mm(r.routeTable),
    maxStretch: round(r.maxStretch, 4),
    meanStretch: round(r.meanStretch, 4),
    p95Stretch: round(r.p95Stretch, 4),
    stretchPairs: r.stretchSamples.length,
    faults: r.faults,
    quietPeriodOk: r.quietPeriodOk,
    neighbourEvents: {
      down: r.engineCounters['neighbour.down'] ?? 0,
      reachable: r.engineCounters['neighbour.reachable'] ?? 0,
      unreachable: r.engineCounters['neighbour.unreachable'] ?? 0,
      probes: r.engineCounters['probe.sent'] ?? 0,
    },
    forgedUpdatesSent: r.forgedUpdatesSent,
    packetsDropped: r.packetsDropped,
    encodeErrors: r.encodeErrors,
    eventsProcessed: r.eventsProcessed,
    traceHash: r.traceHash,
    violations: r.violations.map((v) => ({ kind: v.kind, atMs: v.atMs, message: v.message })),
    wallMs: Math.round(wall.wallMs),
    heapMB: round(wall.heapBytes / 2 ** 20, 1),
    engineBytesPerNode: Math.round(wall.heapDeltaBytes / Math.max(1, r.nodes)),
    engineCounters: Object.fromEntries(Object.entries(r.engineCounters).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}
