import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { clockTicksPerSecond } from './cpu.js';
import type { HostInfo } from './results.js';

export function hostInfo(): HostInfo {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) model = m[1].trim();
  } catch {
    // keep os.cpus()'s answer
  }
  return { kernel: release(), cores: cpus().length, cpu_model: model, clk_tck: clockTicksPerSecond() };
}
