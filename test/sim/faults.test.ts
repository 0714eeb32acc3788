import { describe, expect, it } from 'vitest';
import {
  describeFault,
  FaultScheduleError,
  parseFaultJson,
  parseFaultSchedule,
  randomFaults,
  validateFaults,
} from '../../sim/faults.js';
import { Rng } from '../../sim/rng.js';
import { grid } from '../../sim/topology/grid.js';

describe('fault schedule parsing', () => {
  it('parses every kind of the compact form, sorted by time', () => {
    const f = parseFaultSchedule(
      '45s:link-up:3-7,30s:link-down:3-7,60s:crash:12,90s:restart:12,100s:partition:0-49|50-99,120s:heal,130s:latency:3-7:80ms,135s:loss:3-7:0.25,140s:malicious:5',
    );
    expect(f.map(describeFault)).toEqual([
      'link-down 3-7',
      'link-up 3-7',
      'crash 12',
      'restart 12',
      'partition 50 nodes | 50 nodes',
      'heal',
      'latency 3-7 80ms',
      'loss 3-7 0.25',
      'malicious 5',
    ]);
    expect(f[0]).toEqual({ at: 30_000, kind: 'link-down', a: 3, b: 7 });
    expect(f[4]).toMatchObject({ at: 100_000, kind: 'partition' });
  });

  it('keeps the written order of faults at the same time; ms, m and + groups work', () => {
    const f = parseFaultSchedule('1m:crash:2, 500ms:partition:0-1+5|2, 1m:restart:2');
    expect(f.map((x) => x.kind)).toEqual(['partition', 'crash', 'restart']);
    expect(f[0]).toEqual({ at: 500, kind: 'partition', groups: [[0, 1, 5], [2]] });
  });

  it.each([
    ['30:crash:1', /bad time "30"/],
    ['30s:explode:1', /unknown fault kind "explode"; allowed: link-down/],
    ['30s:link-down:3', /expected a link "A-B"/],
    ['30s:crash', /expected TIME:crash:NODE/],
    ['30s:crash:x', /"x" is not a node id/],
    ['30s:latency:1-2:fast', /bad latency "fast"/],
    ['30s:loss:1-2:2', /loss must be a number in \[0, 1\]/],
    ['30s:partition:5-1', /runs backwards/],
    ['30s', /expected TIME:KIND/],
  ])('rejects %s with a message that says what is allowed', (spec, re) => {
    expect(() => parseFaultSchedule(spec)).toThrow(FaultScheduleError);
    expect(() => parseFaultSchedule(spec)).toThrow(re);
  });

  it('parses the JSON form and reports bad entries by index', () => {
    const f = parseFaultJson(
      '[{"at":"30s","kind":"link-down","link":[3,7]},{"at":1000,"kind":"crash","node":2},{"at":"2s","kind":"partition","groups":[[0,1]]}]',
    );
    expect(f.map(describeFault)).toEqual(['crash 2', 'partition 0+1', 'link-down 3-7']);
    expect(() => parseFaultJson('[{"at":"1s","kind":"crash"}]', 'x.json')).toThrow(/x.json: fault 0: "node"/);
    expect(() => parseFaultJson('{}', 'x.json')).toThrow(/expected an array/);
    expect(() => parseFaultJson('[{"kind":"heal"}]')).toThrow(/"at" must be/);
  });

  it('validates against the topology: unknown links and nodes, nodes in two groups', () => {
    const t = grid({ nodes: 16 }, new Rng(1));
    expect(() => validateFaults(parseFaultSchedule('1s:link-down:0-1'), t)).not.toThrow();
    expect(() => validateFaults(parseFaultSchedule('1s:link-down:0-5'), t)).toThrow(/no link 0-5/);
    expect(() => validateFaults(parseFaultSchedule('1s:crash:16'), t)).toThrow(/node 16 does not exist/);
    expect(() => validateFaults(parseFaultSchedule('1s:partition:0-3|3-5'), t)).toThrow(
      /node 3 is in two groups/,
    );
  });

  it('random faults: deterministic, within the window, every fault repaired', () => {
    const t = grid({ nodes: 100 }, new Rng(1));
    const a = randomFaults(20, t, new Rng(3), 10_000, 200_000);
    expect(a).toEqual(randomFaults(20, t, new Rng(3), 10_000, 200_000));
    expect(a).toHaveLength(40);
    expect(a.every((f) => f.at >= 10_000 && f.at <= 200_000)).toBe(true);
    const open = new Map<string, number>();
    for (const f of a) {
      const key =
        f.kind === 'crash' || f.kind === 'restart'
          ? `n${f.node}`
          : f.kind === 'partition' || f.kind === 'heal'
            ? 'p'
            : null;
      if (key === null) continue;
      open.set(key, (open.get(key) ?? 0) + (f.kind === 'crash' || f.kind === 'partition' ? 1 : -1));
    }
    expect([...open.values()].every((v) => v === 0)).toBe(true);
    expect(() => validateFaults(a, t)).not.toThrow();
  });
});
