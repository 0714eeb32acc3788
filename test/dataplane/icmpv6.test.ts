import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIcmpError, type IcmpErrorKind } from '../../src/dataplane/icmpv6.js';
import {
  IPV6_MIN_MTU,
  NEXT_HEADER_ICMPV6,
  NEXT_HEADER_UDP,
  upperLayerChecksum,
  writeIpv6Header,
} from '../../src/dataplane/ipv6.js';
import { parseIPv6 } from '../../src/identity/address.js';
import { pcapFile } from '../support/pcap.js';

const relay = parseIPv6('4a0:56b2:fc9a:23ef:72a7:1631:3391:6dd3')!;
const sender = parseIPv6('537:a149:ad6a:abcd:534c:d181:5f05:1478')!;
const target = parseIPv6('501:6acf:1c76:a3f5:560a:1a98:9f36:5025')!;

function packet(src: Uint8Array, dst: Uint8Array, nextHeader: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(40 + payload.length);
  writeIpv6Header(out, {
    payloadLength: payload.length,
    nextHeader,
    hopLimit: 1,
    source: src,
    destination: dst,
  });
  out.set(payload, 40);
  return out;
}

const echoRequest = (() => {
  const body = new Uint8Array(20);
  body[0] = 128;
  body.set(new TextEncoder().encode('ping-data'), 8);
  const sum = upperLayerChecksum(sender, target, NEXT_HEADER_ICMPV6, body);
  body[2] = sum >> 8;
  body[3] = sum & 0xff;
  return packet(sender, target, NEXT_HEADER_ICMPV6, body);
})();

describe('ICMPv6 errors', () => {
  it('answer the sender from the reporting node, quoting the invoking packet', () => {
    const err = buildIcmpError('HopLimitExceeded', relay, echoRequest)!;
    expect(err.subarray(8, 24)).toEqual(relay);
    expect(err.subarray(24, 40)).toEqual(sender);
    expect(err[6]).toBe(NEXT_HEADER_ICMPV6);
    expect([err[40], err[41]]).toEqual([3, 0]);
    expect(err.subarray(48)).toEqual(echoRequest);
    expect(upperLayerChecksum(relay, sender, NEXT_HEADER_ICMPV6, err.subarray(40))).toBe(0);
  });

  it('never exceed the IPv6 minimum MTU, however large the invoking packet', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9000 }), (n) => {
        const err = buildIcmpError(
          'PacketTooBig',
          relay,
          packet(sender, target, NEXT_HEADER_UDP, new Uint8Array(n)),
          1352,
        )!;
        expect(err.length).toBeLessThanOrEqual(IPV6_MIN_MTU);
        expect(new DataView(err.buffer).getUint32(44)).toBe(1352);
      }),
    );
  });

  it('are not sent about errors, to multicast, or from unspecified or multicast sources (RFC 4443 §2.4e)', () => {
    const anError = buildIcmpError('NoRoute', relay, echoRequest)!;
    expect(buildIcmpError('NoRoute', relay, anError)).toBeUndefined();
    expect(
      buildIcmpError(
        'NoRoute',
        relay,
        packet(sender, parseIPv6('ff02::1')!, NEXT_HEADER_UDP, new Uint8Array(8)),
      ),
    ).toBeUndefined();
    expect(
      buildIcmpError(
        'NoRoute',
        relay,
        packet(new Uint8Array(16), target, NEXT_HEADER_UDP, new Uint8Array(8)),
      ),
    ).toBeUndefined();
    expect(buildIcmpError('NoRoute', relay, new Uint8Array(10))).toBeUndefined();
  });

  const tshark = spawnSync('tshark', ['--version']).status === 0;
  const dir = mkdtempSync(join(tmpdir(), 'hypha-icmp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!tshark)('decode in tshark with good checksums and the right type, code and MTU', () => {
    const kinds: [IcmpErrorKind, number, number][] = [
      ['NoRoute', 1, 0],
      ['AddressUnreachable', 1, 3],
      ['PacketTooBig', 2, 0],
      ['HopLimitExceeded', 3, 0],
    ];
    const file = join(dir, 'icmp.pcap');
    writeFileSync(file, pcapFile(kinds.map(([k]) => buildIcmpError(k, relay, echoRequest, 1352)!)));
    const out = execFileSync(
      'tshark',
      [
        '-n',
        '-r',
        file,
        '-T',
        'fields',
        '-e',
        'icmpv6.type',
        '-e',
        'icmpv6.code',
        '-e',
        'icmpv6.checksum.status',
        '-e',
        'icmpv6.mtu',
        '-e',
        '_ws.malformed',
      ],
      { encoding: 'utf8' },
    );
    // The quoted invoking packet is dissected too: each field lists the outer value first.
    const rows = out
      .trim()
      .split('\n')
      .map((l) => l.split('\t').map((f) => f.split(',')[0]));
    expect(rows, out).toHaveLength(4);
    rows.forEach((r, i) => {
      expect(Number(r[0]), JSON.stringify(out)).toBe(kinds[i]![1]);
      expect(Number(r[1])).toBe(kinds[i]![2]);
      expect(r[2]).toBe('1'); // 1 = Good
      if (kinds[i]![0] === 'PacketTooBig') expect(r[3]).toBe('1352');
      expect(r[4] ?? '').toBe('');
    });
  });
});
