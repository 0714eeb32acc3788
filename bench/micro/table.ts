/** The results as a fixed-width text table (also pasted into README.md). */
import type { MicroResult } from './harness.js';

const HEADER = ['benchmark', 'ops/s', 'mean ns', 'p99 ns', 'MB/s'] as const;

function num(v: number | undefined, digits = 0): string {
  if (v === undefined) return '-';
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function row(r: MicroResult): string[] {
  const small = r.meanNs < 100;
  return [
    `${r.group}: ${r.name}`,
    num(r.opsPerSec),
    num(r.meanNs, small ? 1 : 0),
    num(r.p99Ns, small ? 1 : 0),
    num(r.mbPerSec, 1),
  ];
}

export function formatTable(results: readonly MicroResult[]): string {
  const rows = [[...HEADER], ...results.map(row)];
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const notes = results.filter((r) => r.note !== undefined).map((r) => `  ${r.group}: ${r.name}: ${r.note}`);
  return [line(rows[0]!), rule, ...rows.slice(1).map(line), ...(notes.length > 0 ? ['', ...notes] : [])].join(
    '\n',
  );
}
