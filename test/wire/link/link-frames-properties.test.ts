import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DATA_FLAG_EPHEMERAL, FrameType } from '../../../src/wire/link/constants.js';
import { encodeCookieReply } from '../../../src/wire/link/cookie.js';
import { encodeData } from '../../../src/wire/link/data.js';
import { encodeDiscoveryBeacon } from '../../../src/wire/link/discovery.js';
import { checkFrame, decodeFrame, peekFrameType } from '../../../src/wire/link/frame.js';
import {
  encodeHandshakeFinish,
  encodeHandshakeInitiation,
  encodeHandshakeResponse,
} from '../../../src/wire/link/handshake.js';
import { encodeTransport } from '../../../src/wire/link/transport.js';
import type { LinkDecodeErrorCode } from '../../../src/wire/link/types.js';
import * as arb from './_arbitraries.js';

const CODES: readonly LinkDecodeErrorCode[] = [
  'truncated',
  'bad-length',
  'unknown-type',
  'wrong-type',
  'bad-reserved',
  'bad-flags',
  'bad-hop-limit',
  'bad-counter',
  'bad-magic',
  'bad-version',
  'bad-port',
  'unknown-content',
  'bad-content-length',
];

/** Any valid frame of any type, with its fixed size (undefined for variable-size types). */
const anyFrame = fc.oneof(
  arb.initiation.map((m) => ({ bytes: encodeHandshakeInitiation(m), fixed: true })),
  arb.response.map((m) => ({ bytes: encodeHandshakeResponse(m), fixed: true })),
  arb.finish.map((m) => ({ bytes: encodeHandshakeFinish(m), fixed: true })),
  arb.cookieReply.map((m) => ({ bytes: encodeCookieReply(m), fixed: true })),
  arb.transport.map((m) => ({ bytes: encodeTransport(m), fixed: false })),
  arb.data.map((m) => ({ bytes: encodeData(m), fixed: false })),
  arb.beacon.map((m) => ({ bytes: encodeDiscoveryBeacon(m), fixed: true })),
);

/** Decodes without throwing, and agrees with checkFrame; returns the result. */
function decodeSafely(bytes: Uint8Array) {
  const r = decodeFrame(bytes);
  const check = checkFrame(bytes);
  if (r.ok) {
    expect(check).toBeUndefined();
  } else {
    expect(CODES).toContain(r.error.code);
    expect(r.error.offset).toBeGreaterThanOrEqual(0);
    expect(r.error.offset).toBeLessThanOrEqual(bytes.length);
    expect(check?.code).toBe(r.error.code);
  }
  return r;
}

describe('encode → decode round trips', () => {
  it('HandshakeInitiation', () => {
    fc.assert(
      fc.property(arb.initiation, (m) => {
        expect(decodeFrame(encodeHandshakeInitiation(m))).toEqual({
          ok: true,
          value: { type: FrameType.HandshakeInitiation, ...m },
        });
      }),
    );
  });

  it('HandshakeResponse', () => {
    fc.assert(
      fc.property(arb.response, (m) => {
        expect(decodeFrame(encodeHandshakeResponse(m))).toEqual({
          ok: true,
          value: { type: FrameType.HandshakeResponse, ...m },
        });
      }),
    );
  });

  it('HandshakeFinish', () => {
    fc.assert(
      fc.property(arb.finish, (m) => {
        expect(decodeFrame(encodeHandshakeFinish(m))).toEqual({
          ok: true,
          value: { type: FrameType.HandshakeFinish, ...m },
        });
      }),
    );
  });

  it('CookieReply', () => {
    fc.assert(
      fc.property(arb.cookieReply, (m) => {
        expect(decodeFrame(encodeCookieReply(m))).toEqual({
          ok: true,
          value: { type: FrameType.CookieReply, ...m },
        });
      }),
    );
  });

  it('Transport', () => {
    fc.assert(
      fc.property(arb.transport, (m) => {
        expect(decodeFrame(encodeTransport(m))).toEqual({
          ok: true,
          value: { type: FrameType.Transport, ...m },
        });
      }),
    );
  });

  it('Data, with and without the ephemeral key', () => {
    fc.assert(
      fc.property(arb.data, (m) => {
        const flags = m.ephemeral ? DATA_FLAG_EPHEMERAL : 0;
        expect(decodeFrame(encodeData(m))).toEqual({
          ok: true,
          value: { type: FrameType.Data, flags, ...m },
        });
      }),
    );
  });

  it('DiscoveryBeacon', () => {
    fc.assert(
      fc.property(arb.beacon, (m) => {
        expect(decodeFrame(encodeDiscoveryBeacon(m))).toEqual({
          ok: true,
          value: { type: FrameType.DiscoveryBeacon, version: 1, ...m },
        });
      }),
    );
  });
});

describe('hostile input never throws', () => {
  it('random datagrams', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        decodeSafely(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('random datagrams that start with a known type byte', () => {
    const typed = fc
      .tuple(fc.integer({ min: 0, max: 8 }), fc.uint8Array({ maxLength: 200 }))
      .map(([t, rest]) => Uint8Array.of(t, ...rest));
    fc.assert(
      fc.property(typed, (bytes) => {
        const r = decodeSafely(bytes);
        if (peekFrameType(bytes) === undefined) expect(r.ok ? 'ok' : r.error.code).toBe('unknown-type');
      }),
      { numRuns: 2000 },
    );
  });

  it('every truncation of a valid frame is a typed drop, never a throw', () => {
    fc.assert(
      fc.property(anyFrame, fc.nat(), ({ bytes, fixed }, cut) => {
        const n = cut % bytes.length;
        const r = decodeSafely(bytes.subarray(0, n));
        if (fixed) expect(r.ok ? 'ok' : r.error.code).toBe(n === 0 ? 'truncated' : 'bad-length');
      }),
      { numRuns: 1000 },
    );
  });

  it('extending a fixed-size frame is bad-length; extending a variable one only lengthens its ciphertext', () => {
    fc.assert(
      fc.property(anyFrame, fc.uint8Array({ minLength: 1, maxLength: 64 }), ({ bytes, fixed }, tail) => {
        const longer = new Uint8Array(bytes.length + tail.length);
        longer.set(bytes);
        longer.set(tail, bytes.length);
        const r = decodeSafely(longer);
        if (fixed) {
          expect(r.ok ? 'ok' : r.error.code).toBe('bad-length');
        } else {
          expect(r.ok).toBe(true);
          if (r.ok && 'ciphertext' in r.value) expect(r.value.ciphertext.length).toBeGreaterThan(tail.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('single-byte corruption of a valid frame never throws', () => {
    fc.assert(
      fc.property(anyFrame, fc.nat(), fc.integer({ min: 0, max: 255 }), ({ bytes }, at, value) => {
        const copy = Uint8Array.from(bytes);
        copy[at % copy.length] = value;
        decodeSafely(copy);
      }),
      { numRuns: 1000 },
    );
  });
});
