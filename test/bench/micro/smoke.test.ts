import { describe, expect, it } from 'vitest';
import { findGroups, GROUPS, runMicro } from '../../../bench/micro/run.js';
import { formatTable } from '../../../bench/micro/table.js';

describe('bench:micro smoke', () => {
  it('runs the codec and seal groups with --quick settings, every task measuring a positive rate', async () => {
    const report = await runMicro({ groups: ['codec', 'seal'], quick: true });
    expect(report.groups).toEqual(['codec', 'seal']);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    expect(report.results.length).toBeGreaterThan(20);
    for (const r of report.results) {
      expect(r.opsPerSec, r.name).toBeGreaterThan(0);
      expect(r.meanNs, r.name).toBeGreaterThan(0);
      expect(r.p99Ns, r.name).toBeGreaterThan(0);
    }
    const seal = report.results.filter((r) => r.group === 'seal');
    expect(seal.every((r) => r.mbPerSec !== undefined && r.mbPerSec > 0)).toBe(true);
    const table = formatTable(report.results);
    for (const r of report.results) expect(table).toContain(r.name);
  }, 20_000);

  it('knows every group by name and refuses an unknown one', () => {
    expect(findGroups([]).map((g) => g.name)).toEqual(GROUPS.map((g) => g.name));
    expect(GROUPS.map((g) => g.name)).toEqual(['codec', 'lookup', 'seal', 'handshake', 'verify', 'sim-step']);
    expect(() => findGroups(['nope'])).toThrow(/unknown group "nope"/);
  });
});
