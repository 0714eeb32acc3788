import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../../bench/compare/report-html.js';
import { renderMarkdownTable, renderRelayNotes } from '../../../bench/compare/report-markdown.js';
import { groupByRun, type RunRecord, type SummaryRow, summarize } from '../../../bench/compare/results.js';

const options = { seconds: 10, streams: 4, reps: 2, pin: false };
const host = { kernel: '6.1.0', cores: 2, cpu_model: 'test cpu', clk_tck: 100 };

function run(impl: string, rep: number, extra: Partial<RunRecord>): RunRecord {
  return {
    kind: 'run',
    run_id: 'r1',
    impl,
    topology: impl.endsWith('-relay') ? 'relay' : 'pair',
    rep,
    status: 'ok',
    description: impl,
    started_at: '2026-01-01T00:00:00Z',
    load_avg_1m: 0.5,
    host,
    options,
    tests: [],
    ...extra,
  };
}

const runs: RunRecord[] = [
  run('raw', 1, { tcp1_fwd_gbps: 20, tcp1_rev_gbps: 22, all_cpu_s_per_gb: 0.6, overlay_mtu: 1500 }),
  run('hypha', 1, {
    tcp1_fwd_gbps: 0.4,
    tcp1_rev_gbps: 0.5,
    tcpN_fwd_gbps: 0.45,
    tcpN_rev_gbps: 0.55,
    rtt_avg_ms: 0.5,
    rtt_min_ms: 0.3,
    daemon_cpu_s_per_gb: 30,
    all_cpu_s_per_gb: 33,
    overlay_mtu: 1352,
  }),
  run('hypha', 2, {
    tcp1_fwd_gbps: 0.6,
    tcp1_rev_gbps: 0.7,
    rtt_avg_ms: 0.7,
    rtt_min_ms: 0.2,
    daemon_cpu_s_per_gb: 20,
  }),
  run('hypha-relay', 1, { tcp1_fwd_gbps: 0.3, rtt_avg_ms: 0.9, daemon_cpu_s_per_gb: 45 }),
  run('tinc', 1, { status: 'skipped', reason: 'missing command tincd (try --install-deps)' }),
  run('nebula', 1, { status: 'failed', reason: 'no ping reply | from B' }),
];

describe('summarize', () => {
  it('averages the repetitions and keeps the smallest minimum RTT', () => {
    const rows = summarize(runs);
    const hypha = rows.find((r) => r.impl === 'hypha')!;
    expect(hypha.tcp1_fwd_gbps).toBeCloseTo(0.5);
    expect(hypha.rtt_avg_ms).toBeCloseTo(0.6);
    expect(hypha.rtt_min_ms).toBe(0.2);
    expect(hypha.daemon_cpu_s_per_gb).toBeCloseTo(25);
    expect(hypha.ok_reps).toBe(2);
    expect(rows.map((r) => r.impl)).toEqual(['raw', 'hypha', 'hypha-relay', 'tinc', 'nebula']);
  });

  it('keeps implementations that could not run, with their reason', () => {
    const tinc = summarize(runs).find((r) => r.impl === 'tinc')!;
    expect(tinc.status).toBe('skipped');
    expect(tinc.reason).toMatch(/tincd/);
  });
});

describe('renderMarkdownTable', () => {
  const rows = summarize(runs);
  const md = renderMarkdownTable(rows, options);
  const lines = md.trim().split('\n');

  it('has a header, a separator and a row per implementation with the same number of cells', () => {
    expect(lines[0]).toMatch(
      /^\| impl \| TCP Gbit\/s fwd \| rev \| x4 fwd \| x4 rev \| RTT ms avg \(min\) \|/,
    );
    expect(lines).toHaveLength(2 + rows.length);
    const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
    for (const l of lines) expect(cells(l)).toBe(cells(lines[0]!));
  });

  it('formats numbers and dashes', () => {
    const hypha = lines.find((l) => l.startsWith('| hypha |'))!;
    expect(hypha).toContain('| 0.50 | 0.60 | 0.45 | 0.55 | 0.600 (0.200) | 25.0 |');
    const raw = lines.find((l) => l.startsWith('| raw |'))!;
    expect(raw).toContain('| 20.00 | 22.00 | – | – | – | – | 0.60 |');
  });

  it('shows skipped and failed implementations with the reason', () => {
    expect(md).toContain('| skipped: missing command tincd (try --install-deps) |');
    expect(md).toContain('failed: no ping reply \\| from B');
    expect(md).toContain('hypha-relay (A→B→C)');
  });

  it('keeps a stall visible instead of rounding it to zero', () => {
    const stalled = summarize([run('hypha', 1, { tcp1_fwd_gbps: 0.000123 })]);
    expect(renderMarkdownTable(stalled, options)).toContain('| hypha | 0.00012 |');
  });

  it('shows a note next to the status', () => {
    const noted = summarize([run('hypha', 1, { tcp1_fwd_gbps: 0.001, note: 'MTU 1420 too large' })]);
    expect(renderMarkdownTable(noted, options)).toContain('| ok; note: MTU 1420 too large |');
  });

  it('notes the cost of the relay hop', () => {
    expect(renderRelayNotes(rows)).toMatch(
      /hypha, one relay hop .*0\.30 vs 0\.50 Gbit\/s, RTT \+0\.300 ms, \+20\.0 daemon/,
    );
  });
});

describe('renderHtml', () => {
  const html = renderHtml([{ runId: 'r1', runs }]);

  it('is self-contained', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
  });

  it('draws an SVG bar per measured implementation', () => {
    expect(html).toContain('<svg');
    for (const impl of ['raw', 'hypha', 'hypha-relay'])
      expect(html).toContain(`class="bar" data-impl="${impl}" data-metric="tcp1_fwd_gbps"`);
    expect(html).not.toContain('data-impl="tinc"');
    expect(html).toContain('(cut)'); // raw is far beyond the overlays' scale
  });

  it('escapes text', () => {
    const row: SummaryRow = {
      impl: '<x>',
      topology: 'pair',
      status: 'ok',
      reps: 1,
      ok_reps: 1,
      tcp1_fwd_gbps: 1,
    };
    const page = renderHtml([
      {
        runId: 'r',
        runs: [],
        summary: { kind: 'summary', run_id: 'r', finished_at: '', host, options, rows: [row] },
      },
    ]);
    expect(page).toContain('&lt;x&gt;');
    expect(page).not.toContain('<x>');
  });
});

describe('groupByRun', () => {
  it('splits a results file by run_id and skips broken lines', () => {
    const text = [
      JSON.stringify(runs[0]),
      'not json',
      JSON.stringify({ ...runs[1], run_id: 'r2' }),
      JSON.stringify({ kind: 'summary', run_id: 'r1', finished_at: '', host, options, rows: [] }),
      '',
    ].join('\n');
    const groups = groupByRun(text);
    expect(groups.map((g) => [g.runId, g.runs.length, Boolean(g.summary)])).toEqual([
      ['r1', 1, true],
      ['r2', 1, false],
    ]);
  });
});
