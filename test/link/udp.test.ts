import { createSocket } from 'node:dgram';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HyphaError } from '../../src/errors.js';
import type { Endpoint } from '../../src/link/api.js';
import { openUdpLink, type UdpLink, unmapAddress } from '../../src/link/udp.js';
import { canBuildTestbed, Testbed } from '../../src/testbed/netns.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** tsx's loader by absolute URL, so the child runs TypeScript whatever its working directory. */
const TSX = pathToFileURL(resolve(HERE, '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

const open: UdpLink[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

const BACKENDS = ['dgram', 'native'] as const;
type Backend = (typeof BACKENDS)[number];

async function openLink(backend: Backend, host?: string): Promise<UdpLink> {
  const l = await openUdpLink({ port: 0, host, backend });
  open.push(l);
  return l;
}

/** Resolves with the next datagram `l` receives, or rejects after `ms`. */
function next(l: UdpLink, ms = 2000): Promise<{ data: Buffer; from: Endpoint }> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no datagram within ${ms} ms`)), ms);
    l.onDatagram((data, from) => {
      clearTimeout(timer);
      resolvePromise({ data: Buffer.from(data), from });
    });
  });
}

describe('unmapAddress', () => {
  it('turns v4-mapped addresses into IPv4 and leaves everything else alone', () => {
    expect(unmapAddress('::ffff:198.18.1.2')).toBe('198.18.1.2');
    expect(unmapAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(unmapAddress('::ffff:')).toBe('::ffff:');
    expect(unmapAddress('::ffff:1:2')).toBe('::ffff:1:2');
    expect(unmapAddress('fe80::1%veth0')).toBe('fe80::1%veth0');
    expect(unmapAddress('198.18.1.2')).toBe('198.18.1.2');
  });
});

describe.each(BACKENDS)('openUdpLink (%s) on loopback', (backend) => {
  const link = (host?: string) => openLink(backend, host);
  it('binds port 0 to a real port on a dual-stack socket with enlarged buffers', async () => {
    const a = await link();
    expect(a.port).toBeGreaterThan(0);
    expect(a.type).toBe('udp6');
    // Best effort: the kernel clamps to rmem_max, but it reports something.
    expect(a.recvBufferSize).toBeGreaterThan(0);
    expect(a.sendBufferSize).toBeGreaterThan(0);
  });

  it('talks IPv4 both ways and reports plain IPv4 source addresses', async () => {
    const a = await link();
    const b = await link();
    const atB = next(b);
    a.send({ address: '127.0.0.1', port: b.port }, Uint8Array.of(1, 2, 3));
    const got = await atB;
    expect([...got.data]).toEqual([1, 2, 3]);
    expect(got.from).toEqual({ address: '127.0.0.1', port: a.port });
    const atA = next(a);
    b.send(got.from, Uint8Array.of(4));
    const back = await atA;
    expect([...back.data]).toEqual([4]);
    expect(back.from).toEqual({ address: '127.0.0.1', port: b.port });
    expect(a.counters()).toMatchObject({
      'tx.datagrams': 1,
      'tx.bytes': 3,
      'rx.datagrams': 1,
      'rx.bytes': 1,
    });
  });

  it('talks IPv6 both ways', async () => {
    const a = await link();
    const b = await link();
    const atB = next(b);
    a.send({ address: '::1', port: b.port }, Uint8Array.of(6));
    const got = await atB;
    expect(got.from).toEqual({ address: '::1', port: a.port });
    const atA = next(a);
    b.send(got.from, Uint8Array.of(7));
    expect((await atA).from).toEqual({ address: '::1', port: b.port });
  });

  it('binds udp4 for an IPv4 host and interoperates with a dual-stack link', async () => {
    const v4 = await link('127.0.0.1');
    expect(v4.type).toBe('udp4');
    const dual = await link();
    const atDual = next(dual);
    v4.send({ address: '127.0.0.1', port: dual.port }, Uint8Array.of(9));
    const got = await atDual;
    expect(got.from).toEqual({ address: '127.0.0.1', port: v4.port });
    const atV4 = next(v4);
    dual.send(got.from, Uint8Array.of(10));
    expect((await atV4).from).toEqual({ address: '127.0.0.1', port: dual.port });
    // An IPv4-only socket cannot reach IPv6: counted, not thrown.
    v4.send({ address: '::1', port: dual.port }, Uint8Array.of(11));
    expect(v4.counters()['tx.error.EAFNOSUPPORT']).toBe(1);
  });

  it('counts refused sends by code instead of throwing', async () => {
    const a = await link();
    // Refused before any packet exists: port 0 (by Node), a host name (never resolved here).
    // ENETUNREACH from the kernel is tested in a namespace below, where nothing can leave.
    expect(() => a.send({ address: '127.0.0.1', port: 0 }, Uint8Array.of(1))).not.toThrow();
    expect(() => a.send({ address: 'localhost', port: 9 }, Uint8Array.of(1))).not.toThrow();
    expect(a.counters()).toMatchObject({
      'tx.error.bad-port': 1,
      'tx.error.bad-address': 1,
      'tx.datagrams': 0,
    });
    await a.close();
    a.send({ address: '127.0.0.1', port: 9 }, Uint8Array.of(1));
    expect(a.counters()['tx.error.closed']).toBe(1);
  });

  it('survives a receive handler that throws', async () => {
    const a = await link();
    const b = await link();
    b.onDatagram(() => {
      throw new Error('bug above the socket');
    });
    a.send({ address: '::1', port: b.port }, Uint8Array.of(1));
    const deadline = Date.now() + 2000;
    while (b.counters()['rx.error.handler'] !== 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(b.counters()['rx.error.handler']).toBe(1);
  });

  it('refuses a port in use with HYPHA_ERR_LINK_BIND and says what to do', async () => {
    const a = await link();
    const err = await openUdpLink({ port: a.port, backend }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HyphaError);
    expect((err as HyphaError).code).toBe('HYPHA_ERR_LINK_BIND');
    expect((err as HyphaError).message).toBe(
      `UDP port ${a.port} is already in use: stop the other process or set listen_port`,
    );
  });

  it('refuses a port held by an IPv4-only socket too (one dual-stack port)', async () => {
    const other = createSocket('udp4');
    await new Promise<void>((r) => other.bind(0, '0.0.0.0', () => r()));
    try {
      const port = other.address().port;
      await expect(openUdpLink({ port, portSetting: 'discovery.port', backend })).rejects.toThrow(
        `UDP port ${port} is already in use: stop the other process or set discovery.port`,
      );
    } finally {
      other.close();
    }
  });

  it('checks the port argument', async () => {
    await expect(openUdpLink({ port: 70_000, backend })).rejects.toThrow(RangeError);
  });
});

const can = canBuildTestbed();
describe.skipIf(!can.ok)(`openUdpLink without routes${can.ok ? '' : ` (skipped: ${can.why})`}`, () => {
  it.each(BACKENDS)(
    '%s: counts ENETUNREACH for both families in a namespace that has only loopback',
    async (backend) => {
      const bed = new Testbed({ tag: 'u' });
      try {
        await bed.addHost('a');
        const { stdout } = await bed.exec(
          'a',
          process.execPath,
          ['--import', TSX, join(HERE, 'udp-netns-child.ts'), backend],
          15_000,
        );
        const counters = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>;
        expect(counters['tx.error.ENETUNREACH']).toBe(2);
        expect(counters['tx.datagrams']).toBe(0);
      } finally {
        await bed.destroy();
      }
    },
  );
});
