import { count, cpuPerGb, DASH, fixed, gbps } from './format.js';
import type { RunOptionsRecord, SummaryRow } from './results.js';

/** The status cell: "ok", or the status with its reason (pipes escaped so the table survives). */
export function statusCell(row: SummaryRow): string {
  const text =
    row.status === 'ok' ? 'ok' : `${row.status}${row.reason ? `: ${row.reason}` : ''}`.replace(/\s+/g, ' ');
  const partialReps = row.reps > 1 && row.ok_reps !== row.reps ? ` (${row.ok_reps}/${row.reps} reps ok)` : '';
  const note = row.note ? `; note: ${row.note}` : '';
  return (text + partialReps + note).replace(/\|/g, '\\|').slice(0, 240);
}

export function renderMarkdownTable(rows: readonly SummaryRow[], options: RunOptionsRecord): string {
  const n = options.streams;
  const multi = n > 0 ? `x${n}` : 'xN';
  const header = [
    'impl',
    'TCP Gbit/s fwd',
    'rev',
    `${multi} fwd`,
    `${multi} rev`,
    'RTT ms avg (min)',
    'daemon CPU-s/GB',
    'all CPU-s/GB',
    'retransmits (1 stream)',
    'MTU',
    'status',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const rtt = r.rtt_avg_ms === undefined ? DASH : `${fixed(r.rtt_avg_ms, 3)} (${fixed(r.rtt_min_ms, 3)})`;
    const cells = [
      r.topology === 'relay' ? `${r.impl} (A→B→C)` : r.impl,
      gbps(r.tcp1_fwd_gbps),
      gbps(r.tcp1_rev_gbps),
      gbps(r.tcpN_fwd_gbps),
      gbps(r.tcpN_rev_gbps),
      rtt,
      cpuPerGb(r.daemon_cpu_s_per_gb),
      cpuPerGb(r.all_cpu_s_per_gb),
      count(r.retransmits_1stream),
      r.overlay_mtu === undefined ? DASH : String(r.overlay_mtu),
      statusCell(r),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** One line per relayed implementation: what the extra hop through B costs against the direct pair. */
export function renderRelayNotes(rows: readonly SummaryRow[]): string {
  const out: string[] = [];
  for (const relay of rows.filter((r) => r.topology === 'relay')) {
    const base = rows.find((r) => r.topology === 'pair' && relay.impl.startsWith(r.impl));
    if (!base || relay.tcp1_fwd_gbps === undefined || base.tcp1_fwd_gbps === undefined) continue;
    const rttDelta =
      relay.rtt_avg_ms !== undefined && base.rtt_avg_ms !== undefined
        ? `${signed(relay.rtt_avg_ms - base.rtt_avg_ms, 3)} ms`
        : DASH;
    const cpuDelta =
      relay.daemon_cpu_s_per_gb !== undefined && base.daemon_cpu_s_per_gb !== undefined
        ? `${signed(relay.daemon_cpu_s_per_gb - base.daemon_cpu_s_per_gb, 1)} daemon CPU-s/GB`
        : DASH;
    out.push(
      `- ${base.impl}, one relay hop (A→B→C against A→B): 1-stream fwd ${gbps(relay.tcp1_fwd_gbps)} vs ${gbps(base.tcp1_fwd_gbps)} Gbit/s, ` +
        `RTT ${rttDelta}, ${cpuDelta} (all three daemons counted).`,
    );
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

export function describeOptions(o: RunOptionsRecord): string {
  const parts = [
    `${o.reps} rep${o.reps === 1 ? '' : 's'}`,
    `${o.seconds} s per iperf3 test`,
    o.streams > 0 ? `1 and ${o.streams} streams` : '1 stream',
    o.mtu === undefined ? "each daemon's default MTU" : `overlay MTU ${o.mtu}`,
  ];
  if (o.pin) parts.push('pinned (A on CPU 0, B on CPU 1)');
  return parts.join(', ');
}

function signed(v: number, digits: number): string {
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;
}
