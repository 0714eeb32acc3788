import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/link/backoff.js';
import { BACKOFF_BASE_MS, BACKOFF_MAX_MS, LOAD_HOLD_MS } from '../../src/link/constants.js';
import { cookieSource, endpointKey, parseAddress } from '../../src/link/endpoint.js';
import { HandshakeLoad } from '../../src/link/load.js';

describe('backoffDelay', () => {
  it('doubles from the base, jitters by ±20% and never exceeds the cap', () => {
    for (const r of [0, 0.25, 0.5, 0.999]) {
      for (let n = 1; n <= 40; n++) {
        const d = backoffDelay(n, () => r, BACKOFF_BASE_MS, BACKOFF_MAX_MS);
        const nominal = BACKOFF_BASE_MS * 2 ** (n - 1);
        expect(d).toBeLessThanOrEqual(BACKOFF_MAX_MS);
        expect(d).toBeGreaterThanOrEqual(Math.min(0.8 * nominal, BACKOFF_MAX_MS) - 1e-9);
        expect(d).toBeLessThanOrEqual(1.2 * nominal + 1e-9);
      }
    }
    expect(backoffDelay(1, () => 0.5, 1_000, 30_000)).toBe(1_000);
    expect(backoffDelay(3, () => 0, 1_000, 30_000)).toBeCloseTo(3_200, 6);
    expect(backoffDelay(3, () => 1, 1_000, 30_000)).toBeCloseTo(4_800, 6);
    expect(backoffDelay(0, () => 0.5, 1_000, 30_000)).toBe(1_000);
  });
});

describe('endpoints', () => {
  it('parses IPv4 and IPv6 text, with and without zones', () => {
    expect(Array.from(parseAddress('198.18.0.1')!)).toEqual([198, 18, 0, 1]);
    expect(Buffer.from(parseAddress('fd00::1')!).toString('hex')).toBe('fd000000000000000000000000000001');
    expect(Buffer.from(parseAddress('::ffff:1.2.3.4')!).toString('hex')).toBe(
      '00000000000000000000ffff01020304',
    );
    expect(Buffer.from(parseAddress('fe80::1%eth0')!).toString('hex')).toBe(
      'fe800000000000000000000000000001',
    );
    expect(parseAddress('::')).toHaveLength(16);
    for (const bad of ['', '1.2.3', '256.1.1.1', '1:2:3:4:5:6:7:8:9', 'fd00::1::2', 'g::1', 'x', '1.2.3.4.5'])
      expect(parseAddress(bad)).toBeUndefined();
  });

  it('keys one endpoint the same whatever its spelling', () => {
    expect(endpointKey({ address: 'FD00:0::0001', port: 1 })).toBe(
      endpointKey({ address: 'fd00::1', port: 1 }),
    );
    expect(endpointKey({ address: 'fd00::1', port: 1 })).not.toBe(
      endpointKey({ address: 'fd00::1', port: 2 }),
    );
    expect(endpointKey({ address: 'fe80::1%eth0', port: 1 })).not.toBe(
      endpointKey({ address: 'fe80::1%eth1', port: 1 }),
    );
    expect(endpointKey({ address: 'junk', port: 1 })).toBe(endpointKey({ address: 'junk', port: 1 }));
  });

  it('binds cookies to address bytes and port', () => {
    expect(Array.from(cookieSource({ address: '10.0.0.1', port: 0x1234 })!)).toEqual([
      10, 0, 0, 1, 0x12, 0x34,
    ]);
    expect(cookieSource({ address: 'junk', port: 1 })).toBeUndefined();
  });
});

describe('HandshakeLoad', () => {
  it('starts above the per-second threshold and holds for LOAD_HOLD_MS', () => {
    const load = new HandshakeLoad(3);
    expect([load.record(0), load.record(1), load.record(2)]).toEqual([false, false, false]);
    expect(load.active(2)).toBe(false);
    expect(load.record(3)).toBe(true);
    expect(load.record(4)).toBe(false); // already under load
    expect(load.active(4)).toBe(true);
    expect(load.active(4 + LOAD_HOLD_MS)).toBe(false);
    // A new window starts counting from zero.
    expect(load.record(5_000)).toBe(false);
    expect(load.active(5_000)).toBe(false);
  });
});
