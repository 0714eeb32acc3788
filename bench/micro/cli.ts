/**
 * Per-operation costs of hypha's hot paths.
 *
 *   npm run bench:micro [-- group...] [--json] [--quick]
 *
 * --json writes bench/results/micro-<date>.json (results plus machine info); --quick runs each task
 * for a few samples only (a smoke test, not a measurement).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GROUPS, runMicro } from './run.js';
import { formatTable } from './table.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    `usage: npm run bench:micro [-- group...] [--json] [--quick]\ngroups: ${GROUPS.map((g) => `${g.name} (${g.title})`).join(', ')}\n`,
  );
  process.exit(0);
}

const report = await runMicro({
  groups: positionals,
  quick: values.quick,
  onGroup: (g) => process.stderr.write(`bench:micro: ${g.name} — ${g.title}\n`),
});
const m = report.machine;
process.stdout.write(
  `${m.cpuModel}, ${m.cores} cores, node ${m.node}, kernel ${m.kernel}, load ${m.loadAverage1m} → ${report.loadAverage1mAfter}${report.quick ? ' (quick run)' : ''}\n\n`,
);
process.stdout.write(`${formatTable(report.results)}\n`);

if (values.json) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `micro-${report.date.slice(0, 10)}.json`);
  // One decimal is well inside the run-to-run noise.
  const rounded = (_: string, v: unknown) =>
    typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 10) / 10 : v;
  writeFileSync(file, `${JSON.stringify(report, rounded, 2)}\n`);
  process.stderr.write(`bench:micro: wrote ${file}\n`);
}
