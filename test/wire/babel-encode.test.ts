/**
 * encodePackets (splitting to a link MTU, Router-Id TLVs kept with their Updates), the encoder's
 * argument checks, and the byte string hypha's Update signatures cover.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AE,
  decodePacket,
  encodePacket,
  encodePackets,
  type Tlv,
  TlvType,
  type Update,
  updateSignedBytes,
} from '../../src/wire/babel/index.js';
import { anyTlvArb, hex, unhex, updateArb } from './babel-helpers.js';

const RID_A = unhex('0102030405060708');
const RID_B = unhex('1112131415161718');

function signedUpdate(i: number, routerId?: Uint8Array): Update {
  const addr = unhex('fd000198001800000000000000000000');
  addr[6] = i >> 8;
  addr[7] = i & 0xff;
  return {
    type: TlvType.Update,
    flags: 0,
    interval: 1600,
    seqno: i,
    metric: 96 + i,
    prefix: { ae: AE.IPv6, plen: 64, addr },
    ...(routerId && { routerId }),
    originator: new Uint8Array(32).fill(i),
    signature: new Uint8Array(64).fill(0xa0),
  };
}

function tlvsOf(packet: Uint8Array): readonly Tlv[] {
  const r = decodePacket(packet, { keepPadding: true });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.tlvs;
}

describe('encodePackets', () => {
  it('fills packets greedily: 25 signed Updates at 1232 bytes make 3 packets, each opening with the router id', () => {
    // Per packet: 4 header + 12 Router-Id + 10 × 120-byte Update = 1216 ≤ 1232; an 11th would not fit.
    const updates = Array.from({ length: 25 }, (_, i) => signedUpdate(i));
    const packets = encodePackets([{ type: TlvType.RouterId, routerId: RID_A }, ...updates], 1232);
    expect(packets.map((p) => p.length)).toEqual([1216, 1216, 616]);
    for (const p of packets) expect(tlvsOf(p)[0]).toEqual({ type: TlvType.RouterId, routerId: RID_A });
    const decoded = packets.flatMap((p) => tlvsOf(p)).filter((t) => t.type === TlvType.Update);
    expect(decoded).toEqual(updates.map((u) => ({ ...u, routerId: RID_A })));
  });

  it('never leaves a Router-Id TLV at the end of a packet when its Update follows', () => {
    // 4 + 120 (Update A) + 12 fits in 140, but the Update for B would not: the Router-Id moves on.
    const tlvs: Tlv[] = [
      signedUpdate(1, RID_A),
      { type: TlvType.RouterId, routerId: RID_B },
      { ...signedUpdate(2), routerId: undefined } as Update,
    ];
    const packets = encodePackets(tlvs, 140);
    expect(packets).toHaveLength(2);
    expect(tlvsOf(packets[0]!).map((t) => t.type)).toEqual([TlvType.RouterId, TlvType.Update]);
    expect(tlvsOf(packets[1]!)[0]).toEqual({ type: TlvType.RouterId, routerId: RID_B });
    expect((tlvsOf(packets[1]!)[1] as Update).routerId).toEqual(RID_B);
  });

  it('splits random sequences into packets within the limit that decode to the same TLVs', () => {
    fc.assert(
      fc.property(
        fc.array(anyTlvArb, { maxLength: 30 }),
        fc.integer({ min: 300, max: 1500 }),
        fc.boolean(),
        (tlvs, mtu, compress) => {
          const whole = tlvsOf(encodePacket(tlvs, { compress })).filter((t) => t.type !== TlvType.RouterId);
          const packets = encodePackets(tlvs, mtu, { compress });
          for (const p of packets) expect(p.length).toBeLessThanOrEqual(mtu);
          const split = packets.flatMap((p) => tlvsOf(p)).filter((t) => t.type !== TlvType.RouterId);
          expect(split).toEqual(whole);
        },
      ),
    );
  });

  it('keeps Updates together when they fit: a sequence under the limit is exactly one packet', () => {
    fc.assert(
      fc.property(fc.array(updateArb, { maxLength: 8 }), (updates) => {
        const one = encodePacket(updates);
        const packets = encodePackets(updates, Math.max(one.length, 300));
        expect(packets).toEqual(updates.length === 0 ? [] : [one]);
      }),
    );
  });

  it('rejects a limit no TLV can fit and a TLV larger than the limit', () => {
    expect(() => encodePackets([], 4)).toThrow(RangeError);
    expect(() => encodePackets([signedUpdate(1, RID_A)], 100)).toThrow(/does not fit/);
  });
});

describe('encoder argument checks', () => {
  const ok = signedUpdate(1, RID_A);
  const cases: [string, Tlv, RegExp][] = [
    ['seqno above u16', { ...ok, seqno: 0x10000 }, /seqno/],
    ['fractional metric', { ...ok, metric: 1.5 }, /metric/],
    ['short originator key', { ...ok, originator: new Uint8Array(31) }, /originator/],
    ['plen above 128', { ...ok, prefix: { ae: AE.IPv6, plen: 129, addr: new Uint8Array(16) } }, /plen/],
    [
      'IPv4 address of 16 bytes',
      { ...ok, prefix: { ae: AE.IPv4, plen: 8, addr: new Uint8Array(16) } },
      /4 bytes/,
    ],
    [
      'finite wildcard Update',
      { ...ok, prefix: { ae: AE.Wildcard, plen: 0, addr: new Uint8Array(0) } },
      /retraction/,
    ],
    ['Update with no router id', { ...ok, routerId: undefined } as Update, /router id/],
    [
      'Next Hop with the wildcard AE',
      { type: TlvType.NextHop, ae: AE.Wildcard, address: new Uint8Array(0) },
      /wildcard/,
    ],
    [
      'sub-TLV the codec writes itself',
      {
        type: TlvType.Hello,
        unicast: false,
        seqno: 1,
        interval: 1,
        unknownSubTlvs: [{ type: 3, body: new Uint8Array(4) }],
      },
      /writes itself/,
    ],
    [
      'TLV body over 255 bytes',
      { ...ok, unknownSubTlvs: [{ type: 100, body: new Uint8Array(200) }] },
      /at most 255/,
    ],
  ];
  for (const [name, tlv, message] of cases) {
    it(`throws for ${name}`, () => {
      expect(() => encodePacket([tlv])).toThrow(message);
    });
  }
});

describe('updateSignedBytes', () => {
  const originator = new Uint8Array(32).fill(0x42);
  const prefix = { ae: AE.IPv6, plen: 60, addr: unhex('fd000198001800f00000000000000000') };

  it('is tag · AE · plen · ceil(plen/8) prefix bytes · seqno BE · key', () => {
    const expected =
      Buffer.from('hypha-update-v1').toString('hex') +
      '02' +
      '3c' +
      'fd000198001800f0' +
      '1234' +
      '42'.repeat(32);
    expect(hex(updateSignedBytes(prefix, 0x1234, originator))).toBe(expected);
  });

  it('masks host bits and differs for every field it covers', () => {
    const dirty = { ...prefix, addr: unhex('fd000198001800ff0000000000000000') };
    const base = hex(updateSignedBytes(prefix, 7, originator));
    expect(hex(updateSignedBytes(dirty, 7, originator))).toBe(base);
    expect(hex(updateSignedBytes(prefix, 8, originator))).not.toBe(base);
    expect(hex(updateSignedBytes({ ...prefix, plen: 64 }, 7, originator))).not.toBe(base);
    expect(hex(updateSignedBytes(prefix, 7, new Uint8Array(32)))).not.toBe(base);
    expect(hex(updateSignedBytes({ ae: AE.IPv4, plen: 24, addr: unhex('c6120000') }, 7, originator))).toBe(
      `${Buffer.from('hypha-update-v1').toString('hex')}0118c612000007${'42'.repeat(32)}`,
    );
  });

  it('checks its arguments', () => {
    expect(() => updateSignedBytes(prefix, -1, originator)).toThrow(RangeError);
    expect(() => updateSignedBytes(prefix, 1, new Uint8Array(8))).toThrow(RangeError);
    expect(() => updateSignedBytes(prefix, 1, 'key' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
