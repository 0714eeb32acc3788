import { describe, expect, it } from 'vitest';
import { ContentType } from '../../../src/wire/link/constants.js';
import {
  decodeTransport,
  decodeTransportContent,
  encodeTransport,
  encodeTransportContent,
  readTransportCounter,
  readTransportReceiverIndex,
  writeTransportHeader,
} from '../../../src/wire/link/transport.js';

describe('Transport plaintext: content type ‖ body', () => {
  it('a keepalive is one byte, 0', () => {
    const p = encodeTransportContent(ContentType.Keepalive, new Uint8Array(0));
    expect(p).toEqual(Uint8Array.of(0));
    const r = decodeTransportContent(p);
    expect(r.ok && r.value.contentType).toBe(ContentType.Keepalive);
    expect(r.ok && r.value.body.length).toBe(0);
  });

  it('control carries a Babel packet after byte 1', () => {
    const babel = Uint8Array.of(42, 2, 0, 0);
    const p = encodeTransportContent(ContentType.Control, babel);
    expect(p).toEqual(Uint8Array.of(1, 42, 2, 0, 0));
    expect(decodeTransportContent(p)).toEqual({
      ok: true,
      value: { contentType: ContentType.Control, body: babel },
    });
  });

  it('drops what it cannot use with a typed code', () => {
    const code = (b: Uint8Array) => {
      const r = decodeTransportContent(b);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(code(new Uint8Array(0))).toBe('truncated');
    expect(code(Uint8Array.of(0, 1))).toBe('bad-content-length');
    expect(code(Uint8Array.of(2))).toBe('unknown-content');
    expect(code(Uint8Array.of(255, 1, 2))).toBe('unknown-content');
  });

  it('refuses to encode a keepalive with a body', () => {
    expect(() => encodeTransportContent(ContentType.Keepalive, Uint8Array.of(1))).toThrow(/body/);
    expect(() => encodeTransportContent(256 as ContentType, new Uint8Array(0))).toThrow(/contentType/);
  });
});

describe('Transport header in place', () => {
  it('writeTransportHeader matches encodeTransport and the readers see its fields', () => {
    const ciphertext = Uint8Array.from({ length: 20 }, (_, i) => i);
    const buf = new Uint8Array(64);
    writeTransportHeader(buf, 8, 0xcafe_f00d, 2 ** 40 + 3);
    buf.set(ciphertext, 8 + 16);
    const frame = buf.subarray(8, 8 + 16 + ciphertext.length);
    expect(frame).toEqual(encodeTransport({ receiverIndex: 0xcafe_f00d, counter: 2 ** 40 + 3, ciphertext }));
    expect(readTransportReceiverIndex(frame)).toBe(0xcafe_f00d);
    expect(readTransportCounter(frame)).toBe(2 ** 40 + 3);
    expect(decodeTransport(frame).ok).toBe(true);
  });

  it('checks its arguments', () => {
    expect(() => writeTransportHeader(new Uint8Array(15), 0, 1, 1)).toThrow(/offset/);
    expect(() => writeTransportHeader(new Uint8Array(16), 0, 2 ** 32, 1)).toThrow(/receiverIndex/);
    expect(() => writeTransportHeader(new Uint8Array(16), 0, 1, 2 ** 53)).toThrow(/counter/);
    expect(() => encodeTransport({ receiverIndex: 1, counter: 0, ciphertext: new Uint8Array(16) })).toThrow(
      /ciphertext/,
    );
  });
});
