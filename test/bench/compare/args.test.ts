import { describe, expect, it } from 'vitest';
import { parseArgs, selectScenarios, UsageError } from '../../../bench/compare/args.js';

const known = [{ name: 'raw' }, { name: 'hypha', relays: true }, { name: 'tinc' }];

describe('parseArgs', () => {
  it('has the documented defaults', () => {
    const o = parseArgs([]);
    expect(o).toMatchObject({
      reps: 1,
      seconds: 10,
      streams: 4,
      keep: false,
      pin: false,
      relay: true,
      build: true,
    });
    expect(o.mtu).toBeUndefined();
    expect(o.names).toEqual([]);
  });

  it('reads every option, short and long, with separate or inline values', () => {
    const o = parseArgs([
      '-r',
      '3',
      '--time=5',
      '-P',
      '0',
      '--mtu',
      '1420',
      '-o',
      '/tmp/x.jsonl',
      '--keep',
      '--pin',
    ]);
    expect(o).toMatchObject({
      reps: 3,
      seconds: 5,
      streams: 0,
      mtu: 1420,
      output: '/tmp/x.jsonl',
      keep: true,
      pin: true,
    });
    expect(parseArgs(['--no-relay', '--no-build', 'hypha', 'tinc'])).toMatchObject({
      relay: false,
      build: false,
      names: ['hypha', 'tinc'],
    });
    expect(parseArgs(['--list']).list).toBe(true);
    expect(parseArgs(['--install-deps']).installDeps).toBe(true);
    expect(parseArgs(['--report', '-o', 'r.jsonl'])).toMatchObject({ reportOnly: true, output: 'r.jsonl' });
  });

  it('rejects bad values and unknown options', () => {
    expect(() => parseArgs(['-r', '0'])).toThrow(UsageError);
    expect(() => parseArgs(['--mtu', '1000'])).toThrow(/1280/);
    expect(() => parseArgs(['-t'])).toThrow(/needs a value/);
    expect(() => parseArgs(['-t', '1.5'])).toThrow(UsageError);
    expect(() => parseArgs(['--frobnicate'])).toThrow(/unknown option/);
  });
});

describe('selectScenarios', () => {
  it('runs everything, with the relay variant after hypha, when nothing is named', () => {
    expect(selectScenarios([], known, true).map((s) => s.name)).toEqual([
      'raw',
      'hypha',
      'hypha-relay',
      'tinc',
    ]);
    expect(selectScenarios([], known, false).map((s) => s.name)).toEqual(['raw', 'hypha', 'tinc']);
  });

  it('keeps the named order and accepts the relay variant alone', () => {
    expect(selectScenarios(['tinc', 'raw'], known, true).map((s) => s.name)).toEqual(['tinc', 'raw']);
    expect(selectScenarios(['hypha-relay'], known, false)).toEqual([
      { name: 'hypha-relay', impl: 'hypha', topology: 'relay' },
    ]);
  });

  it('rejects unknown names', () => {
    expect(() => selectScenarios(['openvpn'], known, true)).toThrow(/unknown implementation 'openvpn'/);
    expect(() => selectScenarios(['tinc-relay'], known, true)).toThrow(UsageError);
  });
});
