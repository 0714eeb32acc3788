import { describe, expect, it } from 'vitest';
import { METRIC_INFINITY, SMOOTHING_HALF_LIFE_MS, SWITCH_MIN_GAIN } from '../../src/routing/constants.js';
import {
  checkHellos,
  computeCost,
  createNeighbour,
  handleHello,
  handleIhu,
  helloReachable,
  makeHello,
  makeIhu,
  type Neighbour,
  neighbourDeadline,
  noteAlive,
  noteHeardUs,
  probeDue,
  rxcost,
  timestampUs,
} from '../../src/routing/neighbour.js';
import { selectRoute } from '../../src/routing/route.js';
import { RouteTable } from '../../src/routing/table.js';
import { AE, TlvType } from '../../src/wire/babel/types.js';

/** One prefix slot in a fresh table, and helpers to add neighbours and routes to it. */
function fixture() {
  const t = new RouteTable(0);
  const p = t.createSlot(
    { ae: AE.IPv6, plen: 64, addr: new Uint8Array(16).fill(4, 0, 1) },
    new Uint8Array(32),
    0,
  );
  const neighbour = (id: string, cost: number): Neighbour => {
    const n = createNeighbour(id, new Uint8Array(32), () => 0.5);
    n.cost = cost;
    n.slot = t.addNeighbour(n);
    return n;
  };
  const route = (n: Neighbour, refMetric: number): number => {
    const r = t.addRoute(p, n.slot, 0);
    t.rSeqno[r] = 1;
    t.rRef[r] = refMetric;
    t.setExpiresAt(r, 1e9);
    return r;
  };
  const select = (now: number, feasible: (r: number) => boolean = () => true): number =>
    selectRoute(t, p, now, feasible);
  return { t, p, neighbour, route, select };
}

describe('route selection with hysteresis', () => {
  it('takes the best candidate when nothing is selected, and skips infeasible or infinite routes', () => {
    const { neighbour, route, select } = fixture();
    const a = route(neighbour('a', 10), 100);
    const b = route(neighbour('b', 10), 50);
    route(neighbour('c', METRIC_INFINITY), 0);
    expect(select(0)).toBe(b);
    expect(select(0, (r) => r !== b)).toBe(a);
  });

  it('does not switch for a gain below SWITCH_MIN_GAIN, however long it lasts', () => {
    const { t, p, neighbour, route, select } = fixture();
    const a = route(neighbour('a', 10), 100);
    route(neighbour('b', 10), 100 - SWITCH_MIN_GAIN + 1);
    t.sel[p] = a;
    for (let now = 0; now < 60_000; now += 1000) expect(select(now)).toBe(a);
  });

  it('ignores a brief dip of another route, and switches once the gain persists', () => {
    const { t, p, neighbour, route, select } = fixture();
    const a = route(neighbour('a', 10), 90); // 100
    const b = route(neighbour('b', 10), 120); // 130
    t.sel[p] = select(0);
    expect(t.sel[p]).toBe(a);
    // b dips to 50: better by far in metric, but its smoothed metric lags: no switch...
    t.rRef[b] = 40;
    expect(select(1)).toBe(a);
    // ...and a dip that ends within a fraction of the half-life never moves it.
    t.rRef[b] = 120;
    expect(select(500)).toBe(a);
    // A persistent improvement wins after its smoothed metric crosses a's (≈ 2.3 s here).
    t.rRef[b] = 40;
    let switchedAt: number | undefined;
    for (let now = 1000; now < 1000 + 5 * SMOOTHING_HALF_LIFE_MS; now += 250) {
      t.sel[p] = select(now);
      if (t.sel[p] === b) {
        switchedAt = now;
        break;
      }
    }
    expect(switchedAt).toBeDefined();
    expect(switchedAt! - 1000).toBeGreaterThanOrEqual(2_000);
    expect(switchedAt! - 1000).toBeLessThanOrEqual(2 * SMOOTHING_HALF_LIFE_MS);
  });

  it('a worsening selected route is kept until its smoothed metric is worse too', () => {
    const { t, p, neighbour, route, select } = fixture();
    const a = route(neighbour('a', 10), 90); // 100
    const b = route(neighbour('b', 10), 120); // 130
    t.sel[p] = select(0);
    t.rRef[a] = 190; // 200
    expect(select(1)).toBe(a);
    expect(select(1 + SMOOTHING_HALF_LIFE_MS)).toBe(b);
  });

  it('leaves a selected route that stopped being a candidate at once', () => {
    const { t, p, neighbour, route, select } = fixture();
    const na = neighbour('a', 10);
    const a = route(na, 10);
    const b = route(neighbour('b', 10), 500);
    t.sel[p] = select(0);
    expect(t.sel[p]).toBe(a);
    na.cost = METRIC_INFINITY;
    expect(select(1)).toBe(b);
  });
});

describe('neighbour cost from RTT and loss', () => {
  function exchange(rttMs: number, holdMs: number) {
    const a = createNeighbour('b', new Uint8Array(32), () => 0.1); // a's view of b
    const b = createNeighbour('a', new Uint8Array(32), () => 0.2); // b's view of a
    let t = 1000;
    for (let i = 0; i < 20; i++) {
      const helloA = makeHello(b, t); // a sends to b
      t += rttMs / 2;
      handleHello(b, helloA, t); // b receives...
      t += holdMs; // ...holds it, then answers with Hello + IHU
      const helloB = makeHello(a, t);
      const ihuB = makeIhu(b);
      t += rttMs / 2;
      handleHello(a, helloB, t);
      handleIhu(a, ihuB, helloB.timestamp?.transmit, t);
      t += 4000 - rttMs - holdMs;
    }
    return { a, t };
  }

  it('measures the RTT without the peer’s hold time (RFC 9616)', () => {
    const { a, t } = exchange(80, 1500);
    expect(a.rttMs).toBeCloseTo(80, 3);
    expect(computeCost(a, t)).toBe(10 + 79);
  });

  it('cost grows with RTT', () => {
    const near = exchange(5, 0);
    const far = exchange(200, 0);
    expect(computeCost(near.a, near.t)).toBeLessThan(computeCost(far.a, far.t));
    expect(computeCost(far.a, far.t)).toBe(10 + 199);
  });

  it('smooths an RTT spike', () => {
    const { a } = exchange(50, 0);
    const n = a;
    const before = n.rttMs!;
    const now = 200_000;
    handleIhu(
      n,
      {
        type: TlvType.IHU,
        rxcost: 256,
        interval: 400,
        ae: AE.Wildcard,
        address: new Uint8Array(0),
        timestamp: { origin: timestampUs(now - 1000), receive: 0 },
      },
      0,
      now,
    );
    expect(n.rttMs!).toBeGreaterThan(before);
    expect(n.rttMs!).toBeLessThan(before + (1000 - before) * 0.2); // α = 42/256
  });

  it('one lost Hello does not move the cost (hysteresis); sustained loss raises it as ETX does', () => {
    const { a, t } = exchange(20, 0);
    const base = computeCost(a, t);
    expect(rxcost(a)).toBe(256);
    const gap = (k: number, at: number) => {
      const h = makeHello(
        createNeighbour('x', new Uint8Array(32), () => 0),
        at,
      );
      handleHello(a, { ...h, seqno: (a.expectedHelloSeqno! + k) & 0xffff }, at);
    };
    // One Hello lost: the smoothed delivery ratio dips 3%, inside the 1/4 band: nothing moves.
    gap(1, t);
    expect(rxcost(a)).toBe(256);
    expect(computeCost(a, t)).toBe(base);
    expect(helloReachable(a)).toBe(true);
    // Two lost in a row, then a Hello: still reachable (the 2-out-of-3 rule said unreachable).
    gap(2, t + 4000);
    expect(helloReachable(a)).toBe(true);
    // One Hello in four lost for 128 slots: rxcost moves once, past 256 × 5/4 (256 / 0.75 ≈ 341).
    for (let i = 0; i < 32; i++) {
      gap(1, t + 8000 + i * 16_000);
      for (let k = 0; k < 2; k++) gap(0, t + 8000 + i * 16_000 + k * 4000);
    }
    expect(rxcost(a)).toBeGreaterThan(300);
    expect(rxcost(a)).toBeLessThan(380);
    expect(computeCost(a, t)).toBeGreaterThan(base);
  });

  it('rxcost changes only past the 1/4 hysteresis band, so 10% random loss barely moves it', () => {
    const { a, t } = exchange(20, 0);
    let x = 12345;
    const rand = () => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return x / 0x80000000;
    };
    const seen = new Set<number>();
    let missed = 0;
    for (let i = 0; i < 400; i++) {
      if (rand() < 0.1) {
        missed++;
        continue;
      }
      const h = makeHello(
        createNeighbour('x', new Uint8Array(32), () => 0),
        t + i * 4000,
      );
      handleHello(a, { ...h, seqno: (a.expectedHelloSeqno! + missed) & 0xffff }, t + i * 4000);
      missed = 0;
      seen.add(rxcost(a));
    }
    // A 16-slot window took 5 or more values here (256 × 16/16 … 16/12).
    expect(seen.size).toBeLessThanOrEqual(3);
  });

  /** Runs `a`'s NeighbourCheck deadlines as the engine does, from `from` for at most 100 deadlines. */
  function runChecks(
    a: Neighbour,
    from: number,
    stop: (now: number) => boolean,
  ): { now: number; probes: number[] } {
    const probes: number[] = [];
    let now = from;
    for (let i = 0; i < 100 && !stop(now); i++) {
      now = neighbourDeadline(a, now)!;
      checkHellos(a, now);
      if (probeDue(a, now)) probes.push(now);
    }
    return { now, probes };
  }

  it('declares a silent neighbour unreachable after 12 unanswered probes, 1.75 Hello intervals after its last packet', () => {
    const { a } = exchange(20, 0);
    const last = a.lastHeardAt!;
    const { now, probes } = runChecks(a, last, () => !helloReachable(a));
    // The first probe when nothing came for 1.25 × 4 s, then every 4 s / 24; the last one gets
    // max(4 s / 24, 2 × RTT) to be answered.
    expect(probes.length).toBe(12);
    expect(probes[0]! - last).toBe(5_000);
    expect(probes[11]! - last).toBeCloseTo(5_000 + (11 * 4_000) / 24, 6);
    expect(now - last).toBeCloseTo(7_000, 6);
    expect(computeCost(a, now)).toBe(METRIC_INFINITY);
    // Any packet brings it back (its history still has Hellos); probing goes on until an IHU or Ack.
    noteAlive(a, now + 10);
    expect(helloReachable(a)).toBe(true);
    expect(a.probeAt).toBe(now + 10);
  });

  it('a packet during probing ends it: the 12 probes must all go unanswered in one silence', () => {
    const { a } = exchange(20, 0);
    const last = a.lastHeardAt!;
    const first = runChecks(a, last, (t) => t >= last + 5_000 + 10 * (4_000 / 24));
    expect(first.probes.length).toBe(11);
    noteAlive(a, first.now + 1); // e.g. an Update; probing goes on in the same rhythm
    const second = runChecks(a, first.now + 1, () => !helloReachable(a));
    expect(second.probes.length).toBe(12);
    expect(second.now - first.now).toBeCloseTo((13 * 4_000) / 24, 6);
  });

  it('an IHU or Ack ends probing: the next probe is 1.25 intervals after it', () => {
    const { a } = exchange(20, 0);
    const first = runChecks(a, a.lastHeardAt!, (t) => t >= a.heardUsAt! + 5_000);
    expect(first.probes.length).toBe(1);
    noteAlive(a, first.now + 30);
    noteHeardUs(a, first.now + 30); // the Ack to the probe
    expect(a.probeAt).toBe(first.now + 30 + 5_000);
    expect(a.silentProbes).toBe(0);
  });

  it('stops probing when the IHU expires (a one-way link is left to the IHU hold time)', () => {
    const { a } = exchange(20, 0);
    const ihuAt = a.heardUsAt!;
    // Packets keep coming (so it is never silent), but no IHU and no Ack.
    let now = ihuAt;
    let probes = 0;
    for (let i = 0; i < 1_000; i++) {
      const d = neighbourDeadline(a, now);
      if (d === undefined || d > ihuAt + 20_000) break;
      now = d;
      checkHellos(a, now);
      if (probeDue(a, now)) probes++;
      noteAlive(a, now);
    }
    // From 1.25 to 3.5 intervals after the IHU, every interval / 24.
    expect(probes).toBe(54);
    expect(computeCost(a, now)).toBe(METRIC_INFINITY);
  });

  it('waits 2 × RTT for the last probe on a long link', () => {
    const { a } = exchange(400, 0);
    const last = a.lastHeardAt!;
    const { now, probes } = runChecks(a, last, () => !helloReachable(a));
    expect(now - probes[11]!).toBeCloseTo(800, 0);
  });

  it('is unreachable until an IHU arrives, and again when the IHU hold time passes', () => {
    const n = createNeighbour('x', new Uint8Array(32), () => 0);
    handleHello(n, { type: TlvType.Hello, unicast: true, seqno: 1, interval: 400 }, 0);
    expect(computeCost(n, 0)).toBe(METRIC_INFINITY);
    handleIhu(
      n,
      { type: TlvType.IHU, rxcost: 256, interval: 400, ae: AE.Wildcard, address: new Uint8Array(0) },
      undefined,
      0,
    );
    expect(computeCost(n, 1)).toBeLessThan(METRIC_INFINITY);
    handleHello(n, { type: TlvType.Hello, unicast: true, seqno: 2, interval: 400 }, 13_000);
    expect(computeCost(n, 14_000)).toBe(METRIC_INFINITY); // 3.5 × 4 s after the IHU
  });
});
