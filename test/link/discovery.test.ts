import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/link/api.js';
import {
  BEACON_INTERVAL_MS,
  createDiscovery,
  type DiscoveryConfig,
  HOLD_MS,
  isScopedLinkLocal,
  MAX_REMEMBERED,
} from '../../src/link/discovery.js';
import { encodeDiscoveryBeacon } from '../../src/wire/link/discovery.js';

const OWN_KEY = new Uint8Array(32).fill(0xaa);
const TAG = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const FROM: Endpoint = { address: 'fe80::1%veth0', port: 9650 };

/** A deterministic RNG (mulberry32) for the jitter. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function make(config: Partial<DiscoveryConfig> = {}, random = rng(1)) {
  return createDiscovery({ publicKey: OWN_KEY, listenPort: 9651, networkTag: TAG, random }, config);
}

function keyOf(n: number): Uint8Array {
  const k = new Uint8Array(32);
  new DataView(k.buffer).setUint32(0, n);
  k[31] = 1;
  return k;
}

function beaconFrom(publicKey: Uint8Array, port = 9651, networkTag = TAG): Uint8Array {
  return encodeDiscoveryBeacon({ port, publicKey, networkTag });
}

describe('discovery: sending', () => {
  it('advertises our key, listen port and network tag', () => {
    const d = make();
    expect(d.beacon()).toEqual(beaconFrom(OWN_KEY));
    expect(d.beacon()).toBe(d.beacon());
  });

  it('is due at once, then every interval ± 20% from the injected RNG', () => {
    const d = make();
    expect(d.nextTimeout()).toBe(0);
    let now = 1000;
    expect(d.beaconDue(now)).toBe(true);
    const gaps: number[] = [];
    for (let i = 0; i < 500; i++) {
      const next = d.nextTimeout();
      expect(d.beaconDue(next - 1)).toBe(false);
      expect(d.beaconDue(next)).toBe(true);
      gaps.push(next - now);
      now = next;
    }
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(BEACON_INTERVAL_MS * 0.8);
      expect(g).toBeLessThanOrEqual(BEACON_INTERVAL_MS * 1.2);
    }
    // Jittered: not all the same, and spread over most of the range.
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeGreaterThan(BEACON_INTERVAL_MS * 0.3);
    expect(d.counters()['tx.beacon']).toBe(501);
  });

  it('repeats exactly with the same RNG seed', () => {
    const run = () => {
      const d = make({}, rng(7));
      const out: number[] = [];
      for (let i = 0; i < 20; i++) {
        d.beaconDue(d.nextTimeout());
        out.push(d.nextTimeout());
      }
      return out;
    };
    expect(run()).toEqual(run());
  });

  it('keeps a sane interval when the RNG misbehaves', () => {
    const d = make({}, () => Number.NaN);
    d.beaconDue(0);
    expect(d.nextTimeout()).toBe(BEACON_INTERVAL_MS);
  });

  it('checks its arguments', () => {
    const random = rng(1);
    expect(() =>
      createDiscovery({ publicKey: new Uint8Array(31), listenPort: 1, networkTag: TAG, random }),
    ).toThrow(RangeError);
    expect(() =>
      createDiscovery({ publicKey: OWN_KEY, listenPort: 1, networkTag: new Uint8Array(7), random }),
    ).toThrow(RangeError);
    expect(() => createDiscovery({ publicKey: OWN_KEY, listenPort: 0, networkTag: TAG, random })).toThrow(
      RangeError,
    );
    expect(() => make({ jitter: 1 })).toThrow(RangeError);
    expect(() => make({ intervalMs: 0 })).toThrow(RangeError);
    expect(() => make({ maxRemembered: 0 })).toThrow(RangeError);
  });
});

describe('discovery: receiving', () => {
  it("proposes the sender's scoped link-local address, the beacon's port and key", () => {
    const d = make();
    const key = keyOf(1);
    const target = d.handleBeacon(beaconFrom(key, 4242), FROM, 0);
    expect(target).toEqual({
      endpoint: { address: 'fe80::1%veth0', port: 4242 },
      origin: 'discovered',
      expectedKey: key,
    });
    // A copy: the caller's buffer (Node's receive buffer) may be reused.
    expect(target?.expectedKey?.buffer).not.toBe(key.buffer);
    expect(d.counters()).toMatchObject({ 'rx.beacon': 1, 'beacon.proposed': 1 });
  });

  it('ignores its own key and other networks', () => {
    const d = make();
    expect(d.handleBeacon(beaconFrom(OWN_KEY), FROM, 0)).toBeUndefined();
    expect(d.handleBeacon(beaconFrom(keyOf(1), 9651, new Uint8Array(8)), FROM, 0)).toBeUndefined();
    expect(d.counters()).toMatchObject({ 'drop.beacon-self': 1, 'drop.beacon-network': 1 });
    expect(d.counters()['beacon.proposed']).toBeUndefined();
  });

  it('ignores beacons whose source is not a scoped link-local address', () => {
    const d = make();
    for (const address of ['fd00:198:18:1::2', '198.18.1.2', 'fe80::1', '::1', 'fec0::1%veth0']) {
      expect(d.handleBeacon(beaconFrom(keyOf(1)), { address, port: 9650 }, 0)).toBeUndefined();
    }
    expect(d.counters()['drop.beacon-source']).toBe(5);
  });

  it('counts malformed beacons by the decoder code', () => {
    const d = make();
    const good = beaconFrom(keyOf(1));
    const badMagic = Uint8Array.from(good);
    badMagic[1] = 0;
    const badVersion = Uint8Array.from(good);
    badVersion[5] = 2;
    expect(d.handleBeacon(good.subarray(0, 48), FROM, 0)).toBeUndefined();
    expect(d.handleBeacon(badMagic, FROM, 0)).toBeUndefined();
    expect(d.handleBeacon(badVersion, FROM, 0)).toBeUndefined();
    expect(d.handleBeacon(new Uint8Array(0), FROM, 0)).toBeUndefined();
    expect(d.handleBeacon(Uint8Array.of(1, 2, 3), FROM, 0)).toBeUndefined();
    expect(d.counters()).toMatchObject({
      'drop.bad-length': 1,
      'drop.bad-magic': 1,
      'drop.bad-version': 1,
    });
    expect(d.counters()['beacon.proposed']).toBeUndefined();
  });

  it('proposes a key once per hold time however often it beacons', () => {
    const d = make();
    const b = beaconFrom(keyOf(1));
    expect(d.handleBeacon(b, FROM, 0)).toBeDefined();
    let held = 0;
    for (let t = 5_000; t < HOLD_MS; t += 5_000) {
      expect(d.handleBeacon(b, FROM, t)).toBeUndefined();
      held++;
    }
    // Also from another address or port: the hold is per key.
    expect(
      d.handleBeacon(beaconFrom(keyOf(1), 7000), { address: 'fe80::9%veth1', port: 1 }, 1),
    ).toBeUndefined();
    expect(d.counters()['beacon.held']).toBe(held + 1);
    expect(d.handleBeacon(b, FROM, HOLD_MS)).toBeDefined();
    expect(d.handleBeacon(b, FROM, HOLD_MS + 1)).toBeUndefined();
    // Another key is not held by the first.
    expect(d.handleBeacon(beaconFrom(keyOf(2)), FROM, HOLD_MS + 1)).toBeDefined();
  });

  it('remembers at most maxRemembered keys, forgetting the least recently proposed', () => {
    const d = make({ maxRemembered: 3 });
    for (let i = 1; i <= 3; i++) expect(d.handleBeacon(beaconFrom(keyOf(i)), FROM, i)).toBeDefined();
    expect(d.handleBeacon(beaconFrom(keyOf(4)), FROM, 10)).toBeDefined(); // evicts key 1
    expect(d.counters()['beacon.evicted']).toBe(1);
    expect(d.handleBeacon(beaconFrom(keyOf(2)), FROM, 11)).toBeUndefined(); // still held
    expect(d.handleBeacon(beaconFrom(keyOf(1)), FROM, 12)).toBeDefined(); // forgotten, proposed again
    expect(MAX_REMEMBERED).toBeGreaterThanOrEqual(256);
  });

  it('stays bounded under a flood of distinct keys', () => {
    const d = make({ maxRemembered: 64 });
    for (let i = 0; i < 10_000; i++) d.handleBeacon(beaconFrom(keyOf(i)), FROM, i);
    expect(d.counters()['beacon.evicted']).toBe(10_000 - 64);
    // The 64 most recent are held, the one before is not.
    expect(d.handleBeacon(beaconFrom(keyOf(9_999)), FROM, 10_000)).toBeUndefined();
    expect(d.handleBeacon(beaconFrom(keyOf(9_936)), FROM, 10_000)).toBeUndefined();
    expect(d.handleBeacon(beaconFrom(keyOf(9_935)), FROM, 10_000)).toBeDefined();
  });
});

describe('discovery: properties', () => {
  const endpoint = fc.record({
    address: fc.oneof(
      fc.constantFrom('fe80::1%veth0', 'fe80::abcd:1%eth1', '198.18.1.2', 'fd00:198:18::1', ''),
      fc.string({ maxLength: 60 }),
    ),
    port: fc.integer({ min: 0, max: 0xffff }),
  });
  const datagram = fc.oneof(
    fc.uint8Array({ maxLength: 120 }),
    // Near-beacons: a valid one with some bytes changed or cut.
    fc
      .tuple(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 1, max: 0xffff }),
        fc.array(fc.tuple(fc.nat(48), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.integer({ min: 0, max: 49 }),
      )
      .map(([key, port, edits, cut]) => {
        const b = Uint8Array.from(beaconFrom(key, port));
        for (const [at, v] of edits) b[at] = v;
        return b.subarray(0, 49 - cut);
      }),
  );

  it('never throws on any datagram from any source, and only proposes well-formed foreign beacons', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(datagram, endpoint), { maxLength: 30 }), (inputs) => {
        const d = make({ maxRemembered: 8 });
        let t = 0;
        for (const [bytes, from] of inputs) {
          t += 1000;
          const target = d.handleBeacon(bytes, from, t);
          if (target !== undefined) {
            expect(target.origin).toBe('discovered');
            expect(target.endpoint.address).toBe(from.address);
            expect(isScopedLinkLocal(target.endpoint.address)).toBe(true);
            expect(target.endpoint.port).toBeGreaterThan(0);
            expect(target.expectedKey).not.toEqual(OWN_KEY);
          }
        }
        const c = d.counters();
        const seen = Object.entries(c)
          .filter(([k]) => k.startsWith('drop.') || k === 'beacon.held' || k === 'beacon.proposed')
          .reduce((s, [, v]) => s + v, 0);
        expect(seen).toBe(inputs.length);
      }),
      { numRuns: 300 },
    );
  });

  it('never schedules a beacon outside interval ± jitter, whatever the clock does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), {
          minLength: 1,
          maxLength: 50,
        }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 50 }),
        (draws, steps) => {
          let i = 0;
          const d = make({}, () => draws[i++ % draws.length]!);
          let now = 0;
          for (const s of steps) {
            now += s;
            if (d.beaconDue(now)) {
              const gap = d.nextTimeout() - now;
              expect(gap).toBeGreaterThanOrEqual(BEACON_INTERVAL_MS * 0.8);
              expect(gap).toBeLessThanOrEqual(BEACON_INTERVAL_MS * 1.2);
            } else {
              expect(d.nextTimeout()).toBeGreaterThan(now);
            }
          }
        },
      ),
    );
  });
});

describe('isScopedLinkLocal', () => {
  it('accepts fe80::/10 with a zone only', () => {
    expect(isScopedLinkLocal('fe80::1%veth0')).toBe(true);
    expect(isScopedLinkLocal('FE80::1%eth0')).toBe(true);
    expect(isScopedLinkLocal('febf::1%3')).toBe(true);
    expect(isScopedLinkLocal('fe80::1')).toBe(false);
    expect(isScopedLinkLocal('fe80::1%')).toBe(false);
    expect(isScopedLinkLocal('fec0::1%eth0')).toBe(false);
    expect(isScopedLinkLocal('fe80:::1%eth0')).toBe(false);
    expect(isScopedLinkLocal('fd00::1%eth0')).toBe(false);
  });
});
