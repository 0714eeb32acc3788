/**
 * Known-answer vectors for every TLV (test/vectors/babel-tlvs.json): hand-written hex from the
 * RFC 8966 / RFC 9616 layouts and hypha's sub-TLVs, checked in both directions.
 */
import { describe, expect, it } from 'vitest';
import { decodePacket, encodePacket, type Tlv } from '../../src/wire/babel/index.js';
import vectors from '../vectors/babel-tlvs.json' with { type: 'json' };
import { hex, revive, unhex } from './babel-helpers.js';

interface Vector {
  readonly name: string;
  readonly direction: 'both' | 'decode' | 'error';
  readonly hex: string;
  readonly tlvs?: unknown[];
  readonly ignored?: number;
  readonly keepPadding?: boolean;
  readonly error?: { readonly code: string; readonly offset: number };
}

const all = vectors.vectors as Vector[];

describe('RFC 8966 TLV vectors: decode', () => {
  for (const v of all.filter((x) => x.direction !== 'error')) {
    it(v.name, () => {
      const r = decodePacket(unhex(v.hex), { keepPadding: v.keepPadding === true });
      expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
      if (!r.ok) return;
      expect(r.value.tlvs).toEqual(revive<Tlv[]>(v.tlvs));
      expect(r.value.ignored).toBe(v.ignored);
    });
  }
});

describe('RFC 8966 TLV vectors: encode', () => {
  for (const v of all.filter((x) => x.direction === 'both')) {
    it(v.name, () => {
      expect(hex(encodePacket(revive<Tlv[]>(v.tlvs)))).toBe(v.hex);
    });
  }
});

describe('RFC 8966 TLV vectors: typed errors', () => {
  for (const v of all.filter((x) => x.direction === 'error')) {
    it(v.name, () => {
      const r = decodePacket(unhex(v.hex));
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect({ code: r.error.code, offset: r.error.offset }).toEqual(v.error);
      expect(r.error.message.length).toBeGreaterThan(10);
    });
  }
});

describe('vector file', () => {
  it('covers every TLV type both ways and every error code', () => {
    const types = new Set(
      all.filter((v) => v.direction === 'both').flatMap((v) => revive<Tlv[]>(v.tlvs).map((t) => t.type)),
    );
    expect([...types].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 225]);
    const codes = new Set(all.flatMap((v) => (v.error ? [v.error.code] : [])));
    expect(codes.size).toBe(11);
  });

  it('keepUnknown returns the skipped TLVs by type and body', () => {
    const v = all.find((x) => x.name.startsWith('Unknown TLV types'))!;
    const r = decodePacket(unhex(v.hex), { keepUnknown: true });
    expect(r.ok && r.value.unknownTlvs).toEqual([
      { type: 224, body: unhex('abcd') },
      { type: 16, body: new Uint8Array(0) },
    ]);
  });
});
