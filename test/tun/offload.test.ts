import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finishOffloads } from '../../src/tun/offload.js';
import { sumBytes } from '../../src/tun/tcp-fields.js';

const ADDON = fileURLToPath(new URL('../../native/build/Release/hypha_tun.node', import.meta.url));
const native = existsSync(ADDON)
  ? (createRequire(import.meta.url)(ADDON) as {
      checksum(b: Uint8Array, s: number, e: number, i: number): number;
    })
  : undefined;

/** An independent RFC 1071 checksum over the IPv6 pseudo-header and the L4 bytes: 0 when valid. */
function verify(p: Uint8Array, proto: number): number {
  const l4 = p.subarray(40);
  const words: number[] = [];
  for (let i = 8; i < 40; i += 2) words.push(p[i]! * 256 + p[i + 1]!);
  words.push(Math.floor(l4.length / 65536), l4.length % 65536, 0, proto);
  for (let i = 0; i < l4.length; i += 2) words.push(l4[i]! * 256 + (l4[i + 1] ?? 0));
  let sum = words.reduce((a, b) => a + b, 0);
  while (sum > 0xffff) sum = (sum % 65536) + Math.floor(sum / 65536);
  return 0xffff - sum;
}

/** The partial checksum a kernel leaves with NEEDS_CSUM: the folded pseudo-header sum. */
function partial(p: Uint8Array, proto: number): number {
  let sum = 0;
  for (let i = 8; i < 40; i += 2) sum += p[i]! * 256 + p[i + 1]!;
  const len = p.length - 40;
  sum += Math.floor(len / 65536) + (len % 65536) + proto;
  while (sum > 0xffff) sum = (sum % 65536) + Math.floor(sum / 65536);
  return sum;
}

function ipv6(proto: number, l4: Uint8Array): Uint8Array {
  const p = new Uint8Array(40 + l4.length);
  p[0] = 0x60;
  p[4] = l4.length >> 8;
  p[5] = l4.length & 0xff;
  p[6] = proto;
  p[7] = 64;
  p.set([4, 1, 2, 3], 8);
  p.set([5, 9, 8, 7], 24);
  p[39] = 1;
  p.set(l4, 40);
  return p;
}

function vnet(fields: {
  flags: number;
  gsoType: number;
  hdrLen: number;
  size: number;
  start: number;
  offset: number;
}) {
  const h = new Uint8Array(10);
  const v = new DataView(h.buffer);
  h[0] = fields.flags;
  h[1] = fields.gsoType;
  v.setUint16(2, fields.hdrLen, true);
  v.setUint16(4, fields.size, true);
  v.setUint16(6, fields.start, true);
  v.setUint16(8, fields.offset, true);
  return h;
}

function tcp(seq: number, flags: number, payload: Uint8Array): Uint8Array {
  const t = new Uint8Array(32 + payload.length);
  t.set([0x13, 0x88, 0x1f, 0x90], 0);
  new DataView(t.buffer).setUint32(4, seq >>> 0);
  new DataView(t.buffer).setUint32(8, 4242);
  t[12] = 8 << 4; // 32-byte header: 12 bytes of options
  t[13] = flags;
  t[15] = 0xff;
  t.set([1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9], 20);
  t.set(payload, 32);
  return t;
}

describe('finishing TUN offloads (TSO and partial checksums)', () => {
  it('cuts a TSO super-packet into valid segments that add up to it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1400 }),
        fc.uint8Array({ minLength: 1, maxLength: 20_000 }),
        fc.nat({ max: 0xffff_ffff }),
        fc.constantFrom(0x10, 0x18, 0x19, 0x90),
        (size, payload, seq, flags) => {
          const p = ipv6(6, tcp(seq, flags, payload));
          p[56] = partial(p, 6) >> 8;
          p[57] = partial(p, 6) & 0xff;
          const out: Uint8Array[] = [];
          const h = vnet({ flags: 1, gsoType: 4, hdrLen: 72, size, start: 40, offset: 16 });
          expect(finishOffloads(h, p, (s) => out.push(s))).toBe('segmented');
          expect(out).toHaveLength(Math.ceil(payload.length / size));
          let at = 0;
          for (const [i, s] of out.entries()) {
            const dv = new DataView(s.buffer, s.byteOffset);
            expect(dv.getUint16(4)).toBe(s.length - 40);
            expect(dv.getUint32(44)).toBe((seq + at) >>> 0);
            expect(verify(s, 6)).toBe(0);
            const body = s.subarray(72);
            expect(Buffer.from(body).equals(Buffer.from(payload.subarray(at, at + body.length)))).toBe(true);
            at += body.length;
            const last = i === out.length - 1;
            expect(s[53]! & 0x09).toBe(last ? flags & 0x09 : 0); // FIN, PSH on the last only
            expect(s[53]! & 0x80).toBe(i === 0 ? flags & 0x80 : 0); // CWR on the first only
          }
          expect(at).toBe(payload.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('completes a partial checksum in place (TCP or UDP) and passes finished packets through', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 1500 }), fc.boolean(), (body, isTcp) => {
        const l4 = isTcp ? tcp(1, 0x18, body) : body.slice();
        const proto = isTcp ? 6 : 17;
        const offset = isTcp ? 16 : 6;
        const p = ipv6(proto, l4);
        p[40 + offset] = partial(p, proto) >> 8;
        p[40 + offset + 1] = partial(p, proto) & 0xff;
        const out: Uint8Array[] = [];
        expect(
          finishOffloads(vnet({ flags: 1, gsoType: 0, hdrLen: 0, size: 0, start: 40, offset }), p, (s) =>
            out.push(s),
          ),
        ).toBe('checksummed');
        expect(out).toEqual([p]);
        expect(verify(p, proto)).toBe(0);
        const plain: Uint8Array[] = [];
        expect(finishOffloads(new Uint8Array(10), p, (s) => plain.push(s))).toBe('plain');
        expect(plain[0]).toBe(p);
      }),
      { numRuns: 150 },
    );
  });

  it('refuses nonsense headers without throwing', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        fc.uint8Array({ maxLength: 200 }),
        (h, p) => {
          finishOffloads(h, p, () => {});
        },
      ),
    );
    expect(finishOffloads(new Uint8Array(3), new Uint8Array(60), () => {})).toBe('malformed');
  });

  it.skipIf(native === undefined)('the native checksum sums exactly like the reference', () => {
    const fold = (x: number) => {
      let s = x;
      while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
      return s;
    };
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.nat(),
        fc.nat(),
        fc.nat({ max: 0xffff }),
        (b, x, y, init) => {
          const start = b.length === 0 ? 0 : x % (b.length + 1);
          const end = start + (b.length === start ? 0 : y % (b.length - start + 1));
          expect(native!.checksum(b, start, end, init)).toBe(fold(sumBytes(b, start, end, init)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('cuts TCP to maxPacket bytes whatever the MSS, TSO or not, and leaves other packets whole', () => {
    const payload = new Uint8Array(5000).map((_, i) => i & 0xff);
    const tso = ipv6(6, tcp(10, 0x18, payload));
    const out: Uint8Array[] = [];
    const h = vnet({ flags: 1, gsoType: 4, hdrLen: 72, size: 1348, start: 40, offset: 16 });
    expect(finishOffloads(h, tso, (s) => out.push(s), undefined, 1352)).toBe('segmented');
    expect(out.map((s) => s.length)).toEqual([1352, 1352, 1352, 72 + 5000 - 3 * 1280]);
    for (const s of out) expect(verify(s, 6)).toBe(0);
    // A single full-MSS segment of a 1420-byte MTU, no GSO: cut in two.
    const one = ipv6(6, tcp(7, 0x10, payload.subarray(0, 1420 - 72)));
    const cut: Uint8Array[] = [];
    expect(finishOffloads(new Uint8Array(10), one, (s) => cut.push(s), undefined, 1352)).toBe('segmented');
    expect(cut.map((s) => s.length)).toEqual([1352, 1420 - 1352 + 72]);
    expect(new DataView(cut[1]!.buffer).getUint32(44)).toBe(7 + 1280);
    // UDP is never cut: it goes whole (and IP fragments it).
    const udp = ipv6(17, new Uint8Array(1400));
    const whole: Uint8Array[] = [];
    expect(finishOffloads(new Uint8Array(10), udp, (s) => whole.push(s), undefined, 1352)).toBe('plain');
    expect(whole).toEqual([udp]);
  });
});
