/**
 * Summarises a V8 .cpuprofile (what `node --cpu-prof` writes) by function: self time per
 * function, and the share of idle, GC and program time.
 */

export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface FunctionTime {
  /** `name (file:line)`, or V8's pseudo-frames such as `(idle)`, `(garbage collector)`. */
  readonly name: string;
  readonly selfMs: number;
  /** Share of all sampled time, 0..1. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly idleShare: number;
  readonly gcShare: number;
  readonly top: readonly FunctionTime[];
}

function frameName(node: CpuProfileNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const fn = functionName || '(anonymous)';
  if (!url) return fn;
  const file = url.startsWith(root) ? url.slice(root.length) : url.replace(/^file:\/\//, '');
  return `${fn} (${file}:${lineNumber + 1})`;
}

/** Throws if `value` is not shaped like a .cpuprofile. */
export function parseCpuProfile(value: unknown): CpuProfile {
  const p = value as Partial<CpuProfile> | null;
  if (
    !p ||
    !Array.isArray(p.nodes) ||
    !Array.isArray(p.samples) ||
    !Array.isArray(p.timeDeltas) ||
    p.samples.length !== p.timeDeltas.length
  )
    throw new Error('not a V8 CPU profile: expected nodes, samples and timeDeltas of equal length');
  return p as CpuProfile;
}

/**
 * Self time per function, merged by name. `root` (a file:// URL prefix) is cut from file names.
 * A sample's time is the delta to the next sample, as Chrome DevTools counts it.
 */
export function summariseProfile(profile: CpuProfile, root = '', topN = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const next = profile.timeDeltas[i + 1] ?? 0;
    const dt = Math.max(0, next);
    const node = byId.get(profile.samples[i] ?? -1);
    if (!node) continue;
    const name = frameName(node, root);
    selfUs.set(name, (selfUs.get(name) ?? 0) + dt);
    totalUs += dt;
  }
  const share = (name: string) => (totalUs > 0 ? (selfUs.get(name) ?? 0) / totalUs : 0);
  const top = [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([name, us]) => ({ name, selfMs: us / 1000, share: totalUs > 0 ? us / totalUs : 0 }));
  return {
    totalMs: totalUs / 1000,
    idleShare: share('(idle)'),
    gcShare: share('(garbage collector)'),
    top,
  };
}

/** The summary as a Markdown table. */
export function formatSummary(title: string, s: ProfileSummary): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const lines = [
    `### ${title}`,
    '',
    `${(s.totalMs / 1000).toFixed(1)} s sampled; idle ${pct(s.idleShare)}, GC ${pct(s.gcShare)}, busy ${pct(1 - s.idleShare)}`,
    '',
    '| self ms | share | function |',
    '|---:|---:|---|',
    ...s.top.map((f) => `| ${f.selfMs.toFixed(0)} | ${pct(f.share)} | ${f.name.replaceAll('|', '\\|')} |`),
    '',
  ];
  return lines.join('\n');
}
