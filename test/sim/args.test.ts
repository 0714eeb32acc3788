import { describe, expect, it } from 'vitest';
import { parseCli, parseLatency, UsageError } from '../../sim/args.js';

describe('CLI arguments', () => {
  it('parses the documented example', () => {
    const o = parseCli([
      '--topology',
      'grid',
      '--nodes',
      '400',
      '--seed',
      '1',
      '--duration',
      '600s',
      '--json',
      '--report',
      'out.html',
    ]);
    expect(o).toMatchObject({
      topology: 'grid',
      nodes: 400,
      seed: 1,
      durationMs: 600_000,
      json: true,
      report: 'out.html',
    });
  });

  it('has defaults', () => {
    expect(parseCli([])).toMatchObject({
      topology: 'grid',
      nodes: 100,
      seed: 1,
      quietMs: 30_000,
      bytes: 'codec',
    });
  });

  it('takes a .json/.csv path as --topology', () => {
    expect(parseCli(['--topology', 'net.csv'])).toMatchObject({ topology: 'file', file: 'net.csv' });
  });

  it.each([
    [['--topology', 'torus'], /unknown "torus"; allowed: line, ring, grid/],
    [['--nodes', 'many'], /--nodes: "many" must be an integer/],
    [['--duration', '10'], /--duration: "10" is not a duration; use a number with a unit/],
    [['--loss', '1.5'], /--loss: "1.5" must be a probability/],
    [['--bytes', 'exact'], /allowed: codec, estimate/],
    [['--frobnicate'], /Unknown option '--frobnicate'.*see --help/],
    [['--faults', '1s:heal', '--random-faults', '2'], /cannot be combined/],
    [['--topology', 'file'], /needs --file/],
    [['--latency', '50ms-5ms'], /not a latency/],
  ])('%j is an error that says what is wrong and what is allowed', (argv, re) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
    expect(() => parseCli(argv)).toThrow(re);
  });

  it('parses latency values and ranges', () => {
    expect(parseLatency('20ms')).toEqual({ minMs: 20, maxMs: 20 });
    expect(parseLatency('5ms-50ms')).toEqual({ minMs: 5, maxMs: 50 });
    expect(parseLatency('5-50ms')).toEqual({ minMs: 5, maxMs: 50 });
  });
});
