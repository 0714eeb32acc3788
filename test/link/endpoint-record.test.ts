import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ENDPOINT_RECORD_BYTES,
  EndpointRecords,
  readEndpointRecord,
  type ScopeNames,
  writeEndpointRecord,
} from '../../src/link/endpoint-record.js';

const scopes: ScopeNames = {
  index: (name) => (name === 'eth0' ? 2 : name === 'veth-a' ? 70_000 : undefined),
  name: (index) => (index === 2 ? 'eth0' : index === 70_000 ? 'veth-a' : undefined),
};

/** What Node (WHATWG URL, RFC 5952) prints for an IPv6 address: the text dgram reports too. */
const canonical = (v6: string) => new URL(`http://[${v6}]/`).hostname.slice(1, -1);

const roundTrip = (address: string, port: number) => {
  const rec = new Uint8Array(ENDPOINT_RECORD_BYTES);
  expect(writeEndpointRecord({ address, port }, rec, 0, scopes)).toBe(true);
  return readEndpointRecord(rec, 0, scopes);
};

describe('endpoint records', () => {
  it('round-trips IPv4 as plain dotted quads (stored v4-mapped)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 65_535 }), (ip, port) => {
        expect(roundTrip(ip, port)).toEqual({ address: ip, port });
      }),
    );
  });

  it('round-trips IPv6 into the canonical text Node prints', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 0, max: 65_535 }), (ip, port) => {
        const want = canonical(ip);
        // ::ffff:a.b.c.d is IPv4 on this socket; Node shows it unmapped too (udp.ts unmapAddress).
        fc.pre(!want.startsWith('::ffff:') && !/^::[0-9.]+$/.test(want));
        expect(roundTrip(ip, port)).toEqual({ address: want, port });
      }),
    );
  });

  it('keeps the zone of link-local addresses, by name or number', () => {
    expect(roundTrip('fe80::1%eth0', 9651)).toEqual({ address: 'fe80::1%eth0', port: 9651 });
    expect(roundTrip('fe80::1%veth-a', 1)).toEqual({ address: 'fe80::1%veth-a', port: 1 });
    expect(roundTrip('fe80::1%7', 1)).toEqual({ address: 'fe80::1%7', port: 1 });
  });

  it('refuses what is not an IP literal or names no interface', () => {
    const rec = new Uint8Array(ENDPOINT_RECORD_BYTES);
    for (const address of ['localhost', '1.2.3', '::g', 'fe80::1%nope', ''])
      expect(writeEndpointRecord({ address, port: 1 }, rec, 0, scopes)).toBe(false);
    expect(writeEndpointRecord({ address: '::1', port: 70_000 }, rec, 0, scopes)).toBe(false);
    fc.assert(
      fc.property(fc.string(), fc.integer(), (address, port) => {
        writeEndpointRecord({ address, port }, rec, 0, scopes); // never throws
      }),
    );
  });

  it('reads any 24 bytes without throwing', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: ENDPOINT_RECORD_BYTES, maxLength: ENDPOINT_RECORD_BYTES }),
        (rec) => {
          const ep = readEndpointRecord(rec, 0, scopes);
          expect(ep.port).toBeLessThanOrEqual(65_535);
        },
      ),
    );
  });

  it('caches: one endpoint object per record, one record per endpoint object', () => {
    const records = new EndpointRecords(scopes, 4);
    const buf = new Uint8Array(2 * ENDPOINT_RECORD_BYTES);
    writeEndpointRecord({ address: '198.18.0.1', port: 9651 }, buf, 0, scopes);
    writeEndpointRecord({ address: 'fd00:198:18::2', port: 9651 }, buf, ENDPOINT_RECORD_BYTES, scopes);
    const a = records.endpointAt(buf, 0);
    expect(records.endpointAt(buf, 0)).toBe(a);
    const b = records.endpointAt(buf, ENDPOINT_RECORD_BYTES);
    expect(b).toEqual({ address: 'fd00:198:18::2', port: 9651 });
    expect(Object.isFrozen(b)).toBe(true);
    expect(records.recordOf(a)).toBe(records.recordOf(a));
    expect(records.recordOf({ address: 'nope', port: 1 })).toBeUndefined();
  });
});
