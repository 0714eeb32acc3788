/**
 * The simulator's command line: `npx tsx sim/cli.ts --topology grid --nodes 400 --seed 1 ...`
 * (see --help, or docs/simulator.md). Progress goes to stderr: a bar on a TTY, a plain line every
 * ~10% otherwise; the result goes to stdout (a table, or one JSON object with --json).
 */
import { writeFileSync } from 'node:fs';
import { errorMessage, HyphaError } from '../src/errors.js';
import { HELP, parseCli, UsageError } from './args.js';
import { renderReport } from './report.js';
import { runScenario } from './run.js';
import type { Summary } from './summary.js';
import { formatDuration } from './units.js';

function progressReporter(enabled: boolean): ((now: number, total: number) => void) | undefined {
  if (!enabled) return undefined;
  const tty = process.stderr.isTTY === true;
  let lastDecile = -1;
  let lastDraw = 0;
  const start = performance.now();
  return (now, total) => {
    const frac = total > 0 ? Math.min(1, now / total) : 1;
    const wall = performance.now();
    if (tty) {
      if (wall - lastDraw < 100 && frac < 1) return;
      lastDraw = wall;
      const width = 30;
      const filled = Math.round(frac * width);
      process.stderr.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%  virtual ${formatDuration(now)} / ${formatDuration(total)}  wall ${formatDuration(wall - start)}${frac >= 1 ? '\n' : ''}`,
      );
    } else {
      const decile = Math.floor(frac * 10);
      if (decile === lastDecile) return;
      lastDecile = decile;
      process.stderr.write(
        `sim: ${decile * 10}% (virtual ${formatDuration(now)} of ${formatDuration(total)}, wall ${formatDuration(wall - start)})\n`,
      );
    }
  };
}

function mm(x: { mean: number; max: number }, d = 1): string {
  return `${x.mean.toFixed(d)} mean, ${x.max.toFixed(d)} max`;
}

function printTable(s: Summary): void {
  const rows: [string, string][] = [
    [
      'topology',
      `${s.topology}: ${s.nodes} nodes, ${s.edges} links, seed ${s.seed}, ${formatDuration(s.durationMs)} virtual`,
    ],
    [
      'converged',
      `${s.converged ? 'yes' : 'NO'}${s.quietPeriodOk ? '' : ' (quiet period after the last fault too short to judge)'}`,
    ],
    ['convergence after start', s.convergenceMs === null ? 'never' : formatDuration(s.convergenceMs)],
    ['loops detected', String(s.loopsDetected)],
    ['forged routes selected', `${s.forgedRoutesSelected} (of ${s.forgedUpdatesSent} forged updates sent)`],
    ['unreachable pairs / stale routes', `${s.unreachablePairs} / ${s.staleRoutes}`],
    [
      'control packets/node/s',
      `${s.controlMsgsPerNodePerSec.toFixed(2)} mean, ${s.controlMsgsPerNodePerSecMax.toFixed(2)} max`,
    ],
    ['control bytes/node/s', mm(s.controlBytesPerNodePerSec, 0)],
    ['steady packets/node/s', mm(s.steady.msgsPerNodePerSec, 2)],
    ['steady bytes/node/s', mm(s.steady.bytesPerNodePerSec, 0)],
    ['updates/node/s', s.updatesPerNodePerSec.toFixed(2)],
    ['routes per node', mm(s.routeTable)],
    [
      'stretch',
      `${s.meanStretch.toFixed(3)} mean, ${s.p95Stretch.toFixed(3)} p95, ${s.maxStretch.toFixed(3)} max (${s.stretchPairs} pairs)`,
    ],
    [
      'wall / heap',
      `${formatDuration(s.wallMs)}, ${s.heapMB} MB heap, ~${(s.engineBytesPerNode / 1024).toFixed(1)} KiB per node`,
    ],
    ['events / trace hash', `${s.eventsProcessed} / ${s.traceHash}`],
  ];
  for (const f of s.faults) {
    rows.push([
      `  ${formatDuration(f.atMs)} ${f.fault}`,
      f.recoveryMs === null
        ? 'not recovered within its phase'
        : `recovered in ${formatDuration(f.recoveryMs)}`,
    ]);
  }
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
}

function main(argv: readonly string[]): number {
  let opts: ReturnType<typeof parseCli>;
  try {
    opts = parseCli(argv);
  } catch (err) {
    process.stderr.write(`sim: ${errorMessage(err)}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let run: ReturnType<typeof runScenario>;
  try {
    const engineConfig = {
      ...(opts.helloIntervalMs !== undefined ? { helloIntervalMs: opts.helloIntervalMs } : {}),
      ...(opts.updateIntervalMs !== undefined ? { updateIntervalMs: opts.updateIntervalMs } : {}),
    };
    run = runScenario({
      topology: {
        name: opts.topology,
        nodes: opts.nodes,
        file: opts.file,
        degree: opts.degree,
        latency: opts.latency,
      },
      seed: opts.seed,
      durationMs: opts.durationMs,
      quietMs: opts.quietMs,
      faults: opts.faults,
      randomFaults: opts.randomFaults,
      jitterMs: opts.jitterMs,
      loss: opts.loss,
      detectMs: opts.detectMs,
      bootSpreadMs: opts.bootSpreadMs,
      sampleMs: opts.sampleMs,
      realCrypto: opts.realCrypto,
      floatTime: opts.floatTime,
      bytes: opts.bytes,
      keepGoing: opts.keepGoing,
      engineConfig,
      onProgress: progressReporter(opts.progress),
    });
  } catch (err) {
    if (err instanceof UsageError || err instanceof HyphaError || err instanceof RangeError) {
      process.stderr.write(`sim: ${errorMessage(err)}\n`);
      return 2;
    }
    throw err;
  }
  const { summary, result } = run;
  if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else printTable(summary);
  for (const v of result.violations) {
    process.stderr.write(
      `\nsim: VIOLATION ${v.kind} at ${formatDuration(v.atMs)}: ${v.message}\nlast events:\n  ${v.trace.join('\n  ')}\n`,
    );
  }
  if (opts.report !== undefined) {
    writeFileSync(
      opts.report,
      renderReport(
        result,
        summary,
        `hypha sim: ${summary.topology} ${summary.nodes} nodes, seed ${summary.seed}`,
      ),
    );
    process.stderr.write(`sim: report written to ${opts.report}\n`);
  }
  return summary.converged && result.violations.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
