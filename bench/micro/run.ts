/** Runs the selected groups and collects one report; the CLI and the smoke test both call this. */
import { codecGroup } from './codec.bench.js';
import { handshakeGroup } from './handshake.bench.js';
import type { MicroGroup, MicroResult, RunOptions } from './harness.js';
import { lookupGroup } from './lookup.bench.js';
import { type MachineInfo, machineInfo } from './machine.js';
import { sealGroup } from './seal.bench.js';
import { simStepGroup } from './sim-step.bench.js';
import { verifyGroup } from './verify.bench.js';

export const GROUPS: readonly MicroGroup[] = [
  codecGroup,
  lookupGroup,
  sealGroup,
  handshakeGroup,
  verifyGroup,
  simStepGroup,
];

export interface MicroReport {
  readonly bench: 'micro';
  readonly date: string;
  readonly quick: boolean;
  readonly machine: MachineInfo;
  /** The 1-minute load average when the run ended (machine.loadAverage1m is the start). */
  readonly loadAverage1mAfter: number;
  readonly groups: readonly string[];
  readonly results: readonly MicroResult[];
}

export interface MicroRunOptions extends RunOptions {
  /** Group names; all groups when empty. */
  readonly groups: readonly string[];
  /** Called as each group starts, for progress on stderr. */
  readonly onGroup?: (group: MicroGroup) => void;
}

export function findGroups(names: readonly string[]): MicroGroup[] {
  if (names.length === 0) return [...GROUPS];
  return names.map((name) => {
    const g = GROUPS.find((x) => x.name === name);
    if (g === undefined)
      throw new Error(`unknown group "${name}"; groups: ${GROUPS.map((x) => x.name).join(', ')}`);
    return g;
  });
}

export async function runMicro(opts: MicroRunOptions): Promise<MicroReport> {
  const groups = findGroups(opts.groups);
  const machine = machineInfo();
  const results: MicroResult[] = [];
  for (const g of groups) {
    opts.onGroup?.(g);
    results.push(...(await g.run({ quick: opts.quick })));
  }
  return {
    bench: 'micro',
    date: new Date().toISOString(),
    quick: opts.quick,
    machine,
    loadAverage1mAfter: machineInfo().loadAverage1m,
    groups: groups.map((g) => g.name),
    results,
  };
}
