/**
 * fast-check properties of the Babel codec: round trips for every TLV kind and for random
 * sequences (with and without prefix compression), hostile input never throws and always gives a
 * typed error, and the mandatory-bit rule of RFC 8966 §4.4.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AE,
  type BabelDecodeErrorCode,
  type DecodeResult,
  decodePacket,
  encodePacket,
  type Tlv,
  TlvType,
  type Update,
} from '../../src/wire/babel/index.js';
import {
  anyTlvArb,
  helloArb,
  routeRequestArb,
  seqnoRequestArb,
  tlvArbs,
  updateArb,
} from './babel-helpers.js';

const CODES: ReadonlySet<BabelDecodeErrorCode> = new Set([
  'short-packet',
  'bad-magic',
  'bad-version',
  'body-length',
  'truncated-tlv',
  'tlv-too-short',
  'bad-ae',
  'bad-plen',
  'bad-omitted',
  'bad-subtlv',
  'bad-extension',
]);

function decodeOk(bytes: Uint8Array): readonly Tlv[] {
  const r = decodePacket(bytes, { keepPadding: true });
  if (!r.ok) throw new Error(`decode failed: ${r.error.code} at ${r.error.offset}: ${r.error.message}`);
  return r.value.tlvs;
}

/** Asserts a decode result is well-formed: ok, or an error with a known code inside the input. */
function expectTyped(r: DecodeResult<unknown>, length: number): void {
  if (r.ok) return;
  expect(CODES.has(r.error.code)).toBe(true);
  expect(r.error.offset).toBeGreaterThanOrEqual(0);
  expect(r.error.offset).toBeLessThanOrEqual(length);
  expect(typeof r.error.message).toBe('string');
  expect(r.error.message.length).toBeGreaterThan(0);
}

const withoutRouterIds = (tlvs: readonly Tlv[]) => tlvs.filter((t) => t.type !== TlvType.RouterId);

/**
 * What decoding an encoded sequence must give, Router-Id TLVs aside: each Update carries the router
 * id in force (its own, else the last one before it), and compression sets flag 0x80 on IPv4/IPv6.
 */
function expected(tlvs: readonly Tlv[], compress: boolean): Tlv[] {
  let current: Uint8Array | undefined;
  const out: Tlv[] = [];
  for (const t of tlvs) {
    if (t.type === TlvType.RouterId) {
      current = t.routerId;
      continue;
    }
    if (t.type !== TlvType.Update) {
      out.push(t);
      continue;
    }
    if (t.routerId && t.prefix.ae !== AE.Wildcard) current = t.routerId;
    const { routerId: _drop, ...rest } = t;
    // A wildcard retraction names no source, so it carries no router id.
    const compressed = compress && (t.prefix.ae === AE.IPv4 || t.prefix.ae === AE.IPv6);
    out.push({
      ...rest,
      flags: compressed ? t.flags | 0x80 : t.flags,
      ...(current && t.prefix.ae !== AE.Wildcard && { routerId: current }),
    });
  }
  return out;
}

/** Random sequences in which some Updates leave their router id to the one already in force. */
const sequenceArb = fc
  .tuple(fc.array(anyTlvArb, { maxLength: 12 }), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }))
  .map(([tlvs, drops]) => {
    let haveId = false;
    return tlvs.map((t, i) => {
      if (t.type === TlvType.RouterId) haveId = true;
      if (t.type !== TlvType.Update) return t;
      const drop = drops[i] === true && (haveId || t.metric === 0xffff);
      if (!drop) {
        if (t.routerId) haveId = true;
        return t;
      }
      const { routerId: _drop, ...rest } = t;
      return rest as Update;
    });
  });

describe('round trip: encodePacket then decodePacket', () => {
  for (const [name, arb] of Object.entries(tlvArbs)) {
    it(`gives back every ${name}`, () => {
      fc.assert(
        fc.property(arb, (t) => {
          const decoded = decodeOk(encodePacket([t]));
          if (t.type === TlvType.RouterId) expect(decoded).toEqual([t]);
          else expect(withoutRouterIds(decoded)).toEqual([t]);
        }),
      );
    });
  }

  for (const compress of [false, true]) {
    it(`gives back random TLV sequences (compress ${compress})`, () => {
      fc.assert(
        fc.property(sequenceArb, (tlvs) => {
          expect(withoutRouterIds(decodeOk(encodePacket(tlvs, { compress })))).toEqual(
            expected(tlvs, compress),
          );
        }),
      );
    });
  }

  it('re-encodes a decoded packet to the same bytes', () => {
    fc.assert(
      fc.property(sequenceArb, fc.boolean(), (tlvs, compress) => {
        const first = encodePacket(tlvs, { compress });
        expect(encodePacket(decodeOk(first), { compress })).toEqual(first);
      }),
    );
  });

  it('compression never makes a packet longer and never changes a prefix', () => {
    fc.assert(
      fc.property(fc.array(updateArb, { maxLength: 20 }), (updates) => {
        const plain = encodePacket(updates);
        const packed = encodePacket(updates, { compress: true });
        expect(packed.length).toBeLessThanOrEqual(plain.length);
        const prefixes = (b: Uint8Array) => withoutRouterIds(decodeOk(b)).map((t) => (t as Update).prefix);
        expect(prefixes(packed)).toEqual(prefixes(plain));
      }),
    );
  });
});

describe('hostile input', () => {
  it('random bytes never throw and give a typed result', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expectTyped(decodePacket(bytes), bytes.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('random bodies behind a valid header never throw and give a typed result', () => {
    const body = fc.array(
      fc.oneof(
        fc.uint8Array({ maxLength: 40 }),
        fc
          .tuple(fc.integer({ min: 0, max: 12 }), fc.uint8Array({ maxLength: 40 }))
          .map(([type, b]) => Uint8Array.of(type, b.length, ...b)),
      ),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(body, (parts) => {
        const b = Uint8Array.from(parts.flatMap((p) => [...p]));
        const packet = Uint8Array.of(42, 2, b.length >> 8, b.length & 0xff, ...b);
        expectTyped(decodePacket(packet), packet.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('a packet cut anywhere inside its body fails with short-packet or body-length', () => {
    fc.assert(
      fc.property(sequenceArb, fc.nat(), (tlvs, n) => {
        const packet = encodePacket(tlvs);
        fc.pre(packet.length > 4);
        const cut = n % packet.length;
        const r = decodePacket(packet.subarray(0, cut));
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.code).toBe(cut < 4 ? 'short-packet' : 'body-length');
      }),
    );
  });

  it('bytes appended after the body (a trailer) change nothing', () => {
    fc.assert(
      fc.property(sequenceArb, fc.uint8Array({ minLength: 1, maxLength: 64 }), (tlvs, extra) => {
        const packet = encodePacket(tlvs);
        const longer = Uint8Array.of(...packet, ...extra);
        expect(decodePacket(longer)).toEqual(decodePacket(packet));
      }),
    );
  });

  it('a valid packet with bytes overwritten never throws and gives a typed result', () => {
    fc.assert(
      fc.property(
        sequenceArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        (tlvs, edits) => {
          const packet = encodePacket(tlvs);
          for (const [at, v] of edits) packet[at % packet.length] = v;
          expectTyped(decodePacket(packet), packet.length);
        },
      ),
    );
  });

  it('decoded values never alias the input buffer', () => {
    fc.assert(
      fc.property(sequenceArb, (tlvs) => {
        const packet = encodePacket(tlvs);
        const before = decodeOk(packet);
        const snapshot = structuredClone(before);
        packet.fill(0xee);
        expect(before).toEqual(snapshot);
      }),
    );
  });
});

describe('mandatory sub-TLVs (RFC 8966 §4.4)', () => {
  const carriers = fc.oneof(helloArb, updateArb, routeRequestArb, seqnoRequestArb);
  const mandatory = fc.integer({ min: 128, max: 255 }).filter((t) => t !== 240 && t !== 241);

  it('an unknown mandatory sub-TLV makes the receiver ignore the whole TLV, and only it', () => {
    fc.assert(
      fc.property(carriers, mandatory, fc.uint8Array({ maxLength: 8 }), (t, type, body) => {
        const tagged = {
          ...t,
          unknownSubTlvs: [...((t as { unknownSubTlvs?: [] }).unknownSubTlvs ?? []), { type, body }],
        };
        const marker: Tlv = { type: TlvType.Ack, opaque: 0xbeef };
        const r = decodePacket(encodePacket([tagged as Tlv, marker]));
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(withoutRouterIds(r.value.tlvs)).toEqual([marker]);
        expect(r.value.ignored).toBe(1);
      }),
    );
  });

  it('an unknown non-mandatory sub-TLV is kept and the TLV is used', () => {
    fc.assert(
      fc.property(carriers, fc.integer({ min: 113, max: 127 }), (t, type) => {
        const subs = [{ type, body: Uint8Array.of(1, 2) }];
        const tagged = { ...t, unknownSubTlvs: subs } as Tlv;
        const decoded = withoutRouterIds(decodeOk(encodePacket([tagged])));
        expect(decoded).toHaveLength(1);
        expect((decoded[0] as { unknownSubTlvs?: unknown }).unknownSubTlvs).toEqual(subs);
      }),
    );
  });
});
