/**
 * Shared by the Babel codec tests: hex helpers, JSON vector revival, and fast-check arbitraries
 * for every TLV the codec encodes.
 */
import fc from 'fast-check';
import { AE, type Prefix, type Tlv, TlvType, type UnknownSubTlv } from '../../src/wire/babel/index.js';

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function unhex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}

const BYTE_FIELDS = new Set(['routerId', 'addr', 'address', 'originator', 'signature', 'body']);

/** Turns a vector's JSON TLV (byte fields as hex strings) into the codec's object form. */
export function revive<T>(value: unknown): T {
  if (Array.isArray(value)) return value.map((v) => revive(v)) as T;
  if (value === null || typeof value !== 'object') return value as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = BYTE_FIELDS.has(k) && typeof v === 'string' ? unhex(v) : revive(v);
  }
  return out as T;
}

/** Zeroes every bit past `plen`, as the codec does for prefixes. */
export function masked(addr: Uint8Array, plen: number): Uint8Array {
  const out = addr.slice();
  for (let bit = plen; bit < out.length * 8; bit++) out[bit >> 3] = out[bit >> 3]! & ~(0x80 >> (bit & 7));
  return out;
}

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
export const routerIdArb = bytes(8);
export const keyArb = bytes(32);

/** A prefix for an AE, host bits zero (what the decoder returns). */
export function prefixArb(ae: AE): fc.Arbitrary<Prefix> {
  switch (ae) {
    case AE.Wildcard:
      return fc.constant({ ae, plen: 0, addr: new Uint8Array(0) });
    case AE.IPv4:
      return fc
        .tuple(fc.integer({ min: 0, max: 32 }), bytes(4))
        .map(([plen, a]) => ({ ae, plen, addr: masked(a, plen) }));
    case AE.IPv6:
      return fc
        .tuple(fc.integer({ min: 0, max: 128 }), bytes(16))
        .map(([plen, a]) => ({ ae, plen, addr: masked(a, plen) }));
    case AE.LinkLocalIPv6:
      return fc.tuple(fc.integer({ min: 64, max: 128 }), bytes(8)).map(([plen, low]) => {
        const a = new Uint8Array(16);
        a[0] = 0xfe;
        a[1] = 0x80;
        a.set(low, 8);
        return { ae, plen, addr: masked(a, plen) };
      });
  }
}

const anyPrefix = fc.constantFrom(AE.IPv4, AE.IPv6, AE.LinkLocalIPv6).chain(prefixArb);
/** A full address for any AE (empty for the wildcard; fe80::/64 head for AE 3). */
const addressArb = fc.oneof(
  fc.constant({ ae: AE.Wildcard, address: new Uint8Array(0) }),
  bytes(4).map((address) => ({ ae: AE.IPv4, address })),
  bytes(16).map((address) => ({ ae: AE.IPv6, address })),
  bytes(8).map((low) => {
    const address = new Uint8Array(16);
    address.set([0xfe, 0x80]);
    address.set(low, 8);
    return { ae: AE.LinkLocalIPv6, address };
  }),
);

/** Uninterpreted non-mandatory sub-TLVs, avoiding the types a TLV's codec reads itself. */
function unknownSubTlvsArb(reserved: readonly number[]): fc.Arbitrary<UnknownSubTlv[] | undefined> {
  const sub = fc.record({
    type: fc.integer({ min: 2, max: 127 }).filter((t) => !reserved.includes(t)),
    body: fc.uint8Array({ maxLength: 12 }),
  });
  return fc.option(fc.array(sub, { minLength: 1, maxLength: 2 }), { nil: undefined });
}

/** Adds the fields of `extra` that are defined, as the decoder leaves absent fields out. */
function withOptional(base: object, extra: Record<string, unknown>): Tlv {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
  return out as unknown as Tlv;
}

export const padNArb: fc.Arbitrary<Tlv> = fc
  .integer({ min: 0, max: 255 })
  .map((length) => ({ type: TlvType.PadN, length }));
export const ackRequestArb: fc.Arbitrary<Tlv> = fc.record({ opaque: u16, interval: u16 }).map((r) => ({
  type: TlvType.AckRequest,
  ...r,
}));
export const ackArb: fc.Arbitrary<Tlv> = u16.map((opaque) => ({ type: TlvType.Ack, opaque }));
export const routeDigestArb: fc.Arbitrary<Tlv> = fc
  .record({ interval: u16, count: u32, hi: u32, lo: u32 })
  .map((r) => ({ type: TlvType.RouteDigest, ...r }));
export const helloArb: fc.Arbitrary<Tlv> = fc
  .tuple(fc.boolean(), u16, u16, fc.option(u32, { nil: undefined }), unknownSubTlvsArb([3]))
  .map(([unicast, seqno, interval, transmit, subs]) =>
    withOptional(
      { type: TlvType.Hello, unicast, seqno, interval },
      { timestamp: transmit === undefined ? undefined : { transmit }, unknownSubTlvs: subs },
    ),
  );
export const ihuArb: fc.Arbitrary<Tlv> = fc
  .tuple(u16, u16, addressArb, fc.option(fc.tuple(u32, u32), { nil: undefined }), unknownSubTlvsArb([3]))
  .map(([rxcost, interval, a, ts, subs]) =>
    withOptional(
      { type: TlvType.IHU, rxcost, interval, ae: a.ae, address: a.address },
      { timestamp: ts && { origin: ts[0], receive: ts[1] }, unknownSubTlvs: subs },
    ),
  );
export const routerIdTlvArb: fc.Arbitrary<Tlv> = routerIdArb.map((routerId) => ({
  type: TlvType.RouterId,
  routerId,
}));
export const nextHopArb: fc.Arbitrary<Tlv> = addressArb
  .filter((a) => a.ae !== AE.Wildcard)
  .map((a) => ({ type: TlvType.NextHop, ae: a.ae, address: a.address }));

/** An Update as the decoder returns it: router id resolved, flags without the codec-owned bits. */
export const updateArb: fc.Arbitrary<Tlv> = fc
  .tuple(
    fc.integer({ min: 0, max: 0x3f }),
    u16,
    u16,
    fc.oneof(u16, fc.constant(0xffff)),
    anyPrefix,
    routerIdArb,
    fc.option(fc.tuple(keyArb, bytes(64)), { nil: undefined }),
    unknownSubTlvsArb([112]),
  )
  .map(([flags, interval, seqno, metric, prefix, routerId, ext, subs]) =>
    withOptional(
      { type: TlvType.Update, flags, interval, seqno, metric, prefix, routerId },
      { originator: ext?.[0], signature: ext?.[1], unknownSubTlvs: subs },
    ),
  );
export const wildcardRetractionArb: fc.Arbitrary<Tlv> = fc.tuple(u16, u16).map(([interval, seqno]) => ({
  type: TlvType.Update,
  flags: 0,
  interval,
  seqno,
  metric: 0xffff,
  prefix: { ae: AE.Wildcard, plen: 0, addr: new Uint8Array(0) },
}));
export const routeRequestArb: fc.Arbitrary<Tlv> = fc
  .tuple(
    fc.oneof(prefixArb(AE.Wildcard), anyPrefix),
    fc.option(u8, { nil: undefined }),
    unknownSubTlvsArb([112]),
  )
  .map(([prefix, hopCount, subs]) =>
    withOptional({ type: TlvType.RouteRequest, prefix }, { hopCount, unknownSubTlvs: subs }),
  );
export const seqnoRequestArb: fc.Arbitrary<Tlv> = fc
  .tuple(u16, u8, routerIdArb, anyPrefix, fc.option(keyArb, { nil: undefined }), unknownSubTlvsArb([112]))
  .map(([seqno, hopCount, routerId, prefix, originator, subs]) =>
    withOptional(
      { type: TlvType.SeqnoRequest, seqno, hopCount, routerId, prefix },
      { originator, unknownSubTlvs: subs },
    ),
  );

/** Every encodable TLV kind, by name, for per-type round-trip properties. */
export const tlvArbs: Readonly<Record<string, fc.Arbitrary<Tlv>>> = {
  PadN: padNArb,
  AckRequest: ackRequestArb,
  Ack: ackArb,
  Hello: helloArb,
  IHU: ihuArb,
  RouterId: routerIdTlvArb,
  NextHop: nextHopArb,
  Update: updateArb,
  WildcardRetraction: wildcardRetractionArb,
  RouteRequest: routeRequestArb,
  SeqnoRequest: seqnoRequestArb,
  RouteDigest: routeDigestArb,
};

export const anyTlvArb: fc.Arbitrary<Tlv> = fc.oneof(...Object.values(tlvArbs));
