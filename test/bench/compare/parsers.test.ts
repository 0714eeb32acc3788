import { describe, expect, it } from 'vitest';
import { cpuBetween, cpuSecondsPerGb, parsePidStat, parseProcStat } from '../../../bench/compare/cpu.js';
import { parseIperfJson } from '../../../bench/compare/iperf.js';
import { parsePingOutput } from '../../../bench/compare/ping.js';

describe('parseIperfJson', () => {
  const json = (o: unknown) => JSON.stringify(o);

  it('takes the receiver-side sum and the sender retransmits', () => {
    const out = parseIperfJson(
      json({
        start: {},
        end: {
          sum_sent: { bytes: 1_300_000_000, seconds: 10, bits_per_second: 1.04e9, retransmits: 42 },
          sum_received: { bytes: 1_250_000_000, seconds: 10.002, bits_per_second: 0.9998e9 },
        },
      }),
    );
    expect(out).toEqual({
      bitsPerSecond: 0.9998e9,
      bytes: 1_250_000_000,
      seconds: 10.002,
      retransmits: 42,
      error: undefined,
    });
  });

  it('computes bits per second when the field is missing', () => {
    const out = parseIperfJson(json({ end: { sum_received: { bytes: 125_000_000, seconds: 1 } } }));
    expect(out.bitsPerSecond).toBe(1e9);
    expect(out.retransmits).toBeUndefined();
  });

  it('reports the iperf3 error', () => {
    expect(parseIperfJson(json({ error: 'unable to connect to server: Connection refused' })).error).toBe(
      'unable to connect to server: Connection refused',
    );
  });

  it('reports output that is not JSON', () => {
    expect(parseIperfJson('iperf3: error - boom\n').error).toMatch(/no JSON: iperf3: error - boom/);
    expect(parseIperfJson('{}').error).toMatch(/no end.sum_received/);
  });
});

describe('parsePidStat', () => {
  it('reads utime, stime and starttime after a comm with spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    fields[14 - 3] = '1234';
    fields[15 - 3] = '567';
    fields[22 - 3] = '98765';
    const s = parsePidStat(`4242 (node (worker) x) ${fields.join(' ')}\n`);
    expect(s).toEqual({ state: 'S', utime: 1234, stime: 567, starttime: 98765 });
  });

  it('rejects text that is not a stat line', () => {
    expect(() => parsePidStat('garbage')).toThrow();
    expect(() => parsePidStat('1 (x) S 2 3')).toThrow();
  });
});

describe('parseProcStat', () => {
  it('sums user+nice+system+irq+softirq as busy, and every field as total', () => {
    const text = 'cpu  100 5 50 1000 20 3 7 9 0 0\ncpu0 50 2 25 500 10 1 3 4 0 0\nintr 1\n';
    expect(parseProcStat(text)).toEqual({
      busy: 100 + 5 + 50 + 3 + 7,
      total: 100 + 5 + 50 + 1000 + 20 + 3 + 7 + 9,
    });
  });

  it('throws without the aggregate line', () => {
    expect(() => parseProcStat('cpu0 1 2 3\n')).toThrow(/aggregate/);
  });
});

describe('CPU-s per GB', () => {
  it('divides CPU seconds by delivered bytes in units of 1e9', () => {
    expect(cpuSecondsPerGb(15, 1.5e9)).toBeCloseTo(10);
    expect(cpuSecondsPerGb(2, 4e9)).toBeCloseTo(0.5);
  });

  it('is undefined when nothing was delivered', () => {
    expect(cpuSecondsPerGb(3, 0)).toBeUndefined();
    expect(cpuSecondsPerGb(Number.NaN, 1e9)).toBeUndefined();
  });

  it('turns tick differences into seconds', () => {
    const u = cpuBetween(
      { daemonTicks: 100, machineBusyTicks: 1000, atMs: 0 },
      { daemonTicks: 1600, machineBusyTicks: 3000, atMs: 10_000 },
      100,
    );
    expect(u).toEqual({ daemonCpuS: 15, machineCpuS: 20, wallS: 10 });
  });
});

describe('parsePingOutput', () => {
  it('reads counts and min/avg/max', () => {
    const out = `PING 198.18.11.2 (198.18.11.2) 56(84) bytes of data.
64 bytes from 198.18.11.2: icmp_seq=1 ttl=64 time=0.412 ms

--- 198.18.11.2 ping statistics ---
20 packets transmitted, 19 received, 5% packet loss, time 960ms
rtt min/avg/max/mdev = 0.301/0.495/0.912/0.101 ms
`;
    expect(parsePingOutput(out)).toEqual({
      transmitted: 20,
      received: 19,
      minMs: 0.301,
      avgMs: 0.495,
      maxMs: 0.912,
    });
  });

  it('has no RTT when nothing came back', () => {
    const out = '1 packets transmitted, 0 received, 100% packet loss, time 0ms\n';
    expect(parsePingOutput(out)).toEqual({
      transmitted: 1,
      received: 0,
      minMs: undefined,
      avgMs: undefined,
      maxMs: undefined,
    });
  });
});
