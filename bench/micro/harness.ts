/**
 * The micro-benchmark harness: a group builds its tasks (untimed), tinybench samples them, and
 * every result comes out as ops/s, mean and p99 ns per operation, and MB/s where a task moves bytes.
 *
 * Fast operations run in batches: one tinybench sample is `batch` calls, so the timer's own cost
 * (tens of ns) does not swamp them. Mean ns is exact either way; for a batched task p99 is the 99th
 * percentile of the batch average, which hides single slow calls.
 */
import { Bench } from 'tinybench';

export interface RunOptions {
  /** A short run for smoke tests: a few samples per task instead of a second's worth. */
  readonly quick: boolean;
}

export interface MicroTask {
  readonly name: string;
  /** One operation; `i` counts 0..batch-1 within a sample, to index work made by `prepare`. */
  readonly op: (i: number) => unknown;
  /** Calls of `op` per timed sample. Default 1. */
  readonly batch?: number;
  /** Payload bytes one operation processes, for MB/s. */
  readonly bytesPerOp?: number;
  /** Runs untimed before each sample with the batch size, e.g. to seal fresh frames to open. */
  readonly prepare?: (batch: number) => void;
}

export interface MicroResult {
  readonly group: string;
  readonly name: string;
  readonly opsPerSec: number;
  readonly meanNs: number;
  /** In the JSON only: less disturbed than the mean when other work shares the CPU. */
  readonly medianNs: number | undefined;
  /** Undefined when the group measured itself without a per-operation distribution. */
  readonly p99Ns: number | undefined;
  readonly mbPerSec: number | undefined;
  readonly samples: number;
  readonly batch: number;
  readonly note?: string;
}

export interface MicroGroup {
  readonly name: string;
  readonly title: string;
  run(opts: RunOptions): MicroResult[] | Promise<MicroResult[]>;
}

const FULL = { time: 1000, warmupTime: 200, iterations: 64, warmupIterations: 16 };
const QUICK = { time: 30, warmupTime: 5, iterations: 5, warmupIterations: 2 };

/** Samples `tasks` one after another with tinybench and returns their results in order. */
export function runTasks(group: string, tasks: readonly MicroTask[], opts: RunOptions): MicroResult[] {
  const bench = new Bench({
    ...(opts.quick ? QUICK : FULL),
    timestampProvider: 'hrtimeNow',
    throws: true,
  });
  for (const t of tasks) {
    const batch = t.batch ?? 1;
    const { op, prepare } = t;
    const sample = () => {
      for (let i = 0; i < batch; i++) op(i);
    };
    bench.add(t.name, sample, prepare ? { beforeEach: () => prepare(batch) } : {});
  }
  bench.runSync();
  return tasks.map((t, k) => toResult(group, t, bench.tasks[k]!));
}

function toResult(group: string, t: MicroTask, task: Bench['tasks'][number]): MicroResult {
  const r = task.result;
  if (r.state !== 'completed') {
    const why = r.state === 'errored' ? r.error.message : r.state;
    throw new Error(`${group}/${t.name}: ${why}`);
  }
  const batch = t.batch ?? 1;
  const meanNs = (r.latency.mean * 1e6) / batch;
  return {
    group,
    name: t.name,
    opsPerSec: 1e9 / meanNs,
    meanNs,
    medianNs: (r.latency.p50 * 1e6) / batch,
    p99Ns: (r.latency.p99 * 1e6) / batch,
    mbPerSec: t.bytesPerOp === undefined ? undefined : (t.bytesPerOp * 1e3) / meanNs,
    samples: r.latency.samplesCount,
    batch,
  };
}

/** Returns `r` narrowed to success; throws when a benchmarked call failed instead of doing the work. */
export function must<T extends { readonly ok: boolean }>(r: T, what: string): Extract<T, { ok: true }> {
  if (!r.ok) throw new Error(`${what} failed: ${JSON.stringify(r)}`);
  return r as Extract<T, { ok: true }>;
}
