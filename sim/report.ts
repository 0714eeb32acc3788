/**
 * The HTML report: one self-contained file (inline CSS and SVG, no scripts, no network) with the
 * summary, the convergence curve (fraction of reachable pairs over time, faults marked), control
 * traffic over time, the stretch histogram, fault recovery times and any violation with its trace.
 */
import type { SimResult } from './simulator.js';
import type { Summary } from './summary.js';
import { formatDuration } from './units.js';

const W = 760;
const H = 220;
const PAD = { l: 56, r: 16, t: 16, b: 34 };

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function num(v: number, digits = 2): string {
  return Number.isFinite(v)
    ? Math.abs(v) >= 1000
      ? Math.round(v).toLocaleString('en-US')
      : v.toFixed(digits)
    : '–';
}

function axes(
  xMax: number,
  yMax: number,
  yLabel: (v: number) => string,
  xLabel: (v: number) => string,
): string {
  const out: string[] = [];
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  for (let k = 0; k <= 4; k++) {
    const y = PAD.t + ih - (ih * k) / 4;
    out.push(`<line x1="${PAD.l}" y1="${y}" x2="${W - PAD.r}" y2="${y}" class="grid"/>`);
    out.push(`<text x="${PAD.l - 6}" y="${y + 4}" text-anchor="end">${esc(yLabel((yMax * k) / 4))}</text>`);
  }
  for (let k = 0; k <= 5; k++) {
    const x = PAD.l + (iw * k) / 5;
    out.push(
      `<text x="${x}" y="${H - PAD.b + 16}" text-anchor="middle">${esc(xLabel((xMax * k) / 5))}</text>`,
    );
  }
  out.push(`<line x1="${PAD.l}" y1="${PAD.t + ih}" x2="${W - PAD.r}" y2="${PAD.t + ih}" class="axis"/>`);
  out.push(`<line x1="${PAD.l}" y1="${PAD.t}" x2="${PAD.l}" y2="${PAD.t + ih}" class="axis"/>`);
  return out.join('');
}

function lineChart(
  points: readonly { x: number; y: number }[],
  xMax: number,
  yMax: number,
  yLabel: (v: number) => string,
  markers: readonly { x: number; label: string }[],
): string {
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const sx = (x: number): number => PAD.l + (xMax > 0 ? (iw * x) / xMax : 0);
  const sy = (y: number): number => PAD.t + ih - (yMax > 0 ? (ih * Math.min(y, yMax)) / yMax : 0);
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`)
    .join('');
  const marks = markers
    .map(
      (m) =>
        `<line x1="${sx(m.x)}" y1="${PAD.t}" x2="${sx(m.x)}" y2="${PAD.t + ih}" class="fault"/><text x="${sx(m.x) + 3}" y="${PAD.t + 10}" class="flabel">${esc(m.label)}</text>`,
    )
    .join('');
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">${axes(xMax, yMax, yLabel, (v) => formatDuration(v))}${marks}<path d="${path}" class="line"/></svg>`;
}

function histogram(values: readonly number[]): string {
  if (values.length === 0) return '<p>No stretch samples (no reachable pairs measured).</p>';
  const lo = 1;
  const hi = Math.max(1.01, Math.min(4, Math.max(...values)));
  const bins = 30;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values)
    counts[Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)))]!++;
  const cMax = Math.max(...counts);
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const bw = iw / bins;
  const bars = counts
    .map((c, i) => {
      const h = cMax > 0 ? (ih * c) / cMax : 0;
      return `<rect x="${(PAD.l + i * bw + 1).toFixed(1)}" y="${(PAD.t + ih - h).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${h.toFixed(1)}" class="bar"><title>${c} pairs</title></rect>`;
    })
    .join('');
  const xl = (k: number): string => (lo + ((hi - lo) * k) / 5).toFixed(2);
  const labels = [0, 1, 2, 3, 4, 5]
    .map(
      (k) => `<text x="${PAD.l + (iw * k) / 5}" y="${H - PAD.b + 16}" text-anchor="middle">${xl(k)}</text>`,
    )
    .join('');
  const yl = [0, 1, 2, 3, 4]
    .map(
      (k) =>
        `<text x="${PAD.l - 6}" y="${PAD.t + ih - (ih * k) / 4 + 4}" text-anchor="end">${Math.round((cMax * k) / 4)}</text>`,
    )
    .join('');
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img"><line x1="${PAD.l}" y1="${PAD.t + ih}" x2="${W - PAD.r}" y2="${PAD.t + ih}" class="axis"/>${yl}${labels}${bars}</svg>`;
}

/** Renders the report for one run. */
export function renderReport(result: SimResult, summary: Summary, title: string): string {
  const xMax = result.durationMs;
  const markers = result.faults.map((f) => ({ x: f.atMs, label: f.fault }));
  const reach = lineChart(
    result.series.map((p) => ({ x: p.tMs, y: p.reachable })),
    xMax,
    1,
    (v) => `${Math.round(v * 100)}%`,
    markers,
  );
  // Packets per second per node in each series interval.
  const rates = result.series.map((p, i) => {
    const dt = (p.tMs - (i > 0 ? result.series[i - 1]!.tMs : 0)) / 1000;
    return { x: p.tMs, y: dt > 0 ? p.packets / dt / result.nodes : 0 };
  });
  const rMax = Math.max(1e-9, ...rates.map((r) => r.y)) * 1.1;
  const traffic = lineChart(rates, xMax, rMax, (v) => num(v, 1), markers);
  const rows: [string, string][] = [
    ['Topology', `${result.topology}, ${result.nodes} nodes, ${result.edges} links, seed ${result.seed}`],
    ['Virtual time', formatDuration(result.durationMs)],
    ['Converged at the end', summary.converged ? 'yes' : 'no'],
    [
      'Convergence after start',
      summary.convergenceMs === null ? 'never' : formatDuration(summary.convergenceMs),
    ],
    ['Loops detected', String(summary.loopsDetected)],
    ['Forged routes selected', String(summary.forgedRoutesSelected)],
    ['Unreachable pairs (end)', String(summary.unreachablePairs)],
    [
      'Control packets / node / s (mean, max)',
      `${num(summary.controlMsgsPerNodePerSec)} / ${num(summary.controlMsgsPerNodePerSecMax)}`,
    ],
    [
      'Control bytes / node / s (mean, max)',
      `${num(summary.controlBytesPerNodePerSec.mean)} / ${num(summary.controlBytesPerNodePerSec.max)}`,
    ],
    [
      'Steady-state packets / node / s (mean, max)',
      `${num(summary.steady.msgsPerNodePerSec.mean)} / ${num(summary.steady.msgsPerNodePerSec.max)}`,
    ],
    ['Updates / node / s', num(summary.updatesPerNodePerSec)],
    ['Routes per node (mean, max)', `${num(summary.routeTable.mean, 1)} / ${summary.routeTable.max}`],
    [
      'Path stretch (mean, p95, max)',
      `${num(summary.meanStretch, 3)} / ${num(summary.p95Stretch, 3)} / ${num(summary.maxStretch, 3)}`,
    ],
    ['Wall time', `${num(summary.wallMs / 1000, 1)} s`],
    [
      'Heap (end), per node',
      `${num(summary.heapMB, 1)} MB, ${num(summary.engineBytesPerNode / 1024, 1)} KiB`,
    ],
    ['Trace hash', summary.traceHash],
  ];
  const faults =
    result.faults.length === 0
      ? '<p>No faults.</p>'
      : `<table><tr><th>at</th><th>fault</th><th>recovered after</th></tr>${result.faults
          .map(
            (f) =>
              `<tr><td>${formatDuration(f.atMs)}</td><td>${esc(f.fault)}</td><td>${f.recoveryMs === null ? 'not within this phase' : formatDuration(f.recoveryMs)}</td></tr>`,
          )
          .join('')}</table>`;
  const violations = result.violations
    .map(
      (v) =>
        `<h3>${esc(v.kind)} at ${formatDuration(v.atMs)}</h3><p>${esc(v.message)}</p><pre>${esc(v.trace.join('\n'))}</pre>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:800px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:3px 10px 3px 0;text-align:left}
svg text{font-size:11px;fill:#555}.grid{stroke:#eee}.axis{stroke:#999}.line{fill:none;stroke:#1f6fb2;stroke-width:1.6}
.fault{stroke:#d9534f;stroke-dasharray:3 3}.flabel{fill:#d9534f;font-size:10px}.bar{fill:#5a9bd4}
.bad{color:#b00}pre{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:12px}
</style></head><body>
<h1>${esc(title)}</h1>
<p class="${summary.converged && result.violations.length === 0 ? '' : 'bad'}">${summary.converged ? 'Converged' : 'Not converged'}; ${result.violations.length} violation(s).</p>
<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
<h2>Convergence: fraction of reachable pairs</h2>
<p>Pairs (source, destination) in the same partition whose next hops lead to the destination over live links. Dashed lines: faults.</p>
${reach}
<h2>Control traffic: packets per node per second</h2>
${traffic}
<h2>Path stretch (latency along next hops ÷ shortest latency), ${result.stretchSamples.length} pairs</h2>
${histogram(result.stretchSamples)}
<h2>Faults</h2>
${faults}
${violations ? `<h2 class="bad">Violations</h2>${violations}` : ''}
</body></html>
`;
}
