import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { formatIPv6, maskPrefix, parseIPv6, prefixContains } from '../../src/identity/address.js';

describe('IPv6 text form', () => {
  it('formats like ipaddr.js (RFC 5952) and parses back', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 0, max: 8 }),
        (bytes, zeros) => {
          bytes.fill(0, 4, Math.min(16, 4 + zeros * 2));
          const text = formatIPv6(bytes);
          expect(text).toBe(ipaddr.fromByteArray([...bytes]).toString());
          expect(parseIPv6(text)).toEqual(bytes);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('parses the forms people write and rejects garbage without throwing', () => {
    expect(parseIPv6('::')).toEqual(new Uint8Array(16));
    expect(parseIPv6('400::1')?.[0]).toBe(4);
    expect(parseIPv6('::ffff:198.18.0.1')?.slice(12)).toEqual(Uint8Array.from([198, 18, 0, 1]));
    for (const bad of [
      '',
      ':::',
      '1::2::3',
      '12345::',
      'g::',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      '::1.2.3',
    ]) {
      expect(parseIPv6(bad)).toBeUndefined();
    }
    fc.assert(fc.property(fc.string(), (s) => void parseIPv6(s)));
  });
});

describe('prefixes', () => {
  it('prefixContains agrees with maskPrefix for every length', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 0, max: 128 }),
        (a, b, plen) => {
          const same = maskPrefix(a, plen).every((x, i) => x === maskPrefix(b, plen)[i]);
          expect(prefixContains(a, plen, b)).toBe(same);
          expect(prefixContains(maskPrefix(a, plen), plen, a)).toBe(true);
        },
      ),
    );
  });
});
