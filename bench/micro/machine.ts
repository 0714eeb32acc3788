/** What a result file records about the machine that produced it. */
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGB: number;
  readonly node: string;
  readonly v8: string;
  readonly kernel: string;
  readonly platform: string;
  readonly arch: string;
  /** 1-minute load average when the run started: above the core count, other work shared the CPU. */
  readonly loadAverage1m: number;
}

export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    kernel: release(),
    platform: process.platform,
    arch: process.arch,
    loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
  };
}
