/**
 * A link's cost moves at once only by its band (1/16 of it, 2 to 8); a smaller move waits until
 * 30 s after the last one applied. Each applied move re-selects every prefix through that
 * neighbour, and RTT jitter moved costs by 1 at most Hellos.
 */
import { describe, expect, it } from 'vitest';
import { costBand } from '../../src/routing/hello.js';
import { Net } from './harness.js';

describe('link cost band', () => {
  it('is 1/16 of the cost, at least 2 and at most 8', () => {
    expect([10, 31, 32, 64, 100, 128, 500, 5000].map(costBand)).toEqual([2, 2, 2, 4, 6, 8, 8, 8]);
  });

  it('applies a cost move only past the band or 30 s after the last one, and ends at the cost', () => {
    const net = new Net(2, { latencyMs: 100 });
    net.connect(0, 1);
    net.drive(60_000);
    const nb = () => net.node(0).engine.neighbours()[0]!;
    const start = nb().cost;
    // RTT 200 → 230 ms: the smoothed RTT climbs over ~20 s, the cost by ~30.
    net.links.get('0-1')!.latencyMs = 115;
    const applied: { t: number; cost: number }[] = [{ t: net.time - 60_000, cost: start }];
    for (let i = 0; i < 240; i++) {
      net.drive(500);
      const c = nb().cost;
      if (c !== applied[applied.length - 1]!.cost) applied.push({ t: net.time, cost: c });
    }
    expect(applied.length).toBeGreaterThan(2);
    for (let i = 1; i < applied.length; i++) {
      const prev = applied[i - 1]!;
      const cur = applied[i]!;
      const big = Math.abs(cur.cost - prev.cost) >= costBand(prev.cost);
      expect(
        big || cur.t - prev.t >= 30_000,
        `move ${prev.cost} → ${cur.cost} after ${cur.t - prev.t} ms`,
      ).toBe(true);
    }
    // The first move came within a few Hellos; two minutes later the cost is the link's.
    expect(applied[1]!.t - (net.time - 120_000)).toBeLessThan(15_000);
    const rtt = nb().rttMs!;
    expect(Math.abs(nb().cost - Math.ceil(10 + rtt - 1))).toBeLessThanOrEqual(1);
  });
});
