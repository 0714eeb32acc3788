import { count, cpuPerGb, DASH, fixed, gbps } from './format.js';
import { describeOptions, renderRelayNotes, statusCell } from './report-markdown.js';
import type { RunRecord, SummaryRecord, SummaryRow } from './results.js';
import { summarize } from './results.js';

export interface HtmlRun {
  readonly runId: string;
  readonly runs: readonly RunRecord[];
  readonly summary?: SummaryRecord;
}

interface Series {
  readonly key: keyof SummaryRow;
  readonly label: string;
  readonly color: string;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A horizontal grouped bar chart as inline SVG: one group per implementation, one bar per series.
 * The no-overlay baseline is often 30× the overlays; when it is, the scale follows the overlays and
 * the baseline's bars are drawn cut off (dashed end) with their value written next to them.
 */
export function barChart(
  title: string,
  rows: readonly SummaryRow[],
  series: readonly Series[],
  digits = 2,
): string {
  const value = (r: SummaryRow, s: Series) => {
    const v = r[s.key];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  const isBaseline = (r: SummaryRow) => r.impl === 'raw';
  const maxOf = (rs: readonly SummaryRow[]) =>
    Math.max(0, ...rs.flatMap((r) => series.map((s) => value(r, s) ?? 0)));
  const overlayMax = maxOf(rows.filter((r) => !isBaseline(r)));
  const allMax = maxOf(rows);
  const scaleMax = overlayMax > 0 && allMax > 3 * overlayMax ? overlayMax * 1.1 : allMax || 1;

  const labelW = 170;
  const plotW = 520;
  const barH = 14;
  const groupGap = 10;
  const top = 28;
  const groupH = series.length * barH + groupGap;
  const legendH = 22;
  const height = top + rows.length * groupH + legendH;
  const width = labelW + plotW + 90;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="0" y="16" class="title">${escapeHtml(title)}</text>`,
  ];
  rows.forEach((r, gi) => {
    const y0 = top + gi * groupH;
    parts.push(
      `<text x="${labelW - 8}" y="${y0 + (series.length * barH) / 2 + 4}" text-anchor="end">${escapeHtml(r.impl)}</text>`,
    );
    series.forEach((s, si) => {
      const v = value(r, s);
      const y = y0 + si * barH;
      if (v === undefined) {
        parts.push(
          `<text x="${labelW + 4}" y="${y + barH - 3}" class="na">${escapeHtml(r.status === 'ok' ? DASH : r.status)}</text>`,
        );
        return;
      }
      const clipped = v > scaleMax;
      const w = Math.max(1, (Math.min(v, scaleMax) / scaleMax) * plotW);
      parts.push(
        `<rect class="bar" data-impl="${escapeHtml(r.impl)}" data-metric="${String(s.key)}" x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH - 2}" fill="${s.color}"><title>${escapeHtml(`${r.impl} ${s.label}: ${v.toFixed(digits)}`)}</title></rect>`,
      );
      if (clipped)
        parts.push(
          `<line x1="${labelW + w - 6}" y1="${y - 1}" x2="${labelW + w - 2}" y2="${y + barH - 1}" stroke="#fff" stroke-width="3"/>`,
        );
      parts.push(
        `<text x="${labelW + w + 4}" y="${y + barH - 3}" class="val">${v.toFixed(digits)}${clipped ? ' (cut)' : ''}</text>`,
      );
    });
  });
  let lx = labelW;
  const ly = top + rows.length * groupH + 6;
  for (const s of series) {
    parts.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${s.color}"/>`);
    parts.push(`<text x="${lx + 16}" y="${ly + 11}">${escapeHtml(s.label)}</text>`);
    lx += 24 + s.label.length * 7;
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function htmlTable(rows: readonly SummaryRow[], streams: number): string {
  const head = [
    'impl',
    'TCP Gbit/s fwd',
    'rev',
    `x${streams} fwd`,
    `x${streams} rev`,
    'RTT ms avg (min)',
    'daemon CPU-s/GB',
    'all CPU-s/GB',
    'retransmits (1 stream)',
    'MTU',
    'status',
  ];
  const body = rows.map((r) => {
    const cells = [
      r.topology === 'relay' ? `${r.impl} (A→B→C)` : r.impl,
      gbps(r.tcp1_fwd_gbps),
      gbps(r.tcp1_rev_gbps),
      gbps(r.tcpN_fwd_gbps),
      gbps(r.tcpN_rev_gbps),
      r.rtt_avg_ms === undefined ? DASH : `${fixed(r.rtt_avg_ms, 3)} (${fixed(r.rtt_min_ms, 3)})`,
      cpuPerGb(r.daemon_cpu_s_per_gb),
      cpuPerGb(r.all_cpu_s_per_gb),
      count(r.retransmits_1stream),
      r.overlay_mtu === undefined ? DASH : String(r.overlay_mtu),
      statusCell(r),
    ];
    return `<tr class="${r.status}">${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function runSection(run: HtmlRun): string {
  const first = run.runs[0];
  const options = run.summary?.options ?? first?.options;
  const host = run.summary?.host ?? first?.host;
  const rows = run.summary?.rows ?? summarize(run.runs);
  const streams = options?.streams ?? 0;
  const throughput: Series[] = [
    { key: 'tcp1_fwd_gbps', label: '1 stream fwd', color: '#2b6cb0' },
    { key: 'tcp1_rev_gbps', label: '1 stream rev', color: '#63b3ed' },
  ];
  if (streams > 0)
    throughput.push(
      { key: 'tcpN_fwd_gbps', label: `${streams} streams fwd`, color: '#2f855a' },
      { key: 'tcpN_rev_gbps', label: `${streams} streams rev`, color: '#9ae6b4' },
    );
  const relay = renderRelayNotes(rows)
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => `<li>${escapeHtml(l.replace(/^- /, ''))}</li>`)
    .join('');
  return [
    `<section><h2>Run ${escapeHtml(run.runId)}</h2>`,
    `<p>${escapeHtml(options ? describeOptions(options) : '')}${host ? escapeHtml(` · kernel ${host.kernel}, ${host.cores} cores (${host.cpu_model})`) : ''}</p>`,
    htmlTable(rows, streams),
    relay ? `<ul>${relay}</ul>` : '',
    '<div class="charts">',
    barChart('TCP goodput, Gbit/s (higher is better)', rows, throughput),
    barChart(
      'RTT average, ms (lower is better)',
      rows,
      [{ key: 'rtt_avg_ms', label: 'avg RTT', color: '#c05621' }],
      3,
    ),
    barChart(
      'CPU-seconds per GB delivered, 1 stream fwd+rev (lower is better)',
      rows,
      [
        { key: 'daemon_cpu_s_per_gb', label: 'daemons', color: '#6b46c1' },
        { key: 'all_cpu_s_per_gb', label: 'whole machine', color: '#b794f4' },
      ],
      1,
    ),
    '</div></section>',
  ].join('\n');
}

/** A self-contained page (inline CSS and SVG, no external assets) with every run of a results file. */
export function renderHtml(runs: readonly HtmlRun[], title = 'hypha bench/compare'): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1a202c; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #cbd5e0; padding: 3px 8px; text-align: right; }
td:first-child, th:first-child, td:last-child { text-align: left; }
tr.failed td, tr.skipped td { color: #9b2c2c; }
.charts { display: flex; flex-wrap: wrap; gap: 2em; }
svg.chart text { font: 12px system-ui, sans-serif; fill: #1a202c; }
svg.chart text.title { font-weight: bold; }
svg.chart text.val, svg.chart text.na { fill: #4a5568; }
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>Two network namespaces joined by a veth pair (MTU 1500), an overlay daemon in each, iperf3 and ping across the overlay addresses. "fwd" is A→B, "rev" is B→A (iperf3 -R); "A→B→C" rows relay through a middle node. See bench/compare/README.md.</p>
${runs.map(runSection).join('\n')}
</body></html>
`;
}
