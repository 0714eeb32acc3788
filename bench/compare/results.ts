/** The records the benchmark writes (JSON lines) and the per-implementation summary the reports show. */

export type RunStatus = 'ok' | 'partial' | 'failed' | 'skipped';
export type TestName = 'tcp1_fwd' | 'tcp1_rev' | 'tcpN_fwd' | 'tcpN_rev';

export interface TestRecord {
  readonly test: TestName;
  readonly streams: number;
  readonly reverse: boolean;
  readonly gbps?: number;
  readonly bytes?: number;
  readonly seconds?: number;
  readonly retransmits?: number;
  /** utime+stime of every daemon during the iperf3 run. */
  readonly daemon_cpu_s?: number;
  /** Whole-machine busy CPU (/proc/stat) during the run. */
  readonly all_cpu_s?: number;
  readonly wall_s?: number;
  /** Average cores busy = CPU-s / wall-s. */
  readonly daemon_cores?: number;
  readonly all_cores?: number;
  readonly error?: string;
}

export interface HostInfo {
  readonly kernel: string;
  readonly cores: number;
  readonly cpu_model: string;
  readonly clk_tck: number;
}

export interface RunOptionsRecord {
  readonly seconds: number;
  readonly streams: number;
  readonly reps: number;
  readonly mtu?: number;
  readonly pin: boolean;
}

export interface RunRecord {
  readonly kind: 'run';
  readonly run_id: string;
  readonly impl: string;
  readonly topology: 'pair' | 'relay';
  readonly rep: number;
  status: RunStatus;
  reason?: string;
  /** A warning that does not change the status (e.g. an overlay MTU too large for the underlay). */
  note?: string;
  readonly description: string;
  version?: string;
  readonly started_at: string;
  /** 1-minute load average when this implementation started: other work on the box skews the numbers. */
  readonly load_avg_1m: number;
  readonly host: HostInfo;
  readonly options: RunOptionsRecord;
  addresses?: Record<string, string>;
  overlay_mtu?: number;
  ready_s?: number;
  rtt_min_ms?: number;
  rtt_avg_ms?: number;
  rtt_max_ms?: number;
  ping_loss?: number;
  tcp1_fwd_gbps?: number;
  tcp1_rev_gbps?: number;
  tcpN_fwd_gbps?: number;
  tcpN_rev_gbps?: number;
  /** Both daemons' CPU-s per 1e9 bytes delivered, over the two 1-stream runs together. */
  daemon_cpu_s_per_gb?: number;
  gbit_per_daemon_cpu_s?: number;
  all_cpu_s_per_gb?: number;
  retransmits_1stream?: number;
  tests: TestRecord[];
}

export interface SummaryRow {
  readonly impl: string;
  readonly topology: 'pair' | 'relay';
  readonly status: RunStatus;
  readonly reason?: string;
  readonly note?: string;
  readonly reps: number;
  readonly ok_reps: number;
  readonly tcp1_fwd_gbps?: number;
  readonly tcp1_rev_gbps?: number;
  readonly tcpN_fwd_gbps?: number;
  readonly tcpN_rev_gbps?: number;
  readonly rtt_avg_ms?: number;
  readonly rtt_min_ms?: number;
  readonly daemon_cpu_s_per_gb?: number;
  readonly all_cpu_s_per_gb?: number;
  readonly retransmits_1stream?: number;
  readonly overlay_mtu?: number;
  readonly version?: string;
}

export interface SummaryRecord {
  readonly kind: 'summary';
  readonly run_id: string;
  readonly finished_at: string;
  readonly host: HostInfo;
  readonly options: RunOptionsRecord;
  readonly rows: SummaryRow[];
}

export type ResultLine = RunRecord | SummaryRecord;

export function mean(values: readonly (number | undefined)[]): number | undefined {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
}

function minOf(values: readonly (number | undefined)[]): number | undefined {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? Math.min(...v) : undefined;
}

/**
 * One row per implementation: means over the repetitions that produced numbers. The status is the
 * best one seen (ok beats partial beats failed beats skipped); the reason is the first failure's.
 */
export function summarize(runs: readonly RunRecord[]): SummaryRow[] {
  const order: string[] = [];
  const byImpl = new Map<string, RunRecord[]>();
  for (const r of runs) {
    if (!byImpl.has(r.impl)) {
      byImpl.set(r.impl, []);
      order.push(r.impl);
    }
    byImpl.get(r.impl)!.push(r);
  }
  const rank: Record<RunStatus, number> = { ok: 3, partial: 2, failed: 1, skipped: 0 };
  return order.map((impl) => {
    const all = byImpl.get(impl)!;
    const measured = all.filter((r) => r.status === 'ok' || r.status === 'partial');
    const best = all.reduce((a, b) => (rank[b.status] > rank[a.status] ? b : a));
    const firstProblem = all.find((r) => r.status !== 'ok' && r.reason);
    const status: RunStatus = all.every((r) => r.status === 'ok')
      ? 'ok'
      : best.status === 'ok'
        ? 'partial'
        : best.status;
    return {
      impl,
      topology: best.topology,
      status,
      reason: firstProblem?.reason,
      note: all.find((r) => r.note)?.note,
      reps: all.length,
      ok_reps: all.filter((r) => r.status === 'ok').length,
      tcp1_fwd_gbps: mean(measured.map((r) => r.tcp1_fwd_gbps)),
      tcp1_rev_gbps: mean(measured.map((r) => r.tcp1_rev_gbps)),
      tcpN_fwd_gbps: mean(measured.map((r) => r.tcpN_fwd_gbps)),
      tcpN_rev_gbps: mean(measured.map((r) => r.tcpN_rev_gbps)),
      rtt_avg_ms: mean(measured.map((r) => r.rtt_avg_ms)),
      rtt_min_ms: minOf(measured.map((r) => r.rtt_min_ms)),
      daemon_cpu_s_per_gb: mean(measured.map((r) => r.daemon_cpu_s_per_gb)),
      all_cpu_s_per_gb: mean(measured.map((r) => r.all_cpu_s_per_gb)),
      retransmits_1stream: mean(measured.map((r) => r.retransmits_1stream)),
      overlay_mtu: best.overlay_mtu,
      version: best.version,
    };
  });
}

/** Splits the lines of a results file into runs (by run_id, in file order). Bad lines are skipped. */
export function groupByRun(text: string): { runId: string; runs: RunRecord[]; summary?: SummaryRecord }[] {
  const groups = new Map<string, { runId: string; runs: RunRecord[]; summary?: SummaryRecord }>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let rec: ResultLine;
    try {
      rec = JSON.parse(line) as ResultLine;
    } catch {
      continue;
    }
    if (!rec || typeof rec !== 'object' || typeof rec.run_id !== 'string') continue;
    let g = groups.get(rec.run_id);
    if (!g) {
      g = { runId: rec.run_id, runs: [] };
      groups.set(rec.run_id, g);
    }
    if (rec.kind === 'run') g.runs.push(rec);
    else if (rec.kind === 'summary') g.summary = rec;
  }
  return [...groups.values()];
}
