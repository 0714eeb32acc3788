import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VNET_HEADER_BYTES } from '../../src/tun/device.js';
import { coalesceTcp, type TunWrite } from '../../src/tun/tcp-coalesce.js';
import { pseudoHeaderSum } from '../../src/tun/tcp-fields.js';

const ACK = 0x10;
const PSH = 0x08;

interface Seg {
  src: number;
  port: number;
  seq: number;
  payload: Uint8Array;
  flags: number;
}

function tcpPacket(s: Seg, options = new Uint8Array(12)): Uint8Array {
  const thl = 20 + options.length;
  const p = new Uint8Array(40 + thl + s.payload.length);
  p[0] = 0x60;
  p[4] = (thl + s.payload.length) >> 8;
  p[5] = (thl + s.payload.length) & 0xff;
  p[6] = 6;
  p[7] = 64;
  p[8] = 0x04;
  p[23] = s.src; // source ::…src
  p[24] = 0x05;
  p[39] = 1;
  const t = 40;
  p[t] = s.port >> 8;
  p[t + 1] = s.port & 0xff;
  p[t + 2] = 0x1f;
  p[t + 3] = 0x90;
  new DataView(p.buffer).setUint32(t + 4, s.seq >>> 0);
  new DataView(p.buffer).setUint32(t + 8, 777);
  p[t + 12] = (thl / 4) << 4;
  p[t + 13] = s.flags;
  p[t + 14] = 0xff;
  p[t + 16] = 0xab; // a checksum the merge must replace
  p.set(options, t + 20);
  p.set(s.payload, t + thl);
  return p;
}

/** What the kernel's GSO does with a super-packet: the original segments back (checksums aside). */
function resegment(w: TunWrite): Uint8Array[] {
  if (w.header === undefined) return [w.packet];
  const h = new DataView(w.header.buffer, w.header.byteOffset);
  expect(w.header.length).toBe(VNET_HEADER_BYTES);
  expect([w.header[0], w.header[1], h.getUint16(6, true), h.getUint16(8, true)]).toEqual([1, 4, 40, 16]);
  const hdrLen = h.getUint16(2, true);
  const size = h.getUint16(4, true);
  const p = w.packet;
  expect(((p[4]! << 8) | p[5]!) + 40).toBe(p.length);
  const tcpLength = p.length - 40;
  expect((p[56]! << 8) | p[57]!).toBe(pseudoHeaderSum(p, tcpLength));
  const out: Uint8Array[] = [];
  const seq0 = new DataView(p.buffer, p.byteOffset).getUint32(44);
  for (let at = hdrLen, n = 0; at < p.length; at += size, n++) {
    const body = p.subarray(at, Math.min(at + size, p.length));
    const seg = new Uint8Array(hdrLen + body.length);
    seg.set(p.subarray(0, hdrLen));
    seg.set(body, hdrLen);
    const len = seg.length - 40;
    seg[4] = len >> 8;
    seg[5] = len & 0xff;
    new DataView(seg.buffer).setUint32(44, (seq0 + n * size) >>> 0);
    if (at + size < p.length) seg[53] = seg[53]! & ~PSH; // GSO keeps PSH on the last segment only
    out.push(seg);
  }
  return out;
}

const withoutChecksum = (p: Uint8Array) => {
  const c = p.slice();
  if (c[6] === 6 && c.length >= 60) c[56] = c[57] = 0;
  return c;
};

describe('TCP coalescing for the TUN (GRO)', () => {
  it('merges one flow of full segments and a short last one into a GSO super-packet', () => {
    const mss = 1200;
    const segs = [0, 1, 2, 3].map((i) =>
      tcpPacket({
        src: 1,
        port: 5000,
        seq: 1000 + i * mss,
        payload: new Uint8Array(i === 3 ? 300 : mss).fill(i),
        flags: ACK | (i === 3 ? PSH : 0),
      }),
    );
    const out = coalesceTcp(segs);
    expect(out).toHaveLength(1);
    expect(out[0]!.segments).toBe(4);
    expect(out[0]!.packet.length).toBe(40 + 32 + 3 * mss + 300);
    expect(resegment(out[0]!).map(withoutChecksum)).toEqual(segs.map(withoutChecksum));
  });

  it('keeps gaps, other flows, pure ACKs, SYN/FIN and non-TCP apart, in order per flow', () => {
    const a = (seq: number, len: number, flags = ACK) =>
      tcpPacket({ src: 1, port: 5000, seq, payload: new Uint8Array(len), flags });
    const b = (seq: number) =>
      tcpPacket({ src: 2, port: 5000, seq, payload: new Uint8Array(100), flags: ACK });
    const udp = new Uint8Array(48);
    udp[0] = 0x60;
    udp[5] = 8;
    udp[6] = 17;
    const packets = [
      a(0, 100),
      b(0),
      a(100, 100),
      udp,
      a(300, 100),
      a(400, 0),
      a(400, 100, ACK | 0x01),
      b(100),
    ];
    const out = coalesceTcp(packets);
    // a0+a100 merge (b between them is another flow); a300 starts anew (gap); the pure ACK, the FIN
    // and the UDP datagram pass alone; b0+b100 merge.
    expect(out.map((w) => w.segments)).toEqual([2, 2, 1, 1, 1, 1]);
    expect(out[2]!.packet).toBe(udp);
  });

  it('never merges across different options, ACK numbers or segment sizes above the first', () => {
    const p1 = tcpPacket({ src: 1, port: 1, seq: 0, payload: new Uint8Array(100), flags: ACK });
    const p2 = tcpPacket(
      { src: 1, port: 1, seq: 100, payload: new Uint8Array(100), flags: ACK },
      new Uint8Array(12).fill(1),
    );
    const p3 = tcpPacket({ src: 1, port: 1, seq: 100, payload: new Uint8Array(200), flags: ACK });
    expect(coalesceTcp([p1, p2]).map((w) => w.segments)).toEqual([1, 1]);
    expect(coalesceTcp([p1, p3]).map((w) => w.segments)).toEqual([1, 1]);
  });

  it('re-segments into exactly the packets it was given, for random interleaved flows', () => {
    const flow = fc.record({
      src: fc.integer({ min: 1, max: 3 }),
      mss: fc.integer({ min: 1, max: 1400 }),
      seq: fc.nat({ max: 0xffff_ffff }),
      lengths: fc.array(fc.integer({ min: 0, max: 1400 }), { minLength: 1, maxLength: 70 }),
    });
    fc.assert(
      fc.property(
        fc.array(flow, { minLength: 1, maxLength: 3 }),
        fc.infiniteStream(fc.nat()),
        (flows, picks) => {
          const queues = flows.map((f, i) => {
            let seq = f.seq;
            return f.lengths.map((len0, j) => {
              const len = Math.min(len0, f.mss);
              const p = tcpPacket({
                src: f.src,
                port: 1000 + i,
                seq,
                payload: new Uint8Array(len).fill(j),
                flags: ACK | (j % 9 === 8 ? PSH : 0),
              });
              seq = (seq + len) >>> 0;
              return p;
            });
          });
          const input: Uint8Array[] = [];
          const it = picks[Symbol.iterator]();
          while (queues.some((q) => q.length > 0)) {
            const live = queues.filter((q) => q.length > 0);
            input.push(live[(it.next().value as number) % live.length]!.shift()!);
          }
          const out = coalesceTcp(input);
          expect(out.reduce((n, w) => n + w.segments, 0)).toBe(input.length);
          const back = out.flatMap(resegment).map(withoutChecksum);
          // Per flow, the same packets in the same order.
          const byFlow = (ps: Uint8Array[]) =>
            [40, 41].map(() => 0) &&
            ps.map((p) => `${p[23]}:${p[40]! * 256 + p[41]!}:${Buffer.from(p).toString('hex')}`);
          const key = (s: string) => s.split(':').slice(0, 2).join(':');
          const group = (xs: string[]) => {
            const m = new Map<string, string[]>();
            for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
            return m;
          };
          expect(group(byFlow(back))).toEqual(group(byFlow(input.map(withoutChecksum))));
          for (const w of out) expect(w.packet.length - 40).toBeLessThanOrEqual(0xffff);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('passes malformed and random bytes through unmerged without throwing', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 120 }), { maxLength: 20 }), (ps) => {
        const out = coalesceTcp(ps);
        expect(out.reduce((n, w) => n + w.segments, 0)).toBe(ps.length);
      }),
    );
  });
});
