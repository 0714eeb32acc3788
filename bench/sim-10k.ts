/**
 * The 10,000-node run: a scale-free (Barabási–Albert, m = 2) network on the real routing engine,
 * recording wall time, memory and control traffic to bench/results/sim-10k-<date>.json.
 * Not part of the test suite: run it by hand (it takes a long time and several GB):
 *
 *   node --expose-gc --max-old-space-size=16000 --import tsx bench/sim-10k.ts [--nodes 10000] [--duration 60s] [--seed 1] [--bytes estimate|codec] [--boot-spread 1s]
 *
 * `--boot-spread` (default the simulator's 1 s): nodes boot at random times within it; 0 starts
 * them all at once, which costs fewer Updates (no node learns a better path late).
 *
 * Control bytes are counted with the RFC-size estimate by default (sim/bytes.ts; the trace is the
 * same either way); `--bytes codec` encodes every packet with the real codec instead.
 *
 * Progress (virtual time, wall time, RSS) goes to stderr every 10% of the run and every wall-clock
 * minute; run it under nohup
 * with stderr to a log and poll. A run with --nodes other than 10000 is written to
 * sim-10k-<date>-n<nodes>.json so it cannot be mistaken for the 10k result.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runScenario } from '../sim/run.js';
import { formatDuration, parseDuration } from '../sim/units.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '60s' },
    seed: { type: 'string', default: '1' },
    bytes: { type: 'string', default: 'estimate' },
    'boot-spread': { type: 'string', default: '1s' },
  },
});
const nodes = Number(values.nodes);
const durationMs = parseDuration(values.duration);
const seed = Number(values.seed);
const bytes = values.bytes;
const bootSpreadMs = parseDuration(values['boot-spread']);
if (
  !Number.isInteger(nodes) ||
  nodes < 3 ||
  durationMs === undefined ||
  bootSpreadMs === undefined ||
  !Number.isInteger(seed) ||
  (bytes !== 'estimate' && bytes !== 'codec')
) {
  process.stderr.write(
    'usage: bench/sim-10k.ts [--nodes N>=3] [--duration 60s] [--seed N] [--bytes estimate|codec] [--boot-spread 1s]\n',
  );
  process.exit(2);
}

let lastDecile = -1;
let lastReport = 0;
const t0 = performance.now();
const { summary } = runScenario({
  topology: { name: 'scale-free', nodes, degree: 2 },
  seed,
  durationMs,
  quietMs: Math.min(30_000, durationMs / 2),
  // 10k × 10k pairs: sample stretch on 2,000 pairs; reachability sampling every second.
  sampleMs: 1000,
  bootSpreadMs,
  // The codec costs ~10% of the run at 1,000 nodes; the RFC-size estimate is an upper bound.
  bytes,
  onProgress: (now, total) => {
    // Every 10% of virtual time, and at least once a wall-clock minute (the boot alone takes hours).
    const d = Math.floor((10 * now) / total);
    const wall = performance.now() - t0;
    if (d !== lastDecile || wall - lastReport >= 60_000) {
      lastDecile = d;
      lastReport = wall;
      process.stderr.write(
        `sim-10k: ${d * 10}% (virtual ${formatDuration(now)}, wall ${formatDuration(wall)}, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB)\n`,
      );
    }
  },
});

const record = {
  bench: 'sim-10k',
  date: new Date().toISOString(),
  node: process.version,
  nodes,
  durationMs,
  seed,
  bytes,
  bootSpreadMs,
  rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
  // The headline numbers (also in summary): what issue #3 asks for.
  wallMs: summary.wallMs,
  heapMB: summary.heapMB,
  heapMBPerNode: Math.round((summary.engineBytesPerNode / 2 ** 20) * 1000) / 1000,
  converged: summary.converged,
  convergenceMs: summary.convergenceMs,
  loops: summary.loopsDetected,
  unreachablePairs: summary.unreachablePairs,
  controlMsgsPerNodePerSec: summary.controlMsgsPerNodePerSec,
  routesPerNode: summary.routeTable.mean,
  summary,
};
const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(dir, { recursive: true });
const suffix = `${nodes === 10_000 ? '' : `-n${nodes}`}${bootSpreadMs === 1000 ? '' : `-spread${bootSpreadMs}ms`}`;
const file = join(dir, `sim-10k-${record.date.slice(0, 10)}${suffix}.json`);
writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
process.stdout.write(
  `sim-10k: ${nodes} nodes, converged ${summary.converged} in ${summary.convergenceMs} ms virtual; wall ${formatDuration(summary.wallMs)}, heap ${summary.heapMB} MB (${record.heapMBPerNode} MB/node), loops ${summary.loopsDetected}, unreachable ${summary.unreachablePairs}, ${summary.controlMsgsPerNodePerSec} packets/node/s; written to ${file}\n`,
);
