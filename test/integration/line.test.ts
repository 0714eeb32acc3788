/**
 * The line A—B—C in namespaces: A and C are peered only with B, so everything between them is
 * relayed by B over the overlay.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Mesh } from '../support/mesh.js';
import {
  HOOK_TIMEOUT_MS,
  meshSupport,
  overlayTrace,
  skipNote,
  startLine,
  tcpTransfer,
} from '../support/scenarios.js';

const TRANSFER_BYTES = 50 * 1024 * 1024;

describe.skipIf(!meshSupport.ok)(`line A—B—C${skipNote}`, () => {
  let mesh: Mesh | undefined;
  const m = () => mesh!;
  const report: Record<string, unknown> = {};

  beforeAll(async () => {
    mesh = await startLine({ tag: 'l' });
  }, HOOK_TIMEOUT_MS);
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail' && mesh) process.stderr.write(`${mesh.dump(60)}\n`);
  });
  afterAll(async () => {
    await mesh?.destroy();
    process.stderr.write(`line A—B—C measurements: ${JSON.stringify(report)}\n`);
  }, 60_000);

  it('each node runs with the address its key gives and a TUN', async () => {
    for (const name of ['a', 'b', 'c']) {
      const running = m().messages(name, 'node running')[0];
      expect(running?.address).toBe(m().node(name).address);
      expect(running?.subnet).toBe(m().node(name).subnet);
      expect(await m().hasInterface(name, String(running?.tun))).toBe(true);
    }
    // A and C have exactly one neighbour, B; B has both.
    const bKey = m().node('b').publicKey;
    expect(
      m()
        .messages('a', 'peer up')
        .map((j) => j.publicKey),
    ).toContain(bKey);
    expect(
      m()
        .messages('c', 'peer up')
        .map((j) => j.publicKey),
    ).toContain(bKey);
    const bPeers = m()
      .messages('b', 'peer up')
      .map((j) => j.publicKey);
    expect(bPeers).toEqual(expect.arrayContaining([m().node('a').publicKey, m().node('c').publicKey]));
  });

  it('pings C from A over the overlay', async () => {
    const waited = await m().waitPing('a', m().node('c').address, { timeoutMs: 15_000 });
    const r = await m().ping('a', m().node('c').address, { count: 10, intervalS: 0.1 });
    expect(r.received, r.output).toBe(10);
    report.overlayPingAtoC = r.rtt;
    report.firstReplyWaitMs = waited;
    // and back, and to the relay itself
    expect((await m().ping('c', m().node('a').address, { count: 3 })).received).toBe(3);
    const toB = await m().ping('a', m().node('b').address, { count: 10, intervalS: 0.1 });
    expect(toB.received, toB.output).toBe(10);
    report.overlayPingAtoB = toB.rtt;
  }, 60_000);

  it('shows each overlay hop to a hop-limited ping (A, then B, then C answers)', async () => {
    const n = (x: string) => m().node(x).address;
    expect(await overlayTrace(m(), 'a', n('c'))).toEqual([n('a'), n('b'), n('c')]);
  }, 60_000);

  it('carries 50 MB of TCP from A to C intact', async () => {
    const r = await tcpTransfer(m(), 'a', 'c', m().node('c').address, TRANSFER_BYTES, { timeoutMs: 180_000 });
    expect(r.bytes).toBe(TRANSFER_BYTES);
    expect(r.receivedBytes).toBe(TRANSFER_BYTES);
    expect(r.receivedSha256).toBe(r.sentSha256);
    report.transferAtoC = { ms: Math.round(r.ms), mbitPerS: Number(r.mbitPerS.toFixed(1)) };
    // Every node is still up afterwards.
    for (const name of ['a', 'b', 'c']) expect(m().isRunning(name)).toBe(true);
  }, 240_000);

  it('carries TCP from A to its neighbour B too (for the A→B number)', async () => {
    const bytes = 20 * 1024 * 1024;
    const r = await tcpTransfer(m(), 'a', 'b', m().node('b').address, bytes, {
      port: 5002,
      timeoutMs: 120_000,
    });
    expect(r.receivedSha256).toBe(r.sentSha256);
    report.transferAtoB = { bytes, ms: Math.round(r.ms), mbitPerS: Number(r.mbitPerS.toFixed(1)) };
  }, 180_000);

  it('compares with the underlay: A→C routed by B in the kernel', async () => {
    // Make B a plain IPv6 router between its two links for this comparison only.
    const ab = m().link('a', 'b');
    const bc = m().link('b', 'c');
    await m().bed.exec('b', 'sysctl', ['-q', '-w', 'net.ipv6.conf.all.forwarding=1']);
    await m().bed.exec('a', 'ip', [
      '-6',
      'route',
      'add',
      `fd00:198:18:${bc.index.toString(16)}::/64`,
      'via',
      m().end('b', 'a').v6,
    ]);
    await m().bed.exec('c', 'ip', [
      '-6',
      'route',
      'add',
      `fd00:198:18:${ab.index.toString(16)}::/64`,
      'via',
      m().end('b', 'c').v6,
    ]);
    const under = await m().ping('a', m().end('c', 'b').v6, { count: 10, intervalS: 0.1 });
    expect(under.received, under.output).toBe(10);
    report.underlayPingAtoC = under.rtt;
    const over = await m().ping('a', m().node('c').address, { count: 10, intervalS: 0.1 });
    expect(over.received, over.output).toBe(10);
    report.overlayPingAtoCAgain = over.rtt;
  }, 60_000);
});
