import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/util/bytes.js';
import {
  BEACON_OFFSET_FLAGS,
  BEACON_OFFSET_MAGIC,
  BEACON_OFFSET_NETWORK_TAG,
  BEACON_OFFSET_PORT,
  BEACON_OFFSET_PUBLIC_KEY,
  BEACON_OFFSET_VERSION,
  BEACON_SIZE,
  COOKIE_OFFSET_COOKIE,
  COOKIE_OFFSET_NONCE,
  COOKIE_OFFSET_RECEIVER,
  COOKIE_REPLY_SIZE,
  DATA_OFFSET_COUNTER,
  DATA_OFFSET_DESTINATION,
  DATA_OFFSET_EPHEMERAL,
  DATA_OFFSET_FLAGS,
  DATA_OFFSET_HOP_LIMIT,
  DATA_OFFSET_KEY_ID,
  DATA_OFFSET_RECEIVER,
  DATA_OFFSET_RESERVED,
  DATA_OFFSET_SOURCE,
  FINISH_OFFSET_MAC1,
  FINISH_OFFSET_MAC2,
  FINISH_OFFSET_PAYLOAD,
  FINISH_OFFSET_RECEIVER,
  FINISH_OFFSET_STATIC,
  FINISH_SIZE,
  INITIATION_OFFSET_EPHEMERAL,
  INITIATION_OFFSET_MAC1,
  INITIATION_OFFSET_MAC2,
  INITIATION_OFFSET_PAYLOAD,
  INITIATION_OFFSET_SENDER,
  INITIATION_SIZE,
  RESPONSE_OFFSET_EPHEMERAL,
  RESPONSE_OFFSET_MAC1,
  RESPONSE_OFFSET_MAC2,
  RESPONSE_OFFSET_PAYLOAD,
  RESPONSE_OFFSET_RECEIVER,
  RESPONSE_OFFSET_SENDER,
  RESPONSE_OFFSET_STATIC,
  RESPONSE_SIZE,
  TRANSPORT_OFFSET_CONTENT,
  TRANSPORT_OFFSET_COUNTER,
  TRANSPORT_OFFSET_RECEIVER,
} from '../../../src/wire/link/constants.js';
import { encodeCookieReply } from '../../../src/wire/link/cookie.js';
import { encodeData } from '../../../src/wire/link/data.js';
import { encodeDiscoveryBeacon } from '../../../src/wire/link/discovery.js';
import { checkFrame, decodeFrame } from '../../../src/wire/link/frame.js';
import {
  encodeHandshakeFinish,
  encodeHandshakeInitiation,
  encodeHandshakeResponse,
} from '../../../src/wire/link/handshake.js';
import { encodeTransport } from '../../../src/wire/link/transport.js';
import { type FrameVector, fieldsOf, hex, vectors } from './_vectors.js';

/** Where each field starts, by the exported constants; the vectors' layouts must agree. */
const OFFSETS: Record<number, Record<string, number>> = {
  1: {
    type: 0,
    reserved: 1,
    senderIndex: INITIATION_OFFSET_SENDER,
    ephemeral: INITIATION_OFFSET_EPHEMERAL,
    encryptedPayload: INITIATION_OFFSET_PAYLOAD,
    mac1: INITIATION_OFFSET_MAC1,
    mac2: INITIATION_OFFSET_MAC2,
  },
  2: {
    type: 0,
    reserved: 1,
    senderIndex: RESPONSE_OFFSET_SENDER,
    receiverIndex: RESPONSE_OFFSET_RECEIVER,
    ephemeral: RESPONSE_OFFSET_EPHEMERAL,
    encryptedStatic: RESPONSE_OFFSET_STATIC,
    encryptedPayload: RESPONSE_OFFSET_PAYLOAD,
    mac1: RESPONSE_OFFSET_MAC1,
    mac2: RESPONSE_OFFSET_MAC2,
  },
  7: {
    type: 0,
    reserved: 1,
    receiverIndex: FINISH_OFFSET_RECEIVER,
    encryptedStatic: FINISH_OFFSET_STATIC,
    encryptedPayload: FINISH_OFFSET_PAYLOAD,
    mac1: FINISH_OFFSET_MAC1,
    mac2: FINISH_OFFSET_MAC2,
  },
  3: {
    type: 0,
    reserved: 1,
    receiverIndex: COOKIE_OFFSET_RECEIVER,
    nonce: COOKIE_OFFSET_NONCE,
    encryptedCookie: COOKIE_OFFSET_COOKIE,
  },
  4: {
    type: 0,
    reserved: 1,
    receiverIndex: TRANSPORT_OFFSET_RECEIVER,
    counter: TRANSPORT_OFFSET_COUNTER,
    ciphertext: TRANSPORT_OFFSET_CONTENT,
  },
  5: {
    type: 0,
    hopLimit: DATA_OFFSET_HOP_LIMIT,
    flags: DATA_OFFSET_FLAGS,
    reserved: DATA_OFFSET_RESERVED,
    receiverIndex: DATA_OFFSET_RECEIVER,
    source: DATA_OFFSET_SOURCE,
    destination: DATA_OFFSET_DESTINATION,
    keyId: DATA_OFFSET_KEY_ID,
    counter: DATA_OFFSET_COUNTER,
    ephemeral: DATA_OFFSET_EPHEMERAL,
  },
  6: {
    type: 0,
    magic: BEACON_OFFSET_MAGIC,
    version: BEACON_OFFSET_VERSION,
    flags: BEACON_OFFSET_FLAGS,
    port: BEACON_OFFSET_PORT,
    publicKey: BEACON_OFFSET_PUBLIC_KEY,
    networkTag: BEACON_OFFSET_NETWORK_TAG,
  },
};
const FIXED_SIZES: Record<number, number> = {
  1: INITIATION_SIZE,
  2: RESPONSE_SIZE,
  3: COOKIE_REPLY_SIZE,
  6: BEACON_SIZE,
  7: FINISH_SIZE,
};

function encodeVector(v: FrameVector): Uint8Array {
  // biome-ignore lint/suspicious/noExplicitAny: the vector's field set matches its frame type by construction
  const f = fieldsOf(v) as any;
  switch (v.type) {
    case 1:
      return encodeHandshakeInitiation(f);
    case 2:
      return encodeHandshakeResponse(f);
    case 3:
      return encodeCookieReply(f);
    case 4:
      return encodeTransport(f);
    case 5:
      return encodeData(f);
    case 6:
      return encodeDiscoveryBeacon(f);
    case 7:
      return encodeHandshakeFinish(f);
    default:
      throw new Error(`no encoder for ${v.type}`);
  }
}

describe('link frame known answers (test/vectors/link-frames.json)', () => {
  it('covers every frame type', () => {
    expect(new Set(vectors.frames.map((v) => v.type))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7]));
  });

  for (const v of vectors.frames) {
    describe(v.name, () => {
      it('has the field offsets the constants name', () => {
        const offsets = OFFSETS[v.type]!;
        for (const { field, offset } of v.layout) {
          if (field in offsets) expect([field, offset]).toEqual([field, offsets[field]]);
        }
        if (v.type in FIXED_SIZES) expect(v.size).toBe(FIXED_SIZES[v.type]);
      });

      it('encodes to the expected bytes', () => {
        expect(toHex(encodeVector(v))).toBe(v.hex);
      });

      it('decodes to the expected fields', () => {
        const r = decodeFrame(hex(v.hex));
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.value.type).toBe(v.type);
        const got = r.value as unknown as Record<string, unknown>;
        for (const [k, want] of Object.entries(v.fields)) {
          const value = got[k];
          expect([k, value instanceof Uint8Array ? toHex(value) : value]).toEqual([k, want]);
        }
        if (v.type === 5 && v.fields.flags === 0) expect(got.ephemeral).toBeUndefined();
        expect(checkFrame(hex(v.hex))).toBeUndefined();
      });
    });
  }
});

describe('malformed datagrams are typed drops', () => {
  for (const v of vectors.invalid) {
    it(`${v.name} → ${v.code} at ${v.offset}`, () => {
      const bytes = hex(v.hex);
      const r = decodeFrame(bytes);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect({ code: r.error.code, offset: r.error.offset }).toEqual({ code: v.code, offset: v.offset });
      expect(checkFrame(bytes)?.code).toBe(v.code);
    });
  }
});

describe('single-type decoders', () => {
  it('return wrong-type for a frame of another type, and the index re-exports them', async () => {
    const link = await import('../../../src/wire/link/index.js');
    const decoders = [
      link.decodeHandshakeInitiation,
      link.decodeHandshakeResponse,
      link.decodeCookieReply,
      link.decodeTransport,
      link.decodeData,
      link.decodeDiscoveryBeacon,
      link.decodeHandshakeFinish,
    ];
    for (const v of vectors.frames) {
      decoders.forEach((decode, i) => {
        const r = decode(hex(v.hex));
        if (i + 1 === v.type) expect(r.ok).toBe(true);
        else expect(r.ok ? 'ok' : r.error.code).toBe('wrong-type');
      });
    }
    expect(link.decodeData(new Uint8Array(0))).toMatchObject({ ok: false, error: { code: 'truncated' } });
  });
});
