import { describe, expect, it } from 'vitest';
import { HyphaError } from '../../src/errors.js';
import { batchLayout, packetAt, packetOffset } from '../../src/tun/device.js';
import { TunError } from '../../src/tun/errors.js';
import { FAKE_EAGAIN, FAKE_EINVAL, FAKE_QUEUE_MAX, FakeTun } from '../../src/tun/fake-tun.js';
import { echoReplyFor, ipv6Packet, NEXT_HEADER_ICMPV6, parseIPv6 } from './fixtures/ipv6.js';

const A = parseIPv6('442::1');
const B = parseIPv6('442::2');

/** An IPv6 packet whose payload is `n` bytes of `fill`. */
function pkt(n: number, fill = 0xab): Buffer {
  return ipv6Packet(A, B, 59, Buffer.alloc(n, fill)); // 59: no next header
}

describe('batchLayout', () => {
  it('puts the headroom in front and rounds slots up to 64 bytes', () => {
    const l = batchLayout(1400, { batchMax: 8, headroom: 32, tailroom: 16 });
    expect(l.slotSize).toBe(1472); // 32 + 1400 + 16 = 1448 -> 1472
    expect(l.capacity).toBe(1440);
    expect(l.batchMax).toBe(8);
    expect(l.headroom).toBe(32);
  });

  it('checks its arguments', () => {
    expect(() => batchLayout(1400, { batchMax: 0 })).toThrow(RangeError);
    expect(() => batchLayout(1400, { headroom: 1.5 })).toThrow(TypeError);
    expect(() => batchLayout(70_000)).toThrow(/mtu/);
  });
});

describe('FakeTun reads', () => {
  it('delivers injected packets as one batch in slots after the headroom', () => {
    const tun = new FakeTun({ mtu: 1400, headroom: 16, batchMax: 8 });
    const got: Buffer[] = [];
    let calls = 0;
    tun.onPackets((b) => {
      calls++;
      for (let i = 0; i < b.count; i++) {
        expect(packetOffset(b, i)).toBe(i * b.slotSize + 16);
        got.push(Buffer.from(packetAt(b, i)));
      }
    });
    const p1 = pkt(10, 1);
    const p2 = pkt(200, 2);
    expect(tun.inject(p1, p2)).toBe(2);
    expect(calls).toBe(1);
    expect(got).toEqual([p1, p2]);
    expect(tun.stats).toMatchObject({ rxPackets: 2, rxBatches: 1 });
  });

  it('splits a burst into batches of at most batchMax', () => {
    const tun = new FakeTun({ batchMax: 2 });
    const sizes: number[] = [];
    tun.onPackets((b) => sizes.push(b.count));
    tun.inject(pkt(1), pkt(2), pkt(3), pkt(4), pkt(5));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('drops packets larger than a slot and counts them', () => {
    const tun = new FakeTun({ mtu: 1280, headroom: 0, tailroom: 0 });
    const lengths: number[] = [];
    tun.onPackets((b) => {
      for (let i = 0; i < b.count; i++) lengths.push(b.lengths[i]!);
    });
    tun.inject(pkt(5000), pkt(100));
    expect(lengths).toEqual([140]);
    expect(tun.stats.rxTruncated).toBe(1);
  });

  it('queues packets until a handler is set, up to the kernel queue length', () => {
    const tun = new FakeTun();
    const many = Array.from({ length: FAKE_QUEUE_MAX + 3 }, () => pkt(1));
    expect(tun.inject(...many)).toBe(FAKE_QUEUE_MAX);
    expect(tun.queueDrops).toBe(3);
    let n = 0;
    tun.onPackets((b) => {
      n += b.count;
    });
    expect(n).toBe(FAKE_QUEUE_MAX);
  });

  it('reuses and poisons the slab, so a view kept past its batch is garbage', () => {
    const tun = new FakeTun();
    const kept: Buffer[] = [];
    const slabs = new Set<Buffer>();
    tun.onPackets((b) => {
      slabs.add(b.data);
      kept.push(packetAt(b, 0));
    });
    tun.inject(pkt(4, 0x11));
    tun.inject(pkt(4, 0x22));
    expect(slabs.size).toBe(1);
    expect(kept[0]![0]).toBe(0xdb);
  });

  it('delivers packets injected from inside the handler in a later batch, not a nested call', () => {
    const tun = new FakeTun();
    let depth = 0;
    let maxDepth = 0;
    const counts: number[] = [];
    tun.onPackets((b) => {
      depth++;
      maxDepth = Math.max(maxDepth, depth);
      counts.push(b.count);
      if (counts.length === 1) tun.inject(pkt(1));
      depth--;
    });
    tun.inject(pkt(1), pkt(1));
    expect(counts).toEqual([2, 1]);
    expect(maxDepth).toBe(1);
  });

  it('reports a read error to onError as a TunError', () => {
    const tun = new FakeTun();
    const errors: TunError[] = [];
    tun.onError((e) => errors.push(e));
    tun.onPackets(() => {});
    tun.fail(77, 'EBADFD');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(HyphaError);
    expect(errors[0]).toMatchObject({ code: 'HYPHA_ERR_TUN_IO', errno: 77, syscall: 'read' });
    // Reading stopped: later packets stay queued.
    let n = 0;
    tun.onError(() => {});
    tun.inject(pkt(1));
    expect(n).toBe(0);
    tun.onPackets((b) => {
      n += b.count;
    });
    expect(n).toBe(1);
  });
});

describe('FakeTun writes', () => {
  it('captures copies of written packets', () => {
    const tun = new FakeTun();
    const reply = echoReplyFor(ipv6Packet(A, B, NEXT_HEADER_ICMPV6, Buffer.from([128, 0, 0, 0, 0, 1, 0, 1])));
    expect(tun.write(reply)).toBe(true);
    reply.fill(0);
    const [w] = tun.takeWritten();
    expect(w![40]).toBe(129);
    expect(w!.subarray(8, 24)).toEqual(B);
    expect(tun.written).toHaveLength(0);
    expect(tun.stats.txPackets).toBe(1);
  });

  it('refuses what Linux refuses: empty and non-IP packets, counted as failed with EINVAL', () => {
    const tun = new FakeTun();
    expect(tun.write(new Uint8Array(0))).toBe(false);
    expect(tun.writeBatch([Buffer.from([0x10, 0]), pkt(1), Buffer.from([0x45])])).toBe(2);
    expect(tun.stats).toMatchObject({ txPackets: 2, txFailed: 2, lastTxErrno: FAKE_EINVAL });
  });

  it('stops a batch at EAGAIN and counts the rest as again', () => {
    const tun = new FakeTun();
    let budget = 2;
    tun.writeErrno = () => (budget-- > 0 ? 0 : FAKE_EAGAIN);
    const views = [pkt(1), pkt(2), pkt(3), pkt(4), pkt(5)];
    expect(tun.writeBatch(views, 4)).toBe(2);
    expect(tun.stats).toMatchObject({ txPackets: 2, txAgain: 2, txFailed: 0, lastTxErrno: FAKE_EAGAIN });
    expect(tun.written).toHaveLength(2);
  });

  it('checks count against the array', () => {
    const tun = new FakeTun();
    expect(() => tun.writeBatch([pkt(1)], 2)).toThrow(RangeError);
  });
});

describe('FakeTun close', () => {
  it('throws TunError HYPHA_ERR_TUN_IO when used after close, and close is idempotent', () => {
    const tun = new FakeTun({ name: 'hy0' });
    tun.close();
    tun.close();
    expect(tun.closed).toBe(true);
    expect(() => tun.write(pkt(1))).toThrow(TunError);
    expect(() => tun.inject(pkt(1))).toThrow(/hy0 is closed/);
    try {
      tun.writeBatch([pkt(1)]);
      expect.unreachable();
    } catch (e) {
      expect((e as TunError).code).toBe('HYPHA_ERR_TUN_IO');
    }
  });

  it('rejects interface names Linux would reject', () => {
    expect(() => new FakeTun({ name: 'x'.repeat(16) })).toThrow(RangeError);
    expect(() => new FakeTun({ name: 'a/b' })).toThrow(RangeError);
  });
});
