import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/link/api.js';
import { loadUdpAddon } from '../../src/link/native-udp.js';
import { openUdpLink, type UdpLink } from '../../src/link/udp.js';

const addon = loadUdpAddon();
const open: UdpLink[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function link(): Promise<UdpLink> {
  const l = await openUdpLink({ port: 0, backend: 'native' });
  open.push(l);
  return l;
}

/** Collects datagrams (copied) until `n` arrived or `ms` passed. */
function collect(l: UdpLink, n: number, ms = 3000): Promise<{ data: Buffer; from: Endpoint }[]> {
  const got: { data: Buffer; from: Endpoint }[] = [];
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(got), ms);
    l.onDatagram((data, from) => {
      got.push({ data: Buffer.from(data), from });
      if (got.length === n) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

const datagram = (i: number, size: number) => {
  const d = Buffer.alloc(size, i & 0xff);
  d.writeUInt32BE(i, 0);
  return d;
};

describe.skipIf(addon === undefined)('native UDP link (recvmmsg/sendmmsg, GSO/GRO)', () => {
  it('sends a corked burst in few syscalls and every datagram arrives whole and in order', async () => {
    const a = await link();
    const b = await link();
    const n = 200;
    const arrived = collect(b, n);
    a.cork();
    // Equal sizes, one destination: runs the kernel may segment (GSO); the last of each run shorter.
    for (let i = 0; i < n; i++)
      a.send({ address: '127.0.0.1', port: b.port }, datagram(i, i % 50 === 49 ? 700 : 1400));
    expect(a.counters()['tx.datagrams']).toBeLessThan(n); // still queued: nothing left before uncork
    a.uncork();
    const got = await arrived;
    expect(got.map((g) => g.data.readUInt32BE(0))).toEqual([...Array(n).keys()]);
    for (const g of got) {
      const i = g.data.readUInt32BE(0);
      expect(g.data.equals(datagram(i, i % 50 === 49 ? 700 : 1400))).toBe(true);
      expect(g.from).toEqual({ address: '127.0.0.1', port: a.port });
    }
    const c = a.counters();
    expect(c['tx.datagrams']).toBe(n);
    expect(c['tx.batches']).toBeLessThanOrEqual(Math.ceil(n / 64));
    expect(c['tx.bytes']).toBe(got.reduce((s, g) => s + g.data.length, 0));
  });

  it('keeps datagrams to different endpoints apart in one batch', async () => {
    const a = await link();
    const b = await link();
    const c = await link();
    const atB = collect(b, 10);
    const atC = collect(c, 10);
    a.cork();
    for (let i = 0; i < 20; i++)
      a.send({ address: i % 2 ? '::1' : '127.0.0.1', port: i % 2 ? c.port : b.port }, datagram(i, 1200));
    a.uncork();
    expect((await atB).map((g) => g.data.readUInt32BE(0))).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    const gotC = await atC;
    expect(gotC.map((g) => g.data.readUInt32BE(0))).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    expect(gotC[0]!.from).toEqual({ address: '::1', port: a.port });
  });

  it('sends a datagram larger than a batch slot on its own', async () => {
    const a = await link();
    const b = await link();
    const arrived = collect(b, 2);
    a.cork();
    a.send({ address: '::1', port: b.port }, datagram(1, 1000));
    a.send({ address: '::1', port: b.port }, datagram(2, 9000));
    a.uncork();
    const got = await arrived;
    expect(got.map((g) => [g.data.readUInt32BE(0), g.data.length])).toEqual([
      [1, 1000],
      [2, 9000],
    ]);
  });

  it('splits a GRO train from a GSO sender into the original datagrams', async () => {
    const a = await link();
    const b = await link();
    const n = 64;
    const arrived = collect(b, n);
    a.cork();
    for (let i = 0; i < n; i++) a.send({ address: '::1', port: b.port }, datagram(i, 1000));
    a.uncork();
    const got = await arrived;
    expect(got.map((g) => g.data.readUInt32BE(0))).toEqual([...Array(n).keys()]);
    expect(got.every((g) => g.data.length === 1000)).toBe(true);
    // On loopback the kernel hands the GSO train to a GRO socket whole, or as single datagrams.
    expect(b.counters()['rx.datagrams']).toBe(n);
  });

  it('receives from a plain dgram socket and answers it', async () => {
    const b = await link();
    const plain = createSocket('udp4');
    await new Promise<void>((r) => plain.bind(0, '127.0.0.1', () => r()));
    try {
      const arrived = collect(b, 1);
      plain.send(Buffer.from('hello'), b.port, '127.0.0.1');
      const [got] = await arrived;
      expect(got?.data.toString()).toBe('hello');
      expect(got?.from).toEqual({ address: '127.0.0.1', port: plain.address().port });
      const answer = new Promise<string>((r) => plain.once('message', (m) => r(m.toString())));
      b.send(got!.from, Buffer.from('hi'));
      expect(await answer).toBe('hi');
    } finally {
      plain.close();
    }
  });
});
