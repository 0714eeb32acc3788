import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface PidStat {
  readonly state: string;
  /** Clock ticks in user mode, all threads of the process (field 14). */
  readonly utime: number;
  /** Clock ticks in kernel mode, all threads (field 15). */
  readonly stime: number;
  /** Start time in ticks since boot (field 22): with the PID it names one exact process. */
  readonly starttime: number;
}

/** Parses /proc/PID/stat. The comm field may hold spaces and parentheses, so split after the last ')'. */
export function parsePidStat(text: string): PidStat {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/PID/stat line');
  // fields from 3 (state) on; index 0 = field 3
  const f = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const field = (n: number) => Number(f[n - 3]);
  if (f.length < 20 || !Number.isFinite(field(22))) throw new Error('short /proc/PID/stat line');
  return { state: f[0] ?? '?', utime: field(14), stime: field(15), starttime: field(22) };
}

export interface MachineTicks {
  /** user+nice+system+irq+softirq over all CPUs (idle, iowait and steal excluded). */
  readonly busy: number;
  /** Every field of the aggregate line (guest time is already inside user/nice). */
  readonly total: number;
}

/** Parses the aggregate `cpu ` line of /proc/stat. */
export function parseProcStat(text: string): MachineTicks {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no aggregate cpu line in /proc/stat');
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  return {
    busy: user + nice + system + irq + softirq,
    total: user + nice + system + idle + iowait + irq + softirq + steal,
  };
}

let cachedClockTicks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`, 100 on Linux if that fails). */
export function clockTicksPerSecond(): number {
  if (cachedClockTicks === undefined) {
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      cachedClockTicks = Number.isFinite(n) && n > 0 ? n : 100;
    } catch {
      cachedClockTicks = 100;
    }
  }
  return cachedClockTicks;
}

export function readPidStat(pid: number): PidStat | undefined {
  try {
    return parsePidStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function readMachineTicks(): MachineTicks {
  return parseProcStat(readFileSync('/proc/stat', 'utf8'));
}

/** utime+stime of these processes, in ticks; a PID that is gone counts 0. */
export function processTicks(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    const s = readPidStat(pid);
    if (s) total += s.utime + s.stime;
  }
  return total;
}

export interface CpuSample {
  readonly daemonTicks: number;
  readonly machineBusyTicks: number;
  readonly atMs: number;
}

export function sampleCpu(daemonPids: readonly number[]): CpuSample {
  return {
    daemonTicks: processTicks(daemonPids),
    machineBusyTicks: readMachineTicks().busy,
    atMs: performance.now(),
  };
}

export interface CpuUsage {
  readonly daemonCpuS: number;
  readonly machineCpuS: number;
  readonly wallS: number;
}

export function cpuBetween(before: CpuSample, after: CpuSample, ticksPerSecond: number): CpuUsage {
  return {
    daemonCpuS: (after.daemonTicks - before.daemonTicks) / ticksPerSecond,
    machineCpuS: (after.machineBusyTicks - before.machineBusyTicks) / ticksPerSecond,
    wallS: (after.atMs - before.atMs) / 1000,
  };
}

/** CPU-seconds per 10^9 bytes delivered; undefined when nothing was delivered. */
export function cpuSecondsPerGb(cpuSeconds: number, bytes: number): number | undefined {
  if (!(bytes > 0) || !Number.isFinite(cpuSeconds)) return undefined;
  return cpuSeconds / (bytes / 1e9);
}
