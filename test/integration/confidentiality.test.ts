/**
 * Confidentiality on the relay's wire: while A sends C a TCP stream that repeats a plaintext marker,
 * a capture on both of B's underlay interfaces never contains the marker. A capture on A's TUN in
 * the same run does contain it, which shows the marker was really sent and the search finds it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Mesh } from '../support/mesh.js';
import {
  Capture,
  HOOK_TIMEOUT_MS,
  meshSupport,
  skipNote,
  startLine,
  tcpTransfer,
} from '../support/scenarios.js';

const BYTES = 4 * 1024 * 1024;

describe.skipIf(!meshSupport.ok)(`confidentiality on the relay's underlay${skipNote}`, () => {
  let mesh: Mesh | undefined;
  const m = () => mesh!;

  beforeAll(async () => {
    mesh = await startLine({ tag: 'c' });
  }, HOOK_TIMEOUT_MS);
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail' && mesh) process.stderr.write(`${mesh.dump(60)}\n`);
  });
  afterAll(async () => {
    await mesh?.destroy();
  }, 60_000);

  it('a capture on B during a transfer never contains the plaintext marker', async () => {
    const marker = `HYPHA-PLAINTEXT-MARKER-${randomBytes(6).toString('hex')}|`;
    const onB = join(m().dir, 'b-underlay.pcap');
    const onTunA = join(m().dir, 'a-tun.pcap');
    const bDevs = [m().end('b', 'a').dev, m().end('b', 'c').dev];
    const capB = new Capture(m(), 'b', bDevs, onB);
    const tunA = String(m().messages('a', 'node running')[0]?.tun ?? 'hypha0');
    const capA = new Capture(m(), 'a', [tunA], onTunA, 'tcp');
    try {
      await capB.started();
      await capA.started();
      await m().waitPing('a', m().node('c').address, { timeoutMs: 15_000 });
      const r = await tcpTransfer(m(), 'a', 'c', m().node('c').address, BYTES, {
        marker,
        timeoutMs: 120_000,
      });
      expect(r.receivedSha256).toBe(r.sentSha256);
    } finally {
      await capB.stop();
      await capA.stop();
    }
    const wire = readFileSync(onB);
    const plain = readFileSync(onTunA);
    // The capture saw the transfer: at least its size crossed B (twice: in on one side, out on the other).
    expect(statSync(onB).size).toBeGreaterThan(BYTES);
    // Positive control: the plaintext side has the marker many times.
    expect(plain.indexOf(Buffer.from(marker))).toBeGreaterThanOrEqual(0);
    // The relay's wire: not once, nor its first half (a marker split across two datagrams).
    expect(wire.indexOf(Buffer.from(marker))).toBe(-1);
    expect(wire.indexOf(Buffer.from(marker.slice(0, Math.ceil(marker.length / 2))))).toBe(-1);
  }, 180_000);
});
